/**
 * Matching a worker's task token against the run's current task: completions and failures are accepted only for
 * the started attempt they name, so a late reply from an earlier attempt can never change the history.
 */

import type { MutableState } from '../mutableState/mutableState.js';
import { StaleTaskError } from './errors.js';
import { requireRunning } from './transition.js';

/** The ids a workflow task token carries (§4). */
export interface StartedTaskRef {
  readonly scheduledEventId: number;
  readonly startedEventId: number;
  readonly attempt: number;
}

/** Throws WorkflowClosedError or StaleTaskError unless `ref` names the current started task. */
export function requireStartedTask(state: MutableState, ref: StartedTaskRef): void {
  requireRunning(state);
  const task = state.workflowTask;
  if (
    task.phase !== 'started' ||
    task.scheduledEventId !== ref.scheduledEventId ||
    task.startedEventId !== ref.startedEventId ||
    task.attempt !== ref.attempt
  ) {
    throw new StaleTaskError(
      `workflow task {scheduledEventId ${ref.scheduledEventId}, startedEventId ${ref.startedEventId}, ` +
        `attempt ${ref.attempt}} is not the started task (current: ${task.phase}); the worker should drop it`
    );
  }
}
