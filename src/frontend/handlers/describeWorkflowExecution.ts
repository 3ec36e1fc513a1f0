/**
 * WorkflowService/DescribeWorkflowExecution (TEMPORAL-API.md §3): the run's configuration and summary, as of a
 * linearizable read of its mutable state. The TS client reads `workflowExecutionInfo.{execution, type, taskQueue,
 * status, historyLength, startTime}` without checking, so those are always set. Unknown run → NOT_FOUND.
 */
import { durationFromMs } from '../../actors/history/protoTime.js';
import type { MutableState, RunStatus } from '../../actors/mutableState/mutableState.js';
import { requireEngine } from '../engine/requireEngine.js';
import { InvalidArgumentError, NamespaceNotFoundError } from '../errors.js';
import type { ProtoObject } from '../proto/protoCodec.js';
import { optionalIdentifier, requireNamespace, requireWorkflowId } from '../validation/requestFields.js';
import { visibilityRowOf } from '../../actors/runStore/runValues.js';
import { workflowExecutionInfoOf } from './workflowExecutionInfo.js';
import type { CallContext } from './handlerTypes.js';
import type { ExecutionRef } from '../engine/workflowEngine.js';

/** `temporal.api.enums.v1.WorkflowExecutionStatus` name of each run status. */
export const workflowExecutionStatusNames: Readonly<Record<RunStatus, string>> = {
  running: 'WORKFLOW_EXECUTION_STATUS_RUNNING',
  completed: 'WORKFLOW_EXECUTION_STATUS_COMPLETED',
  failed: 'WORKFLOW_EXECUTION_STATUS_FAILED',
  canceled: 'WORKFLOW_EXECUTION_STATUS_CANCELED',
  terminated: 'WORKFLOW_EXECUTION_STATUS_TERMINATED',
  timedOut: 'WORKFLOW_EXECUTION_STATUS_TIMED_OUT',
  continuedAsNew: 'WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW',
};

/**
 * The request's `namespace` (which must exist) and `execution` (workflowId required, runId optional), as used by
 * the read RPCs.
 */
export function executionRefOf(request: ProtoObject, call: CallContext): ExecutionRef {
  const namespace = requireNamespace(request.namespace);
  if (call.services.namespaces.byName(namespace) === undefined) throw new NamespaceNotFoundError(namespace);
  const execution = request.execution;
  if (execution === undefined || execution === null || typeof execution !== 'object') {
    throw new InvalidArgumentError('execution is required: set execution.workflowId (and optionally execution.runId)');
  }
  const { workflowId, runId } = execution as { workflowId?: unknown; runId?: unknown };
  return {
    namespace,
    workflowId: requireWorkflowId(workflowId, 'execution.workflowId'),
    runId: optionalIdentifier(runId, 'execution.runId'),
  };
}

/** `{executionConfig, workflowExecutionInfo}` of the run. */
export async function describeWorkflowExecution(request: ProtoObject, call: CallContext): Promise<ProtoObject> {
  const engine = requireEngine(call);
  const state = await engine.describeWorkflow(executionRefOf(request, call));
  return { executionConfig: executionConfigOf(state), workflowExecutionInfo: executionInfoOf(state, call) };
}

function executionConfigOf(state: MutableState): ProtoObject {
  const info = state.executionInfo;
  return {
    taskQueue: { name: info.taskQueue, kind: 'TASK_QUEUE_KIND_NORMAL' },
    ...(info.workflowExecutionTimeoutMs > 0
      ? { workflowExecutionTimeout: durationFromMs(info.workflowExecutionTimeoutMs) }
      : {}),
    ...(info.workflowRunTimeoutMs > 0 ? { workflowRunTimeout: durationFromMs(info.workflowRunTimeoutMs) } : {}),
    defaultWorkflowTaskTimeout: durationFromMs(info.workflowTaskTimeoutMs),
  };
}

/** The run's info as List shows it (memo, search attributes, parent and root links included). */
function executionInfoOf(state: MutableState, call: CallContext): ProtoObject {
  return workflowExecutionInfoOf(visibilityRowOf(state), (namespace) => call.services.namespaces.byName(namespace)?.id);
}
