/**
 * Results of external signal / cancel deliveries, on the run that sent them (TEMPORAL-API.md §5.10):
 * ExternalWorkflowExecution{Signaled|CancelRequested} or {SignalExternal|RequestCancelExternal}WorkflowExecutionFailed,
 * buffered while a workflow task runs; either removes the request. null = stale: the request is unknown (already
 * answered, or the run closed, which drops undelivered requests), and the outbox item is done.
 */

import type { ProtoMessage } from '../history/events.js';
import type { LooseEventType } from '../history/looseEvents.js';
import type { ExternalRequestInfo, MutableState } from '../mutableState/mutableState.js';
import { acceptOutsideEventIn } from '../workflowTask/bufferedEvents.js';
import { TransitionDraft, type TransitionContext, type TransitionResult } from '../workflowTask/transition.js';

/** The target received the request. */
export interface ExternalDeliveredInput {
  readonly initiatedEventId: number;
}

/** The target could not be reached. */
export interface ExternalFailedInput {
  readonly initiatedEventId: number;
  readonly cause: 'SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_FAILED_CAUSE_EXTERNAL_WORKFLOW_EXECUTION_NOT_FOUND';
}

function pendingRequest(state: MutableState, initiatedEventId: number): ExternalRequestInfo | null {
  if (state.closeState !== null) return null;
  const key = String(initiatedEventId);
  return Object.hasOwn(state.externalRequests, key) ? (state.externalRequests[key] ?? null) : null;
}

/** Writes (or buffers) the answer event and forgets the request. */
function answer(
  state: MutableState,
  request: ExternalRequestInfo,
  eventType: LooseEventType,
  attributes: ProtoMessage,
  context: TransitionContext
): TransitionResult {
  const draft = new TransitionDraft(state, context);
  acceptOutsideEventIn(draft, { kind: 'loose', eventType, attributes });
  const externalRequests = { ...draft.state.externalRequests };
  delete externalRequests[String(request.initiatedEventId)];
  draft.update({ externalRequests });
  return draft.finish();
}

function targetOf(request: ExternalRequestInfo): ProtoMessage {
  return { workflowId: request.workflowId, runId: request.runId };
}

/** Records ExternalWorkflowExecutionSignaled / CancelRequested for the request at `initiatedEventId`. */
export function externalDelivered(
  state: MutableState,
  input: ExternalDeliveredInput,
  context: TransitionContext
): TransitionResult | null {
  const request = pendingRequest(state, input.initiatedEventId);
  if (request === null) return null;
  const common = {
    initiatedEventId: String(request.initiatedEventId),
    namespace: request.namespace,
    workflowExecution: targetOf(request),
  };
  return request.kind === 'signal'
    ? answer(
        state,
        request,
        'EVENT_TYPE_EXTERNAL_WORKFLOW_EXECUTION_SIGNALED',
        { ...common, control: request.request['control'] ?? '' },
        context
      )
    : answer(state, request, 'EVENT_TYPE_EXTERNAL_WORKFLOW_EXECUTION_CANCEL_REQUESTED', common, context);
}

/** Records SignalExternal… / RequestCancelExternalWorkflowExecutionFailed for the request at `initiatedEventId`. */
export function externalFailed(
  state: MutableState,
  input: ExternalFailedInput,
  context: TransitionContext
): TransitionResult | null {
  const request = pendingRequest(state, input.initiatedEventId);
  if (request === null) return null;
  const eventType =
    request.kind === 'signal'
      ? 'EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_FAILED'
      : 'EVENT_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_FAILED';
  const attributes = {
    cause: input.cause,
    initiatedEventId: String(request.initiatedEventId),
    namespace: request.namespace,
    workflowExecution: targetOf(request),
    control: request.request['control'] ?? '',
    workflowTaskCompletedEventId: request.request['workflowTaskCompletedEventId'] ?? '0',
  };
  return answer(state, request, eventType, attributes, context);
}
