/**
 * WorkflowService/RespondQueryTaskCompleted (TEMPORAL-API.md §5.8): a worker's answer to a legacy query task, handed
 * to the QueryWorkflow call waiting for it. `completedType` must be ANSWERED or FAILED; a query that is gone (timed
 * out, its caller left) → NOT_FOUND (from the engine).
 */
import { requireEngine } from '../engine/requireEngine.js';
import { InvalidArgumentError, NamespaceNotFoundError } from '../errors.js';
import type { ProtoObject } from '../proto/protoCodec.js';
import { checkPayloadsSize } from '../validation/payloadSize.js';
import { requireNamespace } from '../validation/requestFields.js';
import type { CallContext } from './handlerTypes.js';
import { requireTaskToken } from './respondWorkflowTaskCompleted.js';
import { optionalMessage } from './startRequestMapping.js';

const completedTypes: ReadonlySet<string> = new Set(['QUERY_RESULT_TYPE_ANSWERED', 'QUERY_RESULT_TYPE_FAILED']);

/** The longest `errorMessage` kept; a longer one is cut to it (it only feeds the QueryFailed error message). */
export const queryErrorMessageCharsMax = 10_000;

/** `{}` once the answer is delivered. */
export async function respondQueryTaskCompleted(request: ProtoObject, call: CallContext): Promise<ProtoObject> {
  const engine = requireEngine(call);
  const namespace = requireNamespace(request.namespace);
  if (call.services.namespaces.byName(namespace) === undefined) throw new NamespaceNotFoundError(namespace);
  const taskToken = requireTaskToken(request.taskToken);
  const completedType = request.completedType;
  if (typeof completedType !== 'string' || !completedTypes.has(completedType)) {
    throw new InvalidArgumentError(
      `completedType ${String(completedType)} is not supported: use QUERY_RESULT_TYPE_ANSWERED or QUERY_RESULT_TYPE_FAILED`
    );
  }
  const queryResult = optionalMessage(request.queryResult, 'queryResult');
  checkPayloadsSize(queryResult, 'queryResult', call.logger);
  const failure = optionalMessage(request.failure, 'failure');
  const errorMessage = request.errorMessage ?? '';
  if (typeof errorMessage !== 'string') throw new InvalidArgumentError('errorMessage must be a string');
  await engine.respondQueryTask(namespace, taskToken, {
    completedType,
    errorMessage: errorMessage.slice(0, queryErrorMessageCharsMax),
    ...(queryResult === undefined ? {} : { queryResult }),
    ...(failure === undefined ? {} : { failure }),
  });
  return {};
}
