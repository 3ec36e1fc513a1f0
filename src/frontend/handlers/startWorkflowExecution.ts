/**
 * WorkflowService/StartWorkflowExecution (TEMPORAL-API.md §2, §9): validates the request, applies Temporal's
 * timeout defaults, and asks the engine to start the run on the workflow id's shard.
 *
 * Answers: a new run, a retried requestId or USE_EXISTING → `{runId, started}`; the id running under conflict policy
 * FAIL (or a reuse policy refusing it) → ALREADY_EXISTS with `WorkflowExecutionAlreadyStartedFailure`; a request the
 * engine refuses → INVALID_ARGUMENT naming the field. Without an engine (a frontend-only server) it answers
 * UNIMPLEMENTED, as before the engine existed. The request mapping is shared with SignalWithStart
 * (./startRequestMapping.ts).
 */
import { NamespaceNotFoundError } from '../errors.js';
import { requireEngine } from '../engine/requireEngine.js';
import type { ProtoObject } from '../proto/protoCodec.js';
import { requireNamespace } from '../validation/requestFields.js';
import type { CallContext } from './handlerTypes.js';
import { startRequestOf, startResponse } from './startRequestMapping.js';

export { WORKFLOW_TASK_TIMEOUT_DEFAULT_MS, WORKFLOW_TASK_TIMEOUT_MAX_MS } from './startRequestMapping.js';

/** `{runId, started}`, or the errors described above. */
export async function startWorkflowExecution(request: ProtoObject, call: CallContext): Promise<ProtoObject> {
  const engine = requireEngine(call);
  const namespace = requireNamespace(request.namespace);
  if (call.services.namespaces.byName(namespace) === undefined) throw new NamespaceNotFoundError(namespace);
  const start = startRequestOf(request, namespace, call);
  return startResponse(await engine.startWorkflow(start), start);
}
