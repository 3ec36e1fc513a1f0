/**
 * The run-level server timers (TEMPORAL-API.md §8) derived from a run's state: workflow task start-to-close,
 * sticky schedule-to-start, each pending user timer, and the run and execution timeouts. The host re-derives them
 * after every commit and on restart; a fired timer is re-checked against the state, and one that no longer applies
 * (its task or timer moved on, the run closed) or is not due yet is stale: null, never an early or double fire.
 */

import type { MutableState } from '../mutableState/mutableState.js';
import { scheduleWorkflowTask } from '../workflowTask/scheduleWorkflowTask.js';
import { timeoutWorkflowRun } from '../workflowTask/timeoutWorkflowRun.js';
import { timeoutWorkflowTask } from '../workflowTask/timeoutWorkflowTask.js';
import type { TransitionContext, TransitionResult } from '../workflowTask/transition.js';
import { fireUserTimer } from './fireUserTimer.js';
import type { DueTimer, TimerKind, TimerRunRef } from './timerKinds.js';

/** The timer kinds this module derives and fires. */
export type WorkflowTimerKind = Extract<
  TimerKind,
  {
    kind:
      | 'workflowTaskStartToClose'
      | 'stickyScheduleToStart'
      | 'userTimer'
      | 'workflowRunTimeout'
      | 'workflowExecutionTimeout'
      | 'firstWorkflowTaskBackoff';
  }
>;

/** The run a state's timers name. */
export function timerRunRefOf(state: MutableState): TimerRunRef {
  const info = state.executionInfo;
  return { namespaceId: info.namespace, workflowId: info.workflowId, runId: info.runId };
}

/** The workflow task timer the state implies (started: start-to-close; scheduled sticky: schedule-to-start). */
function workflowTaskTimerOf(state: MutableState, run: TimerRunRef): DueTimer | null {
  const task = state.workflowTask;
  if (task.phase === 'started') {
    const { scheduledEventId, attempt } = task;
    return {
      fireAtMs: task.startedTimeMs + state.executionInfo.workflowTaskTimeoutMs,
      timer: { kind: 'workflowTaskStartToClose', run, scheduledEventId, attempt },
    };
  }
  if (task.phase === 'none' && state.previousStartedEventId === 0 && state.firstWorkflowTaskBackoffMs > 0) {
    // The first task of a run started with a backoff (retry, continue-as-new) is not scheduled yet.
    return {
      fireAtMs: state.executionInfo.startTimeMs + state.firstWorkflowTaskBackoffMs,
      timer: { kind: 'firstWorkflowTaskBackoff', run },
    };
  }
  if (task.phase === 'scheduled' && task.queue === 'sticky' && state.stickiness !== null) {
    const { scheduledEventId, attempt } = task;
    return {
      fireAtMs: task.scheduledTimeMs + state.stickiness.scheduleToStartTimeoutMs,
      timer: { kind: 'stickyScheduleToStart', run, scheduledEventId, attempt },
    };
  }
  return null;
}

/** The run and execution timeouts (0 = none). A continued run's execution start is not tracked yet: run start. */
function runTimeoutTimersOf(state: MutableState, run: TimerRunRef): DueTimer[] {
  const info = state.executionInfo;
  const timers: DueTimer[] = [];
  if (info.workflowRunTimeoutMs > 0) {
    timers.push({ fireAtMs: info.startTimeMs + info.workflowRunTimeoutMs, timer: { kind: 'workflowRunTimeout', run } });
  }
  if (info.workflowExecutionTimeoutMs > 0) {
    // The chain's expiry (carried across continue-as-new and retries); older states: this run's start + timeout.
    const fireAtMs = info.workflowExecutionExpirationMs || info.startTimeMs + info.workflowExecutionTimeoutMs;
    timers.push({ fireAtMs, timer: { kind: 'workflowExecutionTimeout', run } });
  }
  return timers;
}

/** Every run-level timer the state implies now; none for a closed run. */
export function workflowTimersOf(state: MutableState): DueTimer[] {
  if (state.closeState !== null) {
    return [];
  }
  const run = timerRunRefOf(state);
  const taskTimer = workflowTaskTimerOf(state, run);
  const userTimers = Object.values(state.timers).map((timer): DueTimer => ({
    fireAtMs: timer.fireAtMs,
    timer: { kind: 'userTimer', run, timerId: timer.timerId, startedEventId: timer.startedEventId },
  }));
  return [...(taskTimer === null ? [] : [taskTimer]), ...userTimers, ...runTimeoutTimersOf(state, run)];
}

function sameRun(a: TimerRunRef, b: TimerRunRef): boolean {
  return a.namespaceId === b.namespaceId && a.workflowId === b.workflowId && a.runId === b.runId;
}

/** True when `candidate` is `timer`: same kind and same ids (the run was checked by the caller). */
function sameTimer(candidate: TimerKind, timer: WorkflowTimerKind): boolean {
  const fields = candidate as unknown as Readonly<Record<string, unknown>>;
  return Object.entries(timer).every(([field, value]) => field === 'run' || fields[field] === value);
}

/** The due time the state implies for `timer` right now, or null if the state no longer implies it. */
function currentFireAtMs(state: MutableState, timer: WorkflowTimerKind): number | null {
  const current = workflowTimersOf(state).find((due) => sameTimer(due.timer, timer));
  return current === undefined ? null : current.fireAtMs;
}

/** Fires `timer` at `context.nowMs`; null when it is stale (another run, moved on, run closed) or not yet due. */
export function fireWorkflowTimer(
  state: MutableState,
  timer: WorkflowTimerKind,
  context: TransitionContext
): TransitionResult | null {
  if (!sameRun(timer.run, timerRunRefOf(state))) {
    return null;
  }
  const fireAtMs = currentFireAtMs(state, timer);
  if (fireAtMs === null || context.nowMs < fireAtMs) {
    return null;
  }
  switch (timer.kind) {
    case 'workflowTaskStartToClose':
    case 'stickyScheduleToStart': {
      const kind = timer.kind === 'stickyScheduleToStart' ? 'workflowTaskScheduleToStart' : timer.kind;
      const ref = { scheduledEventId: timer.scheduledEventId, attempt: timer.attempt };
      return timeoutWorkflowTask(state, { timer: kind, ...ref }, context);
    }
    case 'userTimer':
      return fireUserTimer(state, { timerId: timer.timerId, startedEventId: timer.startedEventId }, context);
    case 'workflowRunTimeout':
    case 'workflowExecutionTimeout':
      return timeoutWorkflowRun(
        state,
        context,
        timer.kind === 'workflowRunTimeout' ? 'runTimedOut' : 'executionTimedOut'
      );
    case 'firstWorkflowTaskBackoff':
      return scheduleWorkflowTask(state, context);
  }
}
