/**
 * WorkflowService/RespondActivityTaskCanceled (TEMPORAL-API.md §5.4): the worker confirms the cancel of the activity
 * attempt its token names (ActivityTaskStarted + ActivityTaskCanceled). An attempt whose cancel was not requested is
 * refused by the engine (FAILED_PRECONDITION); token errors answer as for RespondActivityTaskCompleted.
 */
import type { ProtoObject } from '../proto/protoCodec.js';
import { checkPayloadsSize } from '../validation/payloadSize.js';
import { optionalIdentifier } from '../validation/requestFields.js';
import type { CallContext } from './handlerTypes.js';
import { respondActivityByToken } from './respondActivityTaskCompleted.js';
import { optionalMessage } from './startRequestMapping.js';

/** `{}` once the cancellation is committed. */
export async function respondActivityTaskCanceled(request: ProtoObject, call: CallContext): Promise<ProtoObject> {
  const details = optionalMessage(request.details, 'details');
  checkPayloadsSize(details, 'details', call.logger);
  const identity = optionalIdentifier(request.identity, 'identity');
  await respondActivityByToken(request, call, {
    kind: 'canceled',
    identity,
    ...(details === undefined ? {} : { details }),
  });
  return {};
}
