/**
 * RequestCancelWorkflowExecution (TEMPORAL-API.md §5.10): WorkflowExecutionCancelRequested plus a workflow task;
 * the workflow code decides what to do. Buffered while a task is started. A second request is a no-op.
 */

import type { MutableState } from '../mutableState/mutableState.js';
import { acceptOutsideEventIn } from './bufferedEvents.js';
import { requireRunning, TransitionDraft, type TransitionContext, type TransitionResult } from './transition.js';

/** The request's fields the history keeps. */
export interface RequestCancelWorkflowInput {
  readonly reason: string;
  readonly identity: string;
  /** The requesting workflow, when the request comes from another workflow's RequestCancelExternal. */
  readonly external?: ExternalRequester;
}

/** The workflow that sent a request through its outbox, and the Initiated event that names it. */
export interface ExternalRequester {
  readonly workflowId: string;
  readonly runId: string;
  readonly initiatedEventId: number;
}

/** Records a cancel request on a running run; WorkflowClosedError on a closed one. */
export function requestCancelWorkflow(
  state: MutableState,
  input: RequestCancelWorkflowInput,
  context: TransitionContext
): TransitionResult {
  requireRunning(state);
  const draft = new TransitionDraft(state, context);
  if (state.cancelRequested) {
    return draft.finish();
  }
  acceptOutsideEventIn(draft, {
    kind: 'cancelRequested',
    attributes: {
      cause: input.reason,
      identity: input.identity,
      ...(input.external === undefined
        ? {}
        : {
            externalWorkflowExecution: { workflowId: input.external.workflowId, runId: input.external.runId },
            externalInitiatedEventId: String(input.external.initiatedEventId),
          }),
    },
  });
  draft.update({ cancelRequested: true });
  return draft.finish();
}
