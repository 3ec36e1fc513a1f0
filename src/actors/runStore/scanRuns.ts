/**
 * The scan a new shard leader runs before serving (ARCHITECTURE.md §4 "Leader readiness"): every run the leader
 * must track — open, or closed with cross-run work pending — is marked under the active-run tag (runKeys.ts,
 * written by `runUpdateWrites`), so the scan reads the markers (not every run ever) and the state of each, page by
 * page. The host then derives the run's tasks, timers and outbox from the states (runSync.ts).
 */
import { invariant } from '../../raft/core/errors.js';
import type { MutableState } from '../mutableState/mutableState.js';
import { ACTIVE_RUN_TAG, runOfActiveRunKey } from './runKeys.js';
import { loadMutableState } from './runStore.js';
import type { RunReadView } from './runStore.js';

/** One page of the scan: the active runs' states, and where the next page starts (null: the scan is complete). */
export interface ActiveRunsPage {
  readonly states: readonly MutableState[];
  readonly afterKey: Uint8Array | null;
}

/** Reads at most `entriesMax` active runs after `afterKey` (null: from the start), with their states. */
export async function listActiveRuns(
  view: RunReadView,
  afterKey: Uint8Array | null,
  entriesMax: number
): Promise<ActiveRunsPage> {
  invariant(
    Number.isSafeInteger(entriesMax) && entriesMax >= 1,
    () => `entriesMax ${entriesMax} is not an integer ≥ 1`
  );
  const gte = afterKey === null ? Uint8Array.of(ACTIVE_RUN_TAG) : successorKey(afterKey);
  const keys: Uint8Array[] = [];
  for await (const entry of view.scan({ gte, lt: Uint8Array.of(ACTIVE_RUN_TAG + 1) })) {
    keys.push(entry.key);
    if (keys.length >= entriesMax) break;
  }
  const states: MutableState[] = [];
  for (const key of keys) {
    const stored = await loadMutableState(view, runOfActiveRunKey(key));
    invariant(stored !== null, 'an active-run marker names a stored run');
    states.push(stored.value);
  }
  return { states, afterKey: keys.length >= entriesMax ? (keys[keys.length - 1] ?? null) : null };
}

/** The smallest key greater than `key` (`key | 0x00`). */
function successorKey(key: Uint8Array): Uint8Array {
  const out = new Uint8Array(key.length + 1);
  out.set(key);
  return out;
}
