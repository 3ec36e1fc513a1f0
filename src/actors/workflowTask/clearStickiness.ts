/**
 * ResetStickyTaskQueue and ShutdownWorker (TEMPORAL-API.md §5.6): the run forgets its sticky queue. A workflow task
 * waiting on the sticky queue moves to the normal queue at once, written as the sticky schedule-to-start timeout
 * writes it (WorkflowTaskTimedOut SCHEDULE_TO_START, same attempt). A task already started on the sticky queue
 * keeps it until it completes (its completion sets stickiness again or not). No change → null.
 */
import type { MutableState } from '../mutableState/mutableState.js';
import { timeoutWorkflowTask } from './timeoutWorkflowTask.js';
import { TransitionDraft, type TransitionContext, type TransitionResult } from './transition.js';

/** Clears the run's stickiness where the state allows it; null when there is nothing to change. */
export function clearStickiness(state: MutableState, context: TransitionContext): TransitionResult | null {
  if (state.closeState !== null || state.stickiness === null) return null;
  const task = state.workflowTask;
  if (task.phase === 'started' && task.queue === 'sticky') return null;
  if (task.phase === 'scheduled' && task.queue === 'sticky') {
    const ref = { scheduledEventId: task.scheduledEventId, attempt: task.attempt };
    return timeoutWorkflowTask(state, { ...ref, timer: 'workflowTaskScheduleToStart' }, context);
  }
  const draft = new TransitionDraft(state, context);
  draft.update({ stickiness: null });
  return draft.finish();
}
