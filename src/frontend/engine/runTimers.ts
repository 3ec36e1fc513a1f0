/**
 * Every server timer of a run, composed from the actors' derivations (TEMPORAL-API.md §8), and the one entry point
 * the host calls when a timer is due: it picks the fire transition of the timer's kind. Fire transitions re-check
 * the state and return null for a timer that no longer applies (or is not due yet: timers never fire early).
 */
import { activityTimersOf, fireActivityTimer } from '../../actors/activities/activityTimers.js';
import type { MutableState } from '../../actors/mutableState/mutableState.js';
import type { DueTimer, TimerKind } from '../../actors/timers/timerKinds.js';
import { fireWorkflowTimer, workflowTimersOf } from '../../actors/timers/workflowTimers.js';
import type { WorkflowTimerKind } from '../../actors/timers/workflowTimers.js';
import type { TransitionContext, TransitionResult } from '../../actors/workflowTask/transition.js';

/** The timers `state` implies right now. */
export function timersOfRun(state: MutableState): DueTimer[] {
  if (state.closeState !== null) return [];
  return [...workflowTimersOf(state), ...activityTimersOf(state)];
}

/** Fires one due timer of the run; null when it no longer applies. */
export function fireRunTimer(state: MutableState, due: DueTimer, context: TransitionContext): TransitionResult | null {
  if (state.closeState !== null || context.nowMs < due.fireAtMs) return null;
  const timer = due.timer;
  if (timer.kind.startsWith('activity')) return fireActivityTimer(state, timer, context);
  if (isWorkflowTimer(timer)) return fireWorkflowTimer(state, timer, context);
  return null;
}

function isWorkflowTimer(timer: TimerKind): timer is WorkflowTimerKind {
  return (
    timer.kind === 'workflowTaskStartToClose' ||
    timer.kind === 'stickyScheduleToStart' ||
    timer.kind === 'userTimer' ||
    timer.kind === 'workflowRunTimeout' ||
    timer.kind === 'workflowExecutionTimeout' ||
    timer.kind === 'firstWorkflowTaskBackoff'
  );
}
