/**
 * The well-formedness check of one run's history (TESTING.md invariant 4), used by tests and the simulator:
 * eventIds 1..n without gaps, timestamps non-decreasing, taskIds increasing, exactly one WorkflowExecutionStarted
 * and it first, at most one close event and nothing after it, and a workflow task life cycle that holds together:
 * each Started/Completed/Failed/TimedOut refers to an earlier Scheduled (and Started) of the one open task.
 */

import { closeEventTypes } from './events.js';
import { msFromTimestamp, type ProtoTimestamp } from './protoTime.js';

/** The fields the check reads; any proto-loader HistoryEvent has them. */
export interface ShapedEvent {
  readonly eventId: string;
  readonly eventTime: ProtoTimestamp;
  readonly eventType: string;
  readonly taskId: string;
  readonly attributes: string;
}

/** The open workflow task while walking the history. */
interface OpenTask {
  readonly scheduledEventId: string;
  startedEventId: string | null;
}

function attributesOf(event: ShapedEvent): Readonly<Record<string, unknown>> {
  const value = (event as unknown as Readonly<Record<string, unknown>>)[event.attributes];
  return typeof value === 'object' && value !== null ? (value as Readonly<Record<string, unknown>>) : {};
}

/** Checks one event against the open task; returns the violation or null, updating `open` in place. */
function checkWorkflowTaskEvent(event: ShapedEvent, open: { task: OpenTask | null }): string | null {
  const attributes = attributesOf(event);
  const at = `event ${event.eventId} (${event.eventType})`;
  switch (event.eventType) {
    case 'EVENT_TYPE_WORKFLOW_TASK_SCHEDULED':
      if (open.task !== null) {
        return `${at}: a workflow task is already open (scheduled ${open.task.scheduledEventId})`;
      }
      open.task = { scheduledEventId: event.eventId, startedEventId: null };
      return null;
    case 'EVENT_TYPE_WORKFLOW_TASK_STARTED':
      if (open.task === null || open.task.startedEventId !== null) {
        return `${at}: no scheduled, unstarted workflow task to start`;
      }
      if (attributes['scheduledEventId'] !== open.task.scheduledEventId) {
        return `${at}: scheduledEventId ${String(attributes['scheduledEventId'])} is not ${open.task.scheduledEventId}`;
      }
      open.task.startedEventId = event.eventId;
      return null;
    case 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED':
    case 'EVENT_TYPE_WORKFLOW_TASK_FAILED':
    case 'EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT': {
      const task = open.task;
      if (task === null || attributes['scheduledEventId'] !== task.scheduledEventId) {
        return `${at}: scheduledEventId ${String(attributes['scheduledEventId'])} is not the open task's`;
      }
      const startedEventId = task.startedEventId ?? '0';
      const scheduleToStart = attributes['timeoutType'] === 'TIMEOUT_TYPE_SCHEDULE_TO_START';
      if (attributes['startedEventId'] !== startedEventId || (task.startedEventId === null) !== scheduleToStart) {
        return `${at}: startedEventId ${String(attributes['startedEventId'])} does not match the open task's`;
      }
      open.task = null;
      return null;
    }
    default:
      return null;
  }
}

/** Checks the fields every event must get right relative to the one before it. */
function checkSequence(event: ShapedEvent, index: number, previous: ShapedEvent | undefined): string | null {
  const at = `event at index ${index}`;
  if (event.eventId !== String(index + 1)) {
    return `${at}: eventId ${event.eventId}, expected ${index + 1} (ids are dense from 1)`;
  }
  if (typeof event.attributes !== 'string' || !Object.hasOwn(event, event.attributes)) {
    return `${at}: no attributes member`;
  }
  if ((index === 0) !== (event.eventType === 'EVENT_TYPE_WORKFLOW_EXECUTION_STARTED')) {
    return `${at}: WorkflowExecutionStarted must be the first event and only the first`;
  }
  if (previous === undefined) {
    return null;
  }
  if (msFromTimestamp(event.eventTime) < msFromTimestamp(previous.eventTime)) {
    return `${at}: eventTime goes backwards`;
  }
  if (BigInt(event.taskId) <= BigInt(previous.taskId)) {
    return `${at}: taskId ${event.taskId} is not above ${previous.taskId}`;
  }
  if (closeEventTypes.has(previous.eventType)) {
    return `${at}: ${event.eventType} follows the close event ${previous.eventId}`;
  }
  return null;
}

/** Every violation found, in history order (empty = well formed). An empty history is not well formed. */
export function historyShapeViolations(events: readonly ShapedEvent[]): string[] {
  if (events.length === 0) {
    return ['history is empty: it must start with WorkflowExecutionStarted'];
  }
  const violations: string[] = [];
  const open: { task: OpenTask | null } = { task: null };
  events.forEach((event, index) => {
    const violation = checkSequence(event, index, events[index - 1]) ?? checkWorkflowTaskEvent(event, open);
    if (violation !== null) {
      violations.push(violation);
    }
  });
  return violations;
}

/** Thrown by {@link assertHistoryShape}; lists every violation. */
export class HistoryShapeError extends Error {
  override readonly name = 'HistoryShapeError';
  constructor(readonly violations: readonly string[]) {
    super(`history is not well formed:\n${violations.join('\n')}`);
  }
}

/** Throws HistoryShapeError unless the history is well formed. */
export function assertHistoryShape(events: readonly ShapedEvent[]): void {
  const violations = historyShapeViolations(events);
  if (violations.length > 0) {
    throw new HistoryShapeError(violations);
  }
}
