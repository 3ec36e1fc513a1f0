/**
 * StartWorkflowExecution on a shard: read the workflow id's state (linearizable), evaluate, propose, and on a
 * precondition conflict (a concurrent start or close won the race) read again and re-evaluate, a bounded number of
 * times. A start retried with its requestId, even concurrently, is answered by the shard's dedup with the first
 * run id.
 */
import type { ShardCommand } from '../../shard/apply/shardCommand.js';
import type { ShardOutcome } from '../../shard/pendingProposals.js';
import { loadCurrentRun, loadMutableState } from '../runStore/runStore.js';
import type { RunReadView } from '../runStore/runStore.js';
import { decodeVersionedRunValue } from '../runStore/runValues.js';
import { evaluateStart } from './evaluateStart.js';
import type { StartEvaluation, StartOutcome, StartReadState } from './evaluateStart.js';
import type { StartInputs, StartRequest } from './startRequest.js';

/** Evaluations per call before giving up with {@link StartContentionError}. */
export const START_ATTEMPTS_MAX = 5;

/** The part of a shard this needs (`Shard` has it). */
export interface StartShard {
  read<T>(fn: (view: RunReadView) => Promise<T> | T): Promise<T>;
  propose(command: ShardCommand): Promise<ShardOutcome>;
}

/** The part of the runtime this needs (`ShardRuntime` has it). */
export interface StartRuntime {
  shardOf(namespace: string, workflowId: string): number;
  shard(shardId: number): StartShard;
}

/** Every attempt met a conflicting concurrent write: retryable (RESOURCE_EXHAUSTED / UNAVAILABLE to the client). */
export class StartContentionError extends Error {
  constructor(
    readonly workflowId: string,
    readonly attempts: number
  ) {
    super(`start of workflow ${workflowId} conflicted with concurrent writes ${attempts} times: retry later`);
    this.name = 'StartContentionError';
  }
}

/** The answer to the client; a `started` run may be the first one of a retried requestId (`deduplicated`). */
export type StartResult =
  | { readonly kind: 'started'; readonly runId: string; readonly deduplicated: boolean }
  | Exclude<StartEvaluation, { kind: 'start' } | { kind: 'duplicate' }>;

/** The workflow id's pointer and current run, as of one linearizable read. */
export async function loadStartState(
  view: RunReadView,
  namespace: string,
  workflowId: string
): Promise<StartReadState> {
  const pointer = await loadCurrentRun(view, namespace, workflowId);
  if (pointer === null) return { pointer, current: null };
  const current = await loadMutableState(view, { namespace, workflowId, runId: pointer.value.runId });
  return { pointer, current };
}

/** Starts `request` on its shard; `inputs` (run id, time, task ids) are reused by every re-evaluation. */
export async function startWorkflowOnShard(
  runtime: StartRuntime,
  request: StartRequest,
  inputs: StartInputs
): Promise<StartResult> {
  const shard = runtime.shard(runtime.shardOf(request.namespace, request.workflowId));
  for (let attempt = 1; attempt <= START_ATTEMPTS_MAX; attempt++) {
    const read = await shard.read((view) => loadStartState(view, request.namespace, request.workflowId));
    const evaluation = evaluateStart(request, read, inputs);
    if (evaluation.kind === 'duplicate') return { kind: 'started', runId: evaluation.runId, deduplicated: true };
    if (evaluation.kind !== 'start') return evaluation;
    const applied = await shard.propose(evaluation.command);
    if (applied.outcome === 'applied') return { kind: 'started', runId: evaluation.runId, deduplicated: false };
    if (applied.outcome === 'duplicate') {
      const first = decodeVersionedRunValue<StartOutcome>(applied.result, 'start outcome');
      return { kind: 'started', runId: first.runId, deduplicated: true };
    }
  }
  throw new StartContentionError(request.workflowId, START_ATTEMPTS_MAX);
}
