/**
 * WorkflowService/ResetStickyTaskQueue (TEMPORAL-API.md §3, §5.6): clears the run's sticky queue, so its next
 * workflow task goes to the normal queue with the full history. Unknown run → NOT_FOUND (from the engine).
 */
import { requireEngine } from '../engine/requireEngine.js';
import type { ProtoObject } from '../proto/protoCodec.js';
import { executionRefOf } from './describeWorkflowExecution.js';
import type { CallContext } from './handlerTypes.js';

/** `{}` once the run's stickiness is cleared. */
export async function resetStickyTaskQueue(request: ProtoObject, call: CallContext): Promise<ProtoObject> {
  const engine = requireEngine(call);
  await engine.resetStickyTaskQueue(executionRefOf(request, call));
  return {};
}
