/**
 * Goal: terminate (§5.10) is never buffered: mid-task it fails the written task (FORCE_CLOSE_COMMAND), flushes
 * buffered signals so none is lost, writes WorkflowExecutionTerminated and drops pending work; the late
 * completion is then refused. Method: harness-driven sequences compared event by event.
 */

import { describe, expect, it } from 'vitest';

import { assertHistoryShape } from '../../../src/actors/history/historyShape.js';
import { completeWorkflowTask } from '../../../src/actors/workflowTask/completeWorkflowTask.js';
import { WorkflowClosedError } from '../../../src/actors/workflowTask/errors.js';
import { failWorkflowTask } from '../../../src/actors/workflowTask/failWorkflowTask.js';
import { signalWorkflow } from '../../../src/actors/workflowTask/signalWorkflow.js';
import { terminateWorkflow } from '../../../src/actors/workflowTask/terminateWorkflow.js';
import { outline, RunHarness } from './runHarness.js';

const terminate = { reason: 'stop', identity: 'admin', details: { payloads: [] } };

describe('terminateWorkflow', () => {
  it('mid-task: WFTFailed{FORCE_CLOSE_COMMAND}, buffered signal, Terminated; the completion is then refused', () => {
    const run = new RunHarness();
    const task = run.poll();
    run.apply((s, c) => signalWorkflow(s, { signalName: 's', identity: 'c', requestId: '' }, c));
    const result = run.apply((s, c) => terminateWorkflow(s, terminate, c));
    expect(outline(result.events)).toEqual([
      '4 WORKFLOW_TASK_FAILED',
      '5 WORKFLOW_EXECUTION_SIGNALED',
      '6 WORKFLOW_EXECUTION_TERMINATED',
    ]);
    expect(result.events[0]).toMatchObject({
      workflowTaskFailedEventAttributes: { cause: 'WORKFLOW_TASK_FAILED_CAUSE_FORCE_CLOSE_COMMAND' },
    });
    expect(result.events[2]).toMatchObject({
      workflowExecutionTerminatedEventAttributes: { reason: 'stop', identity: 'admin', details: { payloads: [] } },
    });
    expect(result.effects).toEqual([{ kind: 'runClosed', status: 'terminated', closeEventId: 6 }]);
    expect(run.state.workflowTask).toEqual({ phase: 'none' });
    expect(run.state.bufferedEvents).toEqual([]);
    const input = {
      task,
      identity: 'w',
      commands: [],
      metadata: {},
      stickiness: null,
      forceCreateNewWorkflowTask: false,
      messages: [],
    };
    expect(() => completeWorkflowTask(run.state, input, run.context())).toThrow(WorkflowClosedError);
    expect(() => terminateWorkflow(run.state, terminate, run.context())).toThrow(WorkflowClosedError);
    assertHistoryShape(run.history);
  });

  it('with a scheduled task: writes only Terminated', () => {
    const run = new RunHarness();
    const result = run.apply((s, c) => terminateWorkflow(s, terminate, c));
    expect(outline(result.events)).toEqual(['3 WORKFLOW_EXECUTION_TERMINATED']);
    assertHistoryShape(run.history);
  });

  it('during a transient attempt: writes nothing for the unwritten task', () => {
    const run = new RunHarness();
    const task = run.poll();
    run.apply((s, c) =>
      failWorkflowTask(
        s,
        { task, cause: 'WORKFLOW_TASK_FAILED_CAUSE_WORKFLOW_WORKER_UNHANDLED_FAILURE', identity: 'w' },
        c
      )
    );
    run.poll();
    const result = run.apply((s, c) => terminateWorkflow(s, terminate, c));
    expect(outline(result.events)).toEqual(['5 WORKFLOW_EXECUTION_TERMINATED']);
    assertHistoryShape(run.history);
  });
});
