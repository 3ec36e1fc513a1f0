/**
 * Goal: signals (§5.2, §5.8) are written at once with a task scheduled when none is pending, written alone when a
 * task is scheduled, buffered while one is started, deduplicated by requestId, and refused on a closed run.
 * Method: harness-driven sequences compared event by event.
 */

import { describe, expect, it } from 'vitest';

import { assertHistoryShape } from '../../../src/actors/history/historyShape.js';
import { WorkflowClosedError } from '../../../src/actors/workflowTask/errors.js';
import { signalWorkflow } from '../../../src/actors/workflowTask/signalWorkflow.js';
import { terminateWorkflow } from '../../../src/actors/workflowTask/terminateWorkflow.js';
import { outline, RunHarness } from './runHarness.js';

const signal = (requestId = '') => ({
  signalName: 'go',
  input: { payloads: [{ data: 'x' }] },
  identity: 'client',
  requestId,
});

describe('signalWorkflow', () => {
  it('while a task is only scheduled: writes WorkflowExecutionSignaled and no second task', () => {
    const run = new RunHarness();
    const result = run.apply((s, c) => signalWorkflow(s, signal(), c));
    expect(outline(result.events)).toEqual(['3 WORKFLOW_EXECUTION_SIGNALED']);
    expect(result.events[0]).toMatchObject({
      workflowExecutionSignaledEventAttributes: {
        signalName: 'go',
        input: { payloads: [{ data: 'x' }] },
        identity: 'client',
      },
    });
    expect(result.effects).toEqual([]);
    expect(run.state.signalsReceivedCount).toBe(1);
  });

  it('with no task pending: writes the signal and schedules a task', () => {
    const run = new RunHarness();
    run.poll();
    run.complete();
    const result = run.apply((s, c) => signalWorkflow(s, signal(), c));
    expect(outline(result.events)).toEqual(['5 WORKFLOW_EXECUTION_SIGNALED', '6 WORKFLOW_TASK_SCHEDULED']);
    expect(result.effects).toMatchObject([{ kind: 'dispatchWorkflowTask', scheduledEventId: 6, attempt: 1 }]);
    assertHistoryShape(run.history);
  });

  it('while a task is started: buffers, writing nothing', () => {
    const run = new RunHarness();
    run.poll();
    const result = run.apply((s, c) => signalWorkflow(s, signal(), c));
    expect(result.events).toEqual([]);
    expect(run.state.bufferedEvents).toHaveLength(1);
  });

  it('deduplicates a retried signal by requestId', () => {
    const run = new RunHarness();
    run.apply((s, c) => signalWorkflow(s, signal('r1'), c));
    const retried = run.apply((s, c) => signalWorkflow(s, signal('r1'), c));
    expect(retried.events).toEqual([]);
    expect(run.state.signalsReceivedCount).toBe(1);
    const other = run.apply((s, c) => signalWorkflow(s, signal('r2'), c));
    expect(outline(other.events)).toEqual(['4 WORKFLOW_EXECUTION_SIGNALED']);
  });

  it('refuses a signal to a closed run', () => {
    const run = new RunHarness();
    run.apply((s, c) => terminateWorkflow(s, { reason: 'r', identity: 'c' }, c));
    expect(() => signalWorkflow(run.state, signal(), run.context())).toThrow(WorkflowClosedError);
  });
});
