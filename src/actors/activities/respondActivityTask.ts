/**
 * A worker's answer to an activity attempt (TEMPORAL-API.md §5.4): RespondActivityTaskCompleted, …Failed and
 * …Canceled. A completion closes the activity with Started + Completed; a failure is retried (no event) or closes
 * it with Started + Failed; a cancellation, accepted only after a cancel request, closes it with Started + Canceled.
 * The pair is an outside event: buffered while a workflow task is started, else written with a workflow task.
 */

import type { ProtoMessage } from '../history/events.js';
import type { ActivityInfo, MutableState } from '../mutableState/mutableState.js';
import {
  requireRunning,
  TransitionDraft,
  type TransitionContext,
  type TransitionResult,
} from '../workflowTask/transition.js';
import { closeActivityIn, requireStartedAttempt, retryOrCloseIn, type ActivityAttemptRef } from './closeActivity.js';
import { durationMsFromProto, InvalidDurationError, type ProtoDuration } from './durations.js';
import type { AttemptFailure } from './retryDecision.js';

/** The worker's answer, in the proto-loader shape of the respective request's fields. */
export type ActivityAttemptResponse =
  | { readonly kind: 'completed'; readonly identity: string; readonly result?: ProtoMessage }
  | {
      readonly kind: 'failed';
      readonly identity: string;
      readonly failure?: ProtoMessage;
      readonly lastHeartbeatDetails?: ProtoMessage;
    }
  | { readonly kind: 'canceled'; readonly identity: string; readonly details?: ProtoMessage };

/** The answer and the attempt its token names. */
export interface RespondActivityTaskInput extends ActivityAttemptRef {
  readonly response: ActivityAttemptResponse;
}

/**
 * RespondActivityTaskCanceled for an activity no cancel was requested for: Temporal refuses it, and the frontend
 * answers FAILED_PRECONDITION.
 */
export class ActivityNotCancelRequestedError extends Error {
  override readonly name = 'ActivityNotCancelRequestedError';
  constructor(readonly scheduledEventId: number) {
    super(
      `activity scheduled by event ${scheduledEventId} cannot be marked canceled: no cancellation was requested; ` +
        'complete or fail it instead'
    );
  }
}

/** Reads what the retry decision needs from a `temporal.api.failure.v1.Failure`. */
export function attemptFailureOf(failure: ProtoMessage | undefined): AttemptFailure {
  const info = failure?.['applicationFailureInfo'];
  const application = typeof info === 'object' && info !== null ? (info as ProtoMessage) : {};
  const type = application['type'];
  return {
    kind: 'application',
    type: typeof type === 'string' ? type : '',
    nonRetryable: application['nonRetryable'] === true,
    nextRetryDelayMs: nextRetryDelayMsOf(application['nextRetryDelay']),
  };
}

/** `nextRetryDelay` in ms; a malformed one is ignored (the policy's backoff applies), as it only tunes a retry. */
function nextRetryDelayMsOf(value: unknown): number | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  try {
    return durationMsFromProto('nextRetryDelay', value as ProtoDuration);
  } catch (error) {
    if (error instanceof InvalidDurationError) return undefined;
    throw error;
  }
}

function identityField(identity: string): ProtoMessage {
  return identity === '' ? {} : { identity };
}

function failIn(
  draft: TransitionDraft,
  activity: ActivityInfo,
  response: ActivityAttemptResponse & { kind: 'failed' }
) {
  const failed = {
    attemptFailure: attemptFailureOf(response.failure),
    failure: response.failure ?? null,
    heartbeatDetails: response.lastHeartbeatDetails ?? null,
  };
  retryOrCloseIn(draft, activity, failed, (retryState) =>
    closeActivityIn(draft, activity, 'EVENT_TYPE_ACTIVITY_TASK_FAILED', {
      ...(response.failure === undefined ? {} : { failure: response.failure }),
      scheduledEventId: String(activity.scheduledEventId),
      ...identityField(response.identity),
      retryState,
    })
  );
}

/**
 * Applies the answer to the started attempt `input` names. WorkflowClosedError on a closed run; StaleTaskError
 * when the attempt is gone, another attempt or not started; ActivityNotCancelRequestedError for an unrequested
 * cancellation.
 */
export function respondActivityTask(
  state: MutableState,
  input: RespondActivityTaskInput,
  context: TransitionContext
): TransitionResult {
  requireRunning(state);
  const activity = requireStartedAttempt(state, input);
  const { response } = input;
  if (response.kind === 'canceled' && activity.cancelRequestedEventId === 0) {
    throw new ActivityNotCancelRequestedError(activity.scheduledEventId);
  }
  const draft = new TransitionDraft(state, context);
  const scheduledEventId = String(activity.scheduledEventId);
  switch (response.kind) {
    case 'completed':
      closeActivityIn(draft, activity, 'EVENT_TYPE_ACTIVITY_TASK_COMPLETED', {
        ...(response.result === undefined ? {} : { result: response.result }),
        scheduledEventId,
        ...identityField(response.identity),
      });
      break;
    case 'failed':
      failIn(draft, activity, response);
      break;
    case 'canceled':
      closeActivityIn(draft, activity, 'EVENT_TYPE_ACTIVITY_TASK_CANCELED', {
        ...(response.details === undefined ? {} : { details: response.details }),
        latestCancelRequestedEventId: String(activity.cancelRequestedEventId),
        scheduledEventId,
        ...identityField(response.identity),
      });
      break;
  }
  return draft.finish();
}
