/**
 * Client requests addressed to a run by workflow id (TEMPORAL-API.md §5.8, §5.10): signal, request-cancel,
 * terminate, reset-sticky. An empty runId means the workflow id's current run; a closed run answers NOT_FOUND.
 * When the current run is replaced between resolving it and committing (continue-as-new), the request is
 * re-resolved once.
 */
import type { MutableState } from '../../actors/mutableState/mutableState.js';
import type { RunRef } from '../../actors/runStore/runKeys.js';
import { loadCurrentRun } from '../../actors/runStore/runStore.js';
import { StaleTaskError, WorkflowClosedError } from '../../actors/workflowTask/errors.js';
import type { TransitionContext, TransitionResult } from '../../actors/workflowTask/transition.js';
import { NotFoundError } from '../errors.js';
import type { EngineContext } from './engineContext.js';
import { commitRunTransition } from './runCommitter.js';
import type { ExecutionRef } from './workflowEngine.js';

/** A transition a client request runs on the resolved run. */
export type RequestTransition = (state: MutableState, context: TransitionContext) => TransitionResult | null;

/** The run `execution` names: itself, or the workflow id's current run when its runId is empty. */
export async function resolveRun(context: EngineContext, execution: ExecutionRef): Promise<RunRef> {
  if (execution.runId !== '') return execution;
  const shard = context.runtime.shard(context.runtime.shardOf(execution.namespace, execution.workflowId));
  const pointer = await shard.read((view) => loadCurrentRun(view, execution.namespace, execution.workflowId));
  if (pointer === null) throw executionNotFound(execution);
  return { namespace: execution.namespace, workflowId: execution.workflowId, runId: pointer.value.runId };
}

/** Runs `transition` on the run `execution` names; NOT_FOUND if it does not exist or is closed. */
export async function commitOnExecution(
  context: EngineContext,
  execution: ExecutionRef,
  transition: RequestTransition
): Promise<MutableState> {
  for (let attempt = 1; ; attempt++) {
    const run = await resolveRun(context, execution);
    try {
      const outcome = await commitRunTransition(context, run, transition);
      if (outcome.kind === 'missing') throw executionNotFound(execution);
      return outcome.kind === 'committed' ? outcome.result.state : outcome.state;
    } catch (error) {
      const closed = error instanceof WorkflowClosedError || error instanceof StaleTaskError;
      if (closed && execution.runId === '' && attempt === 1) continue; // the current run moved on: once more
      if (closed) throw new NotFoundError(`workflow execution already completed: ${error.message}`);
      throw error;
    }
  }
}

/** NOT_FOUND naming the execution. */
export function executionNotFound(execution: ExecutionRef): NotFoundError {
  const run = execution.runId === '' ? '' : ` with runId ${execution.runId}`;
  return new NotFoundError(
    `workflow execution not found: workflowId ${execution.workflowId}${run} in namespace ${execution.namespace}`
  );
}
