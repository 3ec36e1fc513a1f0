/**
 * The engine's user keys inside a shard (docs/runStore.md): the shard layer stores each under its `0x02` data tag
 * with a version. Strings are `u16 (big-endian) byte length | UTF-8`, so no key component is a prefix of another
 * and a run's keys never collide with a different (namespace, workflowId, runId) split.
 *
 * | user key                                             | value (`1 | msgpack`)            |
 * |------------------------------------------------------|----------------------------------|
 * | `0x10 | ns | workflowId`                             | current-run pointer              |
 * | `0x11 | ns | workflowId | runId`                     | the run's mutable state          |
 * | `0x12 | ns | workflowId | runId | eventId u64`       | one history event                |
 * | `0x13 | ns | workflowId | runId`                     | the run's visibility row         |
 * | `0x14 | ns | workflowId | runId`                     | active-run marker (empty value)  |
 * | `0x15`                                               | the shard's last taskId (u64)    |
 *
 * Event ids are big-endian so a range scan returns a history in event order.
 */
import { invariant } from '../../raft/core/errors.js';

export const CURRENT_RUN_TAG = 0x10;
export const MUTABLE_STATE_TAG = 0x11;
export const HISTORY_EVENT_TAG = 0x12;
export const VISIBILITY_TAG = 0x13;
/** Runs the leader must track (open, or closed with cross-run work pending): scanned when a shard's gate opens. */
export const ACTIVE_RUN_TAG = 0x14;
/** The shard's durable taskId high-water mark: taskIds stay increasing even if a wall clock steps back. */
export const TASK_ID_MARK_TAG = 0x15;

/** The key of the shard's taskId high-water mark. */
export function taskIdMarkKey(): Uint8Array {
  return Uint8Array.of(TASK_ID_MARK_TAG);
}
/** A key string component is at most this many UTF-8 bytes (its length prefix is a u16). */
export const KEY_STRING_BYTES_MAX = 0xffff;
const U64_BYTES = 8;

const utf8 = new TextEncoder();

/** Identifies one run. */
export interface RunRef {
  readonly namespace: string;
  readonly workflowId: string;
  readonly runId: string;
}

function concat(tag: number, parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(1 + parts.reduce((sum, part) => sum + part.length, 0));
  out[0] = tag;
  let offset = 1;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function keyString(value: string): Uint8Array {
  const bytes = utf8.encode(value);
  // Ids are validated (≤ 1,000 bytes) before any key is built: a longer one here is a bug.
  invariant(bytes.length <= KEY_STRING_BYTES_MAX, () => `key string of ${bytes.length} bytes is too long`);
  const out = new Uint8Array(2 + bytes.length);
  out[0] = bytes.length >>> 8;
  out[1] = bytes.length & 0xff;
  out.set(bytes, 2);
  return out;
}

function u64(value: number): Uint8Array {
  invariant(Number.isSafeInteger(value) && value >= 0, () => `u64 key part ${value} is not a safe integer ≥ 0`);
  const out = new Uint8Array(U64_BYTES);
  const view = new DataView(out.buffer);
  view.setUint32(0, Math.floor(value / 2 ** 32));
  view.setUint32(4, value >>> 0);
  return out;
}

/** The current-run pointer of (namespace, workflowId). */
export function currentRunKey(namespace: string, workflowId: string): Uint8Array {
  return concat(CURRENT_RUN_TAG, [keyString(namespace), keyString(workflowId)]);
}

/** The mutable state of one run. */
export function mutableStateKey(run: RunRef): Uint8Array {
  return concat(MUTABLE_STATE_TAG, [keyString(run.namespace), keyString(run.workflowId), keyString(run.runId)]);
}

/** History event `eventId` (≥ 1) of one run. */
export function historyEventKey(run: RunRef, eventId: number): Uint8Array {
  return concat(HISTORY_EVENT_TAG, [
    keyString(run.namespace),
    keyString(run.workflowId),
    keyString(run.runId),
    u64(eventId),
  ]);
}

/** The key range of events `fromEventId` ≤ id < `toEventId` of one run, for a range scan. */
export function historyRange(run: RunRef, fromEventId: number, toEventId: number): { gte: Uint8Array; lt: Uint8Array } {
  invariant(fromEventId >= 1 && fromEventId <= toEventId, () => `bad event range [${fromEventId}, ${toEventId})`);
  return { gte: historyEventKey(run, fromEventId), lt: historyEventKey(run, toEventId) };
}

/** The visibility row of one run. */
export function visibilityKey(run: RunRef): Uint8Array {
  return concat(VISIBILITY_TAG, [keyString(run.namespace), keyString(run.workflowId), keyString(run.runId)]);
}

/** The active-run marker of one run. */
export function activeRunKey(run: RunRef): Uint8Array {
  return concat(ACTIVE_RUN_TAG, [keyString(run.namespace), keyString(run.workflowId), keyString(run.runId)]);
}

/** The key range of every active-run marker of a shard. */
export function activeRunRange(): { gte: Uint8Array; lt: Uint8Array } {
  return { gte: Uint8Array.of(ACTIVE_RUN_TAG), lt: Uint8Array.of(ACTIVE_RUN_TAG + 1) };
}

/** The run an active-run key names (the inverse of {@link activeRunKey}). */
export function runOfActiveRunKey(key: Uint8Array): RunRef {
  invariant(key[0] === ACTIVE_RUN_TAG, 'not an active-run key');
  const decoder = new TextDecoder();
  const parts: string[] = [];
  let offset = 1;
  for (let index = 0; index < 3; index++) {
    invariant(offset + 2 <= key.length, 'truncated active-run key');
    const length = ((key[offset] as number) << 8) | (key[offset + 1] as number);
    offset += 2;
    invariant(offset + length <= key.length, 'truncated active-run key');
    parts.push(decoder.decode(key.subarray(offset, offset + length)));
    offset += length;
  }
  invariant(offset === key.length, 'active-run key has trailing bytes');
  return { namespace: parts[0] as string, workflowId: parts[1] as string, runId: parts[2] as string };
}
