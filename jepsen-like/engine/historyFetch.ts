/** Fetching the histories of many workflows after a run, a few at a time, retrying transient failures. */
import type { History } from './historyFacts.js';
import { retryTransient } from './transientRetry.js';
import type { StartContext, WorkflowOutcome } from './workflowStarts.js';

const fetchConcurrency = 16;

/**
 * Fetches the history of every started workflow of `outcomes`: workflow id → its history, or a message saying why
 * it could not be fetched.
 */
export async function fetchHistories(
  context: StartContext,
  outcomes: readonly WorkflowOutcome[]
): Promise<Map<string, History | string>> {
  const histories = new Map<string, History | string>();
  const started = outcomes.filter((outcome) => outcome.startedHow !== undefined);
  let next = 0;
  const fetcher = async (): Promise<void> => {
    for (let index = next++; index < started.length; index = next++) {
      const { workflowId } = started[index] as WorkflowOutcome;
      const fetch = (): Promise<History> => context.client.workflow.getHandle(workflowId).fetchHistory();
      try {
        histories.set(workflowId, await retryTransient(`history of ${workflowId}`, fetch, context));
      } catch (error) {
        histories.set(workflowId, `history fetch failed: ${String(error)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: fetchConcurrency }, fetcher));
  return histories;
}
