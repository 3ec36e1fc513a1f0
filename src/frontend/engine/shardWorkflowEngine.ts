/**
 * {@link WorkflowEngine} over the node's {@link ShardRuntime}: each call goes to the shard of its workflow id
 * (shardOf); every change of a run goes through its run actor (runCommitter.ts: serialized per run, one entry per
 * transition, effects after apply); the host mirrors each active run's tasks, timers and outbox (runSync.ts) and
 * rebuilds them from the shard's active-run markers whenever the shard's gate opens. This is the edge where
 * wall-clock time and fresh ids enter the deterministic engine as inputs.
 *
 * Shard errors become frontend errors here (TEMPORAL-API.md §9): not leader or closing → UNAVAILABLE, too many
 * proposals in flight or a start that kept losing races → RESOURCE_EXHAUSTED; clients retry both.
 */
import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import type { Logger } from 'pino';
import { defaultRunLimits, RunLimitError, type RunLimits } from '../../actors/limits/runLimits.js';
import type { MutableState } from '../../actors/mutableState/mutableState.js';
import { loadCurrentRun, loadMutableState, loadTaskIdMark, readHistory } from '../../actors/runStore/runStore.js';
import type { RunReadView } from '../../actors/runStore/runStore.js';
import { listActiveRuns } from '../../actors/runStore/scanRuns.js';
import type { ActiveRunsPage } from '../../actors/runStore/scanRuns.js';
import { StartContentionError, startWorkflowOnShard } from '../../actors/start/startWorkflowOnShard.js';
import type { StartResult } from '../../actors/start/startWorkflowOnShard.js';
import type { StartRequest } from '../../actors/start/startRequest.js';
import type { DueTimer } from '../../actors/timers/timerKinds.js';
import { clearStickiness } from '../../actors/workflowTask/clearStickiness.js';
import { requestCancelWorkflow } from '../../actors/workflowTask/requestCancelWorkflow.js';
import { signalWorkflow } from '../../actors/workflowTask/signalWorkflow.js';
import type { SignalWorkflowInput } from '../../actors/workflowTask/signalWorkflow.js';
import { terminateWorkflow } from '../../actors/workflowTask/terminateWorkflow.js';
import type { TransitionResult } from '../../actors/workflowTask/transition.js';
import { NotLeaderError, ShardBackpressureError, ShardClosedError } from '../../shard/errors.js';
import type { ShardRuntime } from '../../shard/runtime/shardRuntime.js';
import { InvalidArgumentError, ResourceExhaustedError, UnavailableError } from '../errors.js';
import type { ActivityQueueEntry, EngineContext, WorkflowQueueEntry } from './engineContext.js';
import { pollActivityTask, respondToActivityById, respondToActivityTask } from './activityTasks.js';
import { HostTimers } from './hostTimers.js';
import { OutboxPump } from './outboxPump.js';
import { queryWorkflow, respondQueryTask } from './queries.js';
import { QueryRegistry } from './queryRegistry.js';
import { commitRunTransition, RunContentionError } from './runCommitter.js';
import { RunLocks } from './runLocks.js';
import { commitOnExecution, executionNotFound } from './runRequests.js';
import { RunSync } from './runSync.js';
import { fireRunTimer, timersOfRun } from './runTimers.js';
import { TaskIdAllocator } from './taskIdAllocator.js';
import { TaskQueues } from './taskQueues.js';
import type {
  ActivityRef,
  ActivityTaskPoll,
  ActivityTaskResponse,
  CancelRequest,
  ExecutionRef,
  HistoryPage,
  HistoryPageQuery,
  PolledActivityTask,
  QueryOutcome,
  QueryRequest,
  QueryTaskAnswer,
  TerminateRequest,
  UpdateRequest,
  UpdateStage,
  UpdateStatus,
  VisibilityPage,
  VisibilityQuery,
  WorkflowEngine,
} from './workflowEngine.js';
import { pollWorkflowTask, respondToWorkflowTask } from './workflowTasks.js';
import type { PolledQueryTask, PolledWorkflowTask, TokenTransition, WorkflowTaskPoll } from './workflowTasks.js';
import { pollWorkflowUpdate, updateWorkflow } from './updates.js';
import { countVisibilityRows, listVisibilityRows } from './visibilityScan.js';
import { WorkflowTasksRunWatchers } from './workflowTasksRunWatchers.js';

/** Active runs read per shard read while a shard's gate opens (bounds one read's duration). */
const ACTIVE_RUNS_PAGE = 200;
/** How long after a failed timer fire the run's timers are re-derived from its stored state. */
const TIMER_RETRY_DELAY_MS = 1_000;

/** The engine of a node that hosts every shard (the dev node). */
export class ShardWorkflowEngine implements WorkflowEngine {
  private readonly context: EngineContext;
  private readonly runSync: RunSync;
  private readonly timers: HostTimers;
  private readonly outbox: OutboxPump;
  private readonly loads = new Map<number, Promise<void>>();

  constructor(
    private readonly runtime: ShardRuntime,
    /** Wall clock in epoch ms (tests pin it). */
    private readonly clockMs: () => number = Date.now,
    private readonly logger: Logger = pino({ name: 'cairn-engine' }),
    /** Per-run limits (Temporal's defaults). */
    limits: RunLimits = defaultRunLimits
  ) {
    this.timers = new HostTimers(clockMs, (runKey, due) => this.fireTimers(runKey, due));
    this.context = {
      runtime,
      clockMs,
      limits,
      logger,
      taskIds: new TaskIdAllocator(),
      locks: new RunLocks(),
      onCommitted: (states) => states.forEach((state) => this.runSync.sync(state)),
      workflowQueues: new TaskQueues<WorkflowQueueEntry>(),
      activityQueues: new TaskQueues<ActivityQueueEntry>(),
      watchers: new WorkflowTasksRunWatchers(),
      queries: new QueryRegistry(),
    };
    this.outbox = new OutboxPump(this.context, this, (run) => void this.resyncRun(run), logger);
    this.runSync = new RunSync(this.context, this.timers, timersOfRun, (state) => this.outbox.onState(state));
    for (let shardId = 0; shardId < runtime.shardCount; shardId++) {
      const shard = runtime.shard(shardId);
      // The engine lives as long as the runtime, so the subscriptions are never removed. The scan runs on the next
      // turn: onReady fires inside the shard's apply, and the scan's read must not re-enter it.
      shard.onReady(() => this.scheduleLoad(shardId));
      shard.onLost(() => this.runSync.forgetShard(shardId));
      if (shard.isReady) this.scheduleLoad(shardId);
    }
  }

  /** Loads `shardId` on the next turn (onReady fires inside the shard's apply; the scan must not re-enter it). */
  private scheduleLoad(shardId: number): void {
    const loading = new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.loadShard(shardId));
    this.loads.set(shardId, loading);
  }

  /** Resolves when every shard load started so far has finished (tests, and readiness reporting). */
  async whenLoaded(): Promise<void> {
    await Promise.all([...this.loads.values()]);
  }

  /** Stops the host timers (the node is shutting down). */
  close(): void {
    this.timers.close();
    this.outbox.close();
  }

  /**
   * Rebuilds the leader's memory of `shardId` (task hints, timers, outbox) from its active runs: matching and
   * timers are in memory, so without this a task or timer of a run written before a restart (or under an earlier
   * leader) would never be handed out or fire. A failed scan (the gate closed meanwhile) is logged and left to the
   * next time the gate opens.
   */
  private async loadShard(shardId: number): Promise<void> {
    const shard = this.runtime.shard(shardId);
    this.runSync.forgetShard(shardId);
    let loaded = 0;
    try {
      this.context.taskIds.observe(shardId, await shard.read((view) => loadTaskIdMark(view)));
      let afterKey: Uint8Array | null = null;
      do {
        const from: Uint8Array | null = afterKey;
        const page: ActiveRunsPage = await shard.read((view) => listActiveRuns(view, from, ACTIVE_RUNS_PAGE));
        for (const state of page.states) {
          this.context.taskIds.observe(shardId, state.lastTaskId);
          this.runSync.sync(state);
          loaded++;
        }
        afterKey = page.afterKey;
      } while (afterKey !== null);
      this.logger.info({ shardId, activeRuns: loaded }, 'shard leader loaded its active runs');
    } catch (error) {
      this.logger.warn({ shardId, loaded, err: error }, 'loading active runs failed; retried when the gate reopens');
    }
  }

  /** Fires due timers of one run through its actor; on failure re-derives the run's timers a bit later. */
  private fireTimers(runKey: string, due: readonly DueTimer[]): void {
    const [namespace, workflowId, runId] = JSON.parse(runKey) as [string, string, string];
    const run = { namespace, workflowId, runId };
    for (const timer of due) {
      commitRunTransition(this.context, run, (state, context) => fireRunTimer(state, timer, context)).catch(
        (error: unknown) => {
          this.logger.warn({ run, timer: timer.timer.kind, err: error }, 'timer fire failed; re-arming from state');
          setTimeout(() => void this.resyncRun(run), TIMER_RETRY_DELAY_MS).unref();
        }
      );
    }
  }

  /** Re-derives one run's host state from its stored state (after a failed timer fire). */
  private async resyncRun(run: ExecutionRef): Promise<void> {
    try {
      const state = await this.readRun(run);
      if (state !== null) this.runSync.sync(state);
    } catch (error) {
      this.logger.warn({ run, err: error }, 're-arming timers failed; retried when the gate reopens');
    }
  }

  private async readRun(run: ExecutionRef): Promise<MutableState | null> {
    const shard = this.runtime.shard(this.runtime.shardOf(run.namespace, run.workflowId));
    return shard.read((view) => loadRun(view, run));
  }

  async startWorkflow(request: StartRequest): Promise<StartResult> {
    const shardId = this.runtime.shardOf(request.namespace, request.workflowId);
    const nowMs = this.clockMs();
    const inputs = { runId: randomUUID(), nowMs, taskIdFirst: this.context.taskIds.allocate(shardId, nowMs, 4096) };
    const result = await translateShardErrors(() => startWorkflowOnShard(this.runtime, request, inputs));
    if (result.kind === 'started' && !result.deduplicated) {
      const run = { namespace: request.namespace, workflowId: request.workflowId, runId: result.runId };
      await this.resyncRun(run);
    }
    return result;
  }

  async pollWorkflowTask(poll: WorkflowTaskPoll): Promise<PolledWorkflowTask | PolledQueryTask | null> {
    return translateShardErrors(() => pollWorkflowTask(this.context, poll));
  }

  async respondToWorkflowTask(
    namespace: string,
    taskToken: Uint8Array,
    transition: TokenTransition
  ): Promise<TransitionResult> {
    return translateShardErrors(() => respondToWorkflowTask(this.context, namespace, taskToken, transition));
  }

  waitForChange(execution: ExecutionRef, waitMs: number, signal: AbortSignal): Promise<void> {
    return this.context.watchers.waitForChange(execution, waitMs, signal);
  }

  async describeWorkflow(execution: ExecutionRef): Promise<MutableState> {
    const shardId = this.runtime.shardOf(execution.namespace, execution.workflowId);
    const state = await translateShardErrors(() => this.readRun(execution));
    if (state === null) throw executionNotFound(execution);
    // Stored taskIds raise the allocator's floor (a guard against a wall clock stepped back across a restart).
    this.context.taskIds.observe(shardId, state.lastTaskId);
    return state;
  }

  async readHistory(query: HistoryPageQuery): Promise<HistoryPage> {
    const { execution } = query;
    const shardId = this.runtime.shardOf(execution.namespace, execution.workflowId);
    if (query.tokenShardId !== undefined && query.tokenShardId !== shardId) {
      throw new InvalidArgumentError(
        'nextPageToken belongs to another workflow execution: pass the token of the previous page of this execution'
      );
    }
    const shard = this.runtime.shard(shardId);
    const page = await translateShardErrors(() =>
      shard.read(async (view) => {
        const state = await loadRun(view, execution);
        if (state === null) return null;
        const run = state.executionInfo;
        const toEventId = Math.min(query.fromEventId + query.pageSizeMax, state.nextEventId);
        const events = await readHistory(view, run, query.fromEventId, toEventId);
        return { runId: run.runId, events, nextEventId: toEventId < state.nextEventId ? toEventId : null };
      })
    );
    if (page === null) throw executionNotFound(execution);
    return { shardId, ...page };
  }

  async signalWorkflow(execution: ExecutionRef, signal: SignalWorkflowInput): Promise<void> {
    await translateShardErrors(() =>
      commitOnExecution(this.context, execution, (state, context) => signalWorkflow(state, signal, context))
    );
  }

  async signalWithStart(request: StartRequest, signal: SignalWorkflowInput): Promise<StartResult> {
    const execution = { namespace: request.namespace, workflowId: request.workflowId, runId: '' };
    for (let attempt = 1; attempt <= 3; attempt++) {
      const current = await translateShardErrors(() => this.readRun(execution));
      if (current !== null && current.closeState === null) {
        const run = { ...execution, runId: current.executionInfo.runId };
        const signaled = await translateShardErrors(() =>
          commitRunTransition(this.context, run, (state, context) =>
            state.closeState === null ? signalWorkflow(state, signal, context) : null
          )
        );
        if (signaled.kind === 'committed') return { kind: 'started', runId: run.runId, deduplicated: true };
        continue; // closed meanwhile: start a new run
      }
      const started = await this.startWorkflow({
        ...request,
        // Any open run must be signaled, never replaced: conflict → signal it on the next round.
        workflowIdConflictPolicy: 'WORKFLOW_ID_CONFLICT_POLICY_FAIL',
        signal: { ...signal },
      });
      if (started.kind !== 'alreadyStarted') return started;
    }
    throw new ResourceExhaustedError(
      `signal-with-start of ${request.workflowId} raced with concurrent starts and closes: retry`,
      'RESOURCE_EXHAUSTED_CAUSE_BUSY_WORKFLOW'
    );
  }

  async requestCancelWorkflow(execution: ExecutionRef, request: CancelRequest): Promise<void> {
    const input = {
      reason: request.reason,
      identity: request.identity,
      ...(request.external === undefined ? {} : { external: request.external }),
    };
    await translateShardErrors(() =>
      commitOnExecution(this.context, execution, (state, context) =>
        state.cancelRequested && state.closeState === null ? null : requestCancelWorkflow(state, input, context)
      )
    );
  }

  async terminateWorkflow(execution: ExecutionRef, request: TerminateRequest): Promise<void> {
    await translateShardErrors(() =>
      commitOnExecution(this.context, execution, (state, context) => terminateWorkflow(state, request, context))
    );
  }

  async queryWorkflow(request: QueryRequest): Promise<QueryOutcome> {
    return translateShardErrors(() => queryWorkflow(this.context, request));
  }

  respondQueryTask(namespace: string, taskToken: Uint8Array, answer: QueryTaskAnswer): Promise<void> {
    respondQueryTask(this.context, namespace, taskToken, answer);
    return Promise.resolve();
  }

  async resetStickyTaskQueue(execution: ExecutionRef): Promise<void> {
    await translateShardErrors(() =>
      commitOnExecution(this.context, execution, (state, context) => clearStickiness(state, context))
    );
  }

  async shutdownStickyQueue(namespace: string, stickyTaskQueue: string): Promise<void> {
    const runs = this.runSync.runsOnStickyQueue(namespace, stickyTaskQueue);
    this.context.workflowQueues.drain(namespace, 'workflow', stickyTaskQueue);
    await Promise.all(
      runs.map((run) =>
        commitRunTransition(this.context, run, (state, context) => clearStickiness(state, context)).catch(
          (error: unknown) => this.logger.warn({ run, err: error }, 'moving a run off a sticky queue failed')
        )
      )
    );
  }

  pollActivityTask(poll: ActivityTaskPoll): Promise<PolledActivityTask | null> {
    return translateShardErrors(() => pollActivityTask(this.context, poll));
  }

  respondActivityTask(namespace: string, taskToken: Uint8Array, response: ActivityTaskResponse): Promise<boolean> {
    return translateShardErrors(() => respondToActivityTask(this.context, namespace, taskToken, response));
  }

  respondActivityTaskById(activity: ActivityRef, response: ActivityTaskResponse): Promise<boolean> {
    return translateShardErrors(() => respondToActivityById(this.context, activity, response));
  }

  updateWorkflow(request: UpdateRequest): Promise<UpdateStatus> {
    return translateShardErrors(() => updateWorkflow(this.context, request));
  }

  pollWorkflowUpdate(
    execution: ExecutionRef,
    updateId: string,
    waitStage: UpdateStage,
    waitMs: number,
    signal: AbortSignal
  ): Promise<UpdateStatus> {
    return translateShardErrors(() => pollWorkflowUpdate(this.context, execution, updateId, waitStage, waitMs, signal));
  }

  listWorkflowExecutions(query: VisibilityQuery, pageSize: number, token: Uint8Array): Promise<VisibilityPage> {
    return translateShardErrors(() => listVisibilityRows(this.runtime, query, pageSize, token));
  }

  countWorkflowExecutions(query: VisibilityQuery): Promise<number> {
    return translateShardErrors(() => countVisibilityRows(this.runtime, query));
  }
}

/** The run `execution` names (its current run when runId is empty), or null. */
async function loadRun(view: RunReadView, execution: ExecutionRef): Promise<MutableState | null> {
  let runId = execution.runId;
  if (runId === '') {
    const pointer = await loadCurrentRun(view, execution.namespace, execution.workflowId);
    if (pointer === null) return null;
    runId = pointer.value.runId;
  }
  const stored = await loadMutableState(view, {
    namespace: execution.namespace,
    workflowId: execution.workflowId,
    runId,
  });
  return stored?.value ?? null;
}

/** Runs `fn`, turning retryable shard errors into the frontend errors clients retry on. */
export async function translateShardErrors<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof NotLeaderError || error instanceof ShardClosedError) {
      throw new UnavailableError(error.message);
    }
    if (error instanceof ShardBackpressureError) {
      throw new ResourceExhaustedError(error.message, 'RESOURCE_EXHAUSTED_CAUSE_SYSTEM_OVERLOADED');
    }
    if (error instanceof RunLimitError) throw new InvalidArgumentError(error.message);
    if (error instanceof StartContentionError || error instanceof RunContentionError) {
      throw new ResourceExhaustedError(error.message, 'RESOURCE_EXHAUSTED_CAUSE_BUSY_WORKFLOW');
    }
    throw error;
  }
}
