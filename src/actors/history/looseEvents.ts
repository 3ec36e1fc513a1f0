/**
 * The history events whose attributes the engine builds as plain {@link ProtoMessage}s (activities, timers,
 * markers, children, external workflows, updates): one table from `EVENT_TYPE_*` to its attributes member, and one
 * builder. The attribute shapes are Temporal's (`temporal.api.history.v1`), in the proto-loader shape: the engine's
 * transitions fill them field by field, and the frontend sends them as they are.
 */

import type { EventBuilder, HistoryEventOf, ProtoMessage } from './events.js';
import { buildEvent } from './events.js';

/** `EVENT_TYPE_*` → its attributes member in `HistoryEvent`. */
export const looseEventMembers = {
  EVENT_TYPE_ACTIVITY_TASK_SCHEDULED: 'activityTaskScheduledEventAttributes',
  EVENT_TYPE_ACTIVITY_TASK_STARTED: 'activityTaskStartedEventAttributes',
  EVENT_TYPE_ACTIVITY_TASK_COMPLETED: 'activityTaskCompletedEventAttributes',
  EVENT_TYPE_ACTIVITY_TASK_FAILED: 'activityTaskFailedEventAttributes',
  EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT: 'activityTaskTimedOutEventAttributes',
  EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED: 'activityTaskCancelRequestedEventAttributes',
  EVENT_TYPE_ACTIVITY_TASK_CANCELED: 'activityTaskCanceledEventAttributes',
  EVENT_TYPE_TIMER_STARTED: 'timerStartedEventAttributes',
  EVENT_TYPE_TIMER_FIRED: 'timerFiredEventAttributes',
  EVENT_TYPE_TIMER_CANCELED: 'timerCanceledEventAttributes',
  EVENT_TYPE_MARKER_RECORDED: 'markerRecordedEventAttributes',
  EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES: 'upsertWorkflowSearchAttributesEventAttributes',
  EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED: 'workflowPropertiesModifiedEventAttributes',
  EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW: 'workflowExecutionContinuedAsNewEventAttributes',
  EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED: 'startChildWorkflowExecutionInitiatedEventAttributes',
  EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_FAILED: 'startChildWorkflowExecutionFailedEventAttributes',
  EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED: 'childWorkflowExecutionStartedEventAttributes',
  EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED: 'childWorkflowExecutionCompletedEventAttributes',
  EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_FAILED: 'childWorkflowExecutionFailedEventAttributes',
  EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_CANCELED: 'childWorkflowExecutionCanceledEventAttributes',
  EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TIMED_OUT: 'childWorkflowExecutionTimedOutEventAttributes',
  EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TERMINATED: 'childWorkflowExecutionTerminatedEventAttributes',
  EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED: 'signalExternalWorkflowExecutionInitiatedEventAttributes',
  EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_FAILED: 'signalExternalWorkflowExecutionFailedEventAttributes',
  EVENT_TYPE_EXTERNAL_WORKFLOW_EXECUTION_SIGNALED: 'externalWorkflowExecutionSignaledEventAttributes',
  EVENT_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED:
    'requestCancelExternalWorkflowExecutionInitiatedEventAttributes',
  EVENT_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_FAILED:
    'requestCancelExternalWorkflowExecutionFailedEventAttributes',
  EVENT_TYPE_EXTERNAL_WORKFLOW_EXECUTION_CANCEL_REQUESTED: 'externalWorkflowExecutionCancelRequestedEventAttributes',
  EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED: 'workflowExecutionUpdateAcceptedEventAttributes',
  EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED: 'workflowExecutionUpdateCompletedEventAttributes',
} as const;

/** An event type of the table. */
export type LooseEventType = keyof typeof looseEventMembers;

/** One event of the table, narrowed by its `eventType`. */
export type LooseHistoryEvent = {
  [T in LooseEventType]: HistoryEventOf<T, (typeof looseEventMembers)[T], ProtoMessage>;
}[LooseEventType];

/** The builder of one table event type. */
export function looseEvent<T extends LooseEventType>(
  eventType: T
): EventBuilder<Extract<LooseHistoryEvent, { eventType: T }>, ProtoMessage> {
  const member = looseEventMembers[eventType];
  return (eventId, eventTimeMs, taskId, attributes) =>
    buildEvent(eventType, member, eventId, eventTimeMs, taskId, attributes) as unknown as Extract<
      LooseHistoryEvent,
      { eventType: T }
    >;
}

/** True for a `string` that names a table event type. */
export function isLooseEventType(eventType: string): eventType is LooseEventType {
  return Object.hasOwn(looseEventMembers, eventType);
}
