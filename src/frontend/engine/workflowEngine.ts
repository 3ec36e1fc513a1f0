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
import type { ActivityAttemptResponse } from '../../actors/activities/respondActivityTask.js';
import type { ProtoMessage } from '../../actors/history/events.js';
import type { ActivityInfo } from '../../actors/mutableState/mutableState.js';
import type { VisibilityRow } from '../../actors/runStore/runValues.js';
import type { ExternalRequester } from '../../actors/workflowTask/requestCancelWorkflow.js';
import type { SignalWorkflowInput } from '../../actors/workflowTask/signalWorkflow.js';
import type { PolledQueryTask, PolledWorkflowTask, TokenTransition, WorkflowTaskPoll } from './workflowTasks.js';

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

/** A poll of an activity task queue. */
export interface ActivityTaskPoll {
  readonly namespace: string;
  readonly taskQueue: string;
  readonly identity: string;
  readonly waitMs: number;
  readonly signal: AbortSignal;
}

/** An activity attempt whose start is committed: what PollActivityTaskQueueResponse is built from. */
export interface PolledActivityTask {
  readonly taskToken: Uint8Array;
  /** The run's namespace, workflow id, run id and type. */
  readonly namespace: string;
  readonly workflowId: string;
  readonly runId: string;
  readonly workflowType: string;
  /** The activity as of the committed start: attempt, timeouts, retry policy, input, heartbeat details, times. */
  readonly activity: ActivityInfo;
}

/** A worker's answer to an activity task, or a heartbeat. */
export type ActivityTaskResponse =
  ActivityAttemptResponse | { readonly kind: 'heartbeat'; readonly identity: string; readonly details?: ProtoMessage };

/** Names an activity by id instead of token (`Respond…ById`, `RecordActivityTaskHeartbeatById`). */
export interface ActivityRef {
  readonly namespace: string;
  readonly workflowId: string;
  /** '' = the current run. */
  readonly runId: string;
  readonly activityId: string;
}

/** The outcome of a query (§5.8). */
export type QueryOutcome =
  | { readonly kind: 'answered'; readonly result?: ProtoMessage }
  | { readonly kind: 'failed'; readonly errorMessage: string; readonly failure?: ProtoMessage }
  /** `queryRejectCondition` matched: the run's status. */
  | { readonly kind: 'rejected'; readonly status: string };

/** A query request. */
export interface QueryRequest {
  readonly execution: ExecutionRef;
  /** `temporal.api.query.v1.WorkflowQuery`: queryType, queryArgs, header. */
  readonly query: ProtoMessage;
  /** `QUERY_REJECT_CONDITION_*`; '' or NONE = never reject. */
  readonly rejectCondition: string;
  readonly waitMs: number;
  readonly signal: AbortSignal;
}

/** A worker's answer to a query task (RespondQueryTaskCompleted). */
export interface QueryTaskAnswer {
  /** `QUERY_RESULT_TYPE_ANSWERED` or `QUERY_RESULT_TYPE_FAILED`. */
  readonly completedType: string;
  readonly queryResult?: ProtoMessage;
  readonly errorMessage: string;
  readonly failure?: ProtoMessage;
}

/** Update lifecycle stages (§5.9), as numbers so they order. */
export type UpdateStage = 1 | 2 | 3;
export const UPDATE_STAGE_ADMITTED: UpdateStage = 1;
export const UPDATE_STAGE_ACCEPTED: UpdateStage = 2;
export const UPDATE_STAGE_COMPLETED: UpdateStage = 3;

/** An update's state as the client sees it. */
export interface UpdateStatus {
  /** The run the update belongs to (its runId is always set). */
  readonly execution: ExecutionRef;
  readonly updateId: string;
  readonly stage: UpdateStage;
  /** `temporal.api.update.v1.Outcome`, set once completed (or rejected). */
  readonly outcome?: ProtoMessage;
}

/** An update request. */
export interface UpdateRequest {
  readonly execution: ExecutionRef;
  /** `temporal.api.update.v1.Request` (meta.updateId is validated non-empty). */
  readonly request: ProtoMessage;
  /** Answer once this stage is reached, or with the current stage when `waitMs` passes. */
  readonly waitStage: UpdateStage;
  readonly waitMs: number;
  readonly signal: AbortSignal;
}

/** A list/count query over the visibility rows of a namespace. */
export interface VisibilityQuery {
  readonly namespace: string;
  /** Temporal's list filter (`WorkflowType = 'x' AND ExecutionStatus = 'Running'`); '' = all. */
  readonly query: string;
}

/** One page of ListWorkflowExecutions. */
export interface VisibilityPage {
  readonly rows: readonly VisibilityRow[];
  /** Opaque; empty when this is the last page. */
  readonly nextPageToken: Uint8Array;
}

/** RequestCancelWorkflowExecution's fields. */
export interface CancelRequest {
  readonly identity: string;
  readonly reason: string;
  readonly requestId: string;
  /** Set by the outbox for a RequestCancelExternal: the requesting workflow. */
  readonly external?: ExternalRequester;
}

/** TerminateWorkflowExecution's fields. */
export interface TerminateRequest {
  readonly identity: string;
  readonly reason: string;
  readonly details?: ProtoMessage;
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
  pollWorkflowTask(poll: WorkflowTaskPoll): Promise<PolledWorkflowTask | PolledQueryTask | null>;
  /** Applies a worker's response to the task its token names (completion or failure), committed. */
  respondToWorkflowTask(
    namespace: string,
    taskToken: Uint8Array,
    transition: TokenTransition
  ): Promise<TransitionResult>;
  /** Resolves when the execution changes, after `waitMs`, or when `signal` aborts (history long polls). */
  waitForChange(execution: ExecutionRef, waitMs: number, signal: AbortSignal): Promise<void>;

  /** Waits for an activity task on the poll's queue and starts it (committed); null when the wait ends empty. */
  pollActivityTask(poll: ActivityTaskPoll): Promise<PolledActivityTask | null>;
  /**
   * Applies a worker's activity answer to the attempt its token names, committed. Returns `cancelRequested` (what
   * a heartbeat answers; false for the others). Stale token or closed run → NOT_FOUND; bad token → INVALID_ARGUMENT.
   */
  respondActivityTask(namespace: string, taskToken: Uint8Array, response: ActivityTaskResponse): Promise<boolean>;
  /** As {@link respondActivityTask}, naming the activity by id (its current attempt). */
  respondActivityTaskById(activity: ActivityRef, response: ActivityTaskResponse): Promise<boolean>;
  /** Signals a running run (NOT_FOUND if none); a retried requestId is accepted once. */
  signalWorkflow(execution: ExecutionRef, signal: SignalWorkflowInput): Promise<void>;
  /** Signals the workflow id's running run, or starts one with the signal as event 2 (§5.8). */
  signalWithStart(request: StartRequest, signal: SignalWorkflowInput): Promise<StartResult>;
  /** Requests cancellation of a running run (NOT_FOUND if none; a second request is a no-op). */
  requestCancelWorkflow(execution: ExecutionRef, request: CancelRequest): Promise<void>;
  /** Terminates a running run at once (NOT_FOUND if none or closed). */
  terminateWorkflow(execution: ExecutionRef, request: TerminateRequest): Promise<void>;
  /** Runs a query through a workflow worker (legacy query task) and waits for its answer. */
  queryWorkflow(request: QueryRequest): Promise<QueryOutcome>;
  /** Delivers a worker's answer to the query task its token names (NOT_FOUND if the query is gone). */
  respondQueryTask(namespace: string, taskToken: Uint8Array, answer: QueryTaskAnswer): Promise<void>;
  /** Admits (or finds, by updateId) an update and waits for `waitStage`. */
  updateWorkflow(request: UpdateRequest): Promise<UpdateStatus>;
  /** Waits for a known update to reach `waitStage` (NOT_FOUND for an unknown updateId). */
  pollWorkflowUpdate(
    execution: ExecutionRef,
    updateId: string,
    waitStage: UpdateStage,
    waitMs: number,
    signal: AbortSignal
  ): Promise<UpdateStatus>;
  /** Clears the run's sticky queue (ResetStickyTaskQueue); NOT_FOUND if no such run. */
  resetStickyTaskQueue(execution: ExecutionRef): Promise<void>;
  /** A worker's sticky queue is going away (ShutdownWorker): its tasks move to the normal queue at once. */
  shutdownStickyQueue(namespace: string, stickyTaskQueue: string): Promise<void>;
  /** One page of the namespace's runs matching `query`, newest start first. */
  listWorkflowExecutions(query: VisibilityQuery, pageSize: number, nextPageToken: Uint8Array): Promise<VisibilityPage>;
  /** How many of the namespace's runs match `query`. */
  countWorkflowExecutions(query: VisibilityQuery): Promise<number>;
}
