/**
 * CONTINUE_AS_NEW_WORKFLOW_EXECUTION (TEMPORAL-API.md §5.10): writes WorkflowExecutionContinuedAsNew, closes the
 * run with `newExecutionRunId`, and creates the next run of the chain in the same transition (one shard entry) via
 * `draft.spawn`. The new run keeps the chain's firstExecutionRunId and the parent link, and starts at attempt 1.
 * `backoffStartInterval` delays the new run's first workflow task (its firstWorkflowTaskBackoff timer).
 */

import { invariant } from '../../raft/core/errors.js';
import type { ProtoMessage } from '../history/events.js';
import { looseEvent } from '../history/looseEvents.js';
import { durationFromMs } from '../history/protoTime.js';
import type { CloseState, MutableState } from '../mutableState/mutableState.js';
import {
  attributesOf,
  closeRunIn,
  messageField,
  type CommandHandler,
  type CommandHandlerTable,
  type CompletionScope,
  type ProtoCommand,
} from '../workflowTask/commandHandlers.js';
import { parentLineageOf, startWorkflow, type StartWorkflowInput } from '../workflowTask/startWorkflow.js';
import type { TransitionDraft } from '../workflowTask/transition.js';
import {
  badDurationMessage,
  durationMsField,
  nameField,
  stringField,
  WORKFLOW_TASK_TIMEOUT_MAX_MS,
} from './childCommands.js';

/**
 * The status a continued-as-new run closes with. RunStatus has no 'continuedAsNew' yet (Temporal reports
 * WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW); until it does, such a run reads as completed and is told apart by
 * its closeState.newExecutionRunId. The one place to flip once RunStatus grows the value.
 */
export const CONTINUED_AS_NEW_STATUS: CloseState['status'] = 'continuedAsNew';

const member = 'continueAsNewWorkflowExecutionCommandAttributes';
const badAttributes = 'WORKFLOW_TASK_FAILED_CAUSE_BAD_CONTINUE_AS_NEW_ATTRIBUTES';
const defaultInitiator = 'CONTINUE_AS_NEW_INITIATOR_WORKFLOW';

/** The command's fields resolved against the current run (missing type, queue and timeouts are inherited). */
interface ResolvedContinueAsNew {
  readonly workflowType: string;
  readonly taskQueue: string;
  readonly workflowRunTimeoutMs: number;
  readonly workflowTaskTimeoutMs: number;
  readonly initiator: string;
}

function resolve(attributes: ProtoMessage, state: MutableState): ResolvedContinueAsNew {
  const info = state.executionInfo;
  const initiator = stringField(attributes, 'initiator');
  return {
    workflowType: nameField(attributes, 'workflowType') || info.workflowType,
    taskQueue: nameField(attributes, 'taskQueue') || info.taskQueue,
    workflowRunTimeoutMs: durationMsField(attributes, 'workflowRunTimeout') || info.workflowRunTimeoutMs,
    workflowTaskTimeoutMs: Math.min(
      durationMsField(attributes, 'workflowTaskTimeout') || info.workflowTaskTimeoutMs,
      WORKFLOW_TASK_TIMEOUT_MAX_MS
    ),
    initiator: initiator === '' || initiator === 'CONTINUE_AS_NEW_INITIATOR_UNSPECIFIED' ? defaultInitiator : initiator,
  };
}

/** The listed message fields of `attributes` that are set. */
function presentFields(attributes: ProtoMessage, fields: readonly string[]): Record<string, ProtoMessage> {
  const present: Record<string, ProtoMessage> = {};
  for (const field of fields) {
    const value = messageField(attributes, field);
    if (value !== undefined) present[field] = value;
  }
  return present;
}

/** The new run's start: memo and search attributes default to the current run's, as Temporal does. */
function nextRunInput(
  draft: TransitionDraft,
  attributes: ProtoMessage,
  resolved: ResolvedContinueAsNew,
  newRunId: string,
  scope: CompletionScope
): StartWorkflowInput {
  const state = draft.state;
  const given = presentFields(attributes, ['input', 'header', 'memo', 'searchAttributes', 'retryPolicy']);
  const memo = given.memo ?? (state.memo === null ? undefined : { fields: state.memo });
  const searchAttributes =
    given.searchAttributes ?? (state.searchAttributes === null ? undefined : { indexedFields: state.searchAttributes });
  const carried = presentFields(attributes, ['lastCompletionResult', 'failure']);
  const parent = state.parent;
  return {
    executionInfo: {
      ...state.executionInfo,
      runId: newRunId,
      workflowType: resolved.workflowType,
      taskQueue: resolved.taskQueue,
      workflowRunTimeoutMs: resolved.workflowRunTimeoutMs,
      workflowTaskTimeoutMs: resolved.workflowTaskTimeoutMs,
      startTimeMs: draft.context.nowMs,
    },
    identity: scope.identity,
    firstWorkflowTaskBackoffMs: durationMsField(attributes, 'backoffStartInterval') ?? 0,
    ...(given.input === undefined ? {} : { input: given.input }),
    ...(given.header === undefined ? {} : { header: given.header }),
    ...(memo === undefined ? {} : { memo }),
    ...(searchAttributes === undefined ? {} : { searchAttributes }),
    ...(given.retryPolicy === undefined ? {} : { retryPolicy: given.retryPolicy }),
    lineage: {
      firstExecutionRunId: state.firstExecutionRunId,
      continuedExecutionRunId: state.executionInfo.runId,
      initiator: resolved.initiator,
      attempt: 1,
      ...parentLineageOf(parent),
      ...(carried.lastCompletionResult === undefined ? {} : { lastCompletionResult: carried.lastCompletionResult }),
      ...(carried.failure === undefined ? {} : { continuedFailure: carried.failure }),
    },
  };
}

function applyContinueAsNew(
  draft: TransitionDraft,
  command: ProtoCommand,
  completedEventId: number,
  scope: CompletionScope
): boolean {
  const newRunId = draft.context.freshRunId;
  invariant(newRunId !== undefined && newRunId !== '', 'continue-as-new needs context.freshRunId from the host');
  const attributes = attributesOf(command, member) ?? {};
  const resolved = resolve(attributes, draft.state);
  const next = nextRunInput(draft, attributes, resolved, newRunId, scope);
  const verbatim = presentFields(attributes, [
    'input',
    'backoffStartInterval',
    'failure',
    'lastCompletionResult',
    'header',
    'memo',
    'searchAttributes',
  ]);
  draft.append(looseEvent('EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW'), {
    newExecutionRunId: newRunId,
    workflowType: { name: resolved.workflowType },
    taskQueue: { name: resolved.taskQueue, kind: 'TASK_QUEUE_KIND_NORMAL' },
    ...verbatim,
    ...(resolved.workflowRunTimeoutMs === 0
      ? {}
      : { workflowRunTimeout: durationFromMs(resolved.workflowRunTimeoutMs) }),
    workflowTaskTimeout: durationFromMs(resolved.workflowTaskTimeoutMs),
    initiator: resolved.initiator,
    workflowTaskCompletedEventId: String(completedEventId),
  });
  closeRunIn(draft, CONTINUED_AS_NEW_STATUS, undefined, newRunId);
  draft.spawn(startWorkflow(next, draft.spawnContext()));
  return false;
}

const continueAsNewHandler: CommandHandler = {
  closesRun: true,
  validate: (command) => {
    const attributes = attributesOf(command, member);
    if (attributes === null) return { cause: badAttributes, message: `${command.commandType} needs ${member}` };
    const badDuration = badDurationMessage(attributes, ['workflowRunTimeout', 'workflowTaskTimeout']);
    return badDuration === null ? null : { cause: badAttributes, message: badDuration };
  },
  apply: applyContinueAsNew,
};

/** CONTINUE_AS_NEW_WORKFLOW_EXECUTION's handler, to merge into the default table. */
export const continueAsNewCommandHandlers: CommandHandlerTable = {
  COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION: continueAsNewHandler,
};
