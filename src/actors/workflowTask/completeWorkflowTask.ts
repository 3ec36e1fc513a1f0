/**
 * RespondWorkflowTaskCompleted (TEMPORAL-API.md §5.2, §5.7, §7). Writes, in order: the transient attempt's
 * Scheduled/Started if it was transient, WorkflowTaskCompleted with the worker's metadata verbatim, each command's
 * events, the buffered events, and a new WorkflowTaskScheduled if anything was buffered or a command needs one.
 *
 * Refusals that still change the run (they are committed, not thrown):
 * - a close command while events are buffered → UNHANDLED_COMMAND: no command applies, the task fails, the buffer
 *   is flushed, a first attempt is scheduled on the normal queue, and the worker gets INVALID_ARGUMENT
 *   `UnhandledCommand`;
 * - an unknown or malformed command, or a command after a close command → the task fails with a clear cause.
 */

import { defaultRunLimits, payloadDataBytes, type RunLimits } from '../limits/runLimits.js';
import { invariant } from '../../raft/core/errors.js';
import { workflowTaskCompletedEvent, workflowTaskScheduledEvent, workflowTaskStartedEvent } from '../history/events.js';
import type { ProtoMessage, WorkflowTaskCompletedAttributes } from '../history/events.js';
import type { MutableState, Stickiness } from '../mutableState/mutableState.js';
import { flushBufferedEventsIn } from './bufferedEvents.js';
import {
  type CommandHandlerTable,
  type CompletionScope,
  type CommandRejection,
  type ProtoCommand,
} from './commandHandlers.js';
import {
  processUnreferencedUpdateMessagesIn,
  referencedMessageIdsOf,
  rejectUpdateMessages,
} from '../updates/updateCommands.js';
import { needsWorkflowTaskForUpdates } from '../updates/updateMessages.js';
import { allCommandHandlers } from './commandTable.js';
import { failStartedWorkflowTaskIn } from './retryWorkflowTask.js';
import { defaultQueueKind, scheduledAttributes, scheduleWorkflowTaskIn } from './scheduleWorkflowTask.js';
import { requireStartedTask, type StartedTaskRef } from './startedTaskRef.js';
import { TransitionDraft, type TransitionContext, type TransitionResult } from './transition.js';

/** The completion's fields the engine reads or copies. */
export interface CompleteWorkflowTaskInput {
  readonly task: StartedTaskRef;
  readonly identity: string;
  readonly commands: readonly ProtoCommand[];
  /** Protocol messages (§5.9); [] when there are none. */
  readonly messages: readonly ProtoMessage[];
  /** Copied verbatim into WorkflowTaskCompleted (§5.7). */
  readonly metadata: Omit<WorkflowTaskCompletedAttributes, 'scheduledEventId' | 'startedEventId' | 'identity'>;
  /** `stickyAttributes`, already converted; null = the worker wants no stickiness (clears it). */
  readonly stickiness: Stickiness | null;
  /** `forceCreateNewWorkflowTask`: schedule a task even without new events. */
  readonly forceCreateNewWorkflowTask: boolean;
}

/** The message of the INVALID_ARGUMENT error core expects on UNHANDLED_COMMAND (exactly this, §5.2). */
export const unhandledCommandMessage = 'UnhandledCommand';

/** The first reason to refuse the commands, or null; checks every command before any is applied. */
function rejectCommands(
  state: MutableState,
  commands: readonly ProtoCommand[],
  handlers: CommandHandlerTable,
  scope: CompletionScope,
  limits: RunLimits
): CommandRejection | null {
  for (const [index, command] of commands.entries()) {
    const payloadBytes = payloadDataBytes(command);
    if (payloadBytes > limits.payloadBytesMax) {
      return {
        cause: 'WORKFLOW_TASK_FAILED_CAUSE_PAYLOADS_TOO_LARGE',
        message:
          `command ${index} (${String(command.commandType)}) carries ${payloadBytes} bytes of payloads, over the ` +
          `limit of ${limits.payloadBytesMax}: pass large data by reference (e.g. a blob store key)`,
      };
    }
    const handler = Object.hasOwn(handlers, command.commandType) ? handlers[command.commandType] : undefined;
    if (handler === undefined) {
      return {
        cause: 'WORKFLOW_TASK_FAILED_CAUSE_FEATURE_DISABLED',
        message: `command ${index} has type ${String(command.commandType)}, which Cairn does not support yet`,
      };
    }
    const rejection = handler.validate(command, state, scope);
    if (rejection !== null) {
      return rejection;
    }
    if (handler.closesRun && index !== commands.length - 1) {
      return {
        cause: 'WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND',
        message: `command ${index} (${command.commandType}) closes the run, so it must be the last command`,
      };
    }
  }
  return null;
}

/** Fails the task for a refused completion and plans the worker's INVALID_ARGUMENT answer. */
function refuseIn(draft: TransitionDraft, input: CompleteWorkflowTaskInput, rejection: CommandRejection): void {
  const failure: ProtoMessage = { message: rejection.message, source: 'Cairn' };
  failStartedWorkflowTaskIn(draft, { cause: rejection.cause, failure, identity: input.identity });
  draft.effect({ kind: 'respondError', code: 'INVALID_ARGUMENT', message: rejection.message });
}

/** Writes the transient attempt's Scheduled and Started as they were shown to the worker. */
function writeTransientPairIn(draft: TransitionDraft): void {
  const task = draft.state.workflowTask;
  if (task.phase !== 'started' || !task.transient) {
    return;
  }
  invariant(draft.state.nextEventId === task.scheduledEventId, 'a transient task reserves the next event ids');
  const attributes = scheduledAttributes(draft.state, task.attempt, task.queue);
  draft.append(workflowTaskScheduledEvent, attributes, task.scheduledTimeMs);
  const started = draft.append(
    workflowTaskStartedEvent,
    {
      scheduledEventId: String(task.scheduledEventId),
      identity: task.identity,
      requestId: task.requestId,
      historySizeBytes: String(task.historySizeBytes),
    },
    task.startedTimeMs
  );
  invariant(Number(started.eventId) === task.startedEventId, 'a transient Started keeps its reserved id');
}

/** True when some command would close the run. */
function closesRun(commands: readonly ProtoCommand[], handlers: CommandHandlerTable): boolean {
  return commands.some(
    (command) => Object.hasOwn(handlers, command.commandType) && handlers[command.commandType]?.closesRun
  );
}

/** Applies a completion of the started task `input.task` names; StaleTaskError if it is not the current one. */
export function completeWorkflowTask(
  state: MutableState,
  input: CompleteWorkflowTaskInput,
  context: TransitionContext,
  handlers: CommandHandlerTable = allCommandHandlers
): TransitionResult {
  requireStartedTask(state, input.task);
  const draft = new TransitionDraft(state, context);
  if (closesRun(input.commands, handlers) && state.bufferedEvents.length > 0) {
    refuseIn(draft, input, { cause: 'WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND', message: unhandledCommandMessage });
    return draft.finish();
  }
  const scope: CompletionScope = { messages: input.messages, identity: input.identity };
  const rejection =
    rejectUpdateMessages(state, input.messages) ??
    rejectCommands(state, input.commands, handlers, scope, context.limits ?? defaultRunLimits);
  if (rejection !== null) {
    refuseIn(draft, input, rejection);
    return draft.finish();
  }
  writeTransientPairIn(draft);
  const { scheduledEventId, startedEventId } = input.task;
  const completed = draft.append(workflowTaskCompletedEvent, {
    scheduledEventId: String(scheduledEventId),
    startedEventId: String(startedEventId),
    identity: input.identity,
    ...input.metadata,
  });
  draft.update({
    workflowTask: { phase: 'none' },
    previousStartedEventId: startedEventId,
    stickiness: input.stickiness,
  });
  let needsWorkflowTask = input.forceCreateNewWorkflowTask;
  for (const command of input.commands) {
    const handler = handlers[command.commandType];
    invariant(handler !== undefined, 'commands were validated');
    needsWorkflowTask = handler.apply(draft, command, Number(completed.eventId), scope) || needsWorkflowTask;
  }
  if (draft.state.closeState !== null) {
    invariant(draft.state.bufferedEvents.length === 0, 'a close command never meets buffered events');
    draft.update({ stickiness: null });
    return draft.finish();
  }
  processUnreferencedUpdateMessagesIn(draft, input.messages, referencedMessageIdsOf(input.commands));
  const flushedCount = flushBufferedEventsIn(draft);
  if (flushedCount > 0 || needsWorkflowTask || needsWorkflowTaskForUpdates(draft.state)) {
    scheduleWorkflowTaskIn(draft, 1, defaultQueueKind(draft.state));
  }
  return draft.finish();
}
