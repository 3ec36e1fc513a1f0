/**
 * A completion's update messages (TEMPORAL-API.md §5.9): `COMMAND_TYPE_PROTOCOL_MESSAGE{messageId}` places the
 * message's event among the command events — an acceptance writes WorkflowExecutionUpdateAccepted, a response
 * WorkflowExecutionUpdateCompleted — and a rejection writes nothing. Messages no command refers to are processed
 * after the commands, as if referred to.
 *
 * How the lead wires it into completeWorkflowTask:
 * 1. before applying anything, {@link rejectUpdateMessages} (the PROTOCOL_MESSAGE handler's validate also runs it,
 *    but a completion may carry messages and no such command) — a refusal fails the task like a bad command;
 * 2. {@link updateCommandHandlers} merged into the handler table;
 * 3. after the commands, while the run is open: {@link processUnreferencedUpdateMessagesIn}, then
 *    `needsWorkflowTaskForUpdates` (updateMessages.ts) to decide whether a new task is needed.
 */

import { invariant } from '../../raft/core/errors.js';
import type { ProtoMessage } from '../history/events.js';
import { looseEvent } from '../history/looseEvents.js';
import type { UpdateInfo, UpdatePhase } from '../mutableState/mutableState.js';
import type { MutableState } from '../mutableState/mutableState.js';
import {
  attributesOf,
  type CommandHandler,
  type CommandHandlerTable,
  type CommandRejection,
  type ProtoCommand,
} from '../workflowTask/commandHandlers.js';
import type { TransitionDraft } from '../workflowTask/transition.js';
import { protocolMessageOf, type ProtocolMessage, type ProtocolMessageBody } from './updateMessages.js';

const badMessageCause = 'WORKFLOW_TASK_FAILED_CAUSE_BAD_UPDATE_WORKFLOW_EXECUTION_MESSAGE';
const commandMember = 'protocolMessageCommandAttributes';

/**
 * What an update delivered to a task that completed without answering it becomes: rejected, as in Temporal (SDKs
 * accept or reject every request in the task that carries it, so redelivering would loop with a worker that
 * ignores updates).
 */
export const unprocessedUpdateFailure: ProtoMessage = {
  message:
    "Workflow Update is rejected because it wasn't processed by worker. Probably, Workflow Update is not " +
    'supported by the worker.',
  source: 'Cairn',
  applicationFailureInfo: { type: 'UnprocessedUpdate', nonRetryable: true },
};

function bad(message: string): CommandRejection {
  return { cause: badMessageCause, message };
}

/** The phase `body` moves an update in `phase` to, or why it cannot. */
function nextPhase(body: ProtocolMessageBody, phase: UpdatePhase): UpdatePhase | { readonly error: string } {
  switch (body.kind) {
    case 'request':
      return { error: 'is an update request, which only the server sends' };
    case 'acceptance':
      return phase === 'admitted' ? 'accepted' : { error: `accepts an update that is already ${phase}` };
    case 'rejection':
      if (body.failure === null) {
        return { error: 'is a rejection without a failure' };
      }
      return phase === 'admitted' ? 'rejected' : { error: `rejects an update that is already ${phase}` };
    case 'response':
      if (body.outcome === null) {
        return { error: 'is a response without an outcome' };
      }
      return phase === 'accepted' ? 'completed' : { error: `answers an update that is ${phase}, not accepted` };
  }
}

/**
 * The first reason to refuse the completion's messages, or null: each must be a decoded update message for an
 * update of this run, and together, in order, they must take each update through a valid life cycle (admitted →
 * accepted → completed, or admitted → rejected). Nothing is applied unless all pass.
 */
export function rejectUpdateMessages(state: MutableState, messages: readonly ProtoMessage[]): CommandRejection | null {
  const phases = new Map<string, UpdatePhase>();
  for (const [index, value] of messages.entries()) {
    const message = protocolMessageOf(value);
    if (message === null) {
      return bad(`protocol message ${index} is not an update acceptance, response or rejection`);
    }
    const updateId = message.protocolInstanceId;
    const at = `protocol message ${index} (id ${message.id}, update ${updateId})`;
    const info = Object.hasOwn(state.updates, updateId) ? state.updates[updateId] : undefined;
    if (info === undefined) {
      return bad(`${at} names an update this workflow execution does not have`);
    }
    const next = nextPhase(message.body, phases.get(updateId) ?? info.phase);
    if (typeof next !== 'string') {
      return bad(`${at} ${next.error}`);
    }
    phases.set(updateId, next);
  }
  return null;
}

/** The completion's messages, typed; callers validated them with {@link rejectUpdateMessages}. */
function decodedMessages(messages: readonly ProtoMessage[]): ProtocolMessage[] {
  return messages.map((value) => {
    const message = protocolMessageOf(value);
    invariant(message !== null, 'update messages are validated before they are applied');
    return message;
  });
}

function setUpdateIn(draft: TransitionDraft, info: UpdateInfo): void {
  draft.update({ updates: { ...draft.state.updates, [info.updateId]: info } });
}

function currentUpdate(draft: TransitionDraft, updateId: string): UpdateInfo {
  const info = Object.hasOwn(draft.state.updates, updateId) ? draft.state.updates[updateId] : undefined;
  invariant(info !== undefined, () => `validated message names unknown update ${updateId}`);
  return info;
}

/**
 * Applies one validated message; a message whose update has already moved past it (processed through a command,
 * or as the acceptance a response needed first) changes nothing.
 */
function applyMessageIn(draft: TransitionDraft, message: ProtocolMessage, messages: readonly ProtocolMessage[]): void {
  const updateId = message.protocolInstanceId;
  const info = currentUpdate(draft, updateId);
  const body = message.body;
  if (body.kind === 'acceptance' && info.phase === 'admitted') {
    const accepted = draft.append(looseEvent('EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED'), {
      protocolInstanceId: updateId,
      acceptedRequestMessageId: body.acceptedRequestMessageId,
      acceptedRequestSequencingEventId: body.acceptedRequestSequencingEventId,
      acceptedRequest: body.acceptedRequest ?? info.request,
    });
    setUpdateIn(draft, { ...info, phase: 'accepted', acceptedEventId: Number(accepted.eventId) });
  } else if (body.kind === 'rejection' && info.phase === 'admitted') {
    invariant(body.failure !== null, 'a validated rejection has a failure');
    setUpdateIn(draft, { ...info, phase: 'rejected', outcome: { failure: body.failure } });
  } else if (body.kind === 'response' && info.phase === 'admitted') {
    // A command referred to the response before the acceptance: the acceptance's event must come first.
    const acceptance = messages.find((m) => m.protocolInstanceId === updateId && m.body.kind === 'acceptance');
    invariant(acceptance !== undefined, 'a validated response of an admitted update comes with its acceptance');
    applyMessageIn(draft, acceptance, messages);
    applyMessageIn(draft, message, messages);
  } else if (body.kind === 'response' && info.phase === 'accepted') {
    invariant(body.outcome !== null, 'a validated response has an outcome');
    draft.append(looseEvent('EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED'), {
      meta: body.meta ?? { updateId },
      acceptedEventId: String(info.acceptedEventId),
      outcome: body.outcome,
    });
    setUpdateIn(draft, { ...info, phase: 'completed', outcome: body.outcome });
  }
}

/** The `messageId` of a PROTOCOL_MESSAGE command, or null if it has none. */
function commandMessageId(command: ProtoCommand): string | null {
  const messageId = attributesOf(command, commandMember)?.['messageId'];
  return typeof messageId === 'string' && messageId !== '' ? messageId : null;
}

const protocolMessageHandler: CommandHandler = {
  closesRun: false,
  validate: (command, state, scope) => {
    const messageId = commandMessageId(command);
    if (messageId === null) {
      return bad(`${command.commandType} needs ${commandMember}.messageId`);
    }
    const rejection = rejectUpdateMessages(state, scope.messages);
    if (rejection !== null) {
      return rejection;
    }
    const found = scope.messages.some((value) => protocolMessageOf(value)?.id === messageId);
    return found ? null : bad(`${command.commandType} names message ${messageId}, which the completion does not carry`);
  },
  apply: (draft, command, _workflowTaskCompletedEventId, scope) => {
    const messages = decodedMessages(scope.messages);
    const message = messages.find((candidate) => candidate.id === commandMessageId(command));
    invariant(message !== undefined, 'a validated PROTOCOL_MESSAGE command names a carried message');
    applyMessageIn(draft, message, messages);
    return false;
  },
};

/** The update handlers, to merge into the completion's command handler table. */
export const updateCommandHandlers: CommandHandlerTable = {
  COMMAND_TYPE_PROTOCOL_MESSAGE: protocolMessageHandler,
};

/** The message ids the completion's PROTOCOL_MESSAGE commands refer to. */
export function referencedMessageIdsOf(commands: readonly ProtoCommand[]): Set<string> {
  const ids = new Set<string>();
  for (const command of commands) {
    const messageId = command.commandType === 'COMMAND_TYPE_PROTOCOL_MESSAGE' ? commandMessageId(command) : null;
    if (messageId !== null) {
      ids.add(messageId);
    }
  }
  return ids;
}

/**
 * After the commands of a completion: applies, in order, the messages no command referred to (a rejection, or an
 * acceptance or response sent without its command), then rejects every update delivered to the completed task
 * that it left unanswered ({@link unprocessedUpdateFailure}). Writes nothing once the run is closed (no event may
 * follow the close event; the run's updates end with it). Messages must have passed {@link rejectUpdateMessages}.
 */
export function processUnreferencedUpdateMessagesIn(
  draft: TransitionDraft,
  messages: readonly ProtoMessage[],
  referencedMessageIds: ReadonlySet<string>
): void {
  if (draft.state.closeState !== null) {
    return;
  }
  const decoded = decodedMessages(messages);
  for (const message of decoded) {
    if (!referencedMessageIds.has(message.id)) {
      applyMessageIn(draft, message, decoded);
    }
  }
  for (const info of Object.values(draft.state.updates)) {
    if (info.phase === 'admitted' && info.deliveredStartedEventId !== 0) {
      setUpdateIn(draft, { ...info, phase: 'rejected', outcome: { failure: unprocessedUpdateFailure } });
    }
  }
}
