/**
 * Activities of the conformance scenarios (every export is an activity: the module is passed whole to the Worker).
 * They run in the test process, so what they observe goes to `activityLog` (activityLog.ts) for the scenarios to
 * assert on.
 */
import { ApplicationFailure, CompleteAsyncError, Context, sleep as activitySleep } from '@temporalio/activity';
import { activityLog, asyncTaskTokens } from './activityLog.js';

function workflowIdOfCurrent(): string {
  const execution = Context.current().info.workflowExecution;
  if (execution === undefined) throw new Error('scenario activities run only inside workflows');
  return execution.workflowId;
}

/** Greets `name` (the activity of the hello scenario). */
export async function greet(name: string): Promise<string> {
  return `hello ${name}`;
}

/** Adds two numbers (the fan-out of the manyActivities scenario). */
export async function add(left: number, right: number): Promise<number> {
  return left + right;
}

/** Fails with a retryable error on every attempt below `succeedOnAttempt`, then returns the attempt number. */
export async function failUntilAttempt(succeedOnAttempt: number): Promise<number> {
  const { attempt } = Context.current().info;
  if (attempt < succeedOnAttempt) {
    throw ApplicationFailure.retryable(`attempt ${attempt} fails on purpose`, 'FlakyError');
  }
  return attempt;
}

/** Always fails with a non-retryable ApplicationFailure of type `type`. */
export async function failNonRetryable(type: string): Promise<never> {
  throw ApplicationFailure.nonRetryable('this failure must not be retried', type);
}

/** Always fails with a retryable ApplicationFailure. */
export async function alwaysFail(): Promise<never> {
  throw ApplicationFailure.retryable('always fails', 'AlwaysError');
}

/**
 * Attempt 1 records when it fails and asks for `delayMs` before the retry (nextRetryDelay); attempt 2 records when
 * it starts and returns its attempt.
 */
export async function failWithNextRetryDelay(delayMs: number): Promise<number> {
  const { attempt } = Context.current().info;
  const workflowId = workflowIdOfCurrent();
  if (attempt === 1) {
    activityLog.set(`${workflowId}/failedAtMs`, Date.now());
    throw ApplicationFailure.create({ message: 'retry later', type: 'LaterError', nextRetryDelay: delayMs });
  }
  activityLog.set(`${workflowId}/retriedAtMs`, Date.now());
  return attempt;
}

/** Sleeps `firstAttemptMs` on attempt 1 (to outlive its start-to-close timeout), then returns the attempt at once. */
export async function slowFirstAttempt(firstAttemptMs: number): Promise<number> {
  const { attempt } = Context.current().info;
  if (attempt === 1) await activitySleep(firstAttemptMs);
  return attempt;
}

/** Sleeps `ms` (cancellation-aware), then returns 'slept'. */
export async function sleepFor(ms: number): Promise<string> {
  await activitySleep(ms);
  return 'slept';
}

/** Heartbeats once, then sleeps `ms` without heartbeating (to trip the heartbeat timeout). */
export async function heartbeatOnceThenStall(ms: number): Promise<string> {
  Context.current().heartbeat('first');
  await activitySleep(ms);
  return 'stalled';
}

/**
 * Attempt 1 heartbeats `details`, waits `flushMs` so the heartbeat reaches the server, then fails (retryable);
 * later attempts return the heartbeat details they were given.
 */
export async function heartbeatThenFail(details: string, flushMs: number): Promise<unknown> {
  const context = Context.current();
  if (context.info.attempt === 1) {
    context.heartbeat(details);
    await activitySleep(flushMs);
    throw ApplicationFailure.retryable('failing after a heartbeat', 'AfterHeartbeatError');
  }
  return context.info.heartbeatDetails;
}

/**
 * Heartbeats every `intervalMs` until cancelled; records in `activityLog` that the cancellation arrived, then
 * rethrows it so the server writes ActivityTaskCanceled.
 */
export async function heartbeatUntilCancelled(intervalMs: number): Promise<string> {
  const context = Context.current();
  const workflowId = workflowIdOfCurrent();
  activityLog.set(`${workflowId}/started`, context.info.attempt);
  try {
    for (;;) {
      context.heartbeat();
      await context.sleep(intervalMs);
    }
  } catch (error) {
    activityLog.set(`${workflowId}/cancelled`, error instanceof Error ? error.name : String(error));
    throw error;
  }
}

/** Records that the cleanup ran (the cancellable scenario's non-cancellable cleanup). */
export async function cleanup(tag: string): Promise<string> {
  activityLog.set(`${workflowIdOfCurrent()}/cleanup`, tag);
  return `cleaned ${tag}`;
}

/** Hands its task token to the test (`asyncTaskTokens`) and leaves completion to `client.activity.complete`. */
export async function completeLater(): Promise<never> {
  asyncTaskTokens.set(workflowIdOfCurrent(), Context.current().info.taskToken);
  throw new CompleteAsyncError();
}
