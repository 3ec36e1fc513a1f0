/**
 * The activity commands of RespondWorkflowTaskCompleted (TEMPORAL-API.md §4 "Normalizing ScheduleActivityTask",
 * §5.4, §7): SCHEDULE_ACTIVITY_TASK writes ActivityTaskScheduled with normalized timeouts and retry policy and adds
 * a pending activity; REQUEST_CANCEL_ACTIVITY_TASK writes ActivityTaskCancelRequested and, for an activity that is
 * not running, ActivityTaskCanceled at once.
 */

import { invariant } from '../../raft/core/errors.js';
import type { ProtoMessage } from '../history/events.js';
import { looseEvent } from '../history/looseEvents.js';
import { durationFromMs } from '../history/protoTime.js';
import type { ActivityInfo, MutableState } from '../mutableState/mutableState.js';
import {
  attributesOf,
  messageField,
  type CommandHandler,
  type CommandHandlerTable,
  type ProtoCommand,
} from '../workflowTask/commandHandlers.js';
import type { TransitionDraft } from '../workflowTask/transition.js';
import { findActivity, putActivityIn, removeActivityIn } from './closeActivity.js';
import { durationMsFromProto, InvalidDurationError, type ProtoDuration } from './durations.js';
import {
  BAD_SCHEDULE_ACTIVITY_ATTRIBUTES,
  BadScheduleActivityAttributesError,
  normalizeScheduleActivity,
  type NormalizedScheduleActivity,
  type NormalizeScheduleActivityResult,
  type ScheduleActivityInput,
} from './normalizeScheduleActivity.js';
import { retryPolicyProto, type RetryPolicyInput } from './retryPolicy.js';

/** Temporal's default limit on pending activities per run (TEMPORAL-API.md §10). */
export const PENDING_ACTIVITIES_MAX = 2_000;

const SCHEDULE_MEMBER = 'scheduleActivityTaskCommandAttributes';
const CANCEL_MEMBER = 'requestCancelActivityTaskCommandAttributes';
const BAD_REQUEST_CANCEL_ACTIVITY_ATTRIBUTES = 'WORKFLOW_TASK_FAILED_CAUSE_BAD_REQUEST_CANCEL_ACTIVITY_ATTRIBUTES';

function stringField(attributes: ProtoMessage, field: string): string {
  const value = attributes[field];
  return typeof value === 'string' ? value : '';
}

function numberField(attributes: ProtoMessage, field: string): number | undefined {
  const value = attributes[field];
  return typeof value === 'number' ? value : undefined;
}

/** A Duration field in ms; undefined when unset. Throws InvalidDurationError for a non-message value. */
function durationField(attributes: ProtoMessage, field: string, path = field): number | undefined {
  const value = attributes[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object') throw new InvalidDurationError(path, 'must be a google.protobuf.Duration message');
  return durationMsFromProto(path, value as ProtoDuration);
}

function retryPolicyInputOf(attributes: ProtoMessage): RetryPolicyInput | undefined {
  const policy = messageField(attributes, 'retryPolicy');
  if (policy === undefined) return undefined;
  const types = policy['nonRetryableErrorTypes'];
  return {
    initialIntervalMs: durationField(policy, 'initialInterval', 'retryPolicy.initialInterval'),
    backoffCoefficient: numberField(policy, 'backoffCoefficient'),
    maximumIntervalMs: durationField(policy, 'maximumInterval', 'retryPolicy.maximumInterval'),
    maximumAttempts: numberField(policy, 'maximumAttempts'),
    nonRetryableErrorTypes: Array.isArray(types) ? types.map((type) => String(type)) : undefined,
  };
}

/** The command's attributes as the normalization's input; throws InvalidDurationError for a bad Duration. */
function scheduleInputOf(attributes: ProtoMessage): ScheduleActivityInput {
  return {
    activityId: stringField(attributes, 'activityId'),
    activityTypeName: stringField(messageField(attributes, 'activityType') ?? {}, 'name'),
    taskQueueName: stringField(messageField(attributes, 'taskQueue') ?? {}, 'name'),
    scheduleToCloseTimeoutMs: durationField(attributes, 'scheduleToCloseTimeout'),
    scheduleToStartTimeoutMs: durationField(attributes, 'scheduleToStartTimeout'),
    startToCloseTimeoutMs: durationField(attributes, 'startToCloseTimeout'),
    heartbeatTimeoutMs: durationField(attributes, 'heartbeatTimeout'),
    retryPolicy: retryPolicyInputOf(attributes),
  };
}

/** Normalizes a SCHEDULE_ACTIVITY_TASK command against the run; never throws on bad input. */
function normalizeCommand(command: ProtoCommand, state: MutableState): NormalizeScheduleActivityResult {
  const attributes = attributesOf(command, SCHEDULE_MEMBER);
  if (attributes === null) {
    return {
      ok: false,
      error: new BadScheduleActivityAttributesError(SCHEDULE_MEMBER, `${SCHEDULE_MEMBER} is missing`),
    };
  }
  let input: ScheduleActivityInput;
  try {
    input = scheduleInputOf(attributes);
  } catch (error) {
    if (!(error instanceof InvalidDurationError)) throw error;
    return { ok: false, error: new BadScheduleActivityAttributesError(error.field, error.message) };
  }
  return normalizeScheduleActivity(input, {
    workflowTaskQueueName: state.executionInfo.taskQueue,
    workflowRunTimeoutMs: state.executionInfo.workflowRunTimeoutMs,
  });
}

function scheduledAttributes(
  value: NormalizedScheduleActivity,
  attributes: ProtoMessage,
  workflowTaskCompletedEventId: number
): ProtoMessage {
  const header = messageField(attributes, 'header');
  const input = messageField(attributes, 'input');
  return {
    activityId: value.activityId,
    activityType: { name: value.activityTypeName },
    taskQueue: { name: value.taskQueueName, kind: 'TASK_QUEUE_KIND_NORMAL' },
    ...(header === undefined ? {} : { header }),
    ...(input === undefined ? {} : { input }),
    scheduleToCloseTimeout: durationFromMs(value.scheduleToCloseTimeoutMs),
    scheduleToStartTimeout: durationFromMs(value.scheduleToStartTimeoutMs),
    startToCloseTimeout: durationFromMs(value.startToCloseTimeoutMs),
    heartbeatTimeout: durationFromMs(value.heartbeatTimeoutMs),
    workflowTaskCompletedEventId: String(workflowTaskCompletedEventId),
    retryPolicy: retryPolicyProto(value.retryPolicy),
  };
}

/** A fresh activity at attempt 1, scheduled at `scheduledTimeMs`. */
function newActivity(
  value: NormalizedScheduleActivity,
  attributes: ProtoMessage,
  scheduledEventId: number,
  scheduledTimeMs: number
): ActivityInfo {
  return {
    scheduledEventId,
    activityId: value.activityId,
    activityType: value.activityTypeName,
    taskQueue: value.taskQueueName,
    input: messageField(attributes, 'input') ?? null,
    header: messageField(attributes, 'header') ?? null,
    scheduleToCloseTimeoutMs: value.scheduleToCloseTimeoutMs,
    scheduleToStartTimeoutMs: value.scheduleToStartTimeoutMs,
    startToCloseTimeoutMs: value.startToCloseTimeoutMs,
    heartbeatTimeoutMs: value.heartbeatTimeoutMs,
    retryPolicy: value.retryPolicy,
    scheduledTimeMs,
    attempt: 1,
    attemptScheduledTimeMs: scheduledTimeMs,
    phase: 'scheduled',
    startedTimeMs: 0,
    startedIdentity: '',
    startRequestId: '',
    lastHeartbeatTimeMs: 0,
    heartbeatDetails: null,
    lastFailure: null,
    cancelRequestedEventId: 0,
  };
}

/**
 * SCHEDULE_ACTIVITY_TASK. Validation sees the state before the completion, so duplicates and the limit are
 * checked against the activities already pending (not against other commands of the same completion).
 */
const scheduleActivityHandler: CommandHandler = {
  closesRun: false,
  validate: (command, state) => {
    const normalized = normalizeCommand(command, state);
    if (!normalized.ok) {
      return { cause: BAD_SCHEDULE_ACTIVITY_ATTRIBUTES, message: `ScheduleActivityTask: ${normalized.error.message}` };
    }
    const { activityId } = normalized.value;
    if (Object.values(state.activities).some((activity) => activity.activityId === activityId)) {
      return {
        cause: BAD_SCHEDULE_ACTIVITY_ATTRIBUTES,
        message: `ScheduleActivityTask: activityId ${JSON.stringify(activityId)} is already used by a pending activity; give each pending activity its own id`,
      };
    }
    if (Object.keys(state.activities).length >= PENDING_ACTIVITIES_MAX) {
      return {
        cause: 'WORKFLOW_TASK_FAILED_CAUSE_PENDING_ACTIVITIES_LIMIT_EXCEEDED',
        message: `ScheduleActivityTask: the run already has ${PENDING_ACTIVITIES_MAX} pending activities, the limit; wait for some to close`,
      };
    }
    return null;
  },
  apply: (draft, command, workflowTaskCompletedEventId) => {
    const normalized = normalizeCommand(command, draft.state);
    const attributes = attributesOf(command, SCHEDULE_MEMBER);
    invariant(normalized.ok && attributes !== null, 'ScheduleActivityTask was validated');
    const event = draft.append(
      looseEvent('EVENT_TYPE_ACTIVITY_TASK_SCHEDULED'),
      scheduledAttributes(normalized.value, attributes, workflowTaskCompletedEventId)
    );
    putActivityIn(draft, newActivity(normalized.value, attributes, Number(event.eventId), draft.state.lastEventTimeMs));
    return false;
  },
};

/** The scheduledEventId a REQUEST_CANCEL_ACTIVITY_TASK names, or null when missing or malformed. */
function cancelTargetOf(command: ProtoCommand): number | null {
  const attributes = attributesOf(command, CANCEL_MEMBER);
  const value = attributes?.['scheduledEventId'];
  const id = typeof value === 'string' && /^[0-9]{1,15}$/.test(value) ? Number(value) : value;
  return typeof id === 'number' && Number.isSafeInteger(id) && id > 0 ? id : null;
}

/** True when the activity's close is buffered: it closed while this task ran, so the workflow has not seen it. */
function hasBufferedClose(state: MutableState, scheduledEventId: number): boolean {
  const id = String(scheduledEventId);
  return state.bufferedEvents.some(
    (event) =>
      (event.kind === 'activityClosed' && event.startedAttributes['scheduledEventId'] === id) ||
      (event.kind === 'loose' &&
        event.eventType.startsWith('EVENT_TYPE_ACTIVITY_TASK_') &&
        event.attributes['scheduledEventId'] === id)
  );
}

/** Writes ActivityTaskCanceled for an attempt that is not running (startedEventId 0, §5.4). */
function cancelUnstartedIn(draft: TransitionDraft, activity: ActivityInfo, requestedEventId: number, identity: string) {
  draft.append(looseEvent('EVENT_TYPE_ACTIVITY_TASK_CANCELED'), {
    scheduledEventId: String(activity.scheduledEventId),
    startedEventId: '0',
    latestCancelRequestedEventId: String(requestedEventId),
    ...(identity === '' ? {} : { identity }),
  });
  removeActivityIn(draft, activity.scheduledEventId);
}

/**
 * REQUEST_CANCEL_ACTIVITY_TASK. An activity whose close is buffered is accepted as Temporal does (the cancel raced
 * with the close): only CancelRequested is written, and the flush that follows delivers the close.
 */
const requestCancelActivityHandler: CommandHandler = {
  closesRun: false,
  validate: (command, state) => {
    const id = cancelTargetOf(command);
    if (id === null) {
      return {
        cause: BAD_REQUEST_CANCEL_ACTIVITY_ATTRIBUTES,
        message: `RequestCancelActivityTask: ${CANCEL_MEMBER}.scheduledEventId must be a positive event id`,
      };
    }
    if (findActivity(state, id) === undefined && !hasBufferedClose(state, id)) {
      return {
        cause: BAD_REQUEST_CANCEL_ACTIVITY_ATTRIBUTES,
        message: `RequestCancelActivityTask: no pending activity was scheduled by event ${id}; cancel only pending activities`,
      };
    }
    return null;
  },
  apply: (draft, command, workflowTaskCompletedEventId, scope) => {
    const id = cancelTargetOf(command);
    invariant(id !== null, 'RequestCancelActivityTask was validated');
    const requested = draft.append(looseEvent('EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED'), {
      scheduledEventId: String(id),
      workflowTaskCompletedEventId: String(workflowTaskCompletedEventId),
    });
    const activity = findActivity(draft.state, id);
    if (activity === undefined) return false;
    if (activity.phase === 'started') {
      putActivityIn(draft, { ...activity, cancelRequestedEventId: Number(requested.eventId) });
      return false;
    }
    cancelUnstartedIn(draft, activity, Number(requested.eventId), scope.identity);
    return true;
  },
};

/** The activity command handlers, to merge into the completion's handler table. */
export const activityCommandHandlers: CommandHandlerTable = {
  COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK: scheduleActivityHandler,
  COMMAND_TYPE_REQUEST_CANCEL_ACTIVITY_TASK: requestCancelActivityHandler,
};
