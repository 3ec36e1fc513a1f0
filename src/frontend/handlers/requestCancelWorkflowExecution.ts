/**
 * WorkflowService/RequestCancelWorkflowExecution (TEMPORAL-API.md §5.10): WorkflowExecutionCancelRequested and a
 * workflow task; the workflow code decides what cancelling means. A second request is a no-op; an unknown or
 * closed run → NOT_FOUND (from the engine).
 */
import { requireEngine } from '../engine/requireEngine.js';
import type { ProtoObject } from '../proto/protoCodec.js';
import { optionalIdentifier } from '../validation/requestFields.js';
import { reasonCharsMax } from './terminateWorkflowExecution.js';
import type { CallContext } from './handlerTypes.js';
import { workflowExecutionRefOf } from './signalWorkflowExecution.js';

/** `{}` once the cancel request is committed. */
export async function requestCancelWorkflowExecution(request: ProtoObject, call: CallContext): Promise<ProtoObject> {
  const engine = requireEngine(call);
  const execution = workflowExecutionRefOf(request, call);
  await engine.requestCancelWorkflow(execution, {
    identity: optionalIdentifier(request.identity, 'identity'),
    reason: optionalIdentifier(request.reason, 'reason', reasonCharsMax),
    requestId: optionalIdentifier(request.requestId, 'requestId'),
  });
  return {};
}
