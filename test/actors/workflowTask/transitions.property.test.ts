/**
 * Goal: any sequence of inputs (poll, complete, fail, timeout, signal, cancel request, terminate — current or
 * stale, with the clock going forwards or backwards) yields a history accepted by historyShape, a state that
 * agrees with it, only typed errors for refused inputs, and the same output when replayed (determinism).
 * Method: seeded fast-check (SEED below, printed in the test name and by fast-check on failure) over abstract
 * actions interpreted against the current state; each sequence runs twice and the outputs are compared.
 */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { historyShapeViolations } from '../../../src/actors/history/historyShape.js';
import type { ProtoCommand } from '../../../src/actors/workflowTask/commandHandlers.js';
import { completeWorkflowTask } from '../../../src/actors/workflowTask/completeWorkflowTask.js';
import { StaleTaskError, WorkflowClosedError } from '../../../src/actors/workflowTask/errors.js';
import { failWorkflowTask } from '../../../src/actors/workflowTask/failWorkflowTask.js';
import { requestCancelWorkflow } from '../../../src/actors/workflowTask/requestCancelWorkflow.js';
import { signalWorkflow } from '../../../src/actors/workflowTask/signalWorkflow.js';
import { startWorkflowTask } from '../../../src/actors/workflowTask/startWorkflowTask.js';
import type { StartedTaskRef } from '../../../src/actors/workflowTask/startedTaskRef.js';
import { terminateWorkflow } from '../../../src/actors/workflowTask/terminateWorkflow.js';
import { timeoutWorkflowTask } from '../../../src/actors/workflowTask/timeoutWorkflowTask.js';
import { completeCommand, RunHarness } from './runHarness.js';

const SEED = Number(process.env['WFT_SEED'] ?? 52026);

const commandChoices: readonly ProtoCommand[][] = [
  [],
  [completeCommand],
  [{ commandType: 'COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION', failWorkflowExecutionCommandAttributes: { failure: {} } }],
  [{ commandType: 'COMMAND_TYPE_CANCEL_WORKFLOW_EXECUTION', cancelWorkflowExecutionCommandAttributes: {} }],
  [{ commandType: 'COMMAND_TYPE_START_TIMER' }],
  [completeCommand, completeCommand],
  [{ commandType: 'COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION' }],
];

type Action =
  | { kind: 'poll'; stale: boolean; requestId: number }
  | { kind: 'complete'; stale: boolean; commands: number; sticky: boolean; force: boolean }
  | { kind: 'fail'; stale: boolean }
  | { kind: 'timeout'; stale: boolean; scheduleToStart: boolean }
  | { kind: 'signal'; requestId: number }
  | { kind: 'cancel' }
  | { kind: 'terminate' };

/** Mostly current tokens: one in five is stale. */
const staleArb = fc.integer({ min: 0, max: 4 }).map((n) => n === 0);

const actionArb: fc.Arbitrary<{ action: Action; dtMs: number }> = fc.record({
  dtMs: fc.integer({ min: -3000, max: 20_000 }),
  action: fc.oneof(
    {
      weight: 6,
      arbitrary: fc.record({
        kind: fc.constant('poll' as const),
        stale: staleArb,
        requestId: fc.integer({ min: 0, max: 3 }),
      }),
    },
    {
      weight: 5,
      arbitrary: fc.record({
        kind: fc.constant('complete' as const),
        stale: staleArb,
        commands: fc.integer({ min: 0, max: commandChoices.length - 1 }),
        sticky: fc.boolean(),
        force: fc.boolean(),
      }),
    },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('fail' as const), stale: staleArb }) },
    {
      weight: 2,
      arbitrary: fc.record({ kind: fc.constant('timeout' as const), stale: staleArb, scheduleToStart: fc.boolean() }),
    },
    {
      weight: 3,
      arbitrary: fc.record({ kind: fc.constant('signal' as const), requestId: fc.integer({ min: 0, max: 5 }) }),
    },
    { weight: 1, arbitrary: fc.constant({ kind: 'cancel' as const }) },
    { weight: 1, arbitrary: fc.constant({ kind: 'terminate' as const }) }
  ),
});

/** The token the action uses: the current started task's, or a stale one. */
function tokenFor(run: RunHarness, stale: boolean, lastToken: StartedTaskRef): StartedTaskRef {
  const task = run.state.workflowTask;
  if (stale || task.phase !== 'started') {
    return lastToken;
  }
  return { scheduledEventId: task.scheduledEventId, startedEventId: task.startedEventId, attempt: task.attempt };
}

/** Applies one action; returns the token last handed to a worker. */
function step(run: RunHarness, action: Action, lastToken: StartedTaskRef): StartedTaskRef {
  const task = run.state.workflowTask;
  const ref = task.phase === 'none' ? { scheduledEventId: 2, attempt: 1 } : task;
  switch (action.kind) {
    case 'poll': {
      const input = {
        scheduledEventId: ref.scheduledEventId + (action.stale ? 1 : 0),
        attempt: ref.attempt,
        requestId: `r${action.requestId}`,
        identity: 'w',
        historySizeBytes: 10,
      };
      run.apply((s, c) => startWorkflowTask(s, input, c));
      return tokenFor(run, false, lastToken);
    }
    case 'complete': {
      const stickiness = action.sticky ? { stickyTaskQueue: 'sticky', scheduleToStartTimeoutMs: 5000 } : null;
      const input = {
        task: tokenFor(run, action.stale, lastToken),
        identity: 'w',
        commands: commandChoices[action.commands] ?? [],
        metadata: { binaryChecksum: 'b' },
        stickiness,
        forceCreateNewWorkflowTask: action.force,
        messages: [],
      };
      run.apply((s, c) => completeWorkflowTask(s, input, c));
      return lastToken;
    }
    case 'fail': {
      const input = {
        task: tokenFor(run, action.stale, lastToken),
        cause: 'WORKFLOW_TASK_FAILED_CAUSE_UNSPECIFIED',
        identity: 'w',
      } as const;
      run.apply((s, c) => failWorkflowTask(s, input, c));
      return lastToken;
    }
    case 'timeout': {
      const timer = action.scheduleToStart ? 'workflowTaskScheduleToStart' : 'workflowTaskStartToClose';
      const input = {
        timer,
        scheduledEventId: ref.scheduledEventId,
        attempt: ref.attempt + (action.stale ? 1 : 0),
      } as const;
      run.apply((s, c) => timeoutWorkflowTask(s, input, c));
      return lastToken;
    }
    case 'signal':
      run.apply((s, c) =>
        signalWorkflow(s, { signalName: 's', identity: 'c', requestId: `sig${action.requestId}` }, c)
      );
      return lastToken;
    case 'cancel':
      run.apply((s, c) => requestCancelWorkflow(s, { reason: 'r', identity: 'c' }, c));
      return lastToken;
    case 'terminate':
      run.apply((s, c) => terminateWorkflow(s, { reason: 'r', identity: 'c' }, c));
      return lastToken;
  }
}

/** Runs the actions on a fresh run; returns everything observable, and checks the invariants after each step. */
function runActions(actions: readonly { action: Action; dtMs: number }[]): unknown[] {
  const run = new RunHarness();
  const observed: unknown[] = [];
  let lastToken: StartedTaskRef = { scheduledEventId: 2, startedEventId: 3, attempt: 1 };
  for (const { action, dtMs } of actions) {
    run.nowMs = Math.max(0, run.nowMs + dtMs);
    try {
      lastToken = step(run, action, lastToken);
      observed.push(run.lastEffects);
    } catch (error) {
      if (!(error instanceof StaleTaskError || error instanceof WorkflowClosedError)) {
        throw error;
      }
      observed.push(error.name);
    }
    expect(historyShapeViolations(run.history)).toEqual([]);
    expect(run.state.nextEventId).toBe(run.history.length + 1);
    expect(run.state.closeState === null).toBe(run.state.status === 'running');
    if (run.state.workflowTask.phase !== 'started') {
      expect(run.state.bufferedEvents).toEqual([]);
    }
  }
  observed.push(run.history, run.state);
  return observed;
}

describe('workflow task transitions (property)', () => {
  it(`keep histories well formed, throw only typed errors and replay identically (seed ${SEED})`, () => {
    fc.assert(
      fc.property(fc.array(actionArb, { minLength: 1, maxLength: 40 }), (actions) => {
        const first = runActions(actions);
        const second = runActions(actions);
        expect(second).toEqual(first);
      }),
      { seed: SEED, numRuns: 400 }
    );
  });
});
