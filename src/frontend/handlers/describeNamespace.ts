/**
 * WorkflowService/DescribeNamespace: the worker calls it twice after bundling and fails on NOT_FOUND
 * (TEMPORAL-API.md §2). Looks up by `namespace`, or by `id` when the name is unset.
 */
import { InvalidArgumentError, NamespaceNotFoundError } from '../errors.js';
import { describeNamespaceResponse } from '../namespaces/namespaceResponse.js';
import type { ProtoObject } from '../proto/protoCodec.js';
import { optionalIdentifier } from '../validation/requestFields.js';
import type { CallContext } from './handlerTypes.js';

/** `{namespaceInfo, config, isGlobalNamespace}` for the namespace named (or with the id) in the request. */
export async function describeNamespace(request: ProtoObject, call: CallContext): Promise<ProtoObject> {
  const name = optionalIdentifier(request.namespace, 'namespace');
  const id = optionalIdentifier(request.id, 'id');
  if (name === '' && id === '') {
    throw new InvalidArgumentError('namespace is required: set namespace (the name) or id');
  }
  const registry = call.services.namespaces;
  const record = name !== '' ? registry.byName(name) : registry.byId(id);
  if (record === undefined) {
    throw new NamespaceNotFoundError(name !== '' ? name : id);
  }
  return describeNamespaceResponse(record);
}
