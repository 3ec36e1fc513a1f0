/**
 * The shard's log entries (docs/shard.md §1–§2): a {@link ShardCommand} proposed by the engine, or a barrier
 * proposed by a new leader; both carry the {@link ProposalId} that lets the proposer match the applied entry.
 *
 * Encoding: `formatVersion u8 (1) | msgpack array`, where the array is
 * - barrier: `[0, nodeId, term, sequence]`
 * - command: `[1, nodeId, term, sequence, requestId, [[key, version|null]…], [[0, key, value] | [1, key]…],
 *   outcome, [action…]]`.
 * Decoding validates the whole shape and throws {@link ShardCommandFormatError}; an unknown version throws
 * {@link ShardEntryVersionError} (at apply, both are fail-stop: apply.ts).
 */
import { Packr } from 'msgpackr';
import { ShardCommandFormatError } from '../errors.js';
import type { StateWrite } from '../stateStore.js';

export const SHARD_ENTRY_FORMAT_VERSION = 1;
/** Bound on a request id's UTF-8 bytes (it becomes part of a state key). */
export const REQUEST_ID_BYTES_MAX = 512;

export interface ShardPrecondition {
  readonly key: Uint8Array;
  /** The version the key must have at apply time; null = the key must not exist. */
  readonly version: number | null;
}

export interface ShardCommand {
  readonly formatVersion: 1;
  /** Client mutation id; a retried command with the same id returns the first applied outcome. */
  readonly requestId: string | null;
  /** Every precondition must hold at apply time, else the whole command is a no-op (`conflict`). */
  readonly preconditions: readonly ShardPrecondition[];
  /** Puts (value, version + 1) and deletes of user keys, each key at most once. */
  readonly writes: readonly StateWrite[];
  /** Opaque: what the engine returns to the client once applied (stored for dedup). */
  readonly outcome: Uint8Array;
  /** Opaque effects the ready leader performs after apply. */
  readonly actions: readonly Uint8Array[];
}

/** Who proposed an entry: the proposing node, its term then, and its per-shard proposal sequence. */
export interface ProposalId {
  readonly nodeId: number;
  readonly term: number;
  readonly sequence: number;
}

export type ShardEntry =
  | { readonly kind: 'barrier'; readonly proposal: ProposalId }
  | { readonly kind: 'command'; readonly proposal: ProposalId; readonly command: ShardCommand };

/** An entry of a newer (or garbage) format version: this replica cannot apply it. */
export class ShardEntryVersionError extends ShardCommandFormatError {
  constructor(readonly formatVersion: number | undefined) {
    super(
      `unknown shard entry format version ${String(formatVersion)} (this build knows ${SHARD_ENTRY_FORMAT_VERSION})`
    );
  }
}

const packr = new Packr({ useRecords: false, moreTypes: false });
const utf8 = new TextEncoder();
const BARRIER_TAG = 0;
const COMMAND_TAG = 1;
const PUT_TAG = 0;
const DEL_TAG = 1;

function fail(reason: string): never {
  throw new ShardCommandFormatError(reason);
}

function checkBytes(value: unknown, what: string): Uint8Array {
  if (!(value instanceof Uint8Array)) fail(`${what} must be bytes`);
  return value;
}

function checkCounter(value: unknown, what: string, min: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    fail(`${what} must be a safe integer ≥ ${min}, got ${String(value)}`);
  }
  return value;
}

function checkArray(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) fail(`${what} must be an array`);
  return value as unknown[];
}

function checkProposal(nodeId: unknown, term: unknown, sequence: unknown): ProposalId {
  return {
    nodeId: checkCounter(nodeId, 'proposal node id', 1),
    term: checkCounter(term, 'proposal term', 1),
    sequence: checkCounter(sequence, 'proposal sequence', 1),
  };
}

function keyOnce(seen: Set<string>, key: Uint8Array, what: string): void {
  const hex = Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('hex');
  if (seen.has(hex)) fail(`${what} names key 0x${hex} twice`);
  seen.add(hex);
}

/** Validates a command's shape (also used before encoding: a bad command is the caller's input error). */
export function validateShardCommand(command: ShardCommand): void {
  if (command.formatVersion !== 1) fail(`command formatVersion must be 1, got ${String(command.formatVersion)}`);
  if (command.requestId !== null) {
    if (typeof command.requestId !== 'string' || command.requestId.length === 0) {
      fail('requestId must be null or a non-empty string');
    }
    const bytes = utf8.encode(command.requestId).length;
    if (bytes > REQUEST_ID_BYTES_MAX) fail(`requestId is ${bytes} bytes, at most ${REQUEST_ID_BYTES_MAX}`);
  }
  const preconditionKeys = new Set<string>();
  for (const precondition of checkArray(command.preconditions, 'preconditions') as ShardPrecondition[]) {
    keyOnce(preconditionKeys, checkBytes(precondition.key, 'precondition key'), 'preconditions');
    if (precondition.version !== null) checkCounter(precondition.version, 'precondition version', 1);
  }
  const writeKeys = new Set<string>();
  for (const write of checkArray(command.writes, 'writes') as StateWrite[]) {
    keyOnce(writeKeys, checkBytes(write.key, 'write key'), 'writes');
    if (write.type === 'put') checkBytes(write.value, 'put value');
    else if (write.type !== 'del') fail(`write type must be put or del, got ${String((write as StateWrite).type)}`);
  }
  checkBytes(command.outcome, 'outcome');
  for (const action of checkArray(command.actions, 'actions')) checkBytes(action, 'action');
}

/** Encodes an entry; throws ShardCommandFormatError if the command is malformed. */
export function encodeShardEntry(entry: ShardEntry): Uint8Array {
  const { nodeId, term, sequence } = entry.proposal;
  checkProposal(nodeId, term, sequence);
  let body: unknown[];
  if (entry.kind === 'barrier') {
    body = [BARRIER_TAG, nodeId, term, sequence];
  } else {
    const command = entry.command;
    validateShardCommand(command);
    body = [
      COMMAND_TAG,
      nodeId,
      term,
      sequence,
      command.requestId,
      command.preconditions.map((p) => [p.key, p.version]),
      command.writes.map((w) => (w.type === 'put' ? [PUT_TAG, w.key, w.value] : [DEL_TAG, w.key])),
      command.outcome,
      command.actions,
    ];
  }
  const packed = packr.pack(body);
  const out = new Uint8Array(1 + packed.length);
  out[0] = SHARD_ENTRY_FORMAT_VERSION;
  out.set(packed, 1);
  return out;
}

function decodeWrite(value: unknown): StateWrite {
  const write = checkArray(value, 'write');
  if (write[0] === PUT_TAG && write.length === 3) {
    return { type: 'put', key: checkBytes(write[1], 'write key'), value: checkBytes(write[2], 'put value') };
  }
  if (write[0] === DEL_TAG && write.length === 2) return { type: 'del', key: checkBytes(write[1], 'write key') };
  return fail('a write must be [0, key, value] or [1, key]');
}

function decodeCommand(body: unknown[]): ShardCommand {
  if (body.length !== 9) fail(`a command entry has 9 fields, got ${body.length}`);
  const requestId = body[4];
  if (requestId !== null && typeof requestId !== 'string') fail('requestId must be null or a string');
  const preconditions = checkArray(body[5], 'preconditions').map((value) => {
    const pair = checkArray(value, 'precondition');
    if (pair.length !== 2) fail('a precondition must be [key, version]');
    const version = pair[1] === null ? null : checkCounter(pair[1], 'precondition version', 1);
    return { key: checkBytes(pair[0], 'precondition key'), version };
  });
  const command: ShardCommand = {
    formatVersion: 1,
    requestId,
    preconditions,
    writes: checkArray(body[6], 'writes').map(decodeWrite),
    outcome: checkBytes(body[7], 'outcome'),
    actions: checkArray(body[8], 'actions').map((action) => checkBytes(action, 'action')),
  };
  validateShardCommand(command);
  return command;
}

/** Decodes bytes made by {@link encodeShardEntry}; throws ShardCommandFormatError (or its version subclass). */
export function decodeShardEntry(data: Uint8Array): ShardEntry {
  if (data.length < 2) fail(`an entry needs at least 2 bytes, got ${data.length}`);
  if (data[0] !== SHARD_ENTRY_FORMAT_VERSION) throw new ShardEntryVersionError(data[0]);
  let unpacked: unknown;
  try {
    unpacked = packr.unpack(data.subarray(1));
  } catch (error) {
    fail(`not msgpack: ${error instanceof Error ? error.message : String(error)}`);
  }
  const body = checkArray(unpacked, 'entry body');
  const proposal = checkProposal(body[1], body[2], body[3]);
  if (body[0] === BARRIER_TAG) {
    if (body.length !== 4) fail(`a barrier entry has 4 fields, got ${body.length}`);
    return { kind: 'barrier', proposal };
  }
  if (body[0] === COMMAND_TAG) return { kind: 'command', proposal, command: decodeCommand(body) };
  return fail(`unknown entry tag ${String(body[0])}`);
}
