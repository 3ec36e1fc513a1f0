/** The engine a handler needs, from the call's services. */
import { UnimplementedError } from '../errors.js';
import type { CallContext } from '../handlers/handlerTypes.js';
import type { WorkflowEngine } from './workflowEngine.js';

/**
 * The call's engine, or UNIMPLEMENTED naming the RPC when this frontend runs without one (a frontend-only server
 * answers engine RPCs exactly as it did before the engine existed).
 */
export function requireEngine(call: CallContext): WorkflowEngine {
  const engine = call.services.engine;
  if (engine === undefined) throw new UnimplementedError(call.rpcName);
  return engine;
}
