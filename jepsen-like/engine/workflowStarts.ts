/**
 * Starting and awaiting workflows across a node restart. A start is retried with the same workflow id while it fails
 * transiently; WorkflowExecutionAlreadyStartedError on such a retry means an earlier attempt did reach the node, so
 * the workflow counts as started. The same error on the first attempt of a fresh id is a finding.
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { Client } from '@temporalio/client';
import { retryTransient } from './transientRetry.js';
import type { TransientTally } from './transientRetry.js';

/** How the client learned that a workflow was started. */
export type StartedHow = 'accepted' | 'alreadyStartedOnRetry';

/** What one attempt to run a workflow to its result observed. */
export interface WorkflowOutcome {
  readonly workflowId: string;
  readonly input: unknown;
  readonly expectedResult: unknown;
  startedHow?: StartedHow;
  /** Wall clock of the first start attempt (compared with the kill time). */
  firstStartAttemptAtWallMs?: number;
  result?: unknown;
  /** `performance.now()` when the result arrived. */
  resultAtMs?: number;
  /** Why the start or the result failed (non-transiently, or past the retry deadline). */
  error?: string;
}

/** The client, task queue and retry budget shared by every start. */
export interface StartContext {
  readonly client: Client;
  readonly taskQueue: string;
  readonly deadlineMs: number;
  readonly tally: TransientTally;
}

/** Starts `workflowType(input)` as `outcome.workflowId`, retrying transient failures; fills `outcome.startedHow`. */
export async function startWithRetry(context: StartContext, workflowType: string, outcome: WorkflowOutcome) {
  let retried = false;
  outcome.firstStartAttemptAtWallMs = Date.now();
  const start = (): Promise<unknown> =>
    context.client.workflow.start(workflowType, {
      taskQueue: context.taskQueue,
      workflowId: outcome.workflowId,
      args: [outcome.input],
    });
  try {
    await retryTransient(`start ${outcome.workflowId}`, start, {
      deadlineMs: context.deadlineMs,
      tally: context.tally,
      onRetry: () => (retried = true),
    });
    outcome.startedHow = 'accepted';
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError && retried) {
      outcome.startedHow = 'alreadyStartedOnRetry';
      return;
    }
    const firstAttempt =
      error instanceof WorkflowExecutionAlreadyStartedError ? ' on the first attempt of a new id' : '';
    outcome.error = `start failed${firstAttempt}: ${String(error)}`;
  }
}

/** Awaits the result of the started workflow `outcome.workflowId`, retrying transient failures. */
export async function awaitResultWithRetry(context: StartContext, outcome: WorkflowOutcome): Promise<void> {
  const handle = context.client.workflow.getHandle(outcome.workflowId);
  try {
    outcome.result = await retryTransient(
      `result of ${outcome.workflowId}`,
      () => handle.result() as Promise<unknown>,
      {
        deadlineMs: context.deadlineMs,
        tally: context.tally,
      }
    );
    outcome.resultAtMs = performance.now();
  } catch (error) {
    outcome.error = `result failed: ${String(error)}`;
  }
}
