/**
 * Derives what the host must do for a run from its committed state (ARCHITECTURE.md §5): hand out its scheduled
 * workflow task and scheduled activity attempts (task-queue hints), arm the server timers the state implies, and
 * wake whoever waits on the run. Called after every commit and, for every active run, when a shard's gate opens:
 * the same function rebuilds the leader's memory after a restart or a leadership change.
 *
 * Each run remembers the hints it already offered, so a commit that leaves a task scheduled does not queue it
 * twice; hints for tasks that went away are simply dropped by the poller's re-check.
 */
import type { MutableState } from '../../actors/mutableState/mutableState.js';
import type { RunRef } from '../../actors/runStore/runKeys.js';
import type { DueTimer } from '../../actors/timers/timerKinds.js';
import type { EngineContext } from './engineContext.js';
import type { HostTimers } from './hostTimers.js';
import { runLockKey } from './runLocks.js';

/** Every server timer a state implies (the actors' derivations, composed). */
export type TimersOf = (state: MutableState) => DueTimer[];

/** Extra per-run work after a commit (the outbox). */
export type AfterSync = (state: MutableState) => void;

/** The host-side mirror of every active run's tasks and timers on this node. */
export class RunSync {
  private readonly offered = new Map<string, ReadonlySet<string>>();
  /** Runs by the sticky queue their next workflow task goes to: ShutdownWorker moves them at once. */
  private readonly stickyRuns = new Map<string, Set<string>>();
  private readonly stickyOf = new Map<string, string>();

  constructor(
    private readonly context: EngineContext,
    private readonly timers: HostTimers,
    private readonly timersOf: TimersOf,
    private readonly afterSync: AfterSync
  ) {}

  /** Brings the host in line with `state` (the run's latest committed state). */
  sync(state: MutableState): void {
    const info = state.executionInfo;
    const run: RunRef = { namespace: info.namespace, workflowId: info.workflowId, runId: info.runId };
    const runKey = runLockKey(run.namespace, run.workflowId, run.runId);
    this.offerTasks(runKey, run, state);
    this.timers.replace(runKey, state.closeState === null ? this.timersOf(state) : []);
    this.trackSticky(runKey, state);
    this.context.watchers.notify(run);
    this.afterSync(state);
  }

  /** Forgets what was offered for `shardId`'s runs: the shard is being rescanned (or lost). */
  forgetShard(shardId: number): void {
    const ofShard = (runKey: string): boolean => {
      const [namespace, workflowId] = JSON.parse(runKey) as [string, string, string];
      return this.context.runtime.shardOf(namespace, workflowId) === shardId;
    };
    for (const runKey of [...this.offered.keys()]) if (ofShard(runKey)) this.offered.delete(runKey);
    this.timers.dropWhere(ofShard);
  }

  /** The runs whose next workflow task goes to `stickyTaskQueue` of `namespace`. */
  runsOnStickyQueue(namespace: string, stickyTaskQueue: string): RunRef[] {
    const runKeys = this.stickyRuns.get(JSON.stringify([namespace, stickyTaskQueue])) ?? new Set<string>();
    return [...runKeys].map((runKey) => {
      const [ns, workflowId, runId] = JSON.parse(runKey) as [string, string, string];
      return { namespace: ns, workflowId, runId };
    });
  }

  private offerTasks(runKey: string, run: RunRef, state: MutableState): void {
    const previous = this.offered.get(runKey) ?? new Set<string>();
    const current = new Set<string>();
    if (state.closeState === null) {
      const task = state.workflowTask;
      if (task.phase === 'scheduled') {
        const queue =
          task.queue === 'sticky' && state.stickiness !== null
            ? state.stickiness.stickyTaskQueue
            : state.executionInfo.taskQueue;
        const key = `w/${queue}/${task.scheduledEventId}/${task.attempt}`;
        current.add(key);
        if (!previous.has(key)) {
          this.context.workflowQueues.offer(run.namespace, 'workflow', queue, {
            kind: 'workflowTask',
            run,
            scheduledEventId: task.scheduledEventId,
            attempt: task.attempt,
          });
        }
      }
      for (const activity of Object.values(state.activities)) {
        if (activity.phase !== 'scheduled') continue;
        const key = `a/${activity.scheduledEventId}/${activity.attempt}`;
        current.add(key);
        if (!previous.has(key)) {
          this.context.activityQueues.offer(run.namespace, 'activity', activity.taskQueue, {
            run,
            scheduledEventId: activity.scheduledEventId,
            attempt: activity.attempt,
          });
        }
      }
    }
    if (current.size === 0) this.offered.delete(runKey);
    else this.offered.set(runKey, current);
  }

  private trackSticky(runKey: string, state: MutableState): void {
    const before = this.stickyOf.get(runKey);
    const info = state.executionInfo;
    const after =
      state.closeState === null && state.stickiness !== null
        ? JSON.stringify([info.namespace, state.stickiness.stickyTaskQueue])
        : undefined;
    if (before === after) return;
    if (before !== undefined) {
      const set = this.stickyRuns.get(before);
      set?.delete(runKey);
      if (set?.size === 0) this.stickyRuns.delete(before);
      this.stickyOf.delete(runKey);
    }
    if (after !== undefined) {
      const set = this.stickyRuns.get(after) ?? new Set<string>();
      set.add(runKey);
      this.stickyRuns.set(after, set);
      this.stickyOf.set(runKey, after);
    }
  }
}
