/**
 * Workflows of the conformance scenarios, bundled once per test file by the SDK's webpack. Each workflow exercises
 * one feature of TEMPORAL-API.md §11/§13 and returns what it observed, so the scenario asserts on the outcome in the
 * client and on the history. Workflow code is deterministic by construction (the SDK sandbox replaces Date, Math.random
 * and timers); replaying every produced history with this same bundle is the determinism oracle.
 */
import {
  ActivityCancellationType,
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  ChildWorkflowCancellationType,
  ChildWorkflowFailure,
  TimeoutFailure,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  defineUpdate,
  executeChild,
  getExternalWorkflowHandle,
  isCancellation,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  sleep,
  startChild,
  upsertSearchAttributes,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type * as activities from '../activities/index.js';

/** Signal that appends its argument to a workflow's item list. */
export const addSignal = defineSignal<[string]>('add');
/** Signal that releases a workflow waiting for it. */
export const releaseSignal = defineSignal('release');
/** Query of a workflow's phase ('waiting' or 'done'). */
export const stateQuery = defineQuery<string>('state');
/** Query of the values a workflow drew (sideEffects). */
export const valuesQuery = defineQuery<{ uuid: string; random: number }>('values');
/** Query of an update counter. */
export const counterQuery = defineQuery<number>('counter');
/** Update that adds its argument to the counter; the validator rejects negative numbers. */
export const incrementUpdate = defineUpdate<number, [number]>('increment');

const shortActivities = proxyActivities<typeof activities>({ startToCloseTimeout: '10s' });

/** Describes an activity failure for the client: wrapper name, retry state and the cause's details. */
function describeActivityFailure(error: unknown): Record<string, unknown> {
  if (!(error instanceof ActivityFailure)) throw error;
  const cause = error.cause;
  return {
    failure: error.name,
    retryState: error.retryState,
    cause: cause?.name,
    causeType: cause instanceof ApplicationFailure ? cause.type : undefined,
    nonRetryable: cause instanceof ApplicationFailure ? cause.nonRetryable : undefined,
    timeoutType: cause instanceof TimeoutFailure ? cause.timeoutType : undefined,
    isCancellation: isCancellation(error),
  };
}

// ---- activities -------------------------------------------------------------------------------------------------

/** One activity: `greet(name)`. */
export async function helloActivity(name: string): Promise<string> {
  return await shortActivities.greet(name);
}

/** An activity that fails on attempts 1 and 2 and succeeds on 3 (200 ms initial interval). */
export async function retrying(): Promise<number> {
  const { failUntilAttempt } = proxyActivities<typeof activities>({
    startToCloseTimeout: '10s',
    retry: { initialInterval: '200ms', backoffCoefficient: 2, maximumAttempts: 5 },
  });
  return await failUntilAttempt(3);
}

/** A non-retryable activity failure, caught with its type. */
export async function nonRetryable(): Promise<Record<string, unknown>> {
  const { failNonRetryable } = proxyActivities<typeof activities>({
    startToCloseTimeout: '10s',
    retry: { initialInterval: '100ms', maximumAttempts: 5 },
  });
  try {
    await failNonRetryable('MyNonRetryableError');
    return { failure: 'none' };
  } catch (error) {
    return describeActivityFailure(error);
  }
}

/** An always-failing activity with maximumAttempts 2. */
export async function maximumAttempts(): Promise<Record<string, unknown>> {
  const { alwaysFail } = proxyActivities<typeof activities>({
    startToCloseTimeout: '10s',
    retry: { initialInterval: '100ms', maximumAttempts: 2 },
  });
  try {
    await alwaysFail();
    return { failure: 'none' };
  } catch (error) {
    return describeActivityFailure(error);
  }
}

/** An always-failing activity whose error type the retry policy lists as non-retryable. */
export async function nonRetryableErrorTypes(): Promise<Record<string, unknown>> {
  const { alwaysFail } = proxyActivities<typeof activities>({
    startToCloseTimeout: '10s',
    retry: { initialInterval: '100ms', maximumAttempts: 5, nonRetryableErrorTypes: ['AlwaysError'] },
  });
  try {
    await alwaysFail();
    return { failure: 'none' };
  } catch (error) {
    return describeActivityFailure(error);
  }
}

/** An activity whose first failure asks for a 1.5 s retry delay (the policy's interval is 100 ms). */
export async function nextRetryDelay(): Promise<number> {
  const { failWithNextRetryDelay } = proxyActivities<typeof activities>({
    startToCloseTimeout: '10s',
    retry: { initialInterval: '100ms', maximumAttempts: 3 },
  });
  return await failWithNextRetryDelay(1_500);
}

/** Attempt 1 outlives its 1 s start-to-close timeout; the retry succeeds. */
export async function startToCloseRetry(): Promise<number> {
  const { slowFirstAttempt } = proxyActivities<typeof activities>({
    startToCloseTimeout: '1s',
    retry: { initialInterval: '100ms', maximumAttempts: 3 },
  });
  return await slowFirstAttempt(3_000);
}

/** An activity that cannot finish within its 1 s schedule-to-close timeout. */
export async function scheduleToCloseTimeout(): Promise<Record<string, unknown>> {
  const { sleepFor } = proxyActivities<typeof activities>({
    scheduleToCloseTimeout: '1s',
    retry: { initialInterval: '100ms' },
  });
  try {
    await sleepFor(10_000);
    return { failure: 'none' };
  } catch (error) {
    return describeActivityFailure(error);
  }
}

/** An activity that heartbeats once and then stalls past its 1 s heartbeat timeout (one attempt only). */
export async function heartbeatTimeout(): Promise<Record<string, unknown>> {
  const { heartbeatOnceThenStall } = proxyActivities<typeof activities>({
    startToCloseTimeout: '20s',
    heartbeatTimeout: '1s',
    retry: { maximumAttempts: 1 },
  });
  try {
    await heartbeatOnceThenStall(5_000);
    return { failure: 'none' };
  } catch (error) {
    return describeActivityFailure(error);
  }
}

/** Attempt 1 heartbeats 'progress-7' and fails; attempt 2 returns the heartbeat details it was given. */
export async function heartbeatDetails(): Promise<unknown> {
  const { heartbeatThenFail } = proxyActivities<typeof activities>({
    startToCloseTimeout: '10s',
    heartbeatTimeout: '3s',
    retry: { initialInterval: '100ms', maximumAttempts: 3 },
  });
  return await heartbeatThenFail('progress-7', 1_000);
}

/** Runs a heartbeating activity and cancels it once the test signals `release` (after the activity started). */
export async function activityCancel(): Promise<Record<string, unknown>> {
  const { heartbeatUntilCancelled } = proxyActivities<typeof activities>({
    startToCloseTimeout: '30s',
    heartbeatTimeout: '1s',
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  });
  let released = false;
  setHandler(releaseSignal, () => void (released = true));
  const scope = new CancellationScope();
  const running = scope.run(() => heartbeatUntilCancelled(100));
  await condition(() => released);
  scope.cancel();
  try {
    await running;
    return { failure: 'none' };
  } catch (error) {
    return describeActivityFailure(error);
  }
}

/** Cancels an activity scheduled on a task queue nobody polls (it never starts). */
export async function cancelUnstarted(): Promise<Record<string, unknown>> {
  const { sleepFor } = proxyActivities<typeof activities>({
    taskQueue: 'cairn-conformance-nobody-polls',
    startToCloseTimeout: '10s',
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  });
  const scope = new CancellationScope();
  const pending = scope.run(() => sleepFor(10));
  await sleep(300);
  scope.cancel();
  try {
    await pending;
    return { failure: 'none' };
  } catch (error) {
    return describeActivityFailure(error);
  }
}

/** One local activity: `greet(name)`, recorded only as a marker. */
export async function localActivity(name: string): Promise<string> {
  const { greet } = proxyLocalActivities<typeof activities>({ startToCloseTimeout: '10s' });
  return await greet(name);
}

/** Twenty activities in parallel; returns the sum of `add(i, i)`. */
export async function manyActivities(count: number): Promise<number> {
  const sums = await Promise.all(Array.from({ length: count }, (_, index) => shortActivities.add(index, index)));
  return sums.reduce((total, value) => total + value, 0);
}

/** An activity completed from outside by its task token. */
export async function asyncCompletion(): Promise<unknown> {
  const { completeLater } = proxyActivities<typeof activities>({ startToCloseTimeout: '30s' });
  return await completeLater();
}

// ---- timers, signals, queries -----------------------------------------------------------------------------------

/** Sleeps `ms`; returns the workflow time that passed. */
export async function timer(ms: number): Promise<number> {
  const startedMs = Date.now();
  await sleep(ms);
  return Date.now() - startedMs;
}

/** Races a 10 s sleep against a 300 ms one and cancels the loser. */
export async function timerRace(): Promise<string> {
  const scope = new CancellationScope();
  const long = scope.run(() => sleep(10_000)).then(() => 'long');
  const winner = await Promise.race([long, sleep(300).then(() => 'short')]);
  scope.cancel();
  await long.catch(() => undefined);
  return winner;
}

/** A condition that times out (300 ms), then one released by a signal before its 10 s timeout. */
export async function conditionTimeout(): Promise<boolean[]> {
  let released = false;
  setHandler(releaseSignal, () => void (released = true));
  const first = await condition(() => released, 300);
  const second = await condition(() => released, '10s');
  return [first, second];
}

/** Collects `add` signals until it has `count` of them; returns them in arrival order. */
export async function collectSignals(count: number): Promise<string[]> {
  const items: string[] = [];
  setHandler(addSignal, (item) => void items.push(item));
  await condition(() => items.length >= count);
  return items;
}

/** Answers `state` ('waiting', then 'done') and finishes on `release`. */
export async function queryable(): Promise<string> {
  let state = 'waiting';
  let released = false;
  setHandler(stateQuery, () => state);
  setHandler(releaseSignal, () => void (released = true));
  await condition(() => released);
  state = 'done';
  return state;
}

/** Waits for `release`; returns 'released'. */
export async function waitForRelease(): Promise<string> {
  let released = false;
  setHandler(releaseSignal, () => void (released = true));
  await condition(() => released);
  return 'released';
}

/** Sleeps 60 s (cancel, terminate and timeout targets). */
export async function longSleep(): Promise<string> {
  await sleep('60s');
  return 'woke';
}

/** Returns its argument (client-side lifecycle scenarios). */
export async function echo(value: string): Promise<string> {
  return value;
}

/** Returns the workflow type and id (list/count). */
export async function listed(): Promise<string> {
  return workflowInfo().workflowId;
}

// ---- children, external workflows, continue-as-new --------------------------------------------------------------

/** A child that returns `child <name>`. */
export async function child(name: string): Promise<string> {
  return `child ${name}`;
}

/** A child that fails with an ApplicationFailure of type 'ChildBroke'. */
export async function failingChild(): Promise<string> {
  throw ApplicationFailure.create({ type: 'ChildBroke', message: 'child failed on purpose', nonRetryable: true });
}

/** Runs `child('a')` with executeChild. */
export async function parentExecuteChild(): Promise<string> {
  return await executeChild(child, { args: ['a'], workflowId: `${workflowInfo().workflowId}-child` });
}

/** Starts `child('b')` with startChild, then awaits its result. */
export async function parentStartChild(): Promise<string[]> {
  const handle = await startChild(child, { args: ['b'], workflowId: `${workflowInfo().workflowId}-child` });
  return [handle.workflowId, handle.firstExecutionRunId.length > 0 ? 'has-run-id' : 'no-run-id', await handle.result()];
}

/** Runs a failing child and describes the ChildWorkflowFailure it gets. */
export async function parentChildFails(): Promise<Record<string, unknown>> {
  try {
    await executeChild(failingChild, { workflowId: `${workflowInfo().workflowId}-child` });
    return { failure: 'none' };
  } catch (error) {
    if (!(error instanceof ChildWorkflowFailure)) throw error;
    const cause = error.cause;
    return {
      failure: error.name,
      childWorkflowId: error.execution.workflowId,
      cause: cause?.name,
      causeType: cause instanceof ApplicationFailure ? cause.type : undefined,
      causeMessage: cause?.message,
    };
  }
}

/** Starts a child whose id is already running; returns the name of the error startChild throws. */
export async function parentChildConflict(existingWorkflowId: string): Promise<string> {
  try {
    await startChild(child, { args: ['conflict'], workflowId: existingWorkflowId });
    return 'started';
  } catch (error) {
    return error instanceof Error ? error.name : String(error);
  }
}

/** Runs `longSleep` as a child with a 1 s run timeout and describes the ChildWorkflowFailure it gets. */
export async function parentChildTimesOut(): Promise<Record<string, unknown>> {
  try {
    await executeChild(longSleep, { workflowId: `${workflowInfo().workflowId}-child`, workflowRunTimeout: '1s' });
    return { failure: 'none' };
  } catch (error) {
    if (!(error instanceof ChildWorkflowFailure)) throw error;
    const cause = error.cause;
    return {
      failure: error.name,
      cause: cause?.name,
      timeoutType: cause instanceof TimeoutFailure ? cause.timeoutType : undefined,
    };
  }
}

/** Starts `longSleep` as a child, cancels it once started and waits for the cancellation to complete. */
export async function parentCancelsChild(): Promise<Record<string, unknown>> {
  const scope = new CancellationScope();
  const handle = await scope.run(() =>
    startChild(longSleep, {
      workflowId: `${workflowInfo().workflowId}-child`,
      cancellationType: ChildWorkflowCancellationType.WAIT_CANCELLATION_COMPLETED,
    })
  );
  scope.cancel();
  try {
    await handle.result();
    return { failure: 'none' };
  } catch (error) {
    if (!(error instanceof ChildWorkflowFailure)) throw error;
    return { failure: error.name, cause: error.cause?.name, isCancellation: isCancellation(error) };
  }
}

/** Starts `longSleep` as a child and completes at once (the child follows the default TERMINATE close policy). */
export async function parentLeavesChildRunning(): Promise<string> {
  const handle = await startChild(longSleep, { workflowId: `${workflowInfo().workflowId}-child` });
  return handle.workflowId;
}

/** Continues as new until `runIndex` reaches `runCount`; returns what the last run saw. */
export async function continueAsNewChain(runIndex: number, runCount: number): Promise<Record<string, unknown>> {
  if (runIndex < runCount) {
    await continueAsNew<typeof continueAsNewChain>(runIndex + 1, runCount);
  }
  const info = workflowInfo();
  return {
    runIndex,
    runId: info.runId,
    firstExecutionRunId: info.firstExecutionRunId,
    continuedFromExecutionRunId: info.continuedFromExecutionRunId,
  };
}

/** Continues as new once, then sleeps 60 s (the execution timeout spans both runs). */
export async function continueThenSleep(runIndex: number): Promise<string> {
  if (runIndex === 0) await continueAsNew<typeof continueThenSleep>(1);
  await sleep('60s');
  return 'woke';
}

/** Signals `add('from-external')` to another workflow. */
export async function signalExternal(targetWorkflowId: string): Promise<string> {
  await getExternalWorkflowHandle(targetWorkflowId).signal(addSignal, 'from-external');
  return 'signalled';
}

/** Requests cancellation of another workflow. */
export async function cancelExternal(targetWorkflowId: string): Promise<string> {
  await getExternalWorkflowHandle(targetWorkflowId).cancel();
  return 'cancel requested';
}

// ---- lifecycle --------------------------------------------------------------------------------------------------

/** Sleeps 60 s; on cancellation runs `cleanup` in a non-cancellable scope and rethrows. */
export async function cancellable(): Promise<string> {
  try {
    await sleep('60s');
    return 'not cancelled';
  } catch (error) {
    if (isCancellation(error)) {
      await CancellationScope.nonCancellable(() => shortActivities.cleanup('after-cancel'));
    }
    throw error;
  }
}

/** Fails the workflow with an ApplicationFailure of type 'Boom'. */
export async function failing(): Promise<string> {
  throw ApplicationFailure.create({ type: 'Boom', message: 'workflow failed on purpose', details: ['detail-1'] });
}

/**
 * Upserts CustomKeywordField (predefined on Temporal's dev server; core refuses TemporalChangeVersion from workflow
 * code), then waits for `release`.
 */
export async function upsertThenWait(): Promise<string> {
  const customKeyword = { name: 'CustomKeywordField', type: 'KEYWORD' } as const;
  upsertSearchAttributes([{ key: customKeyword, value: 'conformance-upsert' }]);
  return await waitForRelease();
}

// ---- history, side effects, patches, updates, WFT failures ------------------------------------------------------

/** Sleeps 1 ms `count` times in sequence (a longer history). */
export async function sequentialSleeps(count: number): Promise<number> {
  for (let index = 0; index < count; index++) await sleep(1);
  return count;
}

/** Draws a uuid4 and Math.random, sleeps (so later tasks replay the draw), and returns both; also a query. */
export async function sideEffects(): Promise<{ uuid: string; random: number }> {
  const values = { uuid: uuid4(), random: Math.random() };
  setHandler(valuesQuery, () => values);
  await sleep(1);
  return values;
}

/** Takes the patched branch of 'cairn-patch-1'. */
export async function patchedWorkflow(): Promise<string> {
  if (patched('cairn-patch-1')) {
    await sleep(1);
    return 'patched';
  }
  return 'unpatched';
}

/** A counter changed by `increment` updates (negative increments are rejected); finishes on `release`. */
export async function updatable(): Promise<number> {
  let counter = 0;
  let released = false;
  setHandler(
    incrementUpdate,
    (by) => {
      counter += by;
      return counter;
    },
    {
      validator: (by) => {
        if (by < 0) throw new Error(`increment must not be negative, got ${by}`);
      },
    }
  );
  setHandler(counterQuery, () => counter);
  setHandler(releaseSignal, () => void (released = true));
  await condition(() => released);
  return counter;
}

/** Throws a plain Error (failing the workflow task) while less than 5 s of workflow time have passed. */
export async function wftFail(): Promise<string> {
  if (Date.now() - workflowInfo().startTime.getTime() < 5_000) {
    throw new Error('workflow task fails on purpose until 5 s of workflow time have passed');
  }
  return 'recovered';
}
