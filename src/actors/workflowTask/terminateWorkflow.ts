/**
 * TerminateWorkflowExecution (TEMPORAL-API.md §5.10): never buffered. A started, written workflow task is failed
 * first (FORCE_CLOSE_COMMAND, as Temporal does), buffered events are flushed so no accepted signal is lost
 * (TESTING.md invariant 9), then WorkflowExecutionTerminated closes the run and pending work is dropped.
 */

import { workflowExecutionTerminatedEvent, workflowTaskFailedEvent, type ProtoMessage } from '../history/events.js';
import type { MutableState } from '../mutableState/mutableState.js';
import { closeRunIn } from './commandHandlers.js';
import { flushBufferedEventsIn } from './bufferedEvents.js';
import { requireRunning, TransitionDraft, type TransitionContext, type TransitionResult } from './transition.js';

/** The request's fields the history keeps. */
export interface TerminateWorkflowInput {
  readonly reason: string;
  readonly details?: ProtoMessage;
  readonly identity: string;
}

/** Identity written on events the server itself produces (Temporal's `consts.IdentityHistoryService`). */
export const serverIdentity = 'history-service';

/**
 * Ends the workflow task of a run the server closes (terminate, run timeout): a started, written task is failed
 * with FORCE_CLOSE_COMMAND (its completion will get NOT_FOUND), and buffered events are written before the close.
 */
export function forceCloseWorkflowTaskIn(draft: TransitionDraft): void {
  const task = draft.state.workflowTask;
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
}

/** Terminates a running run; WorkflowClosedError on a closed one. */
export function terminateWorkflow(
  state: MutableState,
  input: TerminateWorkflowInput,
  context: TransitionContext
): TransitionResult {
  requireRunning(state);
  const draft = new TransitionDraft(state, context);
  forceCloseWorkflowTaskIn(draft);
  draft.append(workflowExecutionTerminatedEvent, {
    reason: input.reason,
    ...(input.details === undefined ? {} : { details: input.details }),
    identity: input.identity,
  });
  closeRunIn(draft, 'terminated', input.details);
  return draft.finish();
}
