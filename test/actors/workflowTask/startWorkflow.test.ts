/**
 * Goal: starting a run writes exactly TEMPORAL-API.md §5.1's first two events in the proto-loader shape, and plans
 * the first task's dispatch. Method: call startWorkflow through the harness and compare whole events; feed bad
 * inputs and expect the typed error.
 */

import { describe, expect, it } from 'vitest';

import { assertHistoryShape } from '../../../src/actors/history/historyShape.js';
import { InvalidTransitionInputError } from '../../../src/actors/workflowTask/errors.js';
import { startWorkflow } from '../../../src/actors/workflowTask/startWorkflow.js';
import { outline, RunHarness, startTimeMs } from './runHarness.js';

describe('startWorkflow', () => {
  it('writes 1 WorkflowExecutionStarted and 2 WorkflowTaskScheduled{attempt 1} on the normal queue', () => {
    const run = new RunHarness();
    expect(outline(run.history)).toEqual(['1 WORKFLOW_EXECUTION_STARTED', '2 WORKFLOW_TASK_SCHEDULED']);
    const seconds = String(startTimeMs / 1000);
    expect(run.history[0]).toEqual({
      eventId: '1',
      eventTime: { seconds, nanos: 0 },
      taskId: '100',
      eventType: 'EVENT_TYPE_WORKFLOW_EXECUTION_STARTED',
      attributes: 'workflowExecutionStartedEventAttributes',
      workflowExecutionStartedEventAttributes: {
        workflowType: { name: 'example' },
        taskQueue: { name: 'tq', kind: 'TASK_QUEUE_KIND_NORMAL' },
        input: { payloads: [] },
        workflowTaskTimeout: { seconds: '10', nanos: 0 },
        identity: 'client',
        attempt: 1,
        originalExecutionRunId: 'run-1',
        firstExecutionRunId: 'run-1',
        workflowId: 'wf-1',
      },
    });
    expect(run.history[1]).toEqual({
      eventId: '2',
      eventTime: { seconds, nanos: 0 },
      taskId: '101',
      eventType: 'EVENT_TYPE_WORKFLOW_TASK_SCHEDULED',
      attributes: 'workflowTaskScheduledEventAttributes',
      workflowTaskScheduledEventAttributes: {
        taskQueue: { name: 'tq', kind: 'TASK_QUEUE_KIND_NORMAL' },
        startToCloseTimeout: { seconds: '10', nanos: 0 },
        attempt: 1,
      },
    });
    expect(run.lastEffects).toEqual([
      { kind: 'dispatchWorkflowTask', queue: 'normal', taskQueue: 'tq', scheduledEventId: 2, attempt: 1 },
    ]);
    expect(run.state.nextEventId).toBe(3);
    expect(run.state.previousStartedEventId).toBe(0);
    expect(run.taskIdNext).toBe(102);
    assertHistoryShape(run.history);
  });

  it('refuses a zero workflow task timeout and a start time that is not now', () => {
    const info = new RunHarness().state.executionInfo;
    const context = { nowMs: startTimeMs, taskIdFirst: 1 };
    expect(() =>
      startWorkflow({ executionInfo: { ...info, workflowTaskTimeoutMs: 0 }, identity: 'c' }, context)
    ).toThrow(InvalidTransitionInputError);
    expect(() =>
      startWorkflow({ executionInfo: { ...info, startTimeMs: startTimeMs + 1 }, identity: 'c' }, context)
    ).toThrow(/must equal nowMs/);
    expect(() => startWorkflow({ executionInfo: { ...info, runId: '' }, identity: 'c' }, context)).toThrow(
      InvalidTransitionInputError
    );
  });
});
