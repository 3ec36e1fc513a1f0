/**
 * The run actor's one way to change a run: under the run's lock, read its state (linearizable), evaluate a pure
 * transition with the leader's inputs (time, taskIds, a fresh run id), propose the result as ONE shard entry
 * (events, mutable state, visibility row, active-run marker, and any run the transition spawned with the
 * workflow id's current-run pointer), and after it is committed and applied hand every new state to the host
 * (matching, timers, outbox, watchers). Nothing is answered before the entry is applied.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { MutableState } from '../../actors/mutableState/mutableState.js';
import type { RunRef } from '../../actors/runStore/runKeys.js';
import {
  currentRunWrites,
  loadCurrentRun,
  loadMutableState,
  mergeRunWrites,
  runUpdateWrites,
  taskIdMarkWrites,
} from '../../actors/runStore/runStore.js';
import type { RunWrites } from '../../actors/runStore/runStore.js';
import type { TransitionContext, TransitionResult } from '../../actors/workflowTask/transition.js';
import { enforceHistoryLimit } from '../../actors/limits/enforceHistoryLimit.js';
import type { RunLimits } from '../../actors/limits/runLimits.js';
import { invariant } from '../../raft/core/errors.js';
import type { ShardCommand } from '../../shard/apply/shardCommand.js';
import type { ShardRuntime } from '../../shard/runtime/shardRuntime.js';
import { runLockKey, type RunLocks } from './runLocks.js';
import type { TaskIdAllocator } from './taskIdAllocator.js';

/** A transition of one run; null = nothing to change (a stale timer, a duplicate). */
export type RunTransition = (state: MutableState, context: TransitionContext) => TransitionResult | null;

/** What a commit did. */
export type CommitOutcome =
  | { readonly kind: 'missing' }
  | { readonly kind: 'unchanged'; readonly state: MutableState }
  | { readonly kind: 'committed'; readonly result: TransitionResult };

/** What the committer needs from the engine. */
export interface RunCommitHost {
  readonly runtime: ShardRuntime;
  readonly taskIds: TaskIdAllocator;
  readonly locks: RunLocks;
  readonly clockMs: () => number;
  readonly limits: RunLimits;
  readonly logger: Logger;
  /** Called after apply with every state the entry wrote (the run's, then spawned runs'). */
  readonly onCommitted: (states: readonly MutableState[]) => void;
}

/** TaskIds reserved per evaluation; a transition needing more is re-evaluated with a bigger block. */
const TASK_ID_BLOCK = 4096;
/** Evaluations per commit when the stored state changed between read and propose (writes outside the lock). */
const COMMIT_ATTEMPTS_MAX = 5;

/** Thrown when a run kept changing under the lock (writers outside the actor): retryable. */
export class RunContentionError extends Error {
  constructor(run: RunRef) {
    super(`workflow ${run.workflowId}/${run.runId} changed concurrently ${COMMIT_ATTEMPTS_MAX} times: retry`);
    this.name = 'RunContentionError';
  }
}

/** Applies `transition` to `run` as the run actor: serialized, committed, then handed to the host. */
export function commitRunTransition(
  host: RunCommitHost,
  run: RunRef,
  transition: RunTransition
): Promise<CommitOutcome> {
  return host.locks.run(runLockKey(run.namespace, run.workflowId, run.runId), () =>
    commitLocked(host, run, transition)
  );
}

/** The shard a run lives on. */
export function shardOfRun(host: Pick<RunCommitHost, 'runtime'>, run: RunRef): number {
  return host.runtime.shardOf(run.namespace, run.workflowId);
}

async function commitLocked(host: RunCommitHost, run: RunRef, transition: RunTransition): Promise<CommitOutcome> {
  const shardId = shardOfRun(host, run);
  const shard = host.runtime.shard(shardId);
  for (let attempt = 1; attempt <= COMMIT_ATTEMPTS_MAX; attempt++) {
    // A local read: the proposal's version preconditions make a stale read fail at apply (then re-evaluated).
    const read = await shard.readLocal(async (view) => {
      const stored = await loadMutableState(view, run);
      const pointer = stored === null ? null : await loadCurrentRun(view, run.namespace, run.workflowId);
      return { stored, pointer };
    });
    if (read.stored === null) return { kind: 'missing' };
    host.taskIds.observe(shardId, read.stored.value.lastTaskId);
    const result = evaluate(host, shardId, read.stored.value, transition);
    if (result === null) return { kind: 'unchanged', state: read.stored.value };
    const writes = entryWrites(result, read.stored.version, read.pointer?.version ?? null);
    const command: ShardCommand = {
      formatVersion: 1,
      requestId: null,
      preconditions: writes.preconditions,
      writes: writes.writes,
      outcome: new Uint8Array(0),
      actions: [],
    };
    const applied = await shard.propose(command);
    if (applied.outcome !== 'applied') continue;
    host.taskIds.observe(shardId, result.taskIdNext - 1);
    warnOnLimits(host, read.stored.value, result.state);
    host.onCommitted([result.state, ...(result.spawned ?? []).map((spawned) => spawned.state)]);
    return { kind: 'committed', result };
  }
  throw new RunContentionError(run);
}

/** Evaluates with a taskId block big enough for the transition's events. */
function evaluate(
  host: RunCommitHost,
  shardId: number,
  state: MutableState,
  transition: RunTransition
): TransitionResult | null {
  let blockSize = TASK_ID_BLOCK;
  for (;;) {
    const nowMs = host.clockMs();
    const taskIdFirst = host.taskIds.allocate(shardId, nowMs, blockSize);
    const context = { nowMs, taskIdFirst, freshRunId: randomUUID(), limits: host.limits };
    const evaluated = transition(state, context);
    const result = evaluated === null ? null : enforceHistoryLimit(evaluated, context);
    if (result === null || result.taskIdNext - taskIdFirst <= blockSize) return result;
    blockSize = (result.taskIdNext - taskIdFirst) * 2;
  }
}

/** The entry's writes: the run, then each spawned run with the workflow id's pointer moved to it. */
function entryWrites(result: TransitionResult, stateVersion: number, pointerVersion: number | null): RunWrites {
  const parts: RunWrites[] = [
    runUpdateWrites(result.state, result.events, stateVersion),
    taskIdMarkWrites(result.taskIdNext - 1),
  ];
  const spawned = result.spawned ?? [];
  invariant(spawned.length <= 1, 'a transition spawns at most one run');
  for (const run of spawned) {
    const info = run.state.executionInfo;
    invariant(info.workflowId === result.state.executionInfo.workflowId, 'a spawned run continues the workflow id');
    parts.push(runUpdateWrites(run.state, run.events, null));
    parts.push(
      currentRunWrites(
        info.namespace,
        info.workflowId,
        { formatVersion: 1, runId: info.runId, startRequestId: '' },
        pointerVersion
      )
    );
  }
  return mergeRunWrites(...parts);
}

/** Logs once when a run's history crosses the warning level (Temporal warns before it terminates). */
function warnOnLimits(host: RunCommitHost, before: MutableState, after: MutableState): void {
  const warnAt = host.limits.historyEventsWarn;
  const bytesWarnAt = host.limits.historyBytesWarn;
  const bytesCrossed =
    (before.historyPayloadBytes ?? 0) < bytesWarnAt && (after.historyPayloadBytes ?? 0) >= bytesWarnAt;
  if ((before.nextEventId - 1 < warnAt && after.nextEventId - 1 >= warnAt) || bytesCrossed) {
    const info = after.executionInfo;
    host.logger.warn(
      {
        workflowId: info.workflowId,
        runId: info.runId,
        events: after.nextEventId - 1,
        payloadBytes: after.historyPayloadBytes,
        eventsMax: host.limits.historyEventsMax,
        bytesMax: host.limits.historyBytesMax,
      },
      'workflow history is long: continue as new before it reaches the limit, where the run is terminated'
    );
  }
}
