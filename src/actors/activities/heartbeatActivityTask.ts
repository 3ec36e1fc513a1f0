/**
 * RecordActivityTaskHeartbeat (TEMPORAL-API.md §5.4): stores the details and the heartbeat time (which moves the
 * derived heartbeat timer), writes no event. The answer's `cancelRequested` is read from the resulting state with
 * {@link isActivityCancelRequested}.
 */

import type { ProtoMessage } from '../history/events.js';
import type { MutableState } from '../mutableState/mutableState.js';
import {
  requireRunning,
  TransitionDraft,
  type TransitionContext,
  type TransitionResult,
} from '../workflowTask/transition.js';
import { putActivityIn, requireStartedAttempt, type ActivityAttemptRef } from './closeActivity.js';

export { isActivityCancelRequested } from './closeActivity.js';

/** A heartbeat of one started attempt. */
export interface HeartbeatActivityTaskInput extends ActivityAttemptRef {
  /** The progress details; absent = keep the stored ones. */
  readonly details?: ProtoMessage;
  readonly identity: string;
}

/** Records a heartbeat; WorkflowClosedError on a closed run, StaleTaskError unless the attempt is started. */
export function heartbeatActivityTask(
  state: MutableState,
  input: HeartbeatActivityTaskInput,
  context: TransitionContext
): TransitionResult {
  requireRunning(state);
  const activity = requireStartedAttempt(state, input);
  const draft = new TransitionDraft(state, context);
  putActivityIn(draft, {
    ...activity,
    lastHeartbeatTimeMs: context.nowMs,
    heartbeatDetails: input.details ?? activity.heartbeatDetails,
  });
  return draft.finish();
}
