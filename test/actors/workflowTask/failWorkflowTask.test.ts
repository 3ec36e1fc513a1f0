/**
 * Goal: §5.3's attempts and transient rules: fail, fail, succeed gives exactly `1 Started, 2 Sched, 3 Started,
 * 4 WFTFailed, 5 Sched(attempt 3), 6 Started, 7 Completed`; a sticky failure is retried on the normal queue with
 * the same attempt; stale failures are refused. Method: harness-driven sequences compared event by event.
 */

import { describe, expect, it } from 'vitest';

import { assertHistoryShape } from '../../../src/actors/history/historyShape.js';
import { completeWorkflowTask } from '../../../src/actors/workflowTask/completeWorkflowTask.js';
import { StaleTaskError } from '../../../src/actors/workflowTask/errors.js';
import { failWorkflowTask } from '../../../src/actors/workflowTask/failWorkflowTask.js';
import { signalWorkflow } from '../../../src/actors/workflowTask/signalWorkflow.js';
import { timeoutWorkflowTask } from '../../../src/actors/workflowTask/timeoutWorkflowTask.js';
import { outline, RunHarness } from './runHarness.js';

const cause = 'WORKFLOW_TASK_FAILED_CAUSE_WORKFLOW_WORKER_UNHANDLED_FAILURE';

describe('failWorkflowTask', () => {
  it('fail, fail, succeed gives 1 Started, 2 Sched, 3 Started, 4 WFTFailed, 5 Sched(attempt 3), 6 Started, 7 Completed', () => {
    const run = new RunHarness();
    const first = run.poll();
    run.apply((s, c) => failWorkflowTask(s, { task: first, cause, identity: 'w', failure: { message: 'boom' } }, c));
    const second = run.poll();
    expect(second.attempt).toBe(2);
    run.apply((s, c) => failWorkflowTask(s, { task: second, cause, identity: 'w' }, c));
    const third = run.poll();
    expect(third).toEqual({ scheduledEventId: 5, startedEventId: 6, attempt: 3 });
    expect(run.lastEffects).toContainEqual(expect.objectContaining({ historyLength: 6 }));
    run.complete();
    expect(outline(run.history)).toEqual([
      '1 WORKFLOW_EXECUTION_STARTED',
      '2 WORKFLOW_TASK_SCHEDULED',
      '3 WORKFLOW_TASK_STARTED',
      '4 WORKFLOW_TASK_FAILED',
      '5 WORKFLOW_TASK_SCHEDULED',
      '6 WORKFLOW_TASK_STARTED',
      '7 WORKFLOW_TASK_COMPLETED',
    ]);
    expect(run.history[3]).toMatchObject({
      workflowTaskFailedEventAttributes: { failure: { message: 'boom' }, cause },
    });
    expect(run.history[4]).toMatchObject({ workflowTaskScheduledEventAttributes: { attempt: 3 } });
    expect(run.state.previousStartedEventId).toBe(6);
    assertHistoryShape(run.history);
  });

  it('matches the measured sequence: failed at 1, timed out at 2, succeeded at 3', () => {
    const run = new RunHarness();
    const first = run.poll();
    run.apply((s, c) => failWorkflowTask(s, { task: first, cause, identity: 'w' }, c));
    const second = run.poll();
    const timeout = run.apply((s, c) => timeoutWorkflowTask(s, { timer: 'workflowTaskStartToClose', ...second }, c));
    expect(timeout.events).toEqual([]);
    expect(run.poll().attempt).toBe(3);
    run.complete();
    expect(outline(run.history).slice(3)).toEqual([
      '4 WORKFLOW_TASK_FAILED',
      '5 WORKFLOW_TASK_SCHEDULED',
      '6 WORKFLOW_TASK_STARTED',
      '7 WORKFLOW_TASK_COMPLETED',
    ]);
  });

  it('a new event during a transient attempt makes the next task a written attempt 1', () => {
    const run = new RunHarness();
    const first = run.poll();
    run.apply((s, c) => failWorkflowTask(s, { task: first, cause, identity: 'w' }, c));
    const second = run.poll();
    run.apply((s, c) => signalWorkflow(s, { signalName: 's', identity: 'c', requestId: '' }, c));
    run.apply((s, c) => failWorkflowTask(s, { task: second, cause, identity: 'w' }, c));
    expect(outline(run.history).slice(3)).toEqual([
      '4 WORKFLOW_TASK_FAILED',
      '5 WORKFLOW_EXECUTION_SIGNALED',
      '6 WORKFLOW_TASK_SCHEDULED',
    ]);
    expect(run.state.workflowTask).toMatchObject({ phase: 'scheduled', attempt: 1, transient: false });
    assertHistoryShape(run.history);
  });

  it('retries a sticky failure on the normal queue with the same attempt and clears stickiness', () => {
    const run = new RunHarness();
    const task = run.poll();
    const stickiness = { stickyTaskQueue: 'sticky-1', scheduleToStartTimeoutMs: 10_000 };
    run.apply((s, c) =>
      completeWorkflowTask(
        s,
        { task, identity: 'w', commands: [], metadata: {}, stickiness, forceCreateNewWorkflowTask: true, messages: [] },
        c
      )
    );
    const sticky = run.poll();
    expect(run.state.workflowTask).toMatchObject({ queue: 'sticky', attempt: 1 });
    run.apply((s, c) => failWorkflowTask(s, { task: sticky, cause, identity: 'w' }, c));
    expect(outline(run.history).slice(-2)).toEqual(['7 WORKFLOW_TASK_FAILED', '8 WORKFLOW_TASK_SCHEDULED']);
    expect(run.history.at(-1)).toMatchObject({
      workflowTaskScheduledEventAttributes: { attempt: 1, taskQueue: { kind: 'TASK_QUEUE_KIND_NORMAL' } },
    });
    expect(run.state.stickiness).toBeNull();
    assertHistoryShape(run.history);
  });

  it('refuses a failure for an attempt that is not started', () => {
    const run = new RunHarness();
    const task = run.poll();
    run.apply((s, c) => failWorkflowTask(s, { task, cause, identity: 'w' }, c));
    expect(() => failWorkflowTask(run.state, { task, cause, identity: 'w' }, run.context())).toThrow(StaleTaskError);
  });
});
