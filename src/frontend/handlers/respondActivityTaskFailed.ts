/**
 * WorkflowService/RespondActivityTaskFailed (TEMPORAL-API.md §5.4): fails the activity attempt its token names; the
 * engine applies the retry policy (retry after a backoff, or ActivityTaskStarted + ActivityTaskFailed). Token errors
 * answer as for RespondActivityTaskCompleted.
 */
import type { ProtoObject } from '../proto/protoCodec.js';
import { checkPayloadsSize } from '../validation/payloadSize.js';
import { optionalIdentifier } from '../validation/requestFields.js';
import type { CallContext } from './handlerTypes.js';
import { respondActivityByToken } from './respondActivityTaskCompleted.js';
import { optionalMessage } from './startRequestMapping.js';

/** `{}` (no `failures`: Cairn does not report per-attempt failures back) once the failure is committed. */
export async function respondActivityTaskFailed(request: ProtoObject, call: CallContext): Promise<ProtoObject> {
  const failure = optionalMessage(request.failure, 'failure');
  const lastHeartbeatDetails = optionalMessage(request.lastHeartbeatDetails, 'lastHeartbeatDetails');
  checkPayloadsSize(lastHeartbeatDetails, 'lastHeartbeatDetails', call.logger);
  const identity = optionalIdentifier(request.identity, 'identity');
  await respondActivityByToken(request, call, {
    kind: 'failed',
    identity,
    ...(failure === undefined ? {} : { failure }),
    ...(lastHeartbeatDetails === undefined ? {} : { lastHeartbeatDetails }),
  });
  return {};
}
