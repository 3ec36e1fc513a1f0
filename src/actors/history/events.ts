/**
 * History events as plain objects in the proto-loader shape of `temporal.api.history.v1.HistoryEvent`
 * (TEMPORAL-API.md §1): camelCase fields, enum names as strings, int64 as strings, one attributes member plus the
 * oneof's virtual `attributes` field naming it. The frontend can send these as they are.
 *
 * Each builder takes (eventId, eventTimeMs, taskId, attributes); attribute payloads the engine does not interpret
 * (inputs, headers, failures, SDK metadata) are passed through verbatim as {@link ProtoMessage}.
 */

import { invariant } from '../../raft/core/errors.js';
import type { LooseHistoryEvent } from './looseEvents.js';
import { timestampFromMs, type ProtoDuration, type ProtoTimestamp } from './protoTime.js';

/** A protobuf message the engine stores and returns verbatim without reading it (payloads, failures, metadata). */
export type ProtoMessage = Readonly<Record<string, unknown>>;

/** `temporal.api.taskqueue.v1.TaskQueue`. */
export interface ProtoTaskQueue {
  readonly name: string;
  readonly kind: 'TASK_QUEUE_KIND_NORMAL' | 'TASK_QUEUE_KIND_STICKY';
  /** Set on a sticky queue: the normal queue it stands in for. */
  readonly normalName?: string;
}

/** The fields every event carries. */
export interface HistoryEventHeader {
  readonly eventId: string;
  readonly eventTime: ProtoTimestamp;
  readonly taskId: string;
}

/** One event type: its header, its enum name, and its one attributes member keyed by `K`. */
export type HistoryEventOf<T extends string, K extends string, A> = HistoryEventHeader & {
  readonly eventType: T;
  readonly attributes: K;
} & { readonly [P in K]: A };

/** WorkflowExecutionStartedEventAttributes (the fields Cairn writes; optional ones only when known). */
export interface WorkflowExecutionStartedAttributes {
  readonly workflowType: { readonly name: string };
  readonly taskQueue: ProtoTaskQueue;
  readonly input?: ProtoMessage;
  readonly header?: ProtoMessage;
  readonly workflowExecutionTimeout?: ProtoDuration;
  readonly workflowRunTimeout?: ProtoDuration;
  /** When the execution timeout expires; the same for every run of a chain. */
  readonly workflowExecutionExpirationTime?: ProtoTimestamp;
  readonly workflowTaskTimeout: ProtoDuration;
  readonly identity: string;
  readonly attempt: number;
  readonly originalExecutionRunId: string;
  readonly firstExecutionRunId: string;
  readonly workflowId: string;
  readonly memo?: ProtoMessage;
  readonly searchAttributes?: ProtoMessage;
  readonly retryPolicy?: ProtoMessage;
  /** The first workflow task waits this long (a retry's backoff, continue-as-new's backoffStartInterval). */
  readonly firstWorkflowTaskBackoff?: ProtoDuration;
}

/** WorkflowTaskScheduledEventAttributes. */
export interface WorkflowTaskScheduledAttributes {
  readonly taskQueue: ProtoTaskQueue;
  readonly startToCloseTimeout: ProtoDuration;
  readonly attempt: number;
}

/** WorkflowTaskStartedEventAttributes. */
export interface WorkflowTaskStartedAttributes {
  readonly scheduledEventId: string;
  readonly identity: string;
  readonly requestId: string;
  readonly historySizeBytes: string;
}

/** WorkflowTaskCompletedEventAttributes; the worker's metadata is copied verbatim (TEMPORAL-API.md §5.7). */
export interface WorkflowTaskCompletedAttributes {
  readonly scheduledEventId: string;
  readonly startedEventId: string;
  readonly identity: string;
  readonly binaryChecksum?: string;
  readonly workerVersion?: ProtoMessage;
  readonly sdkMetadata?: ProtoMessage;
  readonly meteringMetadata?: ProtoMessage;
  readonly deployment?: ProtoMessage;
  readonly versioningBehavior?: string;
}

/** A `temporal.api.enums.v1.WorkflowTaskFailedCause` name, e.g. `WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND`. */
export type WorkflowTaskFailedCause = `WORKFLOW_TASK_FAILED_CAUSE_${string}`;

/** WorkflowTaskFailedEventAttributes. */
export interface WorkflowTaskFailedAttributes {
  readonly scheduledEventId: string;
  readonly startedEventId: string;
  readonly cause: WorkflowTaskFailedCause;
  readonly failure?: ProtoMessage;
  readonly identity: string;
  readonly binaryChecksum?: string;
}

/** WorkflowTaskTimedOutEventAttributes; `startedEventId` is '0' for a schedule-to-start timeout. */
export interface WorkflowTaskTimedOutAttributes {
  readonly scheduledEventId: string;
  readonly startedEventId: string;
  readonly timeoutType: 'TIMEOUT_TYPE_START_TO_CLOSE' | 'TIMEOUT_TYPE_SCHEDULE_TO_START';
}

/** WorkflowExecutionCompletedEventAttributes. */
export interface WorkflowExecutionCompletedAttributes {
  readonly result?: ProtoMessage;
  readonly workflowTaskCompletedEventId: string;
}

/** WorkflowExecutionFailedEventAttributes. */
export interface WorkflowExecutionFailedAttributes {
  readonly failure?: ProtoMessage;
  readonly retryState: string;
  readonly workflowTaskCompletedEventId: string;
  /** The retry's run (retryState IN_PROGRESS): clients follow the chain to it. */
  readonly newExecutionRunId?: string;
}

/** WorkflowExecutionCanceledEventAttributes. */
export interface WorkflowExecutionCanceledAttributes {
  readonly workflowTaskCompletedEventId: string;
  readonly details?: ProtoMessage;
}

/** WorkflowExecutionTerminatedEventAttributes. */
export interface WorkflowExecutionTerminatedAttributes {
  readonly reason: string;
  readonly details?: ProtoMessage;
  readonly identity: string;
}

/** WorkflowExecutionTimedOutEventAttributes. */
export interface WorkflowExecutionTimedOutAttributes {
  readonly retryState: string;
  readonly newExecutionRunId?: string;
}

/** WorkflowExecutionSignaledEventAttributes. */
export interface WorkflowExecutionSignaledAttributes {
  readonly signalName: string;
  readonly input?: ProtoMessage;
  readonly identity: string;
  readonly header?: ProtoMessage;
}

/** WorkflowExecutionCancelRequestedEventAttributes. */
export interface WorkflowExecutionCancelRequestedAttributes {
  readonly cause: string;
  readonly identity: string;
  /** Set when another workflow asked (RequestCancelExternal): who, and its Initiated event. */
  readonly externalWorkflowExecution?: { readonly workflowId: string; readonly runId: string };
  readonly externalInitiatedEventId?: string;
}

export type WorkflowExecutionStartedEvent = HistoryEventOf<
  'EVENT_TYPE_WORKFLOW_EXECUTION_STARTED',
  'workflowExecutionStartedEventAttributes',
  WorkflowExecutionStartedAttributes
>;
export type WorkflowTaskScheduledEvent = HistoryEventOf<
  'EVENT_TYPE_WORKFLOW_TASK_SCHEDULED',
  'workflowTaskScheduledEventAttributes',
  WorkflowTaskScheduledAttributes
>;
export type WorkflowTaskStartedEvent = HistoryEventOf<
  'EVENT_TYPE_WORKFLOW_TASK_STARTED',
  'workflowTaskStartedEventAttributes',
  WorkflowTaskStartedAttributes
>;
export type WorkflowTaskCompletedEvent = HistoryEventOf<
  'EVENT_TYPE_WORKFLOW_TASK_COMPLETED',
  'workflowTaskCompletedEventAttributes',
  WorkflowTaskCompletedAttributes
>;
export type WorkflowTaskFailedEvent = HistoryEventOf<
  'EVENT_TYPE_WORKFLOW_TASK_FAILED',
  'workflowTaskFailedEventAttributes',
  WorkflowTaskFailedAttributes
>;
export type WorkflowTaskTimedOutEvent = HistoryEventOf<
  'EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT',
  'workflowTaskTimedOutEventAttributes',
  WorkflowTaskTimedOutAttributes
>;
export type WorkflowExecutionCompletedEvent = HistoryEventOf<
  'EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED',
  'workflowExecutionCompletedEventAttributes',
  WorkflowExecutionCompletedAttributes
>;
export type WorkflowExecutionFailedEvent = HistoryEventOf<
  'EVENT_TYPE_WORKFLOW_EXECUTION_FAILED',
  'workflowExecutionFailedEventAttributes',
  WorkflowExecutionFailedAttributes
>;
export type WorkflowExecutionCanceledEvent = HistoryEventOf<
  'EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED',
  'workflowExecutionCanceledEventAttributes',
  WorkflowExecutionCanceledAttributes
>;
export type WorkflowExecutionTerminatedEvent = HistoryEventOf<
  'EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED',
  'workflowExecutionTerminatedEventAttributes',
  WorkflowExecutionTerminatedAttributes
>;
export type WorkflowExecutionTimedOutEvent = HistoryEventOf<
  'EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT',
  'workflowExecutionTimedOutEventAttributes',
  WorkflowExecutionTimedOutAttributes
>;
export type WorkflowExecutionSignaledEvent = HistoryEventOf<
  'EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED',
  'workflowExecutionSignaledEventAttributes',
  WorkflowExecutionSignaledAttributes
>;
export type WorkflowExecutionCancelRequestedEvent = HistoryEventOf<
  'EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED',
  'workflowExecutionCancelRequestedEventAttributes',
  WorkflowExecutionCancelRequestedAttributes
>;

/** Every event type this module builds. */
export type HistoryEvent =
  | WorkflowExecutionStartedEvent
  | WorkflowTaskScheduledEvent
  | WorkflowTaskStartedEvent
  | WorkflowTaskCompletedEvent
  | WorkflowTaskFailedEvent
  | WorkflowTaskTimedOutEvent
  | WorkflowExecutionCompletedEvent
  | WorkflowExecutionFailedEvent
  | WorkflowExecutionCanceledEvent
  | WorkflowExecutionTerminatedEvent
  | WorkflowExecutionTimedOutEvent
  | WorkflowExecutionSignaledEvent
  | WorkflowExecutionCancelRequestedEvent
  | LooseHistoryEvent;

/** The event types that close a run (at most one per history, and nothing after it). */
export const closeEventTypes: ReadonlySet<string> = new Set([
  'EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED',
  'EVENT_TYPE_WORKFLOW_EXECUTION_FAILED',
  'EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED',
  'EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED',
  'EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT',
  'EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW',
]);

/** Builds the common header; ids are safe positive integers, time a safe non-negative integer. */
function header(eventId: number, eventTimeMs: number, taskId: number): HistoryEventHeader {
  invariant(Number.isSafeInteger(eventId) && eventId >= 1, () => `eventId must be an integer >= 1, got ${eventId}`);
  invariant(Number.isSafeInteger(taskId) && taskId >= 1, () => `taskId must be an integer >= 1, got ${taskId}`);
  return { eventId: String(eventId), eventTime: timestampFromMs(eventTimeMs), taskId: String(taskId) };
}

/** Generic builder: one event of type `T` whose attributes member is `K`. */
export function buildEvent<T extends string, K extends string, A>(
  eventType: T,
  key: K,
  eventId: number,
  eventTimeMs: number,
  taskId: number,
  attributes: A
): HistoryEventOf<T, K, A> {
  const members = { [key]: attributes } as { readonly [P in K]: A };
  return { ...header(eventId, eventTimeMs, taskId), eventType, attributes: key, ...members };
}

/** Signature shared by every builder below. */
export type EventBuilder<E extends HistoryEventHeader, A> = (
  eventId: number,
  eventTimeMs: number,
  taskId: number,
  attributes: A
) => E;

export const workflowExecutionStartedEvent: EventBuilder<
  WorkflowExecutionStartedEvent,
  WorkflowExecutionStartedAttributes
> = (id, timeMs, taskId, a) =>
  buildEvent('EVENT_TYPE_WORKFLOW_EXECUTION_STARTED', 'workflowExecutionStartedEventAttributes', id, timeMs, taskId, a);

export const workflowTaskScheduledEvent: EventBuilder<WorkflowTaskScheduledEvent, WorkflowTaskScheduledAttributes> = (
  id,
  timeMs,
  taskId,
  a
) => buildEvent('EVENT_TYPE_WORKFLOW_TASK_SCHEDULED', 'workflowTaskScheduledEventAttributes', id, timeMs, taskId, a);

export const workflowTaskStartedEvent: EventBuilder<WorkflowTaskStartedEvent, WorkflowTaskStartedAttributes> = (
  id,
  timeMs,
  taskId,
  a
) => buildEvent('EVENT_TYPE_WORKFLOW_TASK_STARTED', 'workflowTaskStartedEventAttributes', id, timeMs, taskId, a);

export const workflowTaskCompletedEvent: EventBuilder<WorkflowTaskCompletedEvent, WorkflowTaskCompletedAttributes> = (
  id,
  timeMs,
  taskId,
  a
) => buildEvent('EVENT_TYPE_WORKFLOW_TASK_COMPLETED', 'workflowTaskCompletedEventAttributes', id, timeMs, taskId, a);

export const workflowTaskFailedEvent: EventBuilder<WorkflowTaskFailedEvent, WorkflowTaskFailedAttributes> = (
  id,
  timeMs,
  taskId,
  a
) => buildEvent('EVENT_TYPE_WORKFLOW_TASK_FAILED', 'workflowTaskFailedEventAttributes', id, timeMs, taskId, a);

export const workflowTaskTimedOutEvent: EventBuilder<WorkflowTaskTimedOutEvent, WorkflowTaskTimedOutAttributes> = (
  id,
  timeMs,
  taskId,
  a
) => buildEvent('EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT', 'workflowTaskTimedOutEventAttributes', id, timeMs, taskId, a);

export const workflowExecutionCompletedEvent: EventBuilder<
  WorkflowExecutionCompletedEvent,
  WorkflowExecutionCompletedAttributes
> = (id, timeMs, taskId, a) =>
  buildEvent(
    'EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED',
    'workflowExecutionCompletedEventAttributes',
    id,
    timeMs,
    taskId,
    a
  );

export const workflowExecutionFailedEvent: EventBuilder<
  WorkflowExecutionFailedEvent,
  WorkflowExecutionFailedAttributes
> = (id, timeMs, taskId, a) =>
  buildEvent('EVENT_TYPE_WORKFLOW_EXECUTION_FAILED', 'workflowExecutionFailedEventAttributes', id, timeMs, taskId, a);

export const workflowExecutionCanceledEvent: EventBuilder<
  WorkflowExecutionCanceledEvent,
  WorkflowExecutionCanceledAttributes
> = (id, timeMs, taskId, a) =>
  buildEvent(
    'EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED',
    'workflowExecutionCanceledEventAttributes',
    id,
    timeMs,
    taskId,
    a
  );

export const workflowExecutionTerminatedEvent: EventBuilder<
  WorkflowExecutionTerminatedEvent,
  WorkflowExecutionTerminatedAttributes
> = (id, timeMs, taskId, a) =>
  buildEvent(
    'EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED',
    'workflowExecutionTerminatedEventAttributes',
    id,
    timeMs,
    taskId,
    a
  );

export const workflowExecutionTimedOutEvent: EventBuilder<
  WorkflowExecutionTimedOutEvent,
  WorkflowExecutionTimedOutAttributes
> = (id, timeMs, taskId, a) =>
  buildEvent(
    'EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT',
    'workflowExecutionTimedOutEventAttributes',
    id,
    timeMs,
    taskId,
    a
  );

export const workflowExecutionSignaledEvent: EventBuilder<
  WorkflowExecutionSignaledEvent,
  WorkflowExecutionSignaledAttributes
> = (id, timeMs, taskId, a) =>
  buildEvent(
    'EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED',
    'workflowExecutionSignaledEventAttributes',
    id,
    timeMs,
    taskId,
    a
  );

export const workflowExecutionCancelRequestedEvent: EventBuilder<
  WorkflowExecutionCancelRequestedEvent,
  WorkflowExecutionCancelRequestedAttributes
> = (id, timeMs, taskId, a) =>
  buildEvent(
    'EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED',
    'workflowExecutionCancelRequestedEventAttributes',
    id,
    timeMs,
    taskId,
    a
  );
