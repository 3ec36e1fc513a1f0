/**
 * The opaque `nextPageToken` of GetWorkflowExecutionHistory: JSON bytes naming the shard, the run and the next
 * event id. Clients pass it back unchanged; anything else is refused with INVALID_ARGUMENT.
 */
import { InvalidArgumentError } from '../errors.js';

/** Where the next page starts. */
export interface HistoryPageToken {
  readonly shardId: number;
  readonly runId: string;
  readonly nextEventId: number;
}

const tokenFormatVersion = 1;

/** Encodes `token` as the bytes sent to the client. */
export function encodeHistoryPageToken(token: HistoryPageToken): Buffer {
  const { shardId, runId, nextEventId } = token;
  return Buffer.from(JSON.stringify({ v: tokenFormatVersion, shardId, runId, nextEventId }), 'utf8');
}

function isNonNegativeInt(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** Decodes a token from the client; throws INVALID_ARGUMENT naming `field` if it is not one Cairn issued. */
export function decodeHistoryPageToken(bytes: Buffer, field = 'nextPageToken'): HistoryPageToken {
  const malformed = new InvalidArgumentError(
    `${field} is malformed: pass back the token of the previous response unchanged, or omit it for the first page`
  );
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw malformed;
  }
  if (parsed === null || typeof parsed !== 'object') throw malformed;
  const { v, shardId, runId, nextEventId } = parsed as Record<string, unknown>;
  if (v !== tokenFormatVersion || !isNonNegativeInt(shardId) || typeof runId !== 'string' || runId === '') {
    throw malformed;
  }
  if (!isNonNegativeInt(nextEventId) || nextEventId < 1) throw malformed;
  return { shardId, runId, nextEventId };
}
