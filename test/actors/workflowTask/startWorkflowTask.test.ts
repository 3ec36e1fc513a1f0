/**
 * Goal: a poll writes WorkflowTaskStarted only when taken (§5.1), a transient attempt writes nothing and gets the
 * Scheduled/Started suffix (§5.3), stale polls are refused and a retried poll gets the same answer. Method: drive
 * a run through the harness and compare events and effects exactly.
 */

import { describe, expect, it } from 'vitest';

import { StaleTaskError } from '../../../src/actors/workflowTask/errors.js';
import { failWorkflowTask } from '../../../src/actors/workflowTask/failWorkflowTask.js';
import { startWorkflowTask } from '../../../src/actors/workflowTask/startWorkflowTask.js';
import { outline, RunHarness, startTimeMs } from './runHarness.js';

describe('startWorkflowTask', () => {
  it('writes 3 WorkflowTaskStarted and answers previousStartedEventId 0, startedEventId 3', () => {
    const run = new RunHarness();
    run.poll('req-1');
    expect(outline(run.history)).toEqual([
      '1 WORKFLOW_EXECUTION_STARTED',
      '2 WORKFLOW_TASK_SCHEDULED',
      '3 WORKFLOW_TASK_STARTED',
    ]);
    expect(run.history[2]).toMatchObject({
      workflowTaskStartedEventAttributes: {
        scheduledEventId: '2',
        identity: 'worker',
        requestId: 'req-1',
        historySizeBytes: '100',
      },
    });
    expect(run.lastEffects).toEqual([
      {
        kind: 'armTimer',
        timer: 'workflowTaskStartToClose',
        fireAtMs: startTimeMs + 1000 + 10_000,
        scheduledEventId: 2,
        attempt: 1,
      },
      {
        kind: 'respondWorkflowTaskStarted',
        requestId: 'req-1',
        scheduledEventId: 2,
        startedEventId: 3,
        previousStartedEventId: 0,
        attempt: 1,
        queue: 'normal',
        scheduledTimeMs: startTimeMs,
        startedTimeMs: startTimeMs + 1000,
        transientEvents: [],
        historyLength: 3,
      },
    ]);
  });

  it('answers a retried poll (same requestId) again without writing; refuses another poller', () => {
    const run = new RunHarness();
    run.poll('req-1');
    const retried = run.apply((s, c) =>
      startWorkflowTask(
        s,
        { scheduledEventId: 2, attempt: 1, requestId: 'req-1', identity: 'w', historySizeBytes: 0 },
        c
      )
    );
    expect(retried.events).toEqual([]);
    expect(retried.effects).toMatchObject([{ kind: 'respondWorkflowTaskStarted', startedEventId: 3 }]);
    expect(() =>
      startWorkflowTask(
        run.state,
        { scheduledEventId: 2, attempt: 1, requestId: 'req-2', identity: 'w', historySizeBytes: 0 },
        run.context()
      )
    ).toThrow(StaleTaskError);
  });

  it('refuses a poll for a task that does not exist', () => {
    const run = new RunHarness();
    const input = { scheduledEventId: 7, attempt: 1, requestId: 'r', identity: 'w', historySizeBytes: 0 };
    expect(() => startWorkflowTask(run.state, input, run.context())).toThrow(StaleTaskError);
  });

  it('starts a transient attempt without writing and returns the suffix (historyLength 6)', () => {
    const run = new RunHarness();
    const task = run.poll();
    run.apply((s, c) =>
      failWorkflowTask(s, { task, cause: 'WORKFLOW_TASK_FAILED_CAUSE_NON_DETERMINISTIC_ERROR', identity: 'w' }, c)
    );
    expect(outline(run.history).at(-1)).toBe('4 WORKFLOW_TASK_FAILED');
    const before = run.history.length;
    const token = run.poll('req-2');
    expect(run.history.length).toBe(before);
    expect(token).toEqual({ scheduledEventId: 5, startedEventId: 6, attempt: 2 });
    const respond = run.lastEffects.find((effect) => effect.kind === 'respondWorkflowTaskStarted');
    expect(respond).toMatchObject({ startedEventId: 6, previousStartedEventId: 0, attempt: 2, historyLength: 6 });
    if (respond?.kind !== 'respondWorkflowTaskStarted') {
      throw new Error('no poll answer');
    }
    expect(outline(respond.transientEvents)).toEqual(['5 WORKFLOW_TASK_SCHEDULED', '6 WORKFLOW_TASK_STARTED']);
    expect(respond.transientEvents[0]).toMatchObject({ workflowTaskScheduledEventAttributes: { attempt: 2 } });
  });
});
