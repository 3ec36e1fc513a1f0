/**
 * QueryWorkflow through legacy query tasks (TEMPORAL-API.md §5.8): the query waits until the run has no workflow
 * task in flight (so the worker answers from a settled state), then goes to the run's sticky queue (its cached
 * worker) or, after the sticky schedule-to-start timeout or for a closed run, to the normal queue with the full
 * history. The answer comes back through RespondQueryTaskCompleted. Queries change nothing and are not replicated.
 */
import type { MutableState } from '../../actors/mutableState/mutableState.js';
import type { RunRef } from '../../actors/runStore/runKeys.js';
import { loadMutableState } from '../../actors/runStore/runStore.js';
import { workflowExecutionStatusNames } from '../handlers/describeWorkflowExecution.js';
import { DeadlineExceededError, InvalidArgumentError, NotFoundError } from '../errors.js';
import type { EngineContext } from './engineContext.js';
import { executionNotFound, resolveRun } from './runRequests.js';
import { decodeTaskTokenFor } from './workflowTasks.js';
import type { QueryOutcome, QueryRequest, QueryTaskAnswer } from './workflowEngine.js';

/** Reads the run's committed state (linearizable); NOT_FOUND if it does not exist. */
async function readRun(context: EngineContext, run: RunRef): Promise<MutableState> {
  const shard = context.runtime.shard(context.runtime.shardOf(run.namespace, run.workflowId));
  const stored = await shard.read((view) => loadMutableState(view, run));
  if (stored === null) throw executionNotFound(run);
  return stored.value;
}

/** `queryRejectCondition` against the run's status: the status to report, or null to run the query. */
function rejection(state: MutableState, condition: string): string | null {
  if (state.closeState === null) return null;
  const status = workflowExecutionStatusNames[state.status];
  if (condition === 'QUERY_REJECT_CONDITION_NOT_OPEN') return status;
  if (condition === 'QUERY_REJECT_CONDITION_NOT_COMPLETED_CLEANLY' && state.status !== 'completed') return status;
  return null;
}

/** Runs a query through a worker; DEADLINE_EXCEEDED when no worker answers within `waitMs`. */
export async function queryWorkflow(context: EngineContext, request: QueryRequest): Promise<QueryOutcome> {
  const deadlineMs = context.clockMs() + request.waitMs;
  const run = await resolveRun(context, request.execution);
  let state = await readRun(context, run);
  const rejectedStatus = rejection(state, request.rejectCondition);
  if (rejectedStatus !== null) return { kind: 'rejected', status: rejectedStatus };
  while (state.closeState === null && state.workflowTask.phase !== 'none') {
    const remainingMs = deadlineMs - context.clockMs();
    if (remainingMs <= 0 || request.signal.aborted) throw noAnswer(run);
    await context.watchers.waitForChange(run, remainingMs, request.signal);
    state = await readRun(context, run);
  }
  return dispatchQuery(context, run, state, request, deadlineMs);
}

async function dispatchQuery(
  context: EngineContext,
  run: RunRef,
  state: MutableState,
  request: QueryRequest,
  deadlineMs: number
): Promise<QueryOutcome> {
  const { queryId, answered } = context.queries.register(run, request.query);
  const stickiness = state.closeState === null ? state.stickiness : null;
  const normalQueue = state.executionInfo.taskQueue;
  const offer = (queue: string, sticky: boolean): void =>
    context.workflowQueues.offer(run.namespace, 'workflow', queue, { kind: 'query', queryId, run, sticky });
  let fallback: NodeJS.Timeout | undefined;
  if (stickiness !== null) {
    offer(stickiness.stickyTaskQueue, true);
    fallback = setTimeout(() => {
      if (context.queries.isUnclaimed(queryId)) offer(normalQueue, false);
    }, stickiness.scheduleToStartTimeoutMs);
  } else {
    offer(normalQueue, false);
  }
  let expiry: NodeJS.Timeout | undefined;
  const expired = new Promise<null>((resolve) => {
    expiry = setTimeout(() => resolve(null), Math.max(0, deadlineMs - context.clockMs()));
    request.signal.addEventListener('abort', () => resolve(null), { once: true });
  });
  try {
    const outcome = await Promise.race([answered, expired]);
    if (outcome === null) throw noAnswer(run);
    return outcome;
  } finally {
    clearTimeout(fallback);
    clearTimeout(expiry);
    context.queries.drop(queryId);
  }
}

function noAnswer(run: RunRef): DeadlineExceededError {
  return new DeadlineExceededError(
    `no worker answered the query of ${run.workflowId}/${run.runId} in time: is a worker polling its task queue?`
  );
}

/** Delivers a worker's answer to the query its token names. */
export function respondQueryTask(
  context: EngineContext,
  namespace: string,
  tokenBytes: Uint8Array,
  answer: QueryTaskAnswer
): void {
  const token = decodeTaskTokenFor(namespace, tokenBytes);
  if (token.queryId === undefined) {
    throw new InvalidArgumentError(
      'taskToken is not a query task token: answer workflow tasks with RespondWorkflowTask*'
    );
  }
  const outcome: QueryOutcome =
    answer.completedType === 'QUERY_RESULT_TYPE_ANSWERED'
      ? { kind: 'answered', ...(answer.queryResult === undefined ? {} : { result: answer.queryResult }) }
      : {
          kind: 'failed',
          errorMessage: answer.errorMessage,
          ...(answer.failure === undefined ? {} : { failure: answer.failure }),
        };
  if (!context.queries.answer(token.queryId, outcome)) {
    throw new NotFoundError(`query ${token.queryId} is no longer waiting (answered or timed out)`);
  }
}
