/**
 * GetWorkflowExecutionHistory with historyEventFilterType CLOSE_EVENT (TEMPORAL-API.md §5.11), which clients use to
 * wait for a result: a closed run answers exactly its close event; an open run answers, with `waitNewEvent`, once it
 * closes or after {@link CLOSE_EVENT_WAIT_MS} with no events and a non-empty `nextPageToken` to poll again with
 * (without `waitNewEvent`: at once, no events, no token). A token pins the run it was issued for.
 */
import { requireEngine } from '../engine/requireEngine.js';
import { decodeHistoryPageToken, encodeHistoryPageToken } from '../engine/historyPageToken.js';
import { InvalidArgumentError } from '../errors.js';
import type { ProtoObject } from '../proto/protoCodec.js';
import { optionalBytes } from '../validation/requestFields.js';
import { executionRefOf } from './describeWorkflowExecution.js';
import type { CallContext } from './handlerTypes.js';

/** How long one long poll waits for the close before answering empty (the client polls again with the token). */
export const CLOSE_EVENT_WAIT_MS = 20_000;

/** The close event of the run, or an empty page when it stays open. */
export async function closeEventHistory(request: ProtoObject, call: CallContext): Promise<ProtoObject> {
  const engine = requireEngine(call);
  let execution = executionRefOf(request, call);
  const tokenBytes = optionalBytes(request.nextPageToken, 'nextPageToken');
  if (tokenBytes.length > 0) {
    const token = decodeHistoryPageToken(tokenBytes);
    if (execution.runId !== '' && token.runId !== execution.runId) {
      throw new InvalidArgumentError(`nextPageToken is for run ${token.runId}, not execution.runId ${execution.runId}`);
    }
    execution = { ...execution, runId: token.runId };
  }
  const waits = request.waitNewEvent === true;
  const deadlineMs = Date.now() + CLOSE_EVENT_WAIT_MS;
  for (;;) {
    // Registered before the read, so a close committed between the read and the wait still wakes it.
    const stop = new AbortController();
    const forward = (): void => stop.abort();
    call.signal.addEventListener('abort', forward, { once: true });
    const changed = engine.waitForChange(execution, Math.max(0, deadlineMs - Date.now()), stop.signal);
    try {
      const state = await engine.describeWorkflow(execution);
      const info = state.executionInfo;
      execution = { ...execution, runId: info.runId };
      if (state.closeState !== null) {
        const closeEventId = state.closeState.closeEventId;
        const page = await engine.readHistory({ execution, fromEventId: closeEventId, pageSizeMax: 1 });
        return { history: { events: page.events } };
      }
      if (!waits) return { history: { events: [] } };
      if (Date.now() >= deadlineMs || call.signal.aborted) {
        const page = await engine.readHistory({ execution, fromEventId: state.nextEventId, pageSizeMax: 1 });
        const token = { shardId: page.shardId, runId: info.runId, nextEventId: state.nextEventId };
        return { history: { events: [] }, nextPageToken: encodeHistoryPageToken(token) };
      }
      await changed;
    } finally {
      stop.abort();
      call.signal.removeEventListener('abort', forward);
    }
  }
}
