/**
 * WorkflowService/GetWorkflowExecutionHistory without long polling: the run's history in event order, paged by
 * `maximumPageSize` (default {@link HISTORY_PAGE_SIZE_DEFAULT}) with an opaque `nextPageToken`
 * (../engine/historyPageToken.ts). `waitNewEvent` and the CLOSE_EVENT filter are not served yet and answer
 * UNIMPLEMENTED saying so, rather than returning an answer that looks complete but is not.
 */
import { requireEngine } from '../engine/requireEngine.js';
import { decodeHistoryPageToken, encodeHistoryPageToken } from '../engine/historyPageToken.js';
import { InvalidArgumentError, UnimplementedError } from '../errors.js';
import type { ProtoObject } from '../proto/protoCodec.js';
import { listPageSizeMax } from '../validation/limits.js';
import { optionalBytes, optionalNonNegativeInt } from '../validation/requestFields.js';
import { executionRefOf } from './describeWorkflowExecution.js';
import type { CallContext } from './handlerTypes.js';

/** Events per page when the request leaves `maximumPageSize` unset or 0. */
export const HISTORY_PAGE_SIZE_DEFAULT = 256;

/** `{history: {events}, nextPageToken?}` for one page. */
export async function getWorkflowExecutionHistory(request: ProtoObject, call: CallContext): Promise<ProtoObject> {
  const engine = requireEngine(call);
  refuseUnimplemented(request, call.rpcName);
  const execution = executionRefOf(request, call);
  const requestedSize = optionalNonNegativeInt(request.maximumPageSize, 'maximumPageSize', 0);
  const pageSizeMax = requestedSize === 0 ? HISTORY_PAGE_SIZE_DEFAULT : Math.min(requestedSize, listPageSizeMax);
  const tokenBytes = optionalBytes(request.nextPageToken, 'nextPageToken');
  const token = tokenBytes.length === 0 ? null : decodeHistoryPageToken(tokenBytes);
  if (token !== null && execution.runId !== '' && token.runId !== execution.runId) {
    throw new InvalidArgumentError(
      `nextPageToken is for run ${token.runId}, not execution.runId ${execution.runId}: pass this run's token`
    );
  }
  const page = await engine.readHistory({
    // A token pins the run it was issued for, so a new current run cannot splice into a paged read.
    execution: token === null ? execution : { ...execution, runId: token.runId },
    fromEventId: token?.nextEventId ?? 1,
    pageSizeMax,
    ...(token === null ? {} : { tokenShardId: token.shardId }),
  });
  const nextPageToken =
    page.nextEventId === null
      ? undefined
      : encodeHistoryPageToken({ shardId: page.shardId, runId: page.runId, nextEventId: page.nextEventId });
  return { history: { events: page.events }, ...(nextPageToken === undefined ? {} : { nextPageToken }) };
}

function refuseUnimplemented(request: ProtoObject, rpcName: string): void {
  if (request.waitNewEvent === true) {
    throw new UnimplementedError(`${rpcName} with waitNewEvent (long poll); Cairn serves it only without waiting`);
  }
  const filter = request.historyEventFilterType;
  if (filter === 'HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT') {
    throw new UnimplementedError(`${rpcName} with historyEventFilterType CLOSE_EVENT; use ALL_EVENT`);
  }
}
