/**
 * WorkflowService/TerminateWorkflowExecution (TEMPORAL-API.md §5.10): WorkflowExecutionTerminated at once, even while
 * a workflow task runs (its completion then gets NOT_FOUND). An unknown or closed run → NOT_FOUND (from the engine).
 * `firstExecutionRunId` is not checked.
 */
import { requireEngine } from '../engine/requireEngine.js';
import type { ProtoObject } from '../proto/protoCodec.js';
import { checkPayloadsSize } from '../validation/payloadSize.js';
import { optionalIdentifier } from '../validation/requestFields.js';
import type { CallContext } from './handlerTypes.js';
import { workflowExecutionRefOf } from './signalWorkflowExecution.js';
import { optionalMessage } from './startRequestMapping.js';

/** The longest `reason` accepted (free text, recorded in history). */
export const reasonCharsMax = 10_000;

/** `{}` once the termination is committed. */
export async function terminateWorkflowExecution(request: ProtoObject, call: CallContext): Promise<ProtoObject> {
  const engine = requireEngine(call);
  const execution = workflowExecutionRefOf(request, call);
  const details = optionalMessage(request.details, 'details');
  checkPayloadsSize(details, 'details', call.logger);
  await engine.terminateWorkflow(execution, {
    identity: optionalIdentifier(request.identity, 'identity'),
    reason: optionalIdentifier(request.reason, 'reason', reasonCharsMax),
    ...(details === undefined ? {} : { details }),
  });
  return {};
}
