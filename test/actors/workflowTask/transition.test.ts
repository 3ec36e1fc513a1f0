/**
 * Goal: the inputs every transition shares: a taskIdFirst at or below the run's last taskId or a bad nowMs is a
 * typed InvalidTransitionInputError; a clock behind the last event is clamped so time never goes backwards; and
 * taskIds run consecutively from taskIdFirst. Method: call transitions with chosen contexts.
 */

import { describe, expect, it } from 'vitest';

import { assertHistoryShape } from '../../../src/actors/history/historyShape.js';
import { InvalidTransitionInputError } from '../../../src/actors/workflowTask/errors.js';
import { signalWorkflow } from '../../../src/actors/workflowTask/signalWorkflow.js';
import { RunHarness, startTimeMs } from './runHarness.js';

const signal = { signalName: 's', identity: 'c', requestId: '' };

describe('transition context', () => {
  it('refuses a taskIdFirst that does not grow, and a negative or fractional nowMs', () => {
    const run = new RunHarness();
    expect(run.state.lastTaskId).toBe(101);
    expect(() => signalWorkflow(run.state, signal, { nowMs: startTimeMs, taskIdFirst: 101 })).toThrow(
      InvalidTransitionInputError
    );
    expect(() => signalWorkflow(run.state, signal, { nowMs: -1, taskIdFirst: 500 })).toThrow(/nowMs/);
    expect(() => signalWorkflow(run.state, signal, { nowMs: 1.5, taskIdFirst: 500 })).toThrow(/nowMs/);
  });

  it('stamps events no earlier than the last one when the clock is behind, with consecutive taskIds', () => {
    const run = new RunHarness();
    const result = signalWorkflow(run.state, signal, { nowMs: startTimeMs - 60_000, taskIdFirst: 500 });
    expect(result.events[0]?.eventTime).toEqual(run.history[1]?.eventTime);
    expect(result.events[0]?.taskId).toBe('500');
    expect(result.taskIdNext).toBe(501);
    expect(result.state.lastTaskId).toBe(500);
    assertHistoryShape([...run.history, ...result.events]);
  });

  it('leaves the input state untouched', () => {
    const run = new RunHarness();
    const before = structuredClone(run.state);
    signalWorkflow(run.state, signal, run.context());
    expect(run.state).toEqual(before);
  });
});
