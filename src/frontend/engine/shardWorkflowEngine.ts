/**
 * {@link WorkflowEngine} over the node's {@link ShardRuntime}: each call goes to the shard of its workflow id
 * (shardOf), reads linearizably through it, and proposes through it. This is the edge where wall-clock time and
 * fresh run ids enter the deterministic engine as inputs.
 *
 * Shard errors become frontend errors here (TEMPORAL-API.md §9): not leader or closing → UNAVAILABLE, too many
 * proposals in flight or a start that kept losing races → RESOURCE_EXHAUSTED; clients retry both.
 */
import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import type { Logger } from 'pino';
import type { MutableState } from '../../actors/mutableState/mutableState.js';
import { loadCurrentRun, loadMutableState, readHistory } from '../../actors/runStore/runStore.js';
import type { RunReadView } from '../../actors/runStore/runStore.js';
import { listRunsWithScheduledWorkflowTask } from '../../actors/runStore/scanRuns.js';
import type { ScheduledRunsPage } from '../../actors/runStore/scanRuns.js';
import { StartContentionError, startWorkflowOnShard } from '../../actors/start/startWorkflowOnShard.js';
import type { StartResult } from '../../actors/start/startWorkflowOnShard.js';
import type { StartRequest } from '../../actors/start/startRequest.js';
import { NotLeaderError, ShardBackpressureError, ShardClosedError } from '../../shard/errors.js';
import type { ShardRuntime } from '../../shard/runtime/shardRuntime.js';
import { InvalidArgumentError, NotFoundError, ResourceExhaustedError, UnavailableError } from '../errors.js';
import type { TransitionResult } from '../../actors/workflowTask/transition.js';
import { MatchingQueues } from './matchingQueues.js';
import { TaskIdAllocator } from './taskIdAllocator.js';
import type { ExecutionRef, HistoryPage, HistoryPageQuery, WorkflowEngine } from './workflowEngine.js';
import { pollWorkflowTask, respondToWorkflowTask } from './workflowTasks.js';
import type { PolledWorkflowTask, TokenTransition, WorkflowTaskDeps, WorkflowTaskPoll } from './workflowTasks.js';
import { WorkflowTasksRunWatchers } from './workflowTasksRunWatchers.js';

/** The engine of a node that hosts every shard (the dev node). */
export class ShardWorkflowEngine implements WorkflowEngine {
  private readonly taskIds = new TaskIdAllocator();
  /** In-memory matching (dev path): refilled from the stored runs each time a shard's gate opens. */
  private readonly matching = new MatchingQueues();
  private readonly watchers = new WorkflowTasksRunWatchers();

  constructor(
    private readonly runtime: ShardRuntime,
    /** Wall clock in epoch ms (tests pin it). */
    private readonly clockMs: () => number = Date.now,
    private readonly logger: Logger = pino({ name: 'cairn-engine' })
  ) {
    for (let shardId = 0; shardId < runtime.shardCount; shardId++) {
      const shard = runtime.shard(shardId);
      // The engine lives as long as the runtime, so the subscription is never removed.
      // Scanned on the next turn: onReady fires inside the shard's apply, and the scan's read must not re-enter it.
      shard.onReady(() => setImmediate(() => void this.requeueScheduledTasks(shardId)));
      if (shard.isReady) setImmediate(() => void this.requeueScheduledTasks(shardId));
    }
  }

  /**
   * Offers every stored run of `shardId` whose workflow task is scheduled to its queue: matching is in memory, so
   * without this a task scheduled before a restart (or under an earlier leader) is never handed out. Duplicates
   * with entries already queued are harmless (an entry is a hint, see matchingQueues.ts). A failed scan (the gate
   * closed meanwhile) is logged and left to the next time the gate opens.
   */
  private async requeueScheduledTasks(shardId: number): Promise<void> {
    const shard = this.runtime.shard(shardId);
    let requeued = 0;
    try {
      let afterKey: Uint8Array | null = null;
      do {
        const from: Uint8Array | null = afterKey;
        const page: ScheduledRunsPage = await shard.read((view) =>
          listRunsWithScheduledWorkflowTask(view, from, REQUEUE_PAGE_ENTRIES)
        );
        for (const { run, taskQueue } of page.runs) {
          this.matching.offer(taskQueue, run);
          requeued++;
        }
        afterKey = page.afterKey;
      } while (afterKey !== null);
      this.logger.info({ shardId, requeued }, 'scheduled workflow tasks re-queued');
    } catch (error) {
      this.logger.warn({ shardId, requeued, err: error }, 're-queueing scheduled workflow tasks failed');
    }
  }

  async startWorkflow(request: StartRequest): Promise<StartResult> {
    const shardId = this.runtime.shardOf(request.namespace, request.workflowId);
    const nowMs = this.clockMs();
    const inputs = { runId: randomUUID(), nowMs, taskIdFirst: this.taskIds.allocate(shardId, nowMs) };
    const result = await translateShardErrors(() => startWorkflowOnShard(this.runtime, request, inputs));
    if (result.kind === 'started' && !result.deduplicated) {
      // A new run always has its first workflow task scheduled on the normal queue.
      const run = { namespace: request.namespace, workflowId: request.workflowId, runId: result.runId };
      this.matching.offer(request.taskQueue, run);
      this.watchers.notify(run);
    }
    return result;
  }

  async pollWorkflowTask(poll: WorkflowTaskPoll): Promise<PolledWorkflowTask | null> {
    return translateShardErrors(() => pollWorkflowTask(this.workflowTaskDeps(), poll));
  }

  async respondToWorkflowTask(
    namespace: string,
    taskToken: Uint8Array,
    transition: TokenTransition
  ): Promise<TransitionResult> {
    return translateShardErrors(() => respondToWorkflowTask(this.workflowTaskDeps(), namespace, taskToken, transition));
  }

  waitForChange(execution: ExecutionRef, waitMs: number, signal: AbortSignal): Promise<void> {
    return this.watchers.waitForChange(execution, waitMs, signal);
  }

  private workflowTaskDeps(): WorkflowTaskDeps {
    const { runtime, matching, watchers, taskIds, clockMs } = this;
    return { runtime, matching, watchers, taskIds, clockMs };
  }

  async describeWorkflow(execution: ExecutionRef): Promise<MutableState> {
    const shardId = this.runtime.shardOf(execution.namespace, execution.workflowId);
    const shard = this.runtime.shard(shardId);
    const state = await translateShardErrors(() => shard.read((view) => loadRun(view, execution)));
    if (state === null) throw notFound(execution);
    // Stored taskIds raise the allocator's floor (a guard against a wall clock stepped back across a restart).
    this.taskIds.observe(shardId, state.lastTaskId);
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
    if (page === null) throw notFound(execution);
    return { shardId, ...page };
  }
}

/** Mutable states read per shard read while re-queueing scheduled tasks (bounds one read's duration). */
const REQUEUE_PAGE_ENTRIES = 500;

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

function notFound(execution: ExecutionRef): NotFoundError {
  const run = execution.runId === '' ? '' : ` with runId ${execution.runId}`;
  return new NotFoundError(
    `workflow execution not found: workflowId ${execution.workflowId}${run} in namespace ${execution.namespace}`
  );
}

/** Runs `fn`, turning retryable shard errors into the frontend errors clients retry on. */
async function translateShardErrors<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof NotLeaderError || error instanceof ShardClosedError) {
      throw new UnavailableError(error.message);
    }
    if (error instanceof ShardBackpressureError) {
      throw new ResourceExhaustedError(error.message, 'RESOURCE_EXHAUSTED_CAUSE_SYSTEM_OVERLOADED');
    }
    if (error instanceof StartContentionError) {
      throw new ResourceExhaustedError(error.message, 'RESOURCE_EXHAUSTED_CAUSE_BUSY_WORKFLOW');
    }
    throw error;
  }
}
