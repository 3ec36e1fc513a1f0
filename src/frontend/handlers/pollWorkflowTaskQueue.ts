/**
 * WorkflowService/PollWorkflowTaskQueue (TEMPORAL-API.md §2, §4, §5.6, §5.8): long-polls the named queue (normal or a
 * worker's sticky one) and answers with a workflow task whose WorkflowTaskStarted is already committed, a legacy
 * query task, or `{}` when the wait ends empty.
 */
import type { ProtoMessage } from '../../actors/history/events.js';
import { timestampFromMs } from '../../actors/history/protoTime.js';
import { protocolMessageOf } from '../../actors/updates/updateMessages.js';
import { invariant } from '../../raft/core/errors.js';
import { requireEngine } from '../engine/requireEngine.js';
import type { PolledQueryTask, PolledWorkflowTask } from '../engine/workflowTasks.js';
import { InvalidArgumentError, NamespaceNotFoundError } from '../errors.js';
import type { ProtoObject } from '../proto/protoCodec.js';
import { encodeProtocolMessage } from '../proto/protocolMessages.js';
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
  const polled = await engine.pollWorkflowTask({
    namespace,
    taskQueue: name,
    queueKind: taskQueue.kind === 'TASK_QUEUE_KIND_STICKY' ? 'sticky' : 'normal',
    identity,
    waitMs: WORKFLOW_TASK_POLL_WAIT_MS,
    signal: call.signal,
  });
  if (polled === null) return {};
  return polled.kind === 'workflowTask' ? workflowTaskResponseOf(polled) : queryTaskResponseOf(polled);
}

/** The poll response in proto-loader shape (§4's required fields), with the task's update requests (§5.9). */
function workflowTaskResponseOf(polled: PolledWorkflowTask): ProtoObject {
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
    messages: polled.messages.map(encodeMessage),
  };
}

/** A message the engine put on a task, as `temporal.api.protocol.v1.Message`. */
function encodeMessage(message: ProtoMessage): ProtoObject {
  const protocolMessage = protocolMessageOf(message);
  invariant(protocolMessage !== null, 'the engine puts only protocol messages on a workflow task');
  return encodeProtocolMessage(protocolMessage);
}

/**
 * A legacy query task (§5.8): `startedEventId` 0 and attempt 1, the query in `query`; its times are the run's last
 * event time (the query is not an event of the run).
 */
function queryTaskResponseOf(polled: PolledQueryTask): ProtoObject {
  const info = polled.state.executionInfo;
  const time = timestampFromMs(polled.state.lastEventTimeMs);
  return {
    taskToken: polled.taskToken,
    workflowExecution: { workflowId: info.workflowId, runId: info.runId },
    workflowType: { name: info.workflowType },
    workflowExecutionTaskQueue: { name: info.taskQueue, kind: 'TASK_QUEUE_KIND_NORMAL' },
    previousStartedEventId: String(polled.state.previousStartedEventId),
    startedEventId: '0',
    attempt: 1,
    backlogCountHint: '0',
    history: { events: polled.history },
    query: polled.query,
    scheduledTime: time,
    startedTime: time,
    queries: {},
    messages: [],
  };
}
