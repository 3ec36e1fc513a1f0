/**
 * A poller takes an activity task (TEMPORAL-API.md §5.4): the attempt becomes started in the run's state and
 * **no event** is written; ActivityTaskStarted is written only when the attempt closes. A poll retried with the
 * same requestId gets the same attempt again; any other start of a non-scheduled attempt is stale.
 */

import type { MutableState } from '../mutableState/mutableState.js';
import { StaleTaskError } from '../workflowTask/errors.js';
import {
  requireRunning,
  TransitionDraft,
  type TransitionContext,
  type TransitionResult,
} from '../workflowTask/transition.js';
import { findActivity, putActivityIn, type ActivityAttemptRef } from './closeActivity.js';

/** RecordActivityTaskStarted's input: which attempt the matching layer handed out, and to whom. */
export interface StartActivityTaskInput extends ActivityAttemptRef {
  /** The poll's request id: a retried poll with it is answered again without a change. */
  readonly requestId: string;
  readonly identity: string;
}

/**
 * Starts the scheduled attempt `input` names. The poll response is built from the resulting state's activity.
 * WorkflowClosedError on a closed run; StaleTaskError when the attempt is not (or no longer) waiting for a worker.
 */
export function startActivityTask(
  state: MutableState,
  input: StartActivityTaskInput,
  context: TransitionContext
): TransitionResult {
  requireRunning(state);
  const activity = findActivity(state, input.scheduledEventId);
  const draft = new TransitionDraft(state, context);
  if (activity !== undefined && activity.attempt === input.attempt) {
    if (activity.phase === 'scheduled') {
      putActivityIn(draft, {
        ...activity,
        phase: 'started',
        startedTimeMs: context.nowMs,
        startedIdentity: input.identity,
        startRequestId: input.requestId,
        lastHeartbeatTimeMs: 0,
      });
      return draft.finish();
    }
    if (activity.phase === 'started' && input.requestId !== '' && activity.startRequestId === input.requestId) {
      return draft.finish();
    }
  }
  const current = activity === undefined ? 'none' : `attempt ${activity.attempt}, ${activity.phase}`;
  throw new StaleTaskError(
    `activity task {scheduledEventId ${input.scheduledEventId}, attempt ${input.attempt}} cannot start ` +
      `(current: ${current}); the matching layer should drop it`
  );
}
