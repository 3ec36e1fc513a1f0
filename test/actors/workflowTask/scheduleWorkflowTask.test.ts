/**
 * Goal: scheduleWorkflowTask (e.g. a first-task backoff timer firing) schedules only when no task is pending and
 * refuses a closed run. Method: harness-driven calls compared event by event.
 */

import { describe, expect, it } from 'vitest';

import { WorkflowClosedError } from '../../../src/actors/workflowTask/errors.js';
import { scheduleWorkflowTask } from '../../../src/actors/workflowTask/scheduleWorkflowTask.js';
import { terminateWorkflow } from '../../../src/actors/workflowTask/terminateWorkflow.js';
import { outline, RunHarness } from './runHarness.js';

describe('scheduleWorkflowTask', () => {
  it('is a no-op while a task is pending and schedules attempt 1 when none is', () => {
    const run = new RunHarness();
    const pending = run.apply((s, c) => scheduleWorkflowTask(s, c));
    expect(pending.events).toEqual([]);
    expect(pending.effects).toEqual([]);
    run.poll();
    run.complete();
    const scheduled = run.apply((s, c) => scheduleWorkflowTask(s, c));
    expect(outline(scheduled.events)).toEqual(['5 WORKFLOW_TASK_SCHEDULED']);
    expect(run.state.workflowTask).toMatchObject({ phase: 'scheduled', attempt: 1, scheduledEventId: 5 });
  });

  it('refuses a closed run', () => {
    const run = new RunHarness();
    run.apply((s, c) => terminateWorkflow(s, { reason: 'r', identity: 'c' }, c));
    expect(() => scheduleWorkflowTask(run.state, run.context())).toThrow(WorkflowClosedError);
  });
});
