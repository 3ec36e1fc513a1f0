/**
 * Reads and write builders over the run layout (runKeys.ts, docs/runStore.md). Reads take any view with the
 * shard's `get`/`scan` (a `ShardDataView` inside `Shard.read`); writes are pure: they return the ShardCommand
 * writes and preconditions, and the caller proposes them.
 */
import { invariant } from '../../raft/core/errors.js';
import type { ShardPrecondition } from '../../shard/apply/shardCommand.js';
import type { VersionedValue } from '../../shard/apply/stateLayout.js';
import type { ShardDataEntry, ShardDataRange } from '../../shard/shardDataView.js';
import type { StateWrite } from '../../shard/stateStore.js';
import type { HistoryEvent } from '../history/events.js';
import type { MutableState } from '../mutableState/mutableState.js';
import {
  activeRunKey,
  currentRunKey,
  historyEventKey,
  historyRange,
  mutableStateKey,
  taskIdMarkKey,
  visibilityKey,
} from './runKeys.js';
import type { RunRef } from './runKeys.js';
import { decodeRunValue, decodeVersionedRunValue, encodeRunValue, visibilityRowOf } from './runValues.js';
import type { CurrentRunPointer, VisibilityRow } from './runValues.js';

/** What the run store reads through: the shard's user keys with versions (ShardDataView has this shape). */
export interface RunReadView {
  get(userKey: Uint8Array): Promise<VersionedValue | undefined>;
  scan(range: ShardDataRange): AsyncIterable<ShardDataEntry>;
}

/** A stored value with the version a precondition must name. */
export interface Versioned<T> {
  readonly value: T;
  readonly version: number;
}

/** Writes and preconditions for one ShardCommand (or part of one). */
export interface RunWrites {
  readonly writes: readonly StateWrite[];
  readonly preconditions: readonly ShardPrecondition[];
}

/** The current-run pointer of (namespace, workflowId), or null if no run was ever started. */
export async function loadCurrentRun(
  view: RunReadView,
  namespace: string,
  workflowId: string
): Promise<Versioned<CurrentRunPointer> | null> {
  const stored = await view.get(currentRunKey(namespace, workflowId));
  if (stored === undefined) return null;
  return {
    value: decodeVersionedRunValue<CurrentRunPointer>(stored.value, 'current-run pointer'),
    version: stored.version,
  };
}

/** The mutable state of `run`, or null if the run does not exist. */
export async function loadMutableState(view: RunReadView, run: RunRef): Promise<Versioned<MutableState> | null> {
  const stored = await view.get(mutableStateKey(run));
  if (stored === undefined) return null;
  return { value: decodeVersionedRunValue<MutableState>(stored.value, 'mutable state'), version: stored.version };
}

/** The visibility row of `run`, or null. */
export async function loadVisibilityRow(view: RunReadView, run: RunRef): Promise<VisibilityRow | null> {
  const stored = await view.get(visibilityKey(run));
  return stored === undefined ? null : decodeVersionedRunValue<VisibilityRow>(stored.value, 'visibility row');
}

/** Events `fromEventId` ≤ id < `toEventId` of `run`, in event order (one range scan). */
export async function readHistory(
  view: RunReadView,
  run: RunRef,
  fromEventId: number,
  toEventId: number
): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  for await (const entry of view.scan(historyRange(run, fromEventId, toEventId))) {
    events.push(decodeRunValue(entry.value, 'history event') as HistoryEvent);
  }
  return events;
}

/** Writes the pointer making `runId` the current run; `readVersion` is the pointer's version as read (null: none). */
export function currentRunWrites(
  namespace: string,
  workflowId: string,
  pointer: CurrentRunPointer,
  readVersion: number | null
): RunWrites {
  const key = currentRunKey(namespace, workflowId);
  return {
    writes: [{ type: 'put', key, value: encodeRunValue(pointer) }],
    preconditions: [{ key, version: readVersion }],
  };
}

/**
 * "Append these events and replace the mutable state" for the run of `state`: its mutable state, its events and
 * its visibility row, under an optimistic precondition on the mutable-state version as read (null: a new run).
 * The events must be exactly the ones between the state as read and `state` (ids dense, ending at nextEventId−1).
 */
export function runUpdateWrites(
  state: MutableState,
  events: readonly HistoryEvent[],
  readVersion: number | null
): RunWrites {
  const run: RunRef = state.executionInfo;
  const firstEventId = state.nextEventId - events.length;
  events.forEach((event, position) => {
    invariant(
      event.eventId === String(firstEventId + position),
      () => `event ${event.eventId} at position ${position}: expected id ${firstEventId + position}`
    );
  });
  const stateKey = mutableStateKey(run);
  return {
    writes: [
      { type: 'put', key: stateKey, value: encodeRunValue(state) },
      ...events.map((event) => ({
        type: 'put' as const,
        key: historyEventKey(run, Number(event.eventId)),
        value: encodeRunValue(event),
      })),
      { type: 'put', key: visibilityKey(run), value: encodeRunValue(visibilityRowOf(state)) },
      isActiveRun(state)
        ? { type: 'put', key: activeRunKey(run), value: ACTIVE_RUN_VALUE }
        : { type: 'del', key: activeRunKey(run) },
    ],
    preconditions: [{ key: stateKey, version: readVersion }],
  };
}

const ACTIVE_RUN_VALUE = Uint8Array.of(1);

/**
 * True while the leader must track the run: it is open (tasks, timers), or closed with cross-run work left (its
 * parent not yet told, children whose parent-close policy is not yet applied).
 */
export function isActiveRun(state: MutableState): boolean {
  if (state.closeState === null) return true;
  // A continued run's parent is told by the chain's last run, not by this one.
  if (state.parent !== null && !state.parentNotified && state.closeState.newExecutionRunId === '') return true;
  return Object.keys(state.children).length > 0;
}

/** Concatenates write sets (their keys must be distinct, as a ShardCommand requires). */
export function mergeRunWrites(...parts: readonly RunWrites[]): RunWrites {
  return {
    writes: parts.flatMap((part) => part.writes),
    preconditions: parts.flatMap((part) => part.preconditions),
  };
}

/**
 * Writes the shard's taskId high-water mark (every entry that uses taskIds carries it). No precondition: entries
 * apply in log order, and each carries a mark above the previous one's (the allocator only grows).
 */
export function taskIdMarkWrites(lastTaskId: number): RunWrites {
  return { writes: [{ type: 'put', key: taskIdMarkKey(), value: encodeRunValue(lastTaskId) }], preconditions: [] };
}

/** The shard's taskId high-water mark, or 0 if none was written. */
export async function loadTaskIdMark(view: RunReadView): Promise<number> {
  const stored = await view.get(taskIdMarkKey());
  if (stored === undefined) return 0;
  const mark = decodeRunValue(stored.value, 'taskId mark');
  invariant(typeof mark === 'number' && Number.isSafeInteger(mark) && mark >= 0, 'taskId mark is a safe integer');
  return mark;
}
