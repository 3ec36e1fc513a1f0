/**
 * The workflow run or execution timeout fired (TEMPORAL-API.md §8): WorkflowExecutionTimedOut{RETRY_STATE_TIMEOUT}
 * closes the run. As for a terminate (terminateWorkflow.ts, Temporal's `timeoutWorkflow`), a started, written
 * workflow task is failed first with FORCE_CLOSE_COMMAND and buffered events are flushed so no accepted event is
 * lost; pending timers, activities and requests die with the run (closeRunIn). Whether the timer is current and
 * due is checked by its caller (workflowTimers.ts).
 */

import { workflowExecutionTimedOutEvent, workflowTaskFailedEvent } from '../history/events.js';
import type { MutableState } from '../mutableState/mutableState.js';
import { flushBufferedEventsIn } from './bufferedEvents.js';
import { closeRunIn } from './commandHandlers.js';
import { serverIdentity } from './terminateWorkflow.js';
import { requireRunning, TransitionDraft, type TransitionContext, type TransitionResult } from './transition.js';

/** Times out a running run; WorkflowClosedError on a closed one. */
export function timeoutWorkflowRun(state: MutableState, context: TransitionContext): TransitionResult {
  requireRunning(state);
  const draft = new TransitionDraft(state, context);
  const task = state.workflowTask;
  if (task.phase === 'started' && !task.transient) {
    draft.append(workflowTaskFailedEvent, {
      scheduledEventId: String(task.scheduledEventId),
      startedEventId: String(task.startedEventId),
      cause: 'WORKFLOW_TASK_FAILED_CAUSE_FORCE_CLOSE_COMMAND',
      identity: serverIdentity,
    });
  }
  draft.update({ workflowTask: { phase: 'none' }, stickiness: null });
  flushBufferedEventsIn(draft);
  draft.append(workflowExecutionTimedOutEvent, { retryState: 'RETRY_STATE_TIMEOUT' });
  closeRunIn(draft, 'timedOut', undefined);
  return draft.finish();
}
