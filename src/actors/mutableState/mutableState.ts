/**
 * The per-run mutable state: everything the engine needs to evaluate the next input of one run without reading
 * its history. Plain serializable data (stored with msgpackr): no classes, no Maps, no undefined-vs-missing
 * distinctions that a codec could lose. Transitions never mutate a state they were given; they clone it first.
 */

import type { RetryPolicy } from '../activities/retryPolicy.js';
import type { ProtoMessage, WorkflowExecutionCancelRequestedAttributes } from '../history/events.js';
import type { WorkflowExecutionSignaledAttributes } from '../history/events.js';
import type { LooseEventType } from '../history/looseEvents.js';

/** What identifies and configures the run; fixed at start. */
export interface ExecutionInfo {
  readonly namespace: string;
  readonly workflowId: string;
  readonly runId: string;
  readonly workflowType: string;
  /** The normal task queue's name. */
  readonly taskQueue: string;
  /** WFT start-to-close (TEMPORAL-API.md §5.3: 10 s default, 120 s max; validated by the caller). */
  readonly workflowTaskTimeoutMs: number;
  /** 0 = none. */
  readonly workflowRunTimeoutMs: number;
  /** 0 = none. */
  readonly workflowExecutionTimeoutMs: number;
  readonly startTimeMs: number;
  /**
   * When the execution timeout expires (epoch ms; 0 = none): the first run's start + the timeout, carried unchanged
   * by continue-as-new and retries, so the timeout spans the chain (§5.10). Absent on states written before it.
   */
  readonly workflowExecutionExpirationMs?: number;
}

/** Run status, named after `WORKFLOW_EXECUTION_STATUS_*`. */
export type RunStatus = 'running' | 'completed' | 'failed' | 'canceled' | 'terminated' | 'timedOut' | 'continuedAsNew';

/** Which queue a WFT is dispatched to. */
export type WorkflowTaskQueueKind = 'normal' | 'sticky';

/** The current workflow task. Ids of a transient task (attempt ≥ 2, §5.3) are the ids it will get if it succeeds. */
export type WorkflowTaskState =
  | { readonly phase: 'none' }
  | {
      readonly phase: 'scheduled';
      readonly attempt: number;
      readonly queue: WorkflowTaskQueueKind;
      readonly scheduledEventId: number;
      readonly scheduledTimeMs: number;
      /** True when its Scheduled event is not written (a retry with attempt ≥ 2 and no new events). */
      readonly transient: boolean;
    }
  | {
      readonly phase: 'started';
      readonly attempt: number;
      readonly queue: WorkflowTaskQueueKind;
      readonly scheduledEventId: number;
      readonly scheduledTimeMs: number;
      readonly transient: boolean;
      readonly startedEventId: number;
      readonly startedTimeMs: number;
      /** The poll's request id: a poll retried with it gets the same answer. */
      readonly requestId: string;
      readonly identity: string;
      readonly historySizeBytes: number;
    };

/** Sticky execution set by the last completion's `stickyAttributes` (§5.6); null = none. */
export interface Stickiness {
  readonly stickyTaskQueue: string;
  readonly scheduleToStartTimeoutMs: number;
}

/**
 * An outside event received while a WFT was started; it gets its id and time when flushed (§5.2). `loose` is any
 * single event of the looseEvents table; `activityClosed` is the Started + close pair of an activity, whose close
 * event names the Started event's id (known only at flush).
 */
export type BufferedEvent =
  | { readonly kind: 'signaled'; readonly attributes: WorkflowExecutionSignaledAttributes }
  | { readonly kind: 'cancelRequested'; readonly attributes: WorkflowExecutionCancelRequestedAttributes }
  | { readonly kind: 'loose'; readonly eventType: LooseEventType; readonly attributes: ProtoMessage }
  /** ChildWorkflowExecutionStarted: the flush also records its event id as the child's startedEventId. */
  | { readonly kind: 'childStarted'; readonly initiatedEventId: number; readonly attributes: ProtoMessage }
  | {
      readonly kind: 'activityClosed';
      /** ActivityTaskStarted's attributes (scheduledEventId, identity, requestId, attempt, lastFailure). */
      readonly startedAttributes: ProtoMessage;
      readonly closeEventType: LooseEventType;
      /** The close event's attributes without `startedEventId`, which the flush fills in. */
      readonly closeAttributes: ProtoMessage;
    };

/** Where an activity is in its life (TEMPORAL-API.md §5.4); a closed activity is removed from the state. */
export type ActivityPhase = 'scheduled' | 'started' | 'backoff';

/** One pending activity, keyed in {@link MutableState.activities} by its ActivityTaskScheduled event id. */
export interface ActivityInfo {
  readonly scheduledEventId: number;
  readonly activityId: string;
  readonly activityType: string;
  readonly taskQueue: string;
  readonly input: ProtoMessage | null;
  readonly header: ProtoMessage | null;
  /** Normalized (§4); 0 = none except startToClose, which is always > 0. */
  readonly scheduleToCloseTimeoutMs: number;
  readonly scheduleToStartTimeoutMs: number;
  readonly startToCloseTimeoutMs: number;
  readonly heartbeatTimeoutMs: number;
  readonly retryPolicy: RetryPolicy;
  /** When attempt 1 was scheduled (the ActivityTaskScheduled event time). */
  readonly scheduledTimeMs: number;
  /** The current attempt, from 1. */
  readonly attempt: number;
  /** When the current attempt was (or, in backoff, will be) put on the queue: `currentAttemptScheduledTime`. */
  readonly attemptScheduledTimeMs: number;
  readonly phase: ActivityPhase;
  /** The current attempt's start (phase started), else 0. */
  readonly startedTimeMs: number;
  readonly startedIdentity: string;
  /** The poll that started the current attempt: a retried poll with it gets the same task. */
  readonly startRequestId: string;
  /** Last heartbeat of the current attempt (ms), else 0. */
  readonly lastHeartbeatTimeMs: number;
  /** Kept across attempts (§5.4). */
  readonly heartbeatDetails: ProtoMessage | null;
  /** The failure of the last failed attempt, reported in ActivityTaskStarted and in the next attempt's task. */
  readonly lastFailure: ProtoMessage | null;
  /** ActivityTaskCancelRequested's id, or 0 when no cancel was requested. */
  readonly cancelRequestedEventId: number;
}

/** A user timer started by START_TIMER, keyed in {@link MutableState.timers} by its timerId. */
export interface UserTimerInfo {
  readonly timerId: string;
  readonly startedEventId: number;
  readonly fireAtMs: number;
}

/** A child workflow the run initiated and whose close it has not yet recorded (§5.10). */
export interface ChildInfo {
  readonly initiatedEventId: number;
  readonly namespace: string;
  readonly workflowId: string;
  readonly workflowType: string;
  /** 'initiated' until the outbox starts it (or fails to); 'started' until it closes. */
  readonly phase: 'initiated' | 'started';
  /** Set once started. */
  readonly runId: string;
  /** ChildWorkflowExecutionStarted's id; 0 while that event is still buffered. */
  readonly startedEventId: number;
  /** `PARENT_CLOSE_POLICY_*`. */
  readonly parentClosePolicy: string;
  /** The StartChildWorkflowExecutionInitiated attributes: what the outbox needs to start the child. */
  readonly request: ProtoMessage;
}

/** A signal or cancel this run sends to another workflow, until the outbox delivers it (§5.10). */
export interface ExternalRequestInfo {
  readonly initiatedEventId: number;
  readonly kind: 'signal' | 'cancel';
  readonly namespace: string;
  readonly workflowId: string;
  /** '' = the target's current run. */
  readonly runId: string;
  readonly childWorkflowOnly: boolean;
  /** Signal name, input, header and control for a signal; reason for a cancel. */
  readonly request: ProtoMessage;
}

/** Where an update is (§5.9): admitted until a WFT carries it; then accepted, completed or rejected. */
export type UpdatePhase = 'admitted' | 'accepted' | 'completed' | 'rejected';

/** One workflow update by its updateId, kept after completion so a repeated request is answered (dedup). */
export interface UpdateInfo {
  readonly updateId: string;
  readonly phase: UpdatePhase;
  /** `temporal.api.update.v1.Request` as received. */
  readonly request: ProtoMessage;
  /** The WFT started event id that carried the request, 0 until delivered. */
  readonly deliveredStartedEventId: number;
  readonly acceptedEventId: number;
  /** `temporal.api.update.v1.Outcome` once completed or rejected. */
  readonly outcome: ProtoMessage | null;
}

/** The parent of a child run: where to report its close (§5.10). */
export interface ParentInfo {
  readonly namespace: string;
  readonly workflowId: string;
  readonly runId: string;
  readonly initiatedEventId: number;
}

/** How the run closed; null while it is running. */
export interface CloseState {
  readonly status: Exclude<RunStatus, 'running'>;
  readonly closeEventId: number;
  readonly closeTimeMs: number;
  /** The close event's payload (result or failure), kept so result polls need not read history. */
  readonly payload: ProtoMessage | null;
  /** The next run of the chain (continue-as-new, retry); '' when the chain ends here. */
  readonly newExecutionRunId: string;
}

/** The whole per-run state. */
export interface MutableState {
  readonly formatVersion: 1;
  readonly executionInfo: ExecutionInfo;
  readonly status: RunStatus;
  /** The id the next written event gets; events are dense from 1. */
  readonly nextEventId: number;
  /** Time of the last written event: later events are stamped no earlier (history invariant 4). */
  readonly lastEventTimeMs: number;
  /** Last taskId written into an event: taskIds must increase. */
  readonly lastTaskId: number;
  readonly workflowTask: WorkflowTaskState;
  /** Started event id of the last COMPLETED workflow task, or 0 (§4). */
  readonly previousStartedEventId: number;
  readonly stickiness: Stickiness | null;
  readonly bufferedEvents: readonly BufferedEvent[];
  /** Signals accepted by this run (appended or buffered), for the per-run signal limit. */
  readonly signalsReceivedCount: number;
  /** Request ids of accepted signals: a retried signal is answered without a second event (§5.8). */
  readonly signalRequestIds: readonly string[];
  /** A cancel request was accepted; later ones are no-ops (§5.10). */
  readonly cancelRequested: boolean;
  readonly closeState: CloseState | null;
  /** Pending activities by scheduledEventId (as a decimal string). */
  readonly activities: Readonly<Record<string, ActivityInfo>>;
  /** Started user timers by timerId. */
  readonly timers: Readonly<Record<string, UserTimerInfo>>;
  /** Pending children by initiatedEventId. */
  readonly children: Readonly<Record<string, ChildInfo>>;
  /** Undelivered external signals and cancels by initiatedEventId. */
  readonly externalRequests: Readonly<Record<string, ExternalRequestInfo>>;
  /** Updates by updateId. */
  readonly updates: Readonly<Record<string, UpdateInfo>>;
  /** The run's search attributes (`indexedFields`), merged by upserts; null = none. */
  readonly searchAttributes: ProtoMessage | null;
  /** The run's memo (`fields`), changed by MODIFY_WORKFLOW_PROPERTIES; null = none. */
  readonly memo: ProtoMessage | null;
  readonly parent: ParentInfo | null;
  /** True once the parent recorded this child's close (the outbox stops retrying). */
  readonly parentNotified: boolean;
  /** The first run of the continue-as-new / retry chain. */
  readonly firstExecutionRunId: string;
  /** The workflow retry attempt of this run, from 1. */
  readonly attempt: number;
  /** What a workflow retry restarts with; null when the start had no retry policy (no retries). */
  readonly retrySource: RetrySource | null;
  /** The first workflow task is scheduled this long after the start (retry / continue-as-new backoff); 0 = at once. */
  readonly firstWorkflowTaskBackoffMs: number;
  /** Payload data bytes in the written history (the dominant part of its size): the history-size limit's measure. */
  readonly historyPayloadBytes: number;
}

/** The chain's retry policy and the start's payloads, kept so a failed run can be started again (§5.10). */
export interface RetrySource {
  /** `temporal.api.common.v1.RetryPolicy` as the start gave it. */
  readonly retryPolicy: ProtoMessage;
  readonly input: ProtoMessage | null;
  readonly header: ProtoMessage | null;
}

/** A deep copy that shares nothing mutable with `state` (its parts are plain data). */
export function cloneMutableState(state: MutableState): MutableState {
  return structuredClone(state);
}

/** True when the run is closed: every input but reads is refused. */
export function isClosed(state: MutableState): boolean {
  return state.closeState !== null;
}
