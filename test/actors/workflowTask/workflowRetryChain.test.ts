// Goal: a start's retry policy retries the whole run (TEMPORAL-API.md §5.10): a failed run closes with
// RETRY_STATE_IN_PROGRESS and the next run's id, that run starts in the same result with attempt + 1, the chain's
// first run id, the failure as continuedFailure, and its first workflow task delayed by the retry backoff (the
// firstWorkflowTaskBackoff timer never fires early); the last allowed attempt closes with MAXIMUM_ATTEMPTS_REACHED
// and spawns nothing; a run timeout is retried the same way; a run without a policy is never retried.
// Method: real transitions driven by a RunHarness; the spawned run is continued in a fresh harness state.
import { describe, expect, it } from 'vitest';
import { assertHistoryShape } from '../../../src/actors/history/historyShape.js';
import type { MutableState } from '../../../src/actors/mutableState/mutableState.js';
import { fireWorkflowTimer, workflowTimersOf } from '../../../src/actors/timers/workflowTimers.js';
import { completeWorkflowTask } from '../../../src/actors/workflowTask/completeWorkflowTask.js';
import { signalWorkflow } from '../../../src/actors/workflowTask/signalWorkflow.js';
import { startWorkflow } from '../../../src/actors/workflowTask/startWorkflow.js';
import type { TransitionResult } from '../../../src/actors/workflowTask/transition.js';
import { outline, RunHarness, startTimeMs } from './runHarness.js';

const policy = { initialInterval: { seconds: '1', nanos: 0 }, backoffCoefficient: 2, maximumAttempts: 3 };
const failure = { message: 'boom', applicationFailureInfo: { type: 'Oops' } };
const failCommand = {
  commandType: 'COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION',
  failWorkflowExecutionCommandAttributes: { failure },
};

/** A harness whose run was started with `policy` (and `runTimeoutMs`). */
function retryingRun(runTimeoutMs = 0): RunHarness {
  const run = new RunHarness();
  const started = startWorkflow(
    {
      executionInfo: { ...run.state.executionInfo, workflowRunTimeoutMs: runTimeoutMs },
      identity: 'client',
      input: { payloads: [] },
      retryPolicy: policy,
    },
    { nowMs: startTimeMs, taskIdFirst: 1 }
  );
  run.state = started.state;
  run.history.splice(0, run.history.length, ...started.events);
  return run;
}

/** Fails the run's current task with FAIL_WORKFLOW_EXECUTION; returns the result (fresh run id `next`). */
function failRun(run: RunHarness, next: string): TransitionResult {
  const task = run.poll();
  const input = { task, identity: 'w', commands: [failCommand], messages: [], metadata: {}, stickiness: null };
  return run.apply((state, context) =>
    completeWorkflowTask(state, { ...input, forceCreateNewWorkflowTask: false }, { ...context, freshRunId: next })
  );
}

/** Continues the harness with the spawned run of `result`. */
function adopt(run: RunHarness, result: TransitionResult): MutableState {
  const spawned = result.spawned?.[0];
  if (spawned === undefined) throw new Error('expected a spawned run');
  run.state = spawned.state;
  run.history.splice(0, run.history.length, ...spawned.events);
  return spawned.state;
}

describe('workflow retries', () => {
  it('retries a failed run with backoff 1 s then 2 s and stops at maximumAttempts 3', () => {
    const run = retryingRun();
    const first = failRun(run, 'run-2');
    expect(outline(first.events).slice(-1)).toEqual(['5 WORKFLOW_EXECUTION_FAILED']);
    expect(first.events.at(-1)).toMatchObject({
      workflowExecutionFailedEventAttributes: { retryState: 'RETRY_STATE_IN_PROGRESS', newExecutionRunId: 'run-2' },
    });
    expect(first.state.closeState?.newExecutionRunId).toBe('run-2');
    const second = adopt(run, first);
    expect(outline(run.history)).toEqual(['1 WORKFLOW_EXECUTION_STARTED']);
    expect(run.history[0]).toMatchObject({
      workflowExecutionStartedEventAttributes: {
        attempt: 2,
        firstExecutionRunId: 'run-1',
        continuedExecutionRunId: 'run-1',
        initiator: 'CONTINUE_AS_NEW_INITIATOR_RETRY',
        continuedFailure: failure,
        firstWorkflowTaskBackoff: { seconds: '1', nanos: 0 },
        retryPolicy: policy,
      },
    });
    // The first task waits for its backoff timer: null 1 ms early, scheduled at the due time.
    const [backoff] = workflowTimersOf(second);
    expect(backoff?.timer.kind).toBe('firstWorkflowTaskBackoff');
    const dueAtMs = backoff?.fireAtMs ?? 0;
    expect(dueAtMs).toBe(second.executionInfo.startTimeMs + 1_000);
    expect(backoff && fireWorkflowTimer(second, backoff.timer as never, { ...run.context(), nowMs: dueAtMs - 1 })).toBe(
      null
    );
    run.nowMs = dueAtMs;
    run.apply((state, context) => {
      const fired = backoff && fireWorkflowTimer(state, backoff.timer as never, context);
      if (fired === null || fired === undefined) throw new Error('the due backoff timer must fire');
      return fired;
    });
    expect(outline(run.history)).toEqual(['1 WORKFLOW_EXECUTION_STARTED', '2 WORKFLOW_TASK_SCHEDULED']);
    assertHistoryShape(run.history);

    const secondFail = failRun(run, 'run-3');
    const third = adopt(run, secondFail);
    expect(third.attempt).toBe(3);
    expect(third.firstWorkflowTaskBackoffMs).toBe(2_000);
    run.nowMs += 2_000;
    const [thirdBackoff] = workflowTimersOf(third);
    run.apply((state, context) => fireWorkflowTimer(state, thirdBackoff?.timer as never, context) as TransitionResult);
    const last = failRun(run, 'run-4');
    expect(last.events.at(-1)).toMatchObject({
      workflowExecutionFailedEventAttributes: { retryState: 'RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED' },
    });
    expect(last.spawned).toBeUndefined();
    expect(last.state.closeState?.newExecutionRunId).toBe('');
  });

  it('a signal during the backoff is written but does not schedule the first task early', () => {
    const run = retryingRun();
    const next = adopt(run, failRun(run, 'run-2'));
    run.apply((state, context) => signalWorkflow(state, { signalName: 's', identity: 'c', requestId: '' }, context));
    expect(outline(run.history)).toEqual(['1 WORKFLOW_EXECUTION_STARTED', '2 WORKFLOW_EXECUTION_SIGNALED']);
    expect(run.state.workflowTask.phase).toBe('none');
    const [backoff] = workflowTimersOf(run.state);
    expect(backoff?.fireAtMs).toBe(next.executionInfo.startTimeMs + 1_000);
  });

  it('retries a run timeout and never retries a run started without a policy', () => {
    const run = retryingRun(5_000);
    run.nowMs = startTimeMs + 5_000;
    const timeout = workflowTimersOf(run.state).find((due) => due.timer.kind === 'workflowRunTimeout');
    const result = run.apply(
      (state, context) =>
        fireWorkflowTimer(state, timeout?.timer as never, { ...context, freshRunId: 'run-2' }) as TransitionResult
    );
    expect(result.events.at(-1)).toMatchObject({
      workflowExecutionTimedOutEventAttributes: { retryState: 'RETRY_STATE_IN_PROGRESS', newExecutionRunId: 'run-2' },
    });
    expect(result.spawned?.[0]?.state.attempt).toBe(2);

    const plain = new RunHarness();
    const failed = failRun(plain, 'unused');
    expect(failed.events.at(-1)).toMatchObject({
      workflowExecutionFailedEventAttributes: { retryState: 'RETRY_STATE_RETRY_POLICY_NOT_SET' },
    });
    expect(failed.spawned).toBeUndefined();
  });
});
