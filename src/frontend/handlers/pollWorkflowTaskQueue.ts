/**
 * WorkflowService/PollWorkflowTaskQueue (TEMPORAL-API.md §2, §4): long-polls the named queue and answers with a
 * workflow task whose WorkflowTaskStarted is already committed, or `{}` when the wait ends empty. A poll on a
 * sticky queue just waits and answers `{}`: Cairn's dev path ignores stickiness (§5.6), every task goes to the
 * normal queue.
 */
import { timestampFromMs } from '../../actors/history/protoTime.js';
import { requireEngine } from '../engine/requireEngine.js';
import type { PolledWorkflowTask } from '../engine/workflowTasks.js';
import { InvalidArgumentError, NamespaceNotFoundError } from '../errors.js';
import type { ProtoObject } from '../proto/protoCodec.js';
import { optionalIdentifier, requireIdentifier, requireNamespace } from '../validation/requestFields.js';
import type { CallContext } from './handlerTypes.js';

/**
 * How long a poll waits before answering empty: below the SDK core's 70 s poll deadline, so the empty answer
 * arrives before the caller gives up (a cancelled poll is never handed a task).
 */
export const WORKFLOW_TASK_POLL_WAIT_MS = 55_000;

/** The task, or `{}` when none arrived in time. */
export async function pollWorkflowTaskQueue(request: ProtoObject, call: CallContext): Promise<ProtoObject> {
  const engine = requireEngine(call);
  const namespace = requireNamespace(request.namespace);
  if (call.services.namespaces.byName(namespace) === undefined) throw new NamespaceNotFoundError(namespace);
  const taskQueue = request.taskQueue as { name?: unknown; kind?: unknown } | undefined | null;
  if (taskQueue === undefined || taskQueue === null || typeof taskQueue !== 'object') {
    throw new InvalidArgumentError('taskQueue is required: set taskQueue.name');
  }
  const name = requireIdentifier(taskQueue.name, 'taskQueue.name');
  const identity = optionalIdentifier(request.identity, 'identity');
  if (taskQueue.kind === 'TASK_QUEUE_KIND_STICKY') {
    await delayUnlessAborted(WORKFLOW_TASK_POLL_WAIT_MS, call.signal);
    return {};
  }
  const polled = await engine.pollWorkflowTask({
    namespace,
    taskQueue: name,
    identity,
    waitMs: WORKFLOW_TASK_POLL_WAIT_MS,
    signal: call.signal,
  });
  return polled === null ? {} : pollResponseOf(polled);
}

/** The poll response in proto-loader shape (§4's required fields). */
function pollResponseOf(polled: PolledWorkflowTask): ProtoObject {
  const info = polled.state.executionInfo;
  const { started } = polled;
  return {
    taskToken: polled.taskToken,
    workflowExecution: { workflowId: info.workflowId, runId: info.runId },
    workflowType: { name: info.workflowType },
    workflowExecutionTaskQueue: { name: info.taskQueue, kind: 'TASK_QUEUE_KIND_NORMAL' },
    previousStartedEventId: String(started.previousStartedEventId),
    startedEventId: String(started.startedEventId),
    attempt: started.attempt,
    backlogCountHint: '0',
    history: { events: polled.history },
    scheduledTime: timestampFromMs(started.scheduledTimeMs),
    startedTime: timestampFromMs(started.startedTimeMs),
    queries: {},
    messages: [],
  };
}

/** Resolves after `delayMs`, or as soon as `signal` aborts. */
function delayUnlessAborted(delayMs: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, delayMs);
    signal.addEventListener('abort', done, { once: true });
  });
}
