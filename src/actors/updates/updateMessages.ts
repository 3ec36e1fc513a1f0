/**
 * Update protocol messages on the engine side (TEMPORAL-API.md §5.9) and their delivery by workflow tasks. Bodies
 * are decoded (the frontend packs and unpacks the `google.protobuf.Any`, see src/frontend/proto/protocolMessages.ts),
 * fields in the proto-loader shape (int64 as decimal strings).
 *
 * Delivery bookkeeping (`UpdateInfo.deliveredStartedEventId`): the transition that starts a workflow task marks
 * every admitted update as delivered to it ({@link markUpdatesDeliveredIn}); the poll answer carries exactly those
 * ({@link updateMessagesForTask}); a failed or timed-out task hands them back ({@link redeliverUpdatesPatch}); a
 * completed task answers them (src/actors/updates/updateCommands.ts). An update admitted while a task is started
 * stays undelivered until the next task ({@link needsWorkflowTaskForUpdates}).
 */

import type { ProtoMessage } from '../history/events.js';
import type { MutableState, UpdateInfo } from '../mutableState/mutableState.js';
import type { TransitionDraft } from '../workflowTask/transition.js';

/** The body of a protocol message, decoded from its `Any`. */
export type ProtocolMessageBody =
  /** `temporal.api.update.v1.Request`, server → worker. */
  | { readonly kind: 'request'; readonly request: ProtoMessage }
  /** `temporal.api.update.v1.Acceptance`; `acceptedRequest` null when the worker left it out. */
  | {
      readonly kind: 'acceptance';
      readonly acceptedRequestMessageId: string;
      readonly acceptedRequestSequencingEventId: string;
      readonly acceptedRequest: ProtoMessage | null;
    }
  /** `temporal.api.update.v1.Response`: `meta{updateId, identity}` and `outcome{success | failure}`. */
  | { readonly kind: 'response'; readonly meta: ProtoMessage | null; readonly outcome: ProtoMessage | null }
  /** `temporal.api.update.v1.Rejection`. */
  | {
      readonly kind: 'rejection';
      readonly rejectedRequestMessageId: string;
      readonly rejectedRequestSequencingEventId: string;
      readonly rejectedRequest: ProtoMessage | null;
      readonly failure: ProtoMessage | null;
    };

/**
 * A `temporal.api.protocol.v1.Message` with a decoded body. A type literal (not an interface) so that it is a
 * {@link ProtoMessage}, which is how `CompletionScope.messages` carries it.
 */
export type ProtocolMessage = {
  readonly id: string;
  /** The updateId. */
  readonly protocolInstanceId: string;
  /** `sequencingId.eventId`; null when the message has none (or a `commandIndex`, which Cairn does not use). */
  readonly eventId: number | null;
  readonly body: ProtocolMessageBody;
};

/** The id of the request message of an update (§5.9: `<updateId>/request`). */
export function requestMessageId(updateId: string): string {
  return `${updateId}/request`;
}

/**
 * The messages the poll answer of the task started as `startedEventId` carries: one request per admitted update
 * delivered to it. Call it on the state after the start transition (which marks them); a retried poll gets the
 * same messages, and an update admitted after the start is left for the next task.
 */
export function updateMessagesForTask(state: MutableState, startedEventId: number): ProtocolMessage[] {
  return Object.values(state.updates)
    .filter((info) => info.phase === 'admitted' && info.deliveredStartedEventId === startedEventId)
    .map((info) => ({
      id: requestMessageId(info.updateId),
      protocolInstanceId: info.updateId,
      // Core refuses a request without an event sequencing id; Temporal uses the same value.
      eventId: startedEventId - 1,
      body: { kind: 'request', request: info.request },
    }));
}

/** `updates` with `change` applied to the admitted ones it returns a new info for; null when nothing changed. */
function patchAdmitted(
  state: MutableState,
  change: (info: UpdateInfo) => UpdateInfo | null
): Pick<MutableState, 'updates'> | null {
  let changed = false;
  const updates: Record<string, UpdateInfo> = {};
  for (const [updateId, info] of Object.entries(state.updates)) {
    const next = info.phase === 'admitted' ? change(info) : null;
    updates[updateId] = next ?? info;
    changed ||= next !== null;
  }
  return changed ? { updates } : null;
}

/**
 * The state patch that marks every admitted update as delivered to the task started as `startedEventId`, or null
 * if there is none to mark. Every admitted update is (re)sent: none is answered yet.
 */
export function markUpdatesDeliveredPatch(
  state: MutableState,
  startedEventId: number
): Pick<MutableState, 'updates'> | null {
  return patchAdmitted(state, (info) =>
    info.deliveredStartedEventId === startedEventId ? null : { ...info, deliveredStartedEventId: startedEventId }
  );
}

/** {@link markUpdatesDeliveredPatch} applied to a draft: the lead calls it from the workflow task start. */
export function markUpdatesDeliveredIn(draft: TransitionDraft, startedEventId: number): void {
  const patch = markUpdatesDeliveredPatch(draft.state, startedEventId);
  if (patch !== null) {
    draft.update(patch);
  }
}

/**
 * The state patch that hands delivered, unanswered updates back (a workflow task failed or timed out, so the
 * worker's answer will never come); null if there is none. The retry task delivers them again (§5.9).
 */
export function redeliverUpdatesPatch(state: MutableState): Pick<MutableState, 'updates'> | null {
  return patchAdmitted(state, (info) =>
    info.deliveredStartedEventId === 0 ? null : { ...info, deliveredStartedEventId: 0 }
  );
}

/**
 * True when an admitted update still waits for a task to carry it (it arrived while a task was started). The
 * lead calls it at the end of a completion, after the update messages are processed, and schedules a task if so.
 */
export function needsWorkflowTaskForUpdates(state: MutableState): boolean {
  return Object.values(state.updates).some((info) => info.phase === 'admitted' && info.deliveredStartedEventId === 0);
}

function isMessage(value: unknown): value is ProtoMessage {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isMessageOrNull(value: unknown): value is ProtoMessage | null {
  return value === null || isMessage(value);
}

/** True when `body` has the fields its kind needs, with the right types. */
function isBody(body: ProtoMessage): boolean {
  switch (body['kind']) {
    case 'request':
      return isMessage(body['request']);
    case 'acceptance':
      return (
        typeof body['acceptedRequestMessageId'] === 'string' &&
        typeof body['acceptedRequestSequencingEventId'] === 'string' &&
        isMessageOrNull(body['acceptedRequest'])
      );
    case 'response':
      return isMessageOrNull(body['meta']) && isMessageOrNull(body['outcome']);
    case 'rejection':
      return (
        typeof body['rejectedRequestMessageId'] === 'string' &&
        typeof body['rejectedRequestSequencingEventId'] === 'string' &&
        isMessageOrNull(body['rejectedRequest']) &&
        isMessageOrNull(body['failure'])
      );
    default:
      return false;
  }
}

/** `value` as a {@link ProtocolMessage} if it has that shape (a completion's messages arrive untyped), else null. */
export function protocolMessageOf(value: ProtoMessage): ProtocolMessage | null {
  const { id, protocolInstanceId, eventId, body } = value;
  const eventIdOk = eventId === null || (typeof eventId === 'number' && Number.isSafeInteger(eventId));
  if (typeof id !== 'string' || typeof protocolInstanceId !== 'string' || !eventIdOk || !isMessage(body)) {
    return null;
  }
  return isBody(body) ? (value as ProtocolMessage) : null;
}
