/**
 * WorkflowService/GetWorkflowExecutionHistory: the run's history in event order, paged by `maximumPageSize`
 * (default {@link HISTORY_PAGE_SIZE_DEFAULT}) with an opaque `nextPageToken` (../engine/historyPageToken.ts).
 * The CLOSE_EVENT filter is served by ./getWorkflowExecutionHistoryCloseEvent.ts (with or without `waitNewEvent`, TEMPORAL-API.md
 * §5.11); `waitNewEvent` with ALL_EVENT is not served yet and answers UNIMPLEMENTED saying so, rather than
 * returning an answer that looks complete but is not.
 */
import { requireEngine } from '../engine/requireEngine.js';
import { decodeHistoryPageToken, encodeHistoryPageToken } from '../engine/historyPageToken.js';
import { InvalidArgumentError, UnimplementedError } from '../errors.js';
import type { ProtoObject } from '../proto/protoCodec.js';
import { listPageSizeMax } from '../validation/limits.js';
import { optionalBytes, optionalNonNegativeInt } from '../validation/requestFields.js';
import { closeEventHistory } from './getWorkflowExecutionHistoryCloseEvent.js';
import { executionRefOf } from './describeWorkflowExecution.js';
import type { CallContext } from './handlerTypes.js';

/** Events per page when the request leaves `maximumPageSize` unset or 0. */
export const HISTORY_PAGE_SIZE_DEFAULT = 256;

/** `{history: {events}, nextPageToken?}` for one page. */
export async function getWorkflowExecutionHistory(request: ProtoObject, call: CallContext): Promise<ProtoObject> {
  const engine = requireEngine(call);
  if (request.historyEventFilterType === 'HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT') {
    return closeEventHistory(request, call);
  }
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
    throw new UnimplementedError(
      `${rpcName} with waitNewEvent and ALL_EVENT (long poll); Cairn waits only with historyEventFilterType CLOSE_EVENT`
    );
  }
}
