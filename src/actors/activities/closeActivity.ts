/**
 * Helpers shared by the activity transitions (TEMPORAL-API.md §5.4): finding the attempt a token or timer names,
 * storing and removing an {@link ActivityInfo}, closing an activity (Started + close event as one buffered pair, or
 * the close event alone when the attempt never started) and the retry-or-close step after a failed attempt.
 */

import type { ProtoMessage } from '../history/events.js';
import type { LooseEventType } from '../history/looseEvents.js';
import type { ActivityInfo, MutableState } from '../mutableState/mutableState.js';
import { acceptOutsideEventIn } from '../workflowTask/bufferedEvents.js';
import { StaleTaskError } from '../workflowTask/errors.js';
import type { TransitionDraft } from '../workflowTask/transition.js';
import { decideActivityRetry, type AttemptFailure, type RetryState } from './retryDecision.js';

/** Identifies one activity attempt, as task tokens carry it. */
export interface ActivityAttemptRef {
  readonly scheduledEventId: number;
  readonly attempt: number;
}

/** The pending activity scheduled by event `scheduledEventId`, or undefined. */
export function findActivity(state: MutableState, scheduledEventId: number): ActivityInfo | undefined {
  const key = String(scheduledEventId);
  return Object.hasOwn(state.activities, key) ? state.activities[key] : undefined;
}

/** True when a cancel was requested for the pending activity (what a heartbeat answers, §5.4). */
export function isActivityCancelRequested(state: MutableState, scheduledEventId: number): boolean {
  const activity = findActivity(state, scheduledEventId);
  return activity !== undefined && activity.cancelRequestedEventId > 0;
}

/**
 * The started attempt `ref` names; StaleTaskError when the activity is gone, is on another attempt or has not
 * started (the frontend answers NOT_FOUND, and the worker drops the task).
 */
export function requireStartedAttempt(state: MutableState, ref: ActivityAttemptRef): ActivityInfo {
  const activity = findActivity(state, ref.scheduledEventId);
  if (activity === undefined || activity.attempt !== ref.attempt || activity.phase !== 'started') {
    const current = activity === undefined ? 'none' : `attempt ${activity.attempt}, ${activity.phase}`;
    throw new StaleTaskError(
      `activity task {scheduledEventId ${ref.scheduledEventId}, attempt ${ref.attempt}} is not a started attempt ` +
        `(current: ${current}); the worker should drop it`
    );
  }
  return activity;
}

/** Stores `activity` (replacing the record of the same scheduledEventId). */
export function putActivityIn(draft: TransitionDraft, activity: ActivityInfo): void {
  draft.update({ activities: { ...draft.state.activities, [String(activity.scheduledEventId)]: activity } });
}

/** Removes a closed activity from the state. */
export function removeActivityIn(draft: TransitionDraft, scheduledEventId: number): void {
  const activities = { ...draft.state.activities };
  delete activities[String(scheduledEventId)];
  draft.update({ activities });
}

/** ActivityTaskStarted's attributes for the current attempt (written only at close, §5.4). */
export function startedAttributesOf(activity: ActivityInfo): ProtoMessage {
  return {
    scheduledEventId: String(activity.scheduledEventId),
    identity: activity.startedIdentity,
    requestId: activity.startRequestId,
    attempt: activity.attempt,
    ...(activity.lastFailure === null ? {} : { lastFailure: activity.lastFailure }),
  };
}

/**
 * Closes the activity as an outside event (buffered while a workflow task is started): a started attempt writes
 * Started + the close event as a pair whose `startedEventId` the flush fills in; an unstarted one writes the close
 * event alone with `startedEventId` '0'. `closeAttributes` must not carry `startedEventId`.
 */
export function closeActivityIn(
  draft: TransitionDraft,
  activity: ActivityInfo,
  closeEventType: LooseEventType,
  closeAttributes: ProtoMessage
): void {
  if (activity.phase === 'started') {
    acceptOutsideEventIn(draft, {
      kind: 'activityClosed',
      startedAttributes: startedAttributesOf(activity),
      closeEventType,
      closeAttributes,
    });
  } else {
    acceptOutsideEventIn(draft, {
      kind: 'loose',
      eventType: closeEventType,
      attributes: { ...closeAttributes, startedEventId: '0' },
    });
  }
  removeActivityIn(draft, activity.scheduledEventId);
}

/** A failed attempt: what the decision reads, the failure to record, and heartbeat details the worker sent. */
export interface FailedAttempt {
  readonly attemptFailure: AttemptFailure;
  readonly failure: ProtoMessage | null;
  /** New heartbeat details, or null to keep the stored ones (they survive retries, §5.4). */
  readonly heartbeatDetails: ProtoMessage | null;
}

/**
 * After a failed attempt: either moves the activity to backoff (next attempt, no event: retries leave no trace) or
 * calls `closeWith` with the retry state the activity closes with.
 */
export function retryOrCloseIn(
  draft: TransitionDraft,
  activity: ActivityInfo,
  failed: FailedAttempt,
  closeWith: (retryState: RetryState) => void
): void {
  const nowMs = draft.context.nowMs;
  const decision = decideActivityRetry({
    policy: activity.retryPolicy,
    attempt: activity.attempt,
    failure: failed.attemptFailure,
    cancelRequested: activity.cancelRequestedEventId > 0,
    scheduledTimeMs: activity.scheduledTimeMs,
    scheduleToCloseTimeoutMs: activity.scheduleToCloseTimeoutMs,
    nowMs,
  });
  if (!decision.retry) {
    closeWith(decision.retryState);
    return;
  }
  putActivityIn(draft, {
    ...activity,
    phase: 'backoff',
    attempt: activity.attempt + 1,
    attemptScheduledTimeMs: nowMs + decision.backoffMs,
    startedTimeMs: 0,
    startedIdentity: '',
    startRequestId: '',
    lastHeartbeatTimeMs: 0,
    heartbeatDetails: failed.heartbeatDetails ?? activity.heartbeatDetails,
    lastFailure: failed.failure,
  });
}
