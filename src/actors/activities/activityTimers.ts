/**
 * The activity timers (TEMPORAL-API.md §8), derived from the run's state: schedule-to-start (a scheduled attempt),
 * schedule-to-close (the whole activity), start-to-close and heartbeat (a started attempt) and the retry backoff.
 * A fired timer is re-derived from the current state; one that no longer matches, or is not due yet, is stale.
 */

import { invariant } from '../../raft/core/errors.js';
import type { ProtoMessage } from '../history/events.js';
import type { ActivityInfo, MutableState } from '../mutableState/mutableState.js';
import type { DueTimer, TimerKind, TimerRunRef } from '../timers/timerKinds.js';
import {
  requireRunning,
  TransitionDraft,
  type TransitionContext,
  type TransitionResult,
} from '../workflowTask/transition.js';
import { closeActivityIn, findActivity, putActivityIn, retryOrCloseIn } from './closeActivity.js';
import type { ActivityTimeoutType, RetryState } from './retryDecision.js';

/** The activity timer kinds. */
export type ActivityTimerKind = Extract<TimerKind, { kind: `activity${string}` }>;

const TIMEOUT_TYPE_NAMES: Readonly<Record<ActivityTimeoutType, string>> = {
  ScheduleToStart: 'TIMEOUT_TYPE_SCHEDULE_TO_START',
  ScheduleToClose: 'TIMEOUT_TYPE_SCHEDULE_TO_CLOSE',
  StartToClose: 'TIMEOUT_TYPE_START_TO_CLOSE',
  Heartbeat: 'TIMEOUT_TYPE_HEARTBEAT',
};

function runRefOf(state: MutableState): TimerRunRef {
  const { namespace, workflowId, runId } = state.executionInfo;
  return { namespaceId: namespace, workflowId, runId };
}

/** Every timer one pending activity implies now. */
function timersOfActivity(activity: ActivityInfo, run: TimerRunRef): DueTimer[] {
  const { scheduledEventId, attempt } = activity;
  const timers: DueTimer[] = [];
  if (activity.scheduleToCloseTimeoutMs > 0) {
    timers.push({
      fireAtMs: activity.scheduledTimeMs + activity.scheduleToCloseTimeoutMs,
      timer: { kind: 'activityScheduleToClose', run, scheduledEventId },
    });
  }
  if (activity.phase === 'scheduled' && activity.scheduleToStartTimeoutMs > 0) {
    timers.push({
      fireAtMs: activity.attemptScheduledTimeMs + activity.scheduleToStartTimeoutMs,
      timer: { kind: 'activityScheduleToStart', run, scheduledEventId, attempt },
    });
  }
  if (activity.phase === 'started') {
    timers.push({
      fireAtMs: activity.startedTimeMs + activity.startToCloseTimeoutMs,
      timer: { kind: 'activityStartToClose', run, scheduledEventId, attempt },
    });
    if (activity.heartbeatTimeoutMs > 0) {
      timers.push({
        fireAtMs: Math.max(activity.startedTimeMs, activity.lastHeartbeatTimeMs) + activity.heartbeatTimeoutMs,
        timer: { kind: 'activityHeartbeat', run, scheduledEventId, attempt },
      });
    }
  }
  if (activity.phase === 'backoff') {
    timers.push({
      fireAtMs: activity.attemptScheduledTimeMs,
      timer: { kind: 'activityRetryBackoff', run, scheduledEventId, attempt },
    });
  }
  return timers;
}

/** Every activity timer the state implies (none for a closed run, whose activities are cleared). */
export function activityTimersOf(state: MutableState): DueTimer[] {
  if (state.closeState !== null) return [];
  const run = runRefOf(state);
  return Object.values(state.activities).flatMap((activity) => timersOfActivity(activity, run));
}

function isActivityTimer(timer: TimerKind): timer is ActivityTimerKind {
  return timer.kind.startsWith('activity');
}

function sameTimer(a: TimerKind, b: TimerKind): boolean {
  if (a.kind !== b.kind || !isActivityTimer(a) || !isActivityTimer(b)) return false;
  const attemptOf = (timer: ActivityTimerKind) => ('attempt' in timer ? timer.attempt : 0);
  return (
    a.scheduledEventId === b.scheduledEventId &&
    attemptOf(a) === attemptOf(b) &&
    a.run.namespaceId === b.run.namespaceId &&
    a.run.workflowId === b.run.workflowId &&
    a.run.runId === b.run.runId
  );
}

/** Temporal's timeout failure: `activity <Type> timeout`, caused by the last attempt's failure. */
function timeoutFailureOf(activity: ActivityInfo, timeoutType: ActivityTimeoutType): ProtoMessage {
  return {
    message: `activity ${timeoutType} timeout`,
    source: 'Server',
    timeoutFailureInfo: {
      timeoutType: TIMEOUT_TYPE_NAMES[timeoutType],
      ...(activity.heartbeatDetails === null ? {} : { lastHeartbeatDetails: activity.heartbeatDetails }),
    },
  };
}

function closeTimedOutIn(
  draft: TransitionDraft,
  activity: ActivityInfo,
  failure: ProtoMessage,
  retryState: RetryState
): void {
  closeActivityIn(draft, activity, 'EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT', {
    failure: activity.lastFailure === null ? failure : { ...failure, cause: activity.lastFailure },
    scheduledEventId: String(activity.scheduledEventId),
    retryState,
  });
}

/** Applies a current, due timer. */
function applyTimerIn(draft: TransitionDraft, activity: ActivityInfo, timer: ActivityTimerKind): void {
  switch (timer.kind) {
    case 'activityRetryBackoff':
      // Back on the queue: the host dispatches scheduled attempts; no event (retries leave no trace).
      putActivityIn(draft, { ...activity, phase: 'scheduled' });
      return;
    case 'activityScheduleToStart':
    case 'activityScheduleToClose': {
      // Never retried (§5.4): decideActivityRetry would say TIMEOUT; said here directly.
      const timeoutType = timer.kind === 'activityScheduleToStart' ? 'ScheduleToStart' : 'ScheduleToClose';
      closeTimedOutIn(draft, activity, timeoutFailureOf(activity, timeoutType), 'RETRY_STATE_TIMEOUT');
      return;
    }
    case 'activityStartToClose':
    case 'activityHeartbeat': {
      const timeoutType = timer.kind === 'activityStartToClose' ? 'StartToClose' : 'Heartbeat';
      const failure = timeoutFailureOf(activity, timeoutType);
      const failed = { attemptFailure: { kind: 'timeout', timeoutType } as const, failure, heartbeatDetails: null };
      retryOrCloseIn(draft, activity, failed, (retryState) => closeTimedOutIn(draft, activity, failure, retryState));
      return;
    }
  }
}

/**
 * Fires an activity timer: null when it is stale (the activity, attempt or phase it was derived from has moved
 * on, or a heartbeat moved it later) or not due at `context.nowMs` (timers never fire early).
 * WorkflowClosedError on a closed run.
 */
export function fireActivityTimer(
  state: MutableState,
  timer: TimerKind,
  context: TransitionContext
): TransitionResult | null {
  requireRunning(state);
  if (!isActivityTimer(timer)) return null;
  const activity = findActivity(state, timer.scheduledEventId);
  if (activity === undefined) return null;
  const current = timersOfActivity(activity, runRefOf(state)).find((due) => sameTimer(due.timer, timer));
  if (current === undefined || current.fireAtMs > context.nowMs) return null;
  const draft = new TransitionDraft(state, context);
  invariant(isActivityTimer(current.timer), 'derived activity timers are activity timers');
  applyTimerIn(draft, activity, current.timer);
  return draft.finish();
}
