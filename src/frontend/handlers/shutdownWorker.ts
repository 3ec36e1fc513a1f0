/**
 * WorkflowService/ShutdownWorker (TEMPORAL-API.md §2, §5.6): a worker announces it stops and drops its sticky queue;
 * the engine moves that queue's tasks to the normal queue at once, so no run waits out a sticky timeout. `{}`.
 */
import { requireEngine } from '../engine/requireEngine.js';
import { NamespaceNotFoundError } from '../errors.js';
import type { ProtoObject } from '../proto/protoCodec.js';
import { optionalIdentifier, requireNamespace } from '../validation/requestFields.js';
import type { CallContext } from './handlerTypes.js';

/** `{}` once the worker's sticky queue (if it names one) is released. */
export async function shutdownWorker(request: ProtoObject, call: CallContext): Promise<ProtoObject> {
  const engine = requireEngine(call);
  const namespace = requireNamespace(request.namespace);
  if (call.services.namespaces.byName(namespace) === undefined) throw new NamespaceNotFoundError(namespace);
  const stickyTaskQueue = optionalIdentifier(request.stickyTaskQueue, 'stickyTaskQueue');
  if (stickyTaskQueue !== '') await engine.shutdownStickyQueue(namespace, stickyTaskQueue);
  return {};
}
