/**
 * SIGNAL_EXTERNAL_WORKFLOW_EXECUTION and REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION (TEMPORAL-API.md §5.10, §7):
 * each writes its …Initiated event and records an ExternalRequestInfo that the outbox delivers (outbox.ts).
 */

import type { ProtoMessage, WorkflowTaskFailedCause } from '../history/events.js';
import { looseEvent } from '../history/looseEvents.js';
import type { ExternalRequestInfo, MutableState } from '../mutableState/mutableState.js';
import {
  attributesOf,
  messageField,
  type CommandHandler,
  type CommandHandlerTable,
  type CommandRejection,
  type ProtoCommand,
} from '../workflowTask/commandHandlers.js';
import type { TransitionDraft } from '../workflowTask/transition.js';
import { namespaceOrOwn, stringField } from './childCommands.js';

/** Temporal's limit of undelivered external signals, and separately of cancels, per run (§10). */
export const PENDING_EXTERNAL_REQUESTS_MAX = 2000;

/** What differs between the two commands. */
interface ExternalCommandKind {
  readonly kind: ExternalRequestInfo['kind'];
  readonly member: string;
  readonly badCause: WorkflowTaskFailedCause;
  readonly limitCause: WorkflowTaskFailedCause;
  readonly eventType:
    | 'EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED'
    | 'EVENT_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED';
  /** The kind's own fields of the Initiated event (signal name, input, header; or reason). */
  readonly ownFields: (attributes: ProtoMessage) => ProtoMessage;
}

const signalKind: ExternalCommandKind = {
  kind: 'signal',
  member: 'signalExternalWorkflowExecutionCommandAttributes',
  badCause: 'WORKFLOW_TASK_FAILED_CAUSE_BAD_SIGNAL_WORKFLOW_EXECUTION_ATTRIBUTES',
  limitCause: 'WORKFLOW_TASK_FAILED_CAUSE_PENDING_SIGNALS_LIMIT_EXCEEDED',
  eventType: 'EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED',
  ownFields: (attributes) => {
    const input = messageField(attributes, 'input');
    const header = messageField(attributes, 'header');
    return {
      signalName: stringField(attributes, 'signalName'),
      ...(input === undefined ? {} : { input }),
      ...(header === undefined ? {} : { header }),
    };
  },
};

const cancelKind: ExternalCommandKind = {
  kind: 'cancel',
  member: 'requestCancelExternalWorkflowExecutionCommandAttributes',
  badCause: 'WORKFLOW_TASK_FAILED_CAUSE_BAD_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_ATTRIBUTES',
  limitCause: 'WORKFLOW_TASK_FAILED_CAUSE_PENDING_REQUEST_CANCEL_LIMIT_EXCEEDED',
  eventType: 'EVENT_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED',
  ownFields: (attributes) => ({ reason: stringField(attributes, 'reason') }),
};

/** The target: the signal command nests it in `execution`; the cancel command has flat fields. */
function targetOf(attributes: ProtoMessage): { workflowId: string; runId: string } {
  const execution = messageField(attributes, 'execution') ?? attributes;
  return { workflowId: stringField(execution, 'workflowId'), runId: stringField(execution, 'runId') };
}

function validateExternal(
  kind: ExternalCommandKind,
  command: ProtoCommand,
  state: MutableState
): CommandRejection | null {
  const attributes = attributesOf(command, kind.member);
  if (attributes === null) return { cause: kind.badCause, message: `${command.commandType} needs ${kind.member}` };
  if (targetOf(attributes).workflowId === '') {
    return { cause: kind.badCause, message: `${command.commandType} needs the target's workflowId` };
  }
  if (kind.kind === 'signal' && stringField(attributes, 'signalName') === '') {
    return { cause: kind.badCause, message: `${command.commandType} needs a signalName` };
  }
  const pending = Object.values(state.externalRequests).filter((request) => request.kind === kind.kind).length;
  if (pending >= PENDING_EXTERNAL_REQUESTS_MAX) {
    return {
      cause: kind.limitCause,
      message: `the run already has ${PENDING_EXTERNAL_REQUESTS_MAX} undelivered external ${kind.kind} requests`,
    };
  }
  return null;
}

function applyExternal(
  kind: ExternalCommandKind,
  draft: TransitionDraft,
  command: ProtoCommand,
  completedEventId: number
): boolean {
  const attributes = attributesOf(command, kind.member) ?? {};
  const namespace = namespaceOrOwn(attributes, draft.state);
  const target = targetOf(attributes);
  const childWorkflowOnly = attributes['childWorkflowOnly'] === true;
  const control = stringField(attributes, 'control');
  const ownFields = kind.ownFields(attributes);
  const event = draft.append(looseEvent(kind.eventType), {
    namespace,
    workflowExecution: target,
    ...ownFields,
    control,
    childWorkflowOnly,
    workflowTaskCompletedEventId: String(completedEventId),
  });
  const initiatedEventId = Number(event.eventId);
  const request: ExternalRequestInfo = {
    initiatedEventId,
    kind: kind.kind,
    namespace,
    workflowId: target.workflowId,
    runId: target.runId,
    childWorkflowOnly,
    request: { ...ownFields, control, workflowTaskCompletedEventId: String(completedEventId) },
  };
  draft.update({ externalRequests: { ...draft.state.externalRequests, [String(initiatedEventId)]: request } });
  return false;
}

function externalHandler(kind: ExternalCommandKind): CommandHandler {
  return {
    closesRun: false,
    validate: (command, state) => validateExternal(kind, command, state),
    apply: (draft, command, completedEventId) => applyExternal(kind, draft, command, completedEventId),
  };
}

/** The two external commands' handlers, to merge into the default table. */
export const externalCommandHandlers: CommandHandlerTable = {
  COMMAND_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION: externalHandler(signalKind),
  COMMAND_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION: externalHandler(cancelKind),
};
