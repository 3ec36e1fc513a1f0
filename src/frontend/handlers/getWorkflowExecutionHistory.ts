/**
 * WorkflowService/GetWorkflowExecutionHistory: the run's history in event order, paged by `maximumPageSize`
 * (default {@link HISTORY_PAGE_SIZE_DEFAULT}) with an opaque `nextPageToken` (../engine/historyPageToken.ts).
 * The CLOSE_EVENT filter is served by ./getWorkflowExecutionHistoryCloseEvent.ts (with or without `waitNewEvent`, TEMPORAL-API.md
 * §5.11). With `waitNewEvent` and ALL_EVENT, a read that finds no event after the token on an open run waits (at
 * most {@link CLOSE_EVENT_WAIT_MS}) for new ones, and an open run's last page still carries a token to poll with.
 */
import { requireEngine } from '../engine/requireEngine.js';
import { decodeHistoryPageToken, encodeHistoryPageToken } from '../engine/historyPageToken.js';
import { InvalidArgumentError } from '../errors.js';
import type { ProtoObject } from '../proto/protoCodec.js';
import { listPageSizeMax } from '../validation/limits.js';
import { optionalBytes, optionalNonNegativeInt } from '../validation/requestFields.js';
import { CLOSE_EVENT_WAIT_MS, closeEventHistory } from './getWorkflowExecutionHistoryCloseEvent.js';
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
  const query = {
    // A token pins the run it was issued for, so a new current run cannot splice into a paged read.
    execution: token === null ? execution : { ...execution, runId: token.runId },
    fromEventId: token?.nextEventId ?? 1,
    pageSizeMax,
    ...(token === null ? {} : { tokenShardId: token.shardId }),
  };
  const waitNewEvent = request.waitNewEvent === true;
  const deadlineMs = Date.now() + CLOSE_EVENT_WAIT_MS;
  let page = await engine.readHistory(query);
  let open = false;
  if (waitNewEvent) {
    const run = { ...execution, runId: page.runId };
    open = (await engine.describeWorkflow(run)).closeState === null;
    while (page.events.length === 0 && open && Date.now() < deadlineMs && !call.signal.aborted) {
      await engine.waitForChange(run, deadlineMs - Date.now(), call.signal);
      page = await engine.readHistory({ ...query, execution: run });
      open = (await engine.describeWorkflow(run)).closeState === null;
    }
  }
  // An open run polled with waitNewEvent keeps a token at its end: the next poll waits for what comes after.
  const nextEventId = page.nextEventId ?? (waitNewEvent && open ? query.fromEventId + page.events.length : null);
  const nextPageToken =
    nextEventId === null
      ? undefined
      : encodeHistoryPageToken({ shardId: page.shardId, runId: page.runId, nextEventId });
  return { history: { events: page.events }, ...(nextPageToken === undefined ? {} : { nextPageToken }) };
}
