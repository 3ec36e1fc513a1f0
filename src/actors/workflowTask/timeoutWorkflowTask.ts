/**
 * A workflow task timer fired (TEMPORAL-API.md §5.3, §5.6). Start-to-close: WorkflowTaskTimedOut{START_TO_CLOSE}
 * unless transient, then a retry with the next attempt. Sticky schedule-to-start: WorkflowTaskTimedOut
 * {startedEventId 0, SCHEDULE_TO_START}, stickiness cleared, retry on the normal queue with the same attempt.
 * Timers are never cancelled: a timer whose task is gone is stale and refused.
 */

import { workflowTaskTimedOutEvent } from '../history/events.js';
import type { MutableState } from '../mutableState/mutableState.js';
import { StaleTaskError } from './errors.js';
import { retryWorkflowTaskIn } from './retryWorkflowTask.js';
import {
  requireRunning,
  TransitionDraft,
  type TransitionContext,
  type TransitionResult,
  type WorkflowTaskRef,
} from './transition.js';

/** The fired timer, as armed by an `armTimer` effect. */
export interface TimeoutWorkflowTaskInput extends WorkflowTaskRef {
  readonly timer: 'workflowTaskStartToClose' | 'workflowTaskScheduleToStart';
}

/** True when the timer still applies to the current task. */
function timerIsCurrent(state: MutableState, input: TimeoutWorkflowTaskInput): boolean {
  const task = state.workflowTask;
  if (task.phase === 'none' || task.scheduledEventId !== input.scheduledEventId || task.attempt !== input.attempt) {
    return false;
  }
  return input.timer === 'workflowTaskStartToClose'
    ? task.phase === 'started'
    : task.phase === 'scheduled' && task.queue === 'sticky';
}

/** Times out the task the timer names; StaleTaskError (drop the timer) if it no longer applies. */
export function timeoutWorkflowTask(
  state: MutableState,
  input: TimeoutWorkflowTaskInput,
  context: TransitionContext
): TransitionResult {
  requireRunning(state);
  if (!timerIsCurrent(state, input)) {
    throw new StaleTaskError(
      `${input.timer} timer for {scheduledEventId ${input.scheduledEventId}, attempt ${input.attempt}} ` +
        'no longer applies; drop it'
    );
  }
  const task = state.workflowTask;
  const draft = new TransitionDraft(state, context);
  if (task.phase === 'started' && !task.transient) {
    draft.append(workflowTaskTimedOutEvent, {
      scheduledEventId: String(task.scheduledEventId),
      startedEventId: String(task.startedEventId),
      timeoutType: 'TIMEOUT_TYPE_START_TO_CLOSE',
    });
  } else if (task.phase === 'scheduled') {
    draft.append(workflowTaskTimedOutEvent, {
      scheduledEventId: String(task.scheduledEventId),
      startedEventId: '0',
      timeoutType: 'TIMEOUT_TYPE_SCHEDULE_TO_START',
    });
  }
  if (task.phase !== 'none') {
    retryWorkflowTaskIn(draft, task);
  }
  return draft.finish();
}
