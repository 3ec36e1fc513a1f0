/**
 * Command handlers for RespondWorkflowTaskCompleted, dispatched by `commandType` (STYLE.md rule 5: one handler per
 * oneof case). The table is open: activities, timers and the rest plug in their handlers later. Each command is
 * validated before any is applied, so a bad command fails the task without writing any command's events.
 */

import {
  workflowExecutionCanceledEvent,
  workflowExecutionCompletedEvent,
  workflowExecutionFailedEvent,
  type ProtoMessage,
  type WorkflowTaskFailedCause,
} from '../history/events.js';
import type { CloseState, MutableState } from '../mutableState/mutableState.js';
import { decideRetryOf, retryCloseFields, spawnRetryRunIn } from './retryWorkflow.js';
import type { TransitionDraft } from './transition.js';

/** A `temporal.api.command.v1.Command` in the proto-loader shape: `commandType` plus one attributes member. */
export interface ProtoCommand {
  readonly commandType: string;
  readonly [member: string]: unknown;
}

/** Why a command is refused: becomes WorkflowTaskFailed{cause, failure.message} and INVALID_ARGUMENT. */
export interface CommandRejection {
  readonly cause: WorkflowTaskFailedCause;
  readonly message: string;
}

/** What the whole completion carries besides its commands. */
export interface CompletionScope {
  /** The completion's protocol messages (update acceptances, responses, rejections; §5.9). */
  readonly messages: readonly ProtoMessage[];
  readonly identity: string;
}

/** Handles one command type. */
export interface CommandHandler {
  /** A close command ends the run; it must be the last command and meets §5.2's UNHANDLED_COMMAND rule. */
  readonly closesRun: boolean;
  /** Checks the command against the state before anything is written; null = acceptable. */
  validate(command: ProtoCommand, state: MutableState, scope: CompletionScope): CommandRejection | null;
  /** Writes the command's events; returns true if the run needs a new workflow task afterwards. */
  apply(
    draft: TransitionDraft,
    command: ProtoCommand,
    workflowTaskCompletedEventId: number,
    scope: CompletionScope
  ): boolean;
}

/** Handlers keyed by `COMMAND_TYPE_*` name. */
export type CommandHandlerTable = Readonly<Record<string, CommandHandler>>;

/** The command's attributes member, or null if it is missing or not an object. */
export function attributesOf(command: ProtoCommand, member: string): ProtoMessage | null {
  const value = command[member];
  return typeof value === 'object' && value !== null ? (value as ProtoMessage) : null;
}

/** An optional payload field of an attributes message, passed through verbatim. */
export function messageField(attributes: ProtoMessage, field: string): ProtoMessage | undefined {
  const value = attributes[field];
  return typeof value === 'object' && value !== null ? (value as ProtoMessage) : undefined;
}

/**
 * Marks the run closed by the event just written: clears everything pending (activities, timers, undelivered
 * requests and admitted updates die with the run; children follow their parent close policy via the outbox).
 */
export function closeRunIn(
  draft: TransitionDraft,
  status: CloseState['status'],
  payload: ProtoMessage | undefined,
  newExecutionRunId = ''
): void {
  const closeEventId = draft.state.nextEventId - 1;
  const closeTimeMs = draft.state.lastEventTimeMs;
  draft.update({
    status,
    closeState: { status, closeEventId, closeTimeMs, payload: payload ?? null, newExecutionRunId },
    activities: {},
    timers: {},
    externalRequests: {},
    stickiness: null,
  });
  draft.effect({ kind: 'runClosed', status, closeEventId });
}

/** A close command whose attributes member must be present. */
function closeCommand(
  member: string,
  cause: WorkflowTaskFailedCause,
  write: (draft: TransitionDraft, attributes: ProtoMessage, completedId: string) => void
): CommandHandler {
  return {
    closesRun: true,
    validate: (command) =>
      attributesOf(command, member) === null ? { cause, message: `${command.commandType} needs ${member}` } : null,
    apply: (draft, command, completedEventId) => {
      const attributes = attributesOf(command, member);
      if (attributes !== null) {
        write(draft, attributes, String(completedEventId));
      }
      return false;
    },
  };
}

const completeHandler = closeCommand(
  'completeWorkflowExecutionCommandAttributes',
  'WORKFLOW_TASK_FAILED_CAUSE_BAD_COMPLETE_WORKFLOW_EXECUTION_ATTRIBUTES',
  (draft, attributes, workflowTaskCompletedEventId) => {
    const result = messageField(attributes, 'result');
    draft.append(workflowExecutionCompletedEvent, {
      ...(result === undefined ? {} : { result }),
      workflowTaskCompletedEventId,
    });
    closeRunIn(draft, 'completed', result);
  }
);

const failHandler = closeCommand(
  'failWorkflowExecutionCommandAttributes',
  'WORKFLOW_TASK_FAILED_CAUSE_BAD_FAIL_WORKFLOW_EXECUTION_ATTRIBUTES',
  (draft, attributes, workflowTaskCompletedEventId) => {
    const failure = messageField(attributes, 'failure');
    const decision = decideRetryOf(
      draft.state,
      { kind: 'failed', ...(failure === undefined ? {} : { failure }) },
      draft.context.nowMs
    );
    const fields = retryCloseFields(decision, draft.context.freshRunId ?? '');
    draft.append(workflowExecutionFailedEvent, {
      ...(failure === undefined ? {} : { failure }),
      retryState: fields.retryState,
      workflowTaskCompletedEventId,
      ...(fields.newExecutionRunId === undefined ? {} : { newExecutionRunId: fields.newExecutionRunId }),
    });
    closeRunIn(draft, 'failed', failure, fields.newExecutionRunId ?? '');
    if (decision.retry) spawnRetryRunIn(draft, decision.backoffMs, failure);
  }
);

const cancelHandler = closeCommand(
  'cancelWorkflowExecutionCommandAttributes',
  'WORKFLOW_TASK_FAILED_CAUSE_BAD_CANCEL_WORKFLOW_EXECUTION_ATTRIBUTES',
  (draft, attributes, workflowTaskCompletedEventId) => {
    const details = messageField(attributes, 'details');
    draft.append(workflowExecutionCanceledEvent, {
      workflowTaskCompletedEventId,
      ...(details === undefined ? {} : { details }),
    });
    closeRunIn(draft, 'canceled', details);
  }
);

/** The handlers this build supports; unknown command types fail the task (see completeWorkflowTask.ts). */
export const defaultCommandHandlers: CommandHandlerTable = {
  COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION: completeHandler,
  COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION: failHandler,
  COMMAND_TYPE_CANCEL_WORKFLOW_EXECUTION: cancelHandler,
};
