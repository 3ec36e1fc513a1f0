/**
 * The interface the frontend reaches the workflow engine through: handlers depend on this, not on the shard runtime,
 * so they can be tested against any implementation and the engine can move (e.g. behind a forwarding node).
 *
 * Implementations throw {@link FrontendError}s for conditions a client should see as such: NOT_FOUND for an unknown
 * run, UNAVAILABLE when this node cannot serve the shard, RESOURCE_EXHAUSTED under backpressure.
 */
import type { HistoryEvent } from '../../actors/history/events.js';
import type { MutableState } from '../../actors/mutableState/mutableState.js';
import type { StartResult } from '../../actors/start/startWorkflowOnShard.js';
import type { StartRequest } from '../../actors/start/startRequest.js';
import type { TransitionResult } from '../../actors/workflowTask/transition.js';
import type { PolledWorkflowTask, TokenTransition, WorkflowTaskPoll } from './workflowTasks.js';

/** Names one workflow execution; an empty `runId` means the workflow id's current run. */
export interface ExecutionRef {
  readonly namespace: string;
  readonly workflowId: string;
  readonly runId: string;
}

/** One page of history to read: events from `fromEventId` on, at most `pageSize` of them. */
export interface HistoryPageQuery {
  readonly execution: ExecutionRef;
  readonly fromEventId: number;
  readonly pageSizeMax: number;
  /** The shard a page token named; a mismatch with the execution's shard is refused as a malformed token. */
  readonly tokenShardId?: number;
}

/** A page of history; `nextEventId` is null when the page reached the run's last written event. */
export interface HistoryPage {
  readonly shardId: number;
  readonly runId: string;
  readonly events: readonly HistoryEvent[];
  readonly nextEventId: number | null;
}

/** What the frontend asks of the engine. */
export interface WorkflowEngine {
  /** Starts (or deduplicates, or refuses) a workflow run; the engine chooses the run id and the time. */
  startWorkflow(request: StartRequest): Promise<StartResult>;
  /** The run's mutable state as of a linearizable read; NOT_FOUND if there is no such run. */
  describeWorkflow(execution: ExecutionRef): Promise<MutableState>;
  /** One page of the run's history in event order, as of a linearizable read; NOT_FOUND if there is no such run. */
  readHistory(query: HistoryPageQuery): Promise<HistoryPage>;
  /** Waits for a workflow task on the poll's queue and starts it (committed); null when the wait ends empty. */
  pollWorkflowTask(poll: WorkflowTaskPoll): Promise<PolledWorkflowTask | null>;
  /** Applies a worker's response to the task its token names (completion or failure), committed. */
  respondToWorkflowTask(
    namespace: string,
    taskToken: Uint8Array,
    transition: TokenTransition
  ): Promise<TransitionResult>;
  /** Resolves when the execution changes, after `waitMs`, or when `signal` aborts (history long polls). */
  waitForChange(execution: ExecutionRef, waitMs: number, signal: AbortSignal): Promise<void>;
}
