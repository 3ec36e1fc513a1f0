/**
 * The `…ById` activity RPCs (TEMPORAL-API.md §3, async completion): RespondActivityTaskCompletedById,
 * RespondActivityTaskFailedById, RespondActivityTaskCanceledById and RecordActivityTaskHeartbeatById. They name the
 * activity by namespace, workflowId, runId ('' = the current run) and activityId instead of a task token, and
 * answer as their token-based twins; an unknown run or activity → NOT_FOUND (from the engine).
 */
import { requireEngine } from '../engine/requireEngine.js';
import type { ActivityRef, ActivityTaskResponse } from '../engine/workflowEngine.js';
import { NamespaceNotFoundError } from '../errors.js';
import type { ProtoObject } from '../proto/protoCodec.js';
import { checkPayloadsSize } from '../validation/payloadSize.js';
import {
  optionalIdentifier,
  requireIdentifier,
  requireNamespace,
  requireWorkflowId,
} from '../validation/requestFields.js';
import type { CallContext } from './handlerTypes.js';
import { heartbeatResponse } from './recordActivityTaskHeartbeat.js';
import { optionalMessage } from './startRequestMapping.js';

/** RespondActivityTaskCompletedById: `{}` once committed. */
export async function respondActivityTaskCompletedById(request: ProtoObject, call: CallContext): Promise<ProtoObject> {
  const result = optionalMessage(request.result, 'result');
  checkPayloadsSize(result, 'result', call.logger);
  const identity = optionalIdentifier(request.identity, 'identity');
  await respondById(request, call, { kind: 'completed', identity, ...(result === undefined ? {} : { result }) });
  return {};
}

/** RespondActivityTaskFailedById: `{}` once committed. */
export async function respondActivityTaskFailedById(request: ProtoObject, call: CallContext): Promise<ProtoObject> {
  const failure = optionalMessage(request.failure, 'failure');
  const lastHeartbeatDetails = optionalMessage(request.lastHeartbeatDetails, 'lastHeartbeatDetails');
  checkPayloadsSize(lastHeartbeatDetails, 'lastHeartbeatDetails', call.logger);
  const identity = optionalIdentifier(request.identity, 'identity');
  await respondById(request, call, {
    kind: 'failed',
    identity,
    ...(failure === undefined ? {} : { failure }),
    ...(lastHeartbeatDetails === undefined ? {} : { lastHeartbeatDetails }),
  });
  return {};
}

/** RespondActivityTaskCanceledById: `{}` once committed. */
export async function respondActivityTaskCanceledById(request: ProtoObject, call: CallContext): Promise<ProtoObject> {
  const details = optionalMessage(request.details, 'details');
  checkPayloadsSize(details, 'details', call.logger);
  const identity = optionalIdentifier(request.identity, 'identity');
  await respondById(request, call, { kind: 'canceled', identity, ...(details === undefined ? {} : { details }) });
  return {};
}

/** RecordActivityTaskHeartbeatById: `{cancelRequested}`. */
export async function recordActivityTaskHeartbeatById(request: ProtoObject, call: CallContext): Promise<ProtoObject> {
  const details = optionalMessage(request.details, 'details');
  checkPayloadsSize(details, 'details', call.logger);
  const identity = optionalIdentifier(request.identity, 'identity');
  const cancelRequested = await respondById(request, call, {
    kind: 'heartbeat',
    identity,
    ...(details === undefined ? {} : { details }),
  });
  return heartbeatResponse(cancelRequested);
}

/** Checks the activity's name fields and hands `response` to the engine; resolves to `cancelRequested`. */
async function respondById(request: ProtoObject, call: CallContext, response: ActivityTaskResponse): Promise<boolean> {
  const engine = requireEngine(call);
  const namespace = requireNamespace(request.namespace);
  if (call.services.namespaces.byName(namespace) === undefined) throw new NamespaceNotFoundError(namespace);
  const activity: ActivityRef = {
    namespace,
    workflowId: requireWorkflowId(request.workflowId),
    runId: optionalIdentifier(request.runId, 'runId'),
    activityId: requireIdentifier(request.activityId, 'activityId'),
  };
  return engine.respondActivityTaskById(activity, response);
}
