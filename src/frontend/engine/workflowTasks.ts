/**
 * Workflow task dispatch on the dev node (TEMPORAL-API.md §2, §4, §5.1, §5.2): a poll takes a queued run from
 * {@link MatchingQueues}, commits WorkflowTaskStarted through a shard proposal (optimistic precondition on the
 * mutable-state version as read) and only then answers; completions and failures decode the task token, run their
 * transition and propose it the same way. Whenever a committed transition leaves a task scheduled, the run is
 * queued again; whenever a run changes, {@link RunWatchers} wake history long polls.
 *
 * Dev-path shortcuts: stickiness is ignored (every completion clears it, so every task goes to the normal queue,
 * which §5.6 allows); the token's namespaceId carries the namespace name; `historySizeBytes` is reported as 0.
 */
import { randomUUID } from 'node:crypto';
import type { HistoryEvent, ProtoMessage } from '../../actors/history/events.js';
import type { MutableState } from '../../actors/mutableState/mutableState.js';
import { loadMutableState, readHistory, runUpdateWrites } from '../../actors/runStore/runStore.js';
import type { RunReadView } from '../../actors/runStore/runStore.js';
import { decodeTaskToken, encodeTaskToken, InvalidTaskTokenError } from '../../actors/tokens/taskToken.js';
import type { TaskToken } from '../../actors/tokens/taskToken.js';
import { StaleTaskError, WorkflowClosedError } from '../../actors/workflowTask/errors.js';
import { startWorkflowTask } from '../../actors/workflowTask/startWorkflowTask.js';
import type { Effect, TransitionContext, TransitionResult } from '../../actors/workflowTask/transition.js';
import type { ShardCommand } from '../../shard/apply/shardCommand.js';
import type { ShardRuntime } from '../../shard/runtime/shardRuntime.js';
import { InvalidArgumentError, NotFoundError } from '../errors.js';
import type { MatchingQueues, QueuedRun } from './matchingQueues.js';
import type { TaskIdAllocator } from './taskIdAllocator.js';
import type { WorkflowTasksRunWatchers } from './workflowTasksRunWatchers.js';

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

/** Everything the workflow task paths share. */
export interface WorkflowTaskDeps {
  readonly runtime: ShardRuntime;
  readonly matching: MatchingQueues;
  readonly watchers: WorkflowTasksRunWatchers;
  readonly taskIds: TaskIdAllocator;
  readonly clockMs: () => number;
}

/** Outcome of proposing one transition: committed, or lost an optimistic race (re-read and retry). */
type Committed = { readonly kind: 'applied'; readonly result: TransitionResult } | { readonly kind: 'conflict' };

/** Evaluates `transition` on the run's state as read and proposes it; null when the run does not exist. */
async function applyTransition(
  deps: WorkflowTaskDeps,
  run: QueuedRun,
  transition: (state: MutableState, context: TransitionContext) => TransitionResult
): Promise<Committed | null> {
  const shardId = deps.runtime.shardOf(run.namespace, run.workflowId);
  const shard = deps.runtime.shard(shardId);
  const stored = await shard.read((view) => loadMutableState(view, run));
  if (stored === null) return null;
  deps.taskIds.observe(shardId, stored.value.lastTaskId);
  const nowMs = deps.clockMs();
  const result = transition(stored.value, { nowMs, taskIdFirst: deps.taskIds.allocate(shardId, nowMs) });
  const { writes, preconditions } = runUpdateWrites(result.state, result.events, stored.version);
  const command: ShardCommand = {
    formatVersion: 1,
    requestId: null,
    preconditions,
    writes,
    outcome: new Uint8Array(0),
    actions: [],
  };
  const applied = await shard.propose(command);
  if (applied.outcome !== 'applied') return { kind: 'conflict' };
  afterCommit(deps, result.state);
  return { kind: 'applied', result };
}

/** Queues the run again if its task is scheduled, and wakes whoever waits on it. */
function afterCommit(deps: WorkflowTaskDeps, state: MutableState): void {
  const info = state.executionInfo;
  const run = { namespace: info.namespace, workflowId: info.workflowId, runId: info.runId };
  if (state.closeState === null && state.workflowTask.phase === 'scheduled') deps.matching.offer(info.taskQueue, run);
  deps.watchers.notify(run);
}

/** Waits for a task on the poll's queue and starts it; null when the wait ends (or is cancelled) without one. */
export async function pollWorkflowTask(
  deps: WorkflowTaskDeps,
  poll: WorkflowTaskPoll
): Promise<PolledWorkflowTask | null> {
  const deadlineMs = deps.clockMs() + poll.waitMs;
  for (;;) {
    const waitMs = deadlineMs - deps.clockMs();
    if (waitMs <= 0) return null;
    const run = await deps.matching.take(poll.namespace, poll.taskQueue, waitMs, poll.signal);
    if (run === null) return null;
    if (poll.signal.aborted) {
      deps.matching.offer(poll.taskQueue, run); // a cancelled poll must never be handed a task
      return null;
    }
    const polled = await startQueuedTask(deps, run, poll);
    if (polled !== null) return polled;
  }
}

/** Commits WorkflowTaskStarted for `run`'s scheduled task; null when the entry was stale. */
async function startQueuedTask(
  deps: WorkflowTaskDeps,
  run: QueuedRun,
  poll: WorkflowTaskPoll
): Promise<PolledWorkflowTask | null> {
  const requestId = randomUUID();
  const committed = await applyTransition(deps, run, (state, context) => {
    const task = state.workflowTask;
    if (state.closeState !== null || task.phase !== 'scheduled') throw new StaleTaskError('not scheduled');
    const ref = { scheduledEventId: task.scheduledEventId, attempt: task.attempt };
    return startWorkflowTask(state, { ...ref, requestId, identity: poll.identity, historySizeBytes: 0 }, context);
  }).catch((error: unknown) => {
    if (error instanceof StaleTaskError) return null; // a stale hint: another poll or a close got there first
    throw error;
  });
  if (committed === null) return null;
  if (committed.kind === 'conflict') {
    deps.matching.offer(poll.taskQueue, run); // the run changed under us: try again from a fresh read
    return null;
  }
  const { state, effects } = committed.result;
  const started = effects.find((effect) => effect.kind === 'respondWorkflowTaskStarted');
  if (started?.kind !== 'respondWorkflowTaskStarted') return null;
  const shard = deps.runtime.shard(deps.runtime.shardOf(run.namespace, run.workflowId));
  const written = await shard.read((view: RunReadView) => readHistory(view, run, 1, state.nextEventId));
  const shardId = deps.runtime.shardOf(run.namespace, run.workflowId);
  const taskToken = encodeTaskToken({
    shard: shardId,
    namespaceId: run.namespace,
    workflowId: run.workflowId,
    runId: run.runId,
    scheduledEventId: started.scheduledEventId,
    startedEventId: started.startedEventId,
    attempt: started.attempt,
  });
  return {
    kind: 'workflowTask',
    taskToken,
    state,
    started,
    history: [...written, ...started.transientEvents],
    messages: [],
  };
}

/**
 * Applies `transition` to the run `tokenBytes` names, retrying lost optimistic races. Bad tokens answer
 * INVALID_ARGUMENT, a task that is not the current one (or a closed run) NOT_FOUND; a committed refusal
 * (`respondError` effect) answers INVALID_ARGUMENT after its events are written.
 */
export async function respondToWorkflowTask(
  deps: WorkflowTaskDeps,
  namespace: string,
  tokenBytes: Uint8Array,
  transition: TokenTransition
): Promise<TransitionResult> {
  const token = decodeToken(tokenBytes);
  if (token.namespaceId !== namespace) {
    throw new InvalidArgumentError(`taskToken belongs to namespace ${token.namespaceId}, not ${namespace}`);
  }
  const run = { namespace, workflowId: token.workflowId, runId: token.runId };
  for (let attempt = 1; attempt <= RESPOND_ATTEMPTS_MAX; attempt++) {
    const committed = await applyTransition(deps, run, (state, context) => transition(state, token, context)).catch(
      (error: unknown) => {
        if (error instanceof StaleTaskError || error instanceof WorkflowClosedError) {
          throw new NotFoundError(error.message);
        }
        throw error;
      }
    );
    if (committed === null) throw new NotFoundError(`workflow execution ${token.workflowId}/${token.runId} not found`);
    if (committed.kind === 'applied') {
      const refusal = committed.result.effects.find((effect) => effect.kind === 'respondError');
      if (refusal?.kind === 'respondError') throw new InvalidArgumentError(refusal.message);
      return committed.result;
    }
  }
  throw new NotFoundError(
    `workflow task changed concurrently ${RESPOND_ATTEMPTS_MAX} times; the worker should drop it`
  );
}

/** Re-evaluations of a response that keeps losing optimistic races. */
const RESPOND_ATTEMPTS_MAX = 5;

function decodeToken(bytes: Uint8Array): TaskToken {
  try {
    return decodeTaskToken(bytes);
  } catch (error) {
    if (error instanceof InvalidTaskTokenError) throw new InvalidArgumentError(error.message);
    throw error;
  }
}
