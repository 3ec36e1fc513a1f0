/**
 * Per-run limits (TEMPORAL-API.md §10, ARCHITECTURE.md §5 "Limits"), with Temporal's defaults; each is configurable
 * (the engine passes its limits in the TransitionContext) and each has a warning level below its error level.
 *
 * - A command whose payloads exceed `payloadBytesMax` fails the workflow task with PAYLOADS_TOO_LARGE (the worker
 *   sees why; the run is not changed by the command).
 * - A run whose history reaches `historyEventsMax` events (or `historyBytesMax` bytes of payload data) is
 *   terminated by the transition that crossed it, as Temporal does: nothing can be appended to it any more.
 */
import type { ProtoMessage } from '../history/events.js';
import type { MutableState } from '../mutableState/mutableState.js';

/** The limits a run is held to. */
export interface RunLimits {
  readonly payloadBytesMax: number;
  readonly payloadBytesWarn: number;
  readonly historyEventsMax: number;
  readonly historyEventsWarn: number;
  /** Payload bytes of a run's history: Temporal's 50 MB error and 10 MB warning. */
  readonly historyBytesMax: number;
  readonly historyBytesWarn: number;
  /** Signals one run accepts in its life (Temporal: 10,000); more are refused with INVALID_ARGUMENT. */
  readonly signalsPerRunMax: number;
}

/** Temporal's defaults. */
export const defaultRunLimits: RunLimits = {
  payloadBytesMax: 2 * 1024 * 1024,
  payloadBytesWarn: 512 * 1024,
  historyEventsMax: 51_200,
  historyEventsWarn: 10_240,
  historyBytesMax: 50 * 1024 * 1024,
  historyBytesWarn: 10 * 1024 * 1024,
  signalsPerRunMax: 10_000,
};

/** Signal request ids a run remembers for dedup: a retry arrives within seconds, not thousands of signals later. */
export const SIGNAL_REQUEST_IDS_KEPT = 1_000;

/** A run reached a limit that refuses the request (the client sees INVALID_ARGUMENT with this message). */
export class RunLimitError extends Error {
  override readonly name = 'RunLimitError';
}

/** The reason written on a run terminated for its history size. */
export const HISTORY_LIMIT_REASON = 'Workflow history size / count exceeds limit.';

/**
 * Bytes of payload data in `value`: every `data` byte array of a `{metadata, data}` payload anywhere inside it.
 * Walks at most `nodesMax` objects (a command is a small tree; the bound keeps a hostile one cheap).
 */
export function payloadDataBytes(value: unknown, nodesMax = 100_000): number {
  let bytes = 0;
  let visited = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0 && visited < nodesMax) {
    const node = stack.pop();
    visited++;
    if (node instanceof Uint8Array) continue;
    if (Array.isArray(node)) {
      stack.push(...(node as unknown[]));
      continue;
    }
    if (typeof node !== 'object' || node === null) continue;
    const record = node as ProtoMessage;
    const data = record['data'];
    if (data instanceof Uint8Array && 'metadata' in record) bytes += data.length;
    for (const child of Object.values(record)) if (typeof child === 'object' && child !== null) stack.push(child);
  }
  return bytes;
}

/** True when the run's history is at or past the event or byte limit. */
export function historyTooLong(state: MutableState, limits: RunLimits): boolean {
  return state.nextEventId - 1 >= limits.historyEventsMax || (state.historyPayloadBytes ?? 0) >= limits.historyBytesMax;
}
