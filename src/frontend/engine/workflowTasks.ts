/**
 * Workflow task dispatch (TEMPORAL-API.md §2, §4, §5.1, §5.2, §5.6, §5.8): a poll takes a hint from its queue
 * (normal or sticky), commits WorkflowTaskStarted through the run actor and only then answers, with the whole
 * history on the normal queue and the events after `previousStartedEventId` on a sticky one. A legacy query task
 * is handed out the same way, claimed once. Completions and failures decode the task token and run their
 * transition through the run actor.
 *
 * The token's namespaceId carries the namespace name; `historySizeBytes` is the history's payload bytes.
 */
import { randomUUID } from 'node:crypto';
import type { HistoryEvent, ProtoMessage } from '../../actors/history/events.js';
import type { MutableState } from '../../actors/mutableState/mutableState.js';
import { loadMutableState, readHistory } from '../../actors/runStore/runStore.js';
import type { RunReadView } from '../../actors/runStore/runStore.js';
import { decodeTaskToken, encodeTaskToken, InvalidTaskTokenError } from '../../actors/tokens/taskToken.js';
import type { TaskToken } from '../../actors/tokens/taskToken.js';
import { StaleTaskError, WorkflowClosedError } from '../../actors/workflowTask/errors.js';
import { startWorkflowTask } from '../../actors/workflowTask/startWorkflowTask.js';
import type { Effect, TransitionContext, TransitionResult } from '../../actors/workflowTask/transition.js';
import { updateMessagesForTask } from '../../actors/updates/updateMessages.js';
import { invariant } from '../../raft/core/errors.js';
import { InvalidArgumentError, NotFoundError } from '../errors.js';
import type { EngineContext, WorkflowQueueEntry } from './engineContext.js';
import { commitRunTransition, shardOfRun } from './runCommitter.js';

/** The answer a poll gets: the started task as committed, and the history the worker replays. */
export interface PolledWorkflowTask {
  readonly kind: 'workflowTask';
  readonly taskToken: Uint8Array;
  readonly state: MutableState;
  readonly started: Extract<Effect, { kind: 'respondWorkflowTaskStarted' }>;
  /** The events to send: the whole history on the normal queue, the events after previousStartedEventId on sticky. */
  readonly history: readonly HistoryEvent[];
  /** Protocol messages (update requests, §5.9) the task delivers. */
  readonly messages: readonly ProtoMessage[];
}

/** A legacy query task (§5.8): the run's history and the query; `startedEventId` is 0 in the response. */
export interface PolledQueryTask {
  readonly kind: 'queryTask';
  readonly taskToken: Uint8Array;
  readonly state: MutableState;
  /** Full history on the normal queue; the events after previousStartedEventId on the sticky queue. */
  readonly history: readonly HistoryEvent[];
  /** `temporal.api.query.v1.WorkflowQuery`. */
  readonly query: ProtoMessage;
}

/** A poll of one task queue. */
export interface WorkflowTaskPoll {
  readonly namespace: string;
  readonly taskQueue: string;
  /** A worker's sticky queue, or a normal one. */
  readonly queueKind: 'normal' | 'sticky';
  readonly identity: string;
  /** How long to wait for a task before answering empty. */
  readonly waitMs: number;
  readonly signal: AbortSignal;
}

/** A transition of the run a task token names, evaluated against its state as read. */
export type TokenTransition = (state: MutableState, token: TaskToken, context: TransitionContext) => TransitionResult;

/** Waits for a task on the poll's queue and starts it; null when the wait ends (or is cancelled) without one. */
export async function pollWorkflowTask(
  context: EngineContext,
  poll: WorkflowTaskPoll
): Promise<PolledWorkflowTask | PolledQueryTask | null> {
  const deadlineMs = context.clockMs() + poll.waitMs;
  for (;;) {
    const waitMs = deadlineMs - context.clockMs();
    if (waitMs <= 0) return null;
    const entry = await context.workflowQueues.take(poll.namespace, 'workflow', poll.taskQueue, waitMs, poll.signal);
    if (entry === null) return null;
    if (poll.signal.aborted) {
      // A cancelled poll must never be handed a task: put the hint back for the next poll.
      context.workflowQueues.offer(poll.namespace, 'workflow', poll.taskQueue, entry);
      return null;
    }
    const polled =
      entry.kind === 'query' ? await claimQueryTask(context, entry) : await startQueuedTask(context, entry, poll);
    if (polled !== null) return polled;
  }
}

/** Commits WorkflowTaskStarted for the hinted task; null when the hint was stale. */
async function startQueuedTask(
  context: EngineContext,
  entry: Extract<WorkflowQueueEntry, { kind: 'workflowTask' }>,
  poll: WorkflowTaskPoll
): Promise<PolledWorkflowTask | null> {
  const requestId = randomUUID();
  const { run } = entry;
  const outcome = await commitRunTransition(context, run, (state, transitionContext) => {
    const task = state.workflowTask;
    if (state.closeState !== null || task.phase !== 'scheduled') return null;
    if (task.scheduledEventId !== entry.scheduledEventId || task.attempt !== entry.attempt) return null;
    const ref = { scheduledEventId: task.scheduledEventId, attempt: task.attempt };
    const input = { ...ref, requestId, identity: poll.identity, historySizeBytes: state.historyPayloadBytes };
    return startWorkflowTask(state, input, transitionContext);
  });
  if (outcome.kind !== 'committed') return null;
  const { state, effects } = outcome.result;
  const started = effects.find((effect) => effect.kind === 'respondWorkflowTaskStarted');
  invariant(started?.kind === 'respondWorkflowTaskStarted', 'a started workflow task answers its poll');
  const fromEventId = started.queue === 'sticky' ? started.previousStartedEventId + 1 : 1;
  const shardId = shardOfRun(context, run);
  // What this node just committed is applied here: a local read sees it.
  const written = await context.runtime
    .shard(shardId)
    .readLocal((view: RunReadView) => readHistory(view, run, Math.max(1, fromEventId), state.nextEventId));
  const taskToken = encodeTaskToken({
    shard: shardId,
    namespaceId: run.namespace,
    workflowId: run.workflowId,
    runId: run.runId,
    scheduledEventId: started.scheduledEventId,
    startedEventId: started.startedEventId,
    attempt: started.attempt,
  });
  const history = [...written, ...started.transientEvents];
  const messages = updateMessagesForTask(state, started.startedEventId);
  return { kind: 'workflowTask', taskToken, state, started, history, messages };
}

/** Hands a legacy query task to this poll; null when another poll has it or the query is gone. */
async function claimQueryTask(
  context: EngineContext,
  entry: Extract<WorkflowQueueEntry, { kind: 'query' }>
): Promise<PolledQueryTask | null> {
  const pending = context.queries.claim(entry.queryId);
  if (pending === undefined) return null;
  const { run } = entry;
  const shardId = shardOfRun(context, run);
  const read = await context.runtime.shard(shardId).read(async (view: RunReadView) => {
    const stored = await loadMutableState(view, run);
    if (stored === null) return null;
    const state = stored.value;
    const fromEventId = entry.sticky && state.closeState === null ? state.previousStartedEventId + 1 : 1;
    const history = await readHistory(view, run, Math.max(1, fromEventId), state.nextEventId);
    return { state, history };
  });
  if (read === null) {
    context.queries.answer(entry.queryId, { kind: 'failed', errorMessage: 'workflow execution not found' });
    return null;
  }
  const taskToken = encodeTaskToken({
    shard: shardId,
    namespaceId: run.namespace,
    workflowId: run.workflowId,
    runId: run.runId,
    scheduledEventId: 0,
    startedEventId: 0,
    attempt: 1,
    queryId: entry.queryId,
  });
  return { kind: 'queryTask', taskToken, state: read.state, history: read.history, query: pending.query };
}

/**
 * Applies `transition` to the run `tokenBytes` names through its run actor. Bad tokens answer INVALID_ARGUMENT, a
 * task that is not the current one (or a closed run) NOT_FOUND; a committed refusal (`respondError` effect)
 * answers INVALID_ARGUMENT after its events are written.
 */
export async function respondToWorkflowTask(
  context: EngineContext,
  namespace: string,
  tokenBytes: Uint8Array,
  transition: TokenTransition
): Promise<TransitionResult> {
  const token = decodeTaskTokenFor(namespace, tokenBytes);
  const run = { namespace, workflowId: token.workflowId, runId: token.runId };
  const outcome = await commitRunTransition(context, run, (state, transitionContext) => {
    try {
      return transition(state, token, transitionContext);
    } catch (error) {
      if (error instanceof StaleTaskError || error instanceof WorkflowClosedError) {
        throw new NotFoundError(error.message);
      }
      throw error;
    }
  });
  if (outcome.kind === 'missing') {
    throw new NotFoundError(`workflow execution ${token.workflowId}/${token.runId} not found`);
  }
  invariant(outcome.kind === 'committed', 'a workflow task response always changes the run');
  const refusal = outcome.result.effects.find((effect) => effect.kind === 'respondError');
  if (refusal?.kind === 'respondError') throw new InvalidArgumentError(refusal.message);
  return outcome.result;
}

/** Decodes a task token of `namespace`; INVALID_ARGUMENT for bytes that are not one. */
export function decodeTaskTokenFor(namespace: string, bytes: Uint8Array): TaskToken {
  let token: TaskToken;
  try {
    token = decodeTaskToken(bytes);
  } catch (error) {
    if (error instanceof InvalidTaskTokenError) throw new InvalidArgumentError(error.message);
    throw error;
  }
  if (token.namespaceId !== namespace) {
    throw new InvalidArgumentError(`taskToken belongs to namespace ${token.namespaceId}, not ${namespace}`);
  }
  return token;
}
