/**
 * RespondWorkflowTaskFailed (TEMPORAL-API.md §5.3). Core sends it only on attempt 1; later attempts are timed out
 * by the server. A first attempt writes WorkflowTaskFailed; a transient one writes nothing. Either way the task is
 * retried at once (see retryWorkflowTask.ts).
 */

import type { MutableState } from '../mutableState/mutableState.js';
import { requireStartedTask, type StartedTaskRef } from './startedTaskRef.js';
import { failStartedWorkflowTaskIn, type WorkflowTaskFailure } from './retryWorkflowTask.js';
import { TransitionDraft, type TransitionContext, type TransitionResult } from './transition.js';

/** The failing worker's report and the task token's ids. */
export interface FailWorkflowTaskInput extends WorkflowTaskFailure {
  readonly task: StartedTaskRef;
}

/** Fails the started task `input.task` names; StaleTaskError if it is not the current started one. */
export function failWorkflowTask(
  state: MutableState,
  input: FailWorkflowTaskInput,
  context: TransitionContext
): TransitionResult {
  requireStartedTask(state, input.task);
  const draft = new TransitionDraft(state, context);
  failStartedWorkflowTaskIn(draft, input);
  return draft.finish();
}
