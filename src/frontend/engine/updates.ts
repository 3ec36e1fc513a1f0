/**
 * Workflow updates on the host (TEMPORAL-API.md §5.9): UpdateWorkflowExecution admits the update through the run
 * actor (a known updateId is found, not admitted twice), then long-polls the run until the update reaches the
 * asked stage or the wait ends, answering the CURRENT stage either way (the client repeats below ACCEPTED and then
 * polls PollWorkflowExecutionUpdate). A run that closes before the update completes answers NOT_FOUND.
 */
import { admitUpdate, UpdateLimitError, updateIdOf } from '../../actors/updates/admitUpdate.js';
import { updateOutcomeOf, updateStageOf } from '../../actors/updates/updateStatus.js';
import type { MutableState } from '../../actors/mutableState/mutableState.js';
import type { RunRef } from '../../actors/runStore/runKeys.js';
import { loadMutableState } from '../../actors/runStore/runStore.js';
import { InvalidTransitionInputError } from '../../actors/workflowTask/errors.js';
import { InvalidArgumentError, NotFoundError, ResourceExhaustedError } from '../errors.js';
import type { EngineContext } from './engineContext.js';
import { commitOnExecution, executionNotFound, resolveRun } from './runRequests.js';
import type { ExecutionRef, UpdateRequest, UpdateStage, UpdateStatus } from './workflowEngine.js';

/** Admits (or finds) the update and waits for its stage. */
export async function updateWorkflow(context: EngineContext, request: UpdateRequest): Promise<UpdateStatus> {
  const deadlineMs = context.clockMs() + request.waitMs;
  let updateId: string;
  try {
    updateId = updateIdOf(request.request);
  } catch (error) {
    if (error instanceof InvalidTransitionInputError) throw new InvalidArgumentError(error.message);
    throw error;
  }
  let state: MutableState;
  try {
    state = await commitOnExecution(context, request.execution, (current, transitionContext) =>
      admitUpdate(current, { request: request.request }, transitionContext)
    );
  } catch (error) {
    if (error instanceof UpdateLimitError) {
      throw new ResourceExhaustedError(error.message, 'RESOURCE_EXHAUSTED_CAUSE_CONCURRENT_LIMIT');
    }
    throw error;
  }
  return waitForStage(context, runOf(state), updateId, request.waitStage, deadlineMs, request.signal);
}

/** Waits for a known update's stage. */
export async function pollWorkflowUpdate(
  context: EngineContext,
  execution: ExecutionRef,
  updateId: string,
  waitStage: UpdateStage,
  waitMs: number,
  signal: AbortSignal
): Promise<UpdateStatus> {
  const run = await resolveRun(context, execution);
  return waitForStage(context, run, updateId, waitStage, context.clockMs() + waitMs, signal);
}

async function waitForStage(
  context: EngineContext,
  run: RunRef,
  updateId: string,
  waitStage: UpdateStage,
  deadlineMs: number,
  signal: AbortSignal
): Promise<UpdateStatus> {
  for (;;) {
    const state = await readRun(context, run);
    const info = Object.hasOwn(state.updates, updateId) ? state.updates[updateId] : undefined;
    if (info === undefined) {
      throw new NotFoundError(`update ${updateId} not found on workflow ${run.workflowId}/${run.runId}`);
    }
    const stage = updateStageOf(info);
    if (stage < 3 && state.closeState !== null) {
      throw new NotFoundError(`workflow execution already completed before update ${updateId} completed`);
    }
    const remainingMs = deadlineMs - context.clockMs();
    if (stage >= waitStage || remainingMs <= 0 || signal.aborted) {
      const outcome = updateOutcomeOf(info);
      return { execution: run, updateId, stage, ...(outcome === undefined ? {} : { outcome }) };
    }
    await context.watchers.waitForChange(run, remainingMs, signal);
  }
}

async function readRun(context: EngineContext, run: RunRef): Promise<MutableState> {
  const shard = context.runtime.shard(context.runtime.shardOf(run.namespace, run.workflowId));
  const stored = await shard.read((view) => loadMutableState(view, run));
  if (stored === null) throw executionNotFound(run);
  return stored.value;
}

function runOf(state: MutableState): RunRef {
  const { namespace, workflowId, runId } = state.executionInfo;
  return { namespace, workflowId, runId };
}
