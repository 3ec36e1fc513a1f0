/**
 * Goal: workflow task timers (§5.3, §5.6): start-to-close writes WFTTimedOut{START_TO_CLOSE} and retries with
 * attempt 2 (transient); a sticky schedule-to-start writes WFTTimedOut{startedEventId 0, SCHEDULE_TO_START} and
 * reschedules on the normal queue with the same attempt; stale timers are refused. Method: harness sequences.
 */

import { describe, expect, it } from 'vitest';

import { assertHistoryShape } from '../../../src/actors/history/historyShape.js';
import { completeWorkflowTask } from '../../../src/actors/workflowTask/completeWorkflowTask.js';
import { StaleTaskError } from '../../../src/actors/workflowTask/errors.js';
import { timeoutWorkflowTask } from '../../../src/actors/workflowTask/timeoutWorkflowTask.js';
import { outline, RunHarness } from './runHarness.js';

describe('timeoutWorkflowTask', () => {
  it('start-to-close: WFTTimedOut, then a transient attempt 2 on the normal queue', () => {
    const run = new RunHarness();
    const task = run.poll();
    const result = run.apply((s, c) => timeoutWorkflowTask(s, { timer: 'workflowTaskStartToClose', ...task }, c));
    expect(outline(result.events)).toEqual(['4 WORKFLOW_TASK_TIMED_OUT']);
    expect(result.events[0]).toMatchObject({
      workflowTaskTimedOutEventAttributes: {
        scheduledEventId: '2',
        startedEventId: '3',
        timeoutType: 'TIMEOUT_TYPE_START_TO_CLOSE',
      },
    });
    expect(result.effects).toEqual([
      { kind: 'dispatchWorkflowTask', queue: 'normal', taskQueue: 'tq', scheduledEventId: 5, attempt: 2 },
    ]);
  });

  it('sticky schedule-to-start: WFTTimedOut{0, SCHEDULE_TO_START}, rescheduled normal with the same attempt', () => {
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
    const result = run.apply((s, c) =>
      timeoutWorkflowTask(s, { timer: 'workflowTaskScheduleToStart', scheduledEventId: 5, attempt: 1 }, c)
    );
    expect(outline(result.events)).toEqual(['6 WORKFLOW_TASK_TIMED_OUT', '7 WORKFLOW_TASK_SCHEDULED']);
    expect(result.events[0]).toMatchObject({
      workflowTaskTimedOutEventAttributes: {
        scheduledEventId: '5',
        startedEventId: '0',
        timeoutType: 'TIMEOUT_TYPE_SCHEDULE_TO_START',
      },
    });
    expect(result.events[1]).toMatchObject({
      workflowTaskScheduledEventAttributes: { attempt: 1, taskQueue: { name: 'tq', kind: 'TASK_QUEUE_KIND_NORMAL' } },
    });
    expect(run.state.stickiness).toBeNull();
    assertHistoryShape(run.history);
  });

  it('refuses stale timers: wrong task, a started task for schedule-to-start, a normal queue task', () => {
    const run = new RunHarness();
    expect(() =>
      timeoutWorkflowTask(
        run.state,
        { timer: 'workflowTaskScheduleToStart', scheduledEventId: 2, attempt: 1 },
        run.context()
      )
    ).toThrow(StaleTaskError);
    expect(() =>
      timeoutWorkflowTask(
        run.state,
        { timer: 'workflowTaskStartToClose', scheduledEventId: 2, attempt: 1 },
        run.context()
      )
    ).toThrow(StaleTaskError);
    run.poll();
    expect(() =>
      timeoutWorkflowTask(
        run.state,
        { timer: 'workflowTaskStartToClose', scheduledEventId: 2, attempt: 2 },
        run.context()
      )
    ).toThrow(StaleTaskError);
  });
});
