/**
 * Per-shard taskIds for new events. Temporal's taskIds only need to increase within a shard (and so within a run:
 * MutableState.lastTaskId), across restarts and leader changes too.
 *
 * Choice: a hybrid clock, `max(last + 1, nowMs × 1000)`, per shard, allocating a block per call. Storing a
 * high-water mark in the shard would need a key every start writes (a hot spot serialising all starts of a shard
 * through one precondition); the applied index alone does not bound how many ids were handed out at one index.
 * The wall clock, scaled by 1000 ids per ms, does: a restart takes far longer than the ids issued ahead of the clock
 * (a block of {@link TASK_ID_BLOCK_SIZE} per start would need over 60 starts per ms per shard to run ahead), so ids
 * issued after a restart exceed every id issued before it. The residual risk is a wall clock stepped back across a
 * restart; {@link TaskIdAllocator.observe} lets callers raise the floor from stored state (e.g. a run's lastTaskId).
 */

/** Ids reserved per start: a start with TERMINATE_IF_RUNNING writes at most a handful of events. */
export const TASK_ID_BLOCK_SIZE = 16;
/** Ids per millisecond of wall clock: nowMs × 1000 stays below 2^53 until the year 2255. */
export const TASK_IDS_PER_MS = 1000;

/** Hands out increasing blocks of taskIds per shard. */
export class TaskIdAllocator {
  private readonly lastIssued = new Map<number, number>();

  /** The first id of a fresh block of `size` ids on `shardId`, above every id issued or observed there. */
  allocate(shardId: number, nowMs: number, size = TASK_ID_BLOCK_SIZE): number {
    const last = this.lastIssued.get(shardId) ?? 0;
    const first = Math.max(last + 1, nowMs * TASK_IDS_PER_MS);
    this.lastIssued.set(shardId, first + size - 1);
    return first;
  }

  /** Records that `taskId` exists on `shardId` (read from stored state), so later blocks start above it. */
  observe(shardId: number, taskId: number): void {
    const last = this.lastIssued.get(shardId) ?? 0;
    if (taskId > last) this.lastIssued.set(shardId, taskId);
  }
}
