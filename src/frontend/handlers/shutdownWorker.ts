/**
 * WorkflowService/ShutdownWorker: a worker announces it stops (and drops its sticky queue). Cairn's dev path keeps
 * no sticky queues (§5.6), so there is nothing to release: `{}`.
 */
import type { ProtoObject } from '../proto/protoCodec.js';
import { requireNamespace } from '../validation/requestFields.js';

/** `{}`: the request is only checked for a namespace. */
export function shutdownWorker(request: ProtoObject): Promise<ProtoObject> {
  requireNamespace(request.namespace);
  return Promise.resolve({});
}
