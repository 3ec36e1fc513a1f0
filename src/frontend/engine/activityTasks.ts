/**
 * Activity tasks (TEMPORAL-API.md §4, §5.4): a poll takes an attempt hint from its queue, commits the attempt's
 * start through the run actor (no event: retries leave no trace) and only then answers; completions, failures,
 * cancellations and heartbeats name the attempt by task token (or by activity id) and run their transition
 * through the run actor. A token for an attempt that is no longer current, or of a closed run, answers NOT_FOUND,
 * which makes the worker drop (and a heartbeating activity cancel) the task.
 */
import { randomUUID } from 'node:crypto';
import { heartbeatActivityTask, isActivityCancelRequested } from '../../actors/activities/heartbeatActivityTask.js';
import { ActivityNotCancelRequestedError, respondActivityTask } from '../../actors/activities/respondActivityTask.js';
import { startActivityTask } from '../../actors/activities/startActivityTask.js';
import type { MutableState } from '../../actors/mutableState/mutableState.js';
import type { RunRef } from '../../actors/runStore/runKeys.js';
import { loadMutableState } from '../../actors/runStore/runStore.js';
import { encodeTaskToken } from '../../actors/tokens/taskToken.js';
import { StaleTaskError, WorkflowClosedError } from '../../actors/workflowTask/errors.js';
import type { TransitionContext, TransitionResult } from '../../actors/workflowTask/transition.js';
import { FailedPreconditionError, NotFoundError } from '../errors.js';
import type { ActivityQueueEntry, EngineContext } from './engineContext.js';
import { commitRunTransition, shardOfRun } from './runCommitter.js';
import { resolveRun } from './runRequests.js';
import type { ActivityRef, ActivityTaskPoll, ActivityTaskResponse, PolledActivityTask } from './workflowEngine.js';
import { decodeTaskTokenFor } from './workflowTasks.js';

/** Waits for an activity attempt on the poll's queue and starts it; null when the wait ends without one. */
export async function pollActivityTask(
  context: EngineContext,
  poll: ActivityTaskPoll
): Promise<PolledActivityTask | null> {
  const deadlineMs = context.clockMs() + poll.waitMs;
  for (;;) {
    const waitMs = deadlineMs - context.clockMs();
    if (waitMs <= 0) return null;
    const entry = await context.activityQueues.take(poll.namespace, 'activity', poll.taskQueue, waitMs, poll.signal);
    if (entry === null) return null;
    if (poll.signal.aborted) {
      context.activityQueues.offer(poll.namespace, 'activity', poll.taskQueue, entry);
      return null;
    }
    const polled = await startQueuedAttempt(context, entry, poll.identity);
    if (polled !== null) return polled;
  }
}

/** Commits the hinted attempt's start; null when the hint was stale. */
async function startQueuedAttempt(
  context: EngineContext,
  entry: ActivityQueueEntry,
  identity: string
): Promise<PolledActivityTask | null> {
  const requestId = randomUUID();
  const ref = { scheduledEventId: entry.scheduledEventId, attempt: entry.attempt };
  const outcome = await commitRunTransition(context, entry.run, (state, transitionContext) =>
    staleAsNull(() => startActivityTask(state, { ...ref, requestId, identity }, transitionContext))
  );
  if (outcome.kind !== 'committed') return null;
  const state = outcome.result.state;
  const activity = state.activities[String(entry.scheduledEventId)];
  if (activity === undefined || activity.phase !== 'started' || activity.startRequestId !== requestId) return null;
  const info = state.executionInfo;
  const taskToken = encodeTaskToken({
    shard: shardOfRun(context, entry.run),
    namespaceId: info.namespace,
    workflowId: info.workflowId,
    runId: info.runId,
    scheduledEventId: activity.scheduledEventId,
    startedEventId: 0,
    attempt: activity.attempt,
    activityId: activity.activityId,
  });
  return {
    taskToken,
    namespace: info.namespace,
    workflowId: info.workflowId,
    runId: info.runId,
    workflowType: info.workflowType,
    activity,
  };
}

/** A transition that treats "this attempt is no longer waiting" as nothing to do. */
function staleAsNull(transition: () => TransitionResult): TransitionResult | null {
  try {
    return transition();
  } catch (error) {
    if (error instanceof StaleTaskError || error instanceof WorkflowClosedError) return null;
    throw error;
  }
}

/** Applies a worker's answer (or heartbeat) to the attempt a task token names; returns `cancelRequested`. */
export async function respondToActivityTask(
  context: EngineContext,
  namespace: string,
  tokenBytes: Uint8Array,
  response: ActivityTaskResponse
): Promise<boolean> {
  const token = decodeTaskTokenFor(namespace, tokenBytes);
  const run = { namespace, workflowId: token.workflowId, runId: token.runId };
  return respondToAttempt(context, run, { scheduledEventId: token.scheduledEventId, attempt: token.attempt }, response);
}

/** As {@link respondToActivityTask}, naming the activity by id: its current attempt. */
export async function respondToActivityById(
  context: EngineContext,
  activity: ActivityRef,
  response: ActivityTaskResponse
): Promise<boolean> {
  const run = await resolveRun(context, activity);
  const shard = context.runtime.shard(shardOfRun(context, run));
  const state = await shard.read(async (view) => (await loadMutableState(view, run))?.value ?? null);
  const found =
    state === null
      ? undefined
      : Object.values(state.activities).find((info) => info.activityId === activity.activityId);
  if (found === undefined) {
    throw new NotFoundError(`activity ${activity.activityId} of workflow ${activity.workflowId} is not pending`);
  }
  return respondToAttempt(context, run, { scheduledEventId: found.scheduledEventId, attempt: found.attempt }, response);
}

async function respondToAttempt(
  context: EngineContext,
  run: RunRef,
  ref: { readonly scheduledEventId: number; readonly attempt: number },
  response: ActivityTaskResponse
): Promise<boolean> {
  const transition = (state: MutableState, transitionContext: TransitionContext): TransitionResult => {
    try {
      return response.kind === 'heartbeat'
        ? heartbeatActivityTask(
            state,
            {
              ...ref,
              identity: response.identity,
              ...(response.details === undefined ? {} : { details: response.details }),
            },
            transitionContext
          )
        : respondActivityTask(state, { ...ref, response }, transitionContext);
    } catch (error) {
      if (error instanceof StaleTaskError || error instanceof WorkflowClosedError)
        throw new NotFoundError(error.message);
      if (error instanceof ActivityNotCancelRequestedError) throw new FailedPreconditionError(error.message);
      throw error;
    }
  };
  const outcome = await commitRunTransition(context, run, transition);
  if (outcome.kind === 'missing')
    throw new NotFoundError(`workflow execution ${run.workflowId}/${run.runId} not found`);
  const state = outcome.kind === 'committed' ? outcome.result.state : outcome.state;
  return response.kind === 'heartbeat' && isActivityCancelRequested(state, ref.scheduledEventId);
}
