/**
 * WorkflowService/ListWorkflowExecutions (ARCHITECTURE.md §5, Visibility): one page of the namespace's runs matching
 * `query` (Temporal's list filter, see actors/visibility/visibilityQuery.ts), newest StartTime first unless the
 * query orders otherwise. `pageSize` 0 or unset is {@link LIST_EXECUTIONS_PAGE_SIZE_DEFAULT}; larger than
 * {@link listPageSizeMax} is clamped. The query and the page token are checked here, before the engine fans out,
 * so a bad one is INVALID_ARGUMENT whatever engine serves the call.
 */
import { requireEngine } from '../engine/requireEngine.js';
import { decodeVisibilityPageToken, parseVisibilityQueryFor } from '../engine/visibilityScan.js';
import { NamespaceNotFoundError } from '../errors.js';
import type { ProtoObject } from '../proto/protoCodec.js';
import { listPageSizeMax } from '../validation/limits.js';
import { optionalBytes, optionalNonNegativeInt, requireNamespace } from '../validation/requestFields.js';
import type { CallContext } from './handlerTypes.js';
import { workflowExecutionInfoOf } from './workflowExecutionInfo.js';

/** Executions per page when the request leaves `pageSize` unset or 0. */
export const LIST_EXECUTIONS_PAGE_SIZE_DEFAULT = 100;

/** `{executions, nextPageToken?}`; the token is set only when more executions may follow. */
export async function listWorkflowExecutions(request: ProtoObject, call: CallContext): Promise<ProtoObject> {
  const engine = requireEngine(call);
  const namespace = requireNamespace(request.namespace);
  if (call.services.namespaces.byName(namespace) === undefined) throw new NamespaceNotFoundError(namespace);
  const query = typeof request.query === 'string' ? request.query : '';
  const parsed = parseVisibilityQueryFor(query, 'list');
  const requested = optionalNonNegativeInt(request.pageSize, 'pageSize', 0);
  const pageSize = Math.min(requested === 0 ? LIST_EXECUTIONS_PAGE_SIZE_DEFAULT : requested, listPageSizeMax);
  const token = optionalBytes(request.nextPageToken, 'nextPageToken');
  if (token.length > 0) decodeVisibilityPageToken(token, parsed.orderBy);
  const page = await engine.listWorkflowExecutions({ namespace, query }, pageSize, token);
  const namespaceIdOf = (name: string): string | undefined => call.services.namespaces.byName(name)?.id;
  return {
    executions: page.rows.map((row) => workflowExecutionInfoOf(row, namespaceIdOf)),
    ...(page.nextPageToken.length === 0 ? {} : { nextPageToken: Buffer.from(page.nextPageToken) }),
  };
}
