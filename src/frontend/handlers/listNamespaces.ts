/**
 * WorkflowService/ListNamespaces: pages through the registry in name order. The page token is the name of the last
 * namespace returned, so pages stay correct when namespaces are added between calls.
 */
import { describeNamespaceResponse } from '../namespaces/namespaceResponse.js';
import type { ProtoObject } from '../proto/protoCodec.js';
import { listPageSizeMax } from '../validation/limits.js';
import { optionalBytes, optionalNonNegativeInt } from '../validation/requestFields.js';
import type { CallContext } from './handlerTypes.js';

/** Page size when the request leaves `pageSize` unset or 0 (Temporal's default). */
export const listNamespacesPageSizeDefault = 100;

/** `{namespaces, nextPageToken}`; the token is set only when more namespaces follow. */
export async function listNamespaces(request: ProtoObject, call: CallContext): Promise<ProtoObject> {
  const requested = optionalNonNegativeInt(request.pageSize, 'pageSize', 0);
  const pageSize = Math.min(requested === 0 ? listNamespacesPageSizeDefault : requested, listPageSizeMax);
  const afterName = optionalBytes(request.nextPageToken, 'nextPageToken').toString('utf8');
  const all = call.services.namespaces.list();
  const start = afterName === '' ? 0 : all.findIndex((record) => record.name > afterName);
  const page = start < 0 ? [] : all.slice(start, start + pageSize);
  const last = page[page.length - 1];
  const hasMore = start >= 0 && start + pageSize < all.length && last !== undefined;
  return {
    namespaces: page.map(describeNamespaceResponse),
    ...(hasMore ? { nextPageToken: Buffer.from(last.name, 'utf8') } : {}),
  };
}
