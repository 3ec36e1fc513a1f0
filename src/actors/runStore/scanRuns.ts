/**
 * Finds the runs of a shard whose workflow task is scheduled and not started, by a range scan over the
 * mutable-state keys (runKeys.ts). The dev node's in-memory matching is empty after a restart; its engine re-queues
 * what this returns when a shard's gate opens. Paged: one call reads at most `entriesMax` mutable states, so a
 * caller can run each page in its own shard read and bound how long one read holds the store.
 */
import { invariant } from '../../raft/core/errors.js';
import type { MutableState } from '../mutableState/mutableState.js';
import { MUTABLE_STATE_TAG } from './runKeys.js';
import type { RunRef } from './runKeys.js';
import type { RunReadView } from './runStore.js';
import { decodeVersionedRunValue } from './runValues.js';

/** A run with a scheduled workflow task, and the normal task queue it is handed out on. */
export interface ScheduledRun {
  readonly run: RunRef;
  readonly taskQueue: string;
}

/** One page of a scan: the matching runs, and where the next page starts (null: the scan is complete). */
export interface ScheduledRunsPage {
  readonly runs: readonly ScheduledRun[];
  readonly afterKey: Uint8Array | null;
}

/**
 * Scans up to `entriesMax` (≥ 1) mutable states whose key sorts after `afterKey` (null: from the first) and
 * returns the open runs among them whose workflow task is scheduled.
 */
export async function listRunsWithScheduledWorkflowTask(
  view: RunReadView,
  afterKey: Uint8Array | null,
  entriesMax: number
): Promise<ScheduledRunsPage> {
  invariant(
    Number.isSafeInteger(entriesMax) && entriesMax >= 1,
    () => `entriesMax ${entriesMax} is not an integer ≥ 1`
  );
  const gte = afterKey === null ? Uint8Array.of(MUTABLE_STATE_TAG) : successorKey(afterKey);
  const runs: ScheduledRun[] = [];
  let scanned = 0;
  let lastKey: Uint8Array | null = null;
  for await (const entry of view.scan({ gte, lt: Uint8Array.of(MUTABLE_STATE_TAG + 1) })) {
    const state = decodeVersionedRunValue<MutableState>(entry.value, 'mutable state');
    if (state.closeState === null && state.workflowTask.phase === 'scheduled') {
      const { namespace, workflowId, runId, taskQueue } = state.executionInfo;
      runs.push({ run: { namespace, workflowId, runId }, taskQueue });
    }
    lastKey = entry.key;
    if (++scanned >= entriesMax) break;
  }
  return { runs, afterKey: scanned >= entriesMax ? lastKey : null };
}

/** The smallest key greater than `key` (`key | 0x00`). */
function successorKey(key: Uint8Array): Uint8Array {
  const out = new Uint8Array(key.length + 1);
  out.set(key);
  return out;
}
