/**
 * Typed errors for inputs a transition refuses. They mean bad or stale input from a client, a worker or a timer,
 * never a broken invariant (those are `AssertionError`s). Each message says what is wrong and what to do.
 */

/** The task (or timer) names a workflow task that is not the current one: the frontend answers NOT_FOUND. */
export class StaleTaskError extends Error {
  override readonly name = 'StaleTaskError';
}

/** The run is closed: the frontend answers NOT_FOUND ("workflow execution already completed"). */
export class WorkflowClosedError extends Error {
  override readonly name = 'WorkflowClosedError';
  constructor(
    readonly workflowId: string,
    readonly runId: string
  ) {
    super(`workflow execution ${workflowId}/${runId} is already closed; start a new run to continue`);
  }
}

/** The input is malformed (e.g. a non-integer time): the frontend answers INVALID_ARGUMENT. */
export class InvalidTransitionInputError extends Error {
  override readonly name = 'InvalidTransitionInputError';
}
