/**
 * WorkflowService/PollActivityTaskQueue (TEMPORAL-API.md §2, §4, §5.4): long-polls the named activity task queue and
 * answers with an activity attempt whose start is already committed, or `{}` when the wait ends empty.
 *
 * The TS worker requires `scheduledTime`, `currentAttemptScheduledTime`, `startToCloseTimeout` and
 * `scheduleToCloseTimeout`: a null one fails every attempt, so every timeout is always sent and "unlimited" is
 * `{seconds: '0'}`.
 */
import { durationFromMs, timestampFromMs } from '../../actors/history/protoTime.js';
import { retryPolicyProto } from '../../actors/activities/retryPolicy.js';
import { requireEngine } from '../engine/requireEngine.js';
import type { PolledActivityTask } from '../engine/workflowEngine.js';
import { NamespaceNotFoundError } from '../errors.js';
import type { ProtoObject } from '../proto/protoCodec.js';
import { optionalIdentifier, requireIdentifier, requireNamespace } from '../validation/requestFields.js';
import type { CallContext } from './handlerTypes.js';
import { WORKFLOW_TASK_POLL_WAIT_MS } from './pollWorkflowTaskQueue.js';
import { messageField } from './startRequestMapping.js';

/** How long an activity poll waits before answering empty: as workflow task polls, below core's 70 s deadline. */
export const ACTIVITY_TASK_POLL_WAIT_MS = WORKFLOW_TASK_POLL_WAIT_MS;

/** The activity task, or `{}` when none arrived in time. */
export async function pollActivityTaskQueue(request: ProtoObject, call: CallContext): Promise<ProtoObject> {
  const engine = requireEngine(call);
  const namespace = requireNamespace(request.namespace);
  if (call.services.namespaces.byName(namespace) === undefined) throw new NamespaceNotFoundError(namespace);
  const taskQueue = requireIdentifier(messageField(request.taskQueue, 'name'), 'taskQueue.name');
  const identity = optionalIdentifier(request.identity, 'identity');
  const polled = await engine.pollActivityTask({
    namespace,
    taskQueue,
    identity,
    waitMs: ACTIVITY_TASK_POLL_WAIT_MS,
    signal: call.signal,
  });
  return polled === null ? {} : activityTaskResponseOf(polled);
}

/** PollActivityTaskQueueResponse in proto-loader shape, with every field the TS worker reads (§4). */
export function activityTaskResponseOf(polled: PolledActivityTask): ProtoObject {
  const { activity } = polled;
  return {
    taskToken: polled.taskToken,
    workflowNamespace: polled.namespace,
    workflowType: { name: polled.workflowType },
    workflowExecution: { workflowId: polled.workflowId, runId: polled.runId },
    activityType: { name: activity.activityType },
    activityId: activity.activityId,
    ...(activity.header === null ? {} : { header: activity.header }),
    ...(activity.input === null ? {} : { input: activity.input }),
    ...(activity.heartbeatDetails === null ? {} : { heartbeatDetails: activity.heartbeatDetails }),
    scheduledTime: timestampFromMs(activity.scheduledTimeMs),
    currentAttemptScheduledTime: timestampFromMs(activity.attemptScheduledTimeMs),
    startedTime: timestampFromMs(activity.startedTimeMs),
    attempt: activity.attempt,
    scheduleToCloseTimeout: durationFromMs(activity.scheduleToCloseTimeoutMs),
    startToCloseTimeout: durationFromMs(activity.startToCloseTimeoutMs),
    heartbeatTimeout: durationFromMs(activity.heartbeatTimeoutMs),
    retryPolicy: retryPolicyProto(activity.retryPolicy),
    priority: {},
  };
}
