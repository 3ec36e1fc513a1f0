/**
 * Goal: a cancel request (§5.10) is written (or buffered while a task is started) with a task scheduled when
 * none is pending, is idempotent, and a CANCEL_WORKFLOW_EXECUTION completion then writes WorkflowExecutionCanceled.
 * Method: harness-driven sequences compared event by event.
 */

import { describe, expect, it } from 'vitest';

import { assertHistoryShape } from '../../../src/actors/history/historyShape.js';
import { WorkflowClosedError } from '../../../src/actors/workflowTask/errors.js';
import { requestCancelWorkflow } from '../../../src/actors/workflowTask/requestCancelWorkflow.js';
import { outline, RunHarness } from './runHarness.js';

const request = { reason: 'user asked', identity: 'client' };

describe('requestCancelWorkflow', () => {
  it('buffers while started, flushes on completion, and the run is canceled by the next task', () => {
    const run = new RunHarness();
    run.poll();
    expect(run.apply((s, c) => requestCancelWorkflow(s, request, c)).events).toEqual([]);
    run.complete();
    run.poll();
    run.complete([
      {
        commandType: 'COMMAND_TYPE_CANCEL_WORKFLOW_EXECUTION',
        cancelWorkflowExecutionCommandAttributes: { details: { payloads: [] } },
      },
    ]);
    expect(outline(run.history).slice(3)).toEqual([
      '4 WORKFLOW_TASK_COMPLETED',
      '5 WORKFLOW_EXECUTION_CANCEL_REQUESTED',
      '6 WORKFLOW_TASK_SCHEDULED',
      '7 WORKFLOW_TASK_STARTED',
      '8 WORKFLOW_TASK_COMPLETED',
      '9 WORKFLOW_EXECUTION_CANCELED',
    ]);
    expect(run.history[4]).toMatchObject({
      workflowExecutionCancelRequestedEventAttributes: { cause: 'user asked', identity: 'client' },
    });
    expect(run.history[8]).toMatchObject({
      workflowExecutionCanceledEventAttributes: { workflowTaskCompletedEventId: '8', details: { payloads: [] } },
    });
    expect(run.state.status).toBe('canceled');
    expect(() => requestCancelWorkflow(run.state, request, run.context())).toThrow(WorkflowClosedError);
    assertHistoryShape(run.history);
  });

  it('writes the request and a task when idle; a second request is a no-op', () => {
    const run = new RunHarness();
    run.poll();
    run.complete();
    const first = run.apply((s, c) => requestCancelWorkflow(s, request, c));
    expect(outline(first.events)).toEqual(['5 WORKFLOW_EXECUTION_CANCEL_REQUESTED', '6 WORKFLOW_TASK_SCHEDULED']);
    const second = run.apply((s, c) => requestCancelWorkflow(s, request, c));
    expect(second.events).toEqual([]);
    expect(second.effects).toEqual([]);
    expect(run.state.cancelRequested).toBe(true);
  });
});
