/**
 * WorkflowService/SignalWithStartWorkflowExecution (TEMPORAL-API.md §5.8): signals the workflow id's running run
 * (`started: false`), or starts one whose history opens `1 Started, 2 Signaled, 3 WorkflowTaskScheduled`
 * (`started: true`). The start fields are validated as StartWorkflowExecution's (./startRequestMapping.ts); a
 * missing requestId gets a fresh one here, since the SDK's is optional for this RPC.
 */
import { randomUUID } from 'node:crypto';
import { requireEngine } from '../engine/requireEngine.js';
import { NamespaceNotFoundError } from '../errors.js';
import type { ProtoObject } from '../proto/protoCodec.js';
import { requireNamespace } from '../validation/requestFields.js';
import type { CallContext } from './handlerTypes.js';
import { signalInputOf } from './signalWorkflowExecution.js';
import { startRequestOf, startResponse } from './startRequestMapping.js';

/** `{runId, started}`, or the start's errors (ALREADY_EXISTS, INVALID_ARGUMENT). */
export async function signalWithStartWorkflowExecution(request: ProtoObject, call: CallContext): Promise<ProtoObject> {
  const engine = requireEngine(call);
  const namespace = requireNamespace(request.namespace);
  if (call.services.namespaces.byName(namespace) === undefined) throw new NamespaceNotFoundError(namespace);
  const start = startRequestOf(request, namespace, call, randomUUID());
  const signal = { ...signalInputOf(request, 'signalInput', call), requestId: start.requestId };
  return startResponse(await engine.signalWithStart(start, signal), start);
}
