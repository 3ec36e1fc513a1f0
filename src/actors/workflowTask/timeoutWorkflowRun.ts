/**
 * The workflow run or execution timeout fired (TEMPORAL-API.md §8, §5.10): WorkflowExecutionTimedOut closes the run.
 * As for a terminate (terminateWorkflow.ts, Temporal's `timeoutWorkflow`), a started, written workflow task is
 * failed first with FORCE_CLOSE_COMMAND and buffered events are flushed so no accepted event is lost; pending
 * timers, activities and requests die with the run (closeRunIn). A RUN timeout is retried under the start's retry
 * policy (the event then carries RETRY_STATE_IN_PROGRESS and the next run's id, which starts in the same entry);
 * the EXECUTION timeout spans the chain and is never retried. Whether the timer is current and due is checked by
 * its caller (workflowTimers.ts).
 */

import { workflowExecutionTimedOutEvent } from '../history/events.js';
import type { MutableState } from '../mutableState/mutableState.js';
import { closeRunIn } from './commandHandlers.js';
import { decideRetryOf, retryCloseFields, spawnRetryRunIn } from './retryWorkflow.js';
import { forceCloseWorkflowTaskIn } from './terminateWorkflow.js';
import { requireRunning, TransitionDraft, type TransitionContext, type TransitionResult } from './transition.js';

/** Times out a running run; WorkflowClosedError on a closed one. */
export function timeoutWorkflowRun(
  state: MutableState,
  context: TransitionContext,
  end: 'runTimedOut' | 'executionTimedOut' = 'runTimedOut'
): TransitionResult {
  requireRunning(state);
  const draft = new TransitionDraft(state, context);
  forceCloseWorkflowTaskIn(draft);
  const decision = decideRetryOf(draft.state, { kind: end }, context.nowMs);
  const fields = retryCloseFields(decision, context.freshRunId ?? '');
  draft.append(workflowExecutionTimedOutEvent, {
    retryState: fields.retryState,
    ...(fields.newExecutionRunId === undefined ? {} : { newExecutionRunId: fields.newExecutionRunId }),
  });
  closeRunIn(draft, 'timedOut', undefined, fields.newExecutionRunId ?? '');
  if (decision.retry) spawnRetryRunIn(draft, decision.backoffMs);
  return draft.finish();
}
