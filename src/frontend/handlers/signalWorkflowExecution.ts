/**
 * WorkflowService/SignalWorkflowExecution (TEMPORAL-API.md §5.8): delivers a signal to the named run (an empty runId
 * means the workflow id's current run): WorkflowExecutionSignaled, buffered while a workflow task runs, and a
 * workflow task. A closed or unknown run → NOT_FOUND; a retried requestId is accepted without a second event.
 */
import type { SignalWorkflowInput } from '../../actors/workflowTask/signalWorkflow.js';
import { requireEngine } from '../engine/requireEngine.js';
import type { ExecutionRef } from '../engine/workflowEngine.js';
import { InvalidArgumentError, NamespaceNotFoundError } from '../errors.js';
import type { ProtoObject } from '../proto/protoCodec.js';
import { checkPayloadsSize } from '../validation/payloadSize.js';
import {
  optionalIdentifier,
  requireIdentifier,
  requireNamespace,
  requireWorkflowId,
} from '../validation/requestFields.js';
import type { CallContext } from './handlerTypes.js';
import { optionalMessage } from './startRequestMapping.js';

/** `{}` once the signal is committed. */
export async function signalWorkflowExecution(request: ProtoObject, call: CallContext): Promise<ProtoObject> {
  const engine = requireEngine(call);
  const execution = workflowExecutionRefOf(request, call);
  const signal = signalInputOf(request, 'input', call);
  await engine.signalWorkflow(execution, signal);
  return {};
}

/**
 * The request's `namespace` (which must exist) and `workflowExecution` (workflowId required, runId optional), as the
 * write RPCs name their run (Signal, RequestCancel, Terminate).
 */
export function workflowExecutionRefOf(request: ProtoObject, call: CallContext): ExecutionRef {
  const namespace = requireNamespace(request.namespace);
  if (call.services.namespaces.byName(namespace) === undefined) throw new NamespaceNotFoundError(namespace);
  const execution = request.workflowExecution;
  if (execution === undefined || execution === null || typeof execution !== 'object') {
    throw new InvalidArgumentError(
      'workflowExecution is required: set workflowExecution.workflowId (and optionally workflowExecution.runId)'
    );
  }
  const { workflowId, runId } = execution as { workflowId?: unknown; runId?: unknown };
  return {
    namespace,
    workflowId: requireWorkflowId(workflowId, 'workflowExecution.workflowId'),
    runId: optionalIdentifier(runId, 'workflowExecution.runId'),
  };
}

/**
 * The signal of a Signal or SignalWithStart request: `signalName` (required), the payloads in `inputField`, header,
 * identity and requestId ('' when unset: no deduplication).
 */
export function signalInputOf(request: ProtoObject, inputField: string, call: CallContext): SignalWorkflowInput {
  const signalName = requireIdentifier(request.signalName, 'signalName');
  const input = optionalMessage(request[inputField], inputField);
  checkPayloadsSize(input, inputField, call.logger);
  const header = optionalMessage(request.header, 'header');
  return {
    signalName,
    ...(input === undefined ? {} : { input }),
    ...(header === undefined ? {} : { header }),
    identity: optionalIdentifier(request.identity, 'identity'),
    requestId: optionalIdentifier(request.requestId, 'requestId'),
  };
}
