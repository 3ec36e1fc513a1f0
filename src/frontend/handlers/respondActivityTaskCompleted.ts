/**
 * WorkflowService/RespondActivityTaskCompleted (TEMPORAL-API.md §5.4): completes the activity attempt its token names
 * (committed: ActivityTaskStarted + ActivityTaskCompleted, buffered while a workflow task runs). A malformed token →
 * INVALID_ARGUMENT; a stale attempt or a closed run → NOT_FOUND (the engine's errors pass through). Also the shared
 * path of the other token-based activity answers (failed, canceled, heartbeat).
 */
import type { ActivityTaskResponse } from '../engine/workflowEngine.js';
import { requireEngine } from '../engine/requireEngine.js';
import { NamespaceNotFoundError } from '../errors.js';
import type { ProtoObject } from '../proto/protoCodec.js';
import { checkPayloadsSize } from '../validation/payloadSize.js';
import { optionalIdentifier, requireNamespace } from '../validation/requestFields.js';
import type { CallContext } from './handlerTypes.js';
import { requireTaskToken } from './respondWorkflowTaskCompleted.js';
import { optionalMessage } from './startRequestMapping.js';

/** `{}` once the completion is committed. */
export async function respondActivityTaskCompleted(request: ProtoObject, call: CallContext): Promise<ProtoObject> {
  const result = optionalMessage(request.result, 'result');
  checkPayloadsSize(result, 'result', call.logger);
  const identity = optionalIdentifier(request.identity, 'identity');
  await respondActivityByToken(request, call, {
    kind: 'completed',
    identity,
    ...(result === undefined ? {} : { result }),
  });
  return {};
}

/**
 * Checks the request's namespace and task token and hands `response` to the engine; resolves to the engine's
 * `cancelRequested`. `response` is built by the caller, which validated its fields first.
 */
export async function respondActivityByToken(
  request: ProtoObject,
  call: CallContext,
  response: ActivityTaskResponse
): Promise<boolean> {
  const engine = requireEngine(call);
  const namespace = requireNamespace(request.namespace);
  if (call.services.namespaces.byName(namespace) === undefined) throw new NamespaceNotFoundError(namespace);
  const taskToken = requireTaskToken(request.taskToken);
  return engine.respondActivityTask(namespace, taskToken, response);
}
