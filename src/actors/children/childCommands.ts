/**
 * START_CHILD_WORKFLOW_EXECUTION (TEMPORAL-API.md §5.10, §7): writes StartChildWorkflowExecutionInitiated and
 * records the child in phase 'initiated'; the outbox (outbox.ts) then starts it. Also the builders the host uses to
 * start that child with one call ({@link childStartRequest}, {@link childStartInput}), and the command field readers
 * continue-as-new shares.
 */

import { durationMsFromProto, InvalidDurationError, type ProtoDuration } from '../activities/durations.js';
import { looseEvent } from '../history/looseEvents.js';
import { durationFromMs } from '../history/protoTime.js';
import type { ProtoMessage } from '../history/events.js';
import type { ChildInfo, MutableState } from '../mutableState/mutableState.js';
import type { StartRequest, WorkflowIdReusePolicy } from '../start/startRequest.js';
import {
  attributesOf,
  messageField,
  type CommandHandler,
  type CommandHandlerTable,
  type CommandRejection,
  type ProtoCommand,
} from '../workflowTask/commandHandlers.js';
import type { StartWorkflowInput } from '../workflowTask/startWorkflow.js';
import { serverIdentity } from '../workflowTask/terminateWorkflow.js';

/** Temporal's limit of pending children per run (§10). */
export const PENDING_CHILDREN_MAX = 2000;
/** The workflow task timeout a child gets when the command names none (§10: 10 s default). */
export const CHILD_WORKFLOW_TASK_TIMEOUT_DEFAULT_MS = 10_000;
/** The cap on a workflow task timeout (§5.3: 120 s). */
export const WORKFLOW_TASK_TIMEOUT_MAX_MS = 120_000;

const member = 'startChildWorkflowExecutionCommandAttributes';
const badAttributes = 'WORKFLOW_TASK_FAILED_CAUSE_BAD_START_CHILD_EXECUTION_ATTRIBUTES';
const parentClosePolicies = new Set([
  'PARENT_CLOSE_POLICY_TERMINATE',
  'PARENT_CLOSE_POLICY_ABANDON',
  'PARENT_CLOSE_POLICY_REQUEST_CANCEL',
]);
const reusePolicies: ReadonlySet<string> = new Set<WorkflowIdReusePolicy>([
  'WORKFLOW_ID_REUSE_POLICY_UNSPECIFIED',
  'WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE',
  'WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY',
  'WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE',
  'WORKFLOW_ID_REUSE_POLICY_TERMINATE_IF_RUNNING',
]);

/** A string field, or '' when it is missing or not a string. */
export function stringField(attributes: ProtoMessage, field: string): string {
  const value = attributes[field];
  return typeof value === 'string' ? value : '';
}

/** The `name` of a nested message such as `workflowType` or `taskQueue`, or ''. */
export function nameField(attributes: ProtoMessage, field: string): string {
  const nested = messageField(attributes, field);
  return nested === undefined ? '' : stringField(nested, 'name');
}

/** A Duration field in whole ms, undefined when unset; throws InvalidDurationError naming the field. */
export function durationMsField(attributes: ProtoMessage, field: string): number | undefined {
  return durationMsFromProto(field, messageField(attributes, field) as ProtoDuration | undefined);
}

/** Checks the Duration fields can be read; the message of the first bad one, or null. */
export function badDurationMessage(attributes: ProtoMessage, fields: readonly string[]): string | null {
  for (const field of fields) {
    try {
      durationMsField(attributes, field);
    } catch (error) {
      if (error instanceof InvalidDurationError) return error.message;
      throw error;
    }
  }
  return null;
}

/** The run's own namespace when the command leaves it empty. */
export function namespaceOrOwn(attributes: ProtoMessage, state: MutableState): string {
  return stringField(attributes, 'namespace') || state.executionInfo.namespace;
}

function validateStartChild(command: ProtoCommand, state: MutableState): CommandRejection | null {
  const attributes = attributesOf(command, member);
  const reject = (message: string): CommandRejection => ({ cause: badAttributes, message });
  if (attributes === null) return reject(`${command.commandType} needs ${member}`);
  if (stringField(attributes, 'workflowId') === '') return reject('StartChildWorkflowExecution needs a workflowId');
  if (nameField(attributes, 'workflowType') === '') return reject('StartChildWorkflowExecution needs a workflowType');
  const policy = stringField(attributes, 'parentClosePolicy');
  if (policy !== '' && policy !== 'PARENT_CLOSE_POLICY_UNSPECIFIED' && !parentClosePolicies.has(policy)) {
    return reject(`parentClosePolicy ${policy} is unknown; use TERMINATE, ABANDON or REQUEST_CANCEL`);
  }
  const reuse = stringField(attributes, 'workflowIdReusePolicy');
  if (reuse !== '' && !reusePolicies.has(reuse)) return reject(`workflowIdReusePolicy ${reuse} is unknown`);
  const timeouts = ['workflowExecutionTimeout', 'workflowRunTimeout', 'workflowTaskTimeout'];
  const badDuration = badDurationMessage(attributes, timeouts);
  if (badDuration !== null) return reject(badDuration);
  if (Object.keys(state.children).length >= PENDING_CHILDREN_MAX) {
    return {
      cause: 'WORKFLOW_TASK_FAILED_CAUSE_PENDING_CHILD_WORKFLOWS_LIMIT_EXCEEDED',
      message: `the run already has ${PENDING_CHILDREN_MAX} pending children; wait for some to close`,
    };
  }
  return null;
}

/** The Initiated event's attributes: the command's fields with Cairn's defaults applied. */
function initiatedAttributes(attributes: ProtoMessage, state: MutableState, completedEventId: number): ProtoMessage {
  const policy = stringField(attributes, 'parentClosePolicy');
  const taskTimeoutMs = Math.min(
    durationMsField(attributes, 'workflowTaskTimeout') || CHILD_WORKFLOW_TASK_TIMEOUT_DEFAULT_MS,
    WORKFLOW_TASK_TIMEOUT_MAX_MS
  );
  const passThrough: ProtoMessage = {};
  for (const field of ['input', 'workflowExecutionTimeout', 'workflowRunTimeout', 'retryPolicy', 'header', 'memo']) {
    const value = messageField(attributes, field);
    if (value !== undefined) Object.assign(passThrough, { [field]: value });
  }
  const searchAttributes = messageField(attributes, 'searchAttributes');
  return {
    namespace: namespaceOrOwn(attributes, state),
    workflowId: stringField(attributes, 'workflowId'),
    workflowType: { name: nameField(attributes, 'workflowType') },
    taskQueue: {
      name: nameField(attributes, 'taskQueue') || state.executionInfo.taskQueue,
      kind: 'TASK_QUEUE_KIND_NORMAL',
    },
    ...passThrough,
    workflowTaskTimeout: durationFromMs(taskTimeoutMs),
    parentClosePolicy: parentClosePolicies.has(policy) ? policy : 'PARENT_CLOSE_POLICY_TERMINATE',
    control: stringField(attributes, 'control'),
    workflowTaskCompletedEventId: String(completedEventId),
    workflowIdReusePolicy: stringField(attributes, 'workflowIdReusePolicy') || 'WORKFLOW_ID_REUSE_POLICY_UNSPECIFIED',
    cronSchedule: stringField(attributes, 'cronSchedule'),
    ...(searchAttributes === undefined ? {} : { searchAttributes }),
  };
}

const startChildHandler: CommandHandler = {
  closesRun: false,
  validate: (command, state) => validateStartChild(command, state),
  apply: (draft, command, completedEventId) => {
    const attributes = attributesOf(command, member) ?? {};
    const request = initiatedAttributes(attributes, draft.state, completedEventId);
    const event = draft.append(looseEvent('EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED'), request);
    const initiatedEventId = Number(event.eventId);
    const child: ChildInfo = {
      initiatedEventId,
      namespace: stringField(request, 'namespace'),
      workflowId: stringField(request, 'workflowId'),
      workflowType: nameField(request, 'workflowType'),
      phase: 'initiated',
      runId: '',
      startedEventId: 0,
      parentClosePolicy: stringField(request, 'parentClosePolicy'),
      request,
    };
    draft.update({ children: { ...draft.state.children, [String(initiatedEventId)]: child } });
    return false;
  },
};

/** START_CHILD_WORKFLOW_EXECUTION's handler, to merge into the default table. */
export const childCommandHandlers: CommandHandlerTable = {
  COMMAND_TYPE_START_CHILD_WORKFLOW_EXECUTION: startChildHandler,
};

/** The idempotency key of the child's start: the parent run and the Initiated event name it for good. */
export function childStartRequestId(parent: MutableState, child: ChildInfo): string {
  return `${parent.executionInfo.runId}/${child.initiatedEventId}/startChild`;
}

/** The StartRequest the host evaluates (evaluateStart) to start `child`; its requestId deduplicates retries. */
export function childStartRequest(parent: MutableState, child: ChildInfo): StartRequest {
  const request = child.request;
  const reuse = stringField(request, 'workflowIdReusePolicy');
  const optional: Record<string, ProtoMessage> = {};
  for (const field of ['input', 'header', 'memo', 'searchAttributes', 'retryPolicy']) {
    const value = messageField(request, field);
    if (value !== undefined) optional[field] = value;
  }
  return {
    namespace: child.namespace,
    workflowId: child.workflowId,
    workflowType: child.workflowType,
    taskQueue: nameField(request, 'taskQueue'),
    requestId: childStartRequestId(parent, child),
    identity: serverIdentity,
    workflowTaskTimeoutMs: durationMsField(request, 'workflowTaskTimeout') ?? CHILD_WORKFLOW_TASK_TIMEOUT_DEFAULT_MS,
    workflowRunTimeoutMs: durationMsField(request, 'workflowRunTimeout') ?? 0,
    workflowExecutionTimeoutMs: durationMsField(request, 'workflowExecutionTimeout') ?? 0,
    ...(reusePolicies.has(reuse) ? { workflowIdReusePolicy: reuse as WorkflowIdReusePolicy } : {}),
    ...optional,
  };
}

/** The run ids and time the host picks for the child's first run. */
export interface ChildStartIds {
  readonly runId: string;
  /** Must equal the start transition's `context.nowMs`. */
  readonly startTimeMs: number;
}

/**
 * The child's StartWorkflowInput with its parent link and the Started event's parent fields. The root is the
 * parent itself when the parent has no parent; deeper roots are not known (MutableState keeps no root link).
 */
export function childStartInput(parent: MutableState, child: ChildInfo, ids: ChildStartIds): StartWorkflowInput {
  const start = childStartRequest(parent, child);
  const info = parent.executionInfo;
  const parentExecution = { workflowId: info.workflowId, runId: info.runId };
  return {
    executionInfo: {
      namespace: start.namespace,
      workflowId: start.workflowId,
      runId: ids.runId,
      workflowType: start.workflowType,
      taskQueue: start.taskQueue,
      workflowTaskTimeoutMs: start.workflowTaskTimeoutMs,
      workflowRunTimeoutMs: start.workflowRunTimeoutMs,
      workflowExecutionTimeoutMs: start.workflowExecutionTimeoutMs,
      startTimeMs: ids.startTimeMs,
    },
    identity: start.identity,
    ...(start.input === undefined ? {} : { input: start.input }),
    ...(start.header === undefined ? {} : { header: start.header }),
    ...(start.memo === undefined ? {} : { memo: start.memo }),
    ...(start.searchAttributes === undefined ? {} : { searchAttributes: start.searchAttributes }),
    ...(start.retryPolicy === undefined ? {} : { retryPolicy: start.retryPolicy }),
    lineage: {
      parent: { namespace: info.namespace, ...parentExecution, initiatedEventId: child.initiatedEventId },
      parentStartedAttributes: {
        parentWorkflowNamespace: info.namespace,
        parentWorkflowExecution: parentExecution,
        parentInitiatedEventId: String(child.initiatedEventId),
        ...(parent.parent === null ? { rootWorkflowExecution: parentExecution } : {}),
      },
    },
  };
}
