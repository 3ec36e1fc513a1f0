/**
 * Fail-stop consistency checks of a run's state (STYLE.md rule 6), run on every transition's result. Each line is
 * a rule the transitions rely on; a violation is an engine bug, never bad input.
 */

import { invariant } from '../../raft/core/errors.js';
import type { MutableState } from './mutableState.js';

/** Checks the rules tying the current workflow task to the rest of the state. */
function checkWorkflowTask(state: MutableState): void {
  const task = state.workflowTask;
  if (task.phase === 'none') {
    return;
  }
  invariant(task.attempt >= 1, () => `attempt ${task.attempt} < 1`);
  // Transient = an unwritten retry: attempt ≥ 2, normal queue, ids reserved at the end of the history.
  invariant(task.transient === task.attempt >= 2, () => `transient ${task.transient} with attempt ${task.attempt}`);
  invariant(!task.transient || task.scheduledEventId === state.nextEventId, 'a transient task reserves nextEventId');
  invariant(task.transient || task.scheduledEventId < state.nextEventId, 'a written task is in the history');
  invariant(task.queue === 'normal' || (state.stickiness !== null && task.attempt === 1), 'sticky needs stickiness');
  if (task.phase === 'started') {
    invariant(task.startedEventId > task.scheduledEventId, 'Started follows Scheduled');
    invariant(task.transient || task.startedEventId < state.nextEventId, 'a written Started is in the history');
  }
}

/** Throws AssertionError if `state` breaks a rule. */
export function checkMutableState(state: MutableState): void {
  invariant(state.formatVersion === 1, () => `unknown mutable state format ${String(state.formatVersion)}`);
  invariant(Number.isSafeInteger(state.nextEventId) && state.nextEventId >= 2, 'a run has its Started event');
  invariant(state.previousStartedEventId < state.nextEventId, 'previousStartedEventId is in the history');
  invariant((state.closeState === null) === (state.status === 'running'), 'closeState is set exactly when closed');
  invariant(
    state.bufferedEvents.length === 0 || state.workflowTask.phase === 'started',
    'events are buffered only while a workflow task is started'
  );
  if (state.closeState !== null) {
    invariant(state.workflowTask.phase === 'none', 'a closed run has no workflow task');
    invariant(state.closeState.closeEventId === state.nextEventId - 1, 'the close event is the last event');
  }
  checkWorkflowTask(state);
}
