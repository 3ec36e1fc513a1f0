/**
 * WorkflowService/RecordActivityTaskHeartbeat (TEMPORAL-API.md §5.4): stores the attempt's heartbeat details, resets
 * its heartbeat timer and tells the worker whether the activity's cancel was requested. Token errors answer as for
 * RespondActivityTaskCompleted (NOT_FOUND makes the worker cancel the activity).
 */
import type { ProtoObject } from '../proto/protoCodec.js';
import { checkPayloadsSize } from '../validation/payloadSize.js';
import { optionalIdentifier } from '../validation/requestFields.js';
import type { CallContext } from './handlerTypes.js';
import { respondActivityByToken } from './respondActivityTaskCompleted.js';
import { optionalMessage } from './startRequestMapping.js';

/** `{cancelRequested}`; Cairn never pauses or resets activities. */
export async function recordActivityTaskHeartbeat(request: ProtoObject, call: CallContext): Promise<ProtoObject> {
  const details = optionalMessage(request.details, 'details');
  checkPayloadsSize(details, 'details', call.logger);
  const identity = optionalIdentifier(request.identity, 'identity');
  const cancelRequested = await respondActivityByToken(request, call, {
    kind: 'heartbeat',
    identity,
    ...(details === undefined ? {} : { details }),
  });
  return heartbeatResponse(cancelRequested);
}

/** The heartbeat response in proto-loader shape (shared with RecordActivityTaskHeartbeatById). */
export function heartbeatResponse(cancelRequested: boolean): ProtoObject {
  return { cancelRequested, activityPaused: false, activityReset: false };
}
