/**
 * Goal: the activity timers of §8 are derived from the state with the right due times, never fire early, are
 * stale once the attempt or heartbeat they came from has moved on, retry start-to-close and heartbeat timeouts,
 * and close the activity for schedule-to-start and schedule-to-close timeouts with the right event shapes.
 * Method: a run driven through real transitions; each timer is fired at fireAtMs − 1 (must be null) and at fireAtMs.
 */

import { describe, expect, it } from 'vitest';

import { activityTimersOf, fireActivityTimer } from '../../../src/actors/activities/activityTimers.js';
import { assertHistoryShape } from '../../../src/actors/history/historyShape.js';
import { WorkflowClosedError } from '../../../src/actors/workflowTask/errors.js';
import { signalWorkflow } from '../../../src/actors/workflowTask/signalWorkflow.js';
import { terminateWorkflow } from '../../../src/actors/workflowTask/terminateWorkflow.js';
import { outline } from '../workflowTask/runHarness.js';
import { ActivityRun, appFailure, attrs, scheduleCommand, seconds } from './activityHarness.js';

function scheduledOne(attributes: Parameters<typeof scheduleCommand>[1]): ActivityRun {
  const run = new ActivityRun();
  run.poll();
  run.completeWith([scheduleCommand('a', attributes)]);
  return run;
}

const runRef = { namespaceId: 'default', workflowId: 'wf-1', runId: 'run-1' };

describe('derived activity timers', () => {
  it('lists schedule-to-close and schedule-to-start while scheduled, start-to-close and heartbeat once started', () => {
    const run = scheduledOne({
      scheduleToCloseTimeout: seconds(60),
      scheduleToStartTimeout: seconds(5),
      heartbeatTimeout: seconds(3),
    });
    const scheduledAtMs = run.activity(5).scheduledTimeMs;
    expect(activityTimersOf(run.state)).toEqual([
      {
        fireAtMs: scheduledAtMs + 60_000,
        timer: { kind: 'activityScheduleToClose', run: runRef, scheduledEventId: 5 },
      },
      {
        fireAtMs: scheduledAtMs + 5_000,
        timer: { kind: 'activityScheduleToStart', run: runRef, scheduledEventId: 5, attempt: 1 },
      },
    ]);
    const startedAtMs = run.nowMs;
    run.start(5);
    expect(activityTimersOf(run.state).map((due) => [due.timer.kind, due.fireAtMs])).toEqual([
      ['activityScheduleToClose', scheduledAtMs + 60_000],
      ['activityStartToClose', startedAtMs + 10_000],
      ['activityHeartbeat', startedAtMs + 3_000],
    ]);
  });

  it('returns no timers and refuses to fire on a closed run', () => {
    const run = scheduledOne({ scheduleToCloseTimeout: seconds(60) });
    const due = run.timer(5, 'activityScheduleToClose');
    run.apply((s, c) => terminateWorkflow(s, { reason: 'stop', identity: 'admin' }, c));
    expect(activityTimersOf(run.state)).toEqual([]);
    expect(() => fireActivityTimer(run.state, due.timer, { nowMs: due.fireAtMs, taskIdFirst: run.taskIdNext })).toThrow(
      WorkflowClosedError
    );
  });
});

describe('timeouts', () => {
  it('start-to-close: never early, then retried with a timeout failure; the next close carries it as cause', () => {
    const run = scheduledOne({ retryPolicy: { maximumAttempts: 2 } });
    run.start(5);
    const due = run.timer(5, 'activityStartToClose');
    expect(run.fire(due, due.fireAtMs - 1)).toBeNull();
    expect(run.fire(due)?.events).toEqual([]);
    const timeoutFailure = {
      message: 'activity StartToClose timeout',
      source: 'Server',
      timeoutFailureInfo: { timeoutType: 'TIMEOUT_TYPE_START_TO_CLOSE' },
    };
    expect(run.activity(5)).toMatchObject({ phase: 'backoff', attempt: 2, lastFailure: timeoutFailure });
    expect(run.fire(due)).toBeNull(); // the attempt moved on
    run.fire(run.timer(5, 'activityRetryBackoff'));
    run.start(5);
    const second = run.fire(run.timer(5, 'activityStartToClose'));
    expect(outline(second?.events ?? [])).toEqual([
      '6 ACTIVITY_TASK_STARTED',
      '7 ACTIVITY_TASK_TIMED_OUT',
      '8 WORKFLOW_TASK_SCHEDULED',
    ]);
    expect(attrs(second?.events[0])).toMatchObject({ attempt: 2, lastFailure: timeoutFailure });
    expect(attrs(second?.events[1])).toEqual({
      failure: { ...timeoutFailure, cause: timeoutFailure },
      scheduledEventId: '5',
      startedEventId: '6',
      retryState: 'RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED',
    });
    assertHistoryShape(run.history);
  });

  it('heartbeat: a heartbeat moves the timer (the old one is stale), a missed one is retried with the details', () => {
    const run = scheduledOne({ heartbeatTimeout: seconds(3) });
    run.start(5);
    const first = run.timer(5, 'activityHeartbeat');
    const heartbeatAtMs = run.nowMs;
    run.heartbeat(5, { payloads: [{ data: 'step 1' }] });
    const moved = run.timer(5, 'activityHeartbeat');
    expect(moved.fireAtMs).toBe(heartbeatAtMs + 3_000);
    expect(run.fire(first)).toBeNull();
    expect(run.fire(moved, moved.fireAtMs - 1)).toBeNull();
    expect(run.fire(moved)?.events).toEqual([]);
    expect(run.activity(5)).toMatchObject({
      phase: 'backoff',
      attempt: 2,
      heartbeatDetails: { payloads: [{ data: 'step 1' }] },
      lastFailure: {
        message: 'activity Heartbeat timeout',
        timeoutFailureInfo: {
          timeoutType: 'TIMEOUT_TYPE_HEARTBEAT',
          lastHeartbeatDetails: { payloads: [{ data: 'step 1' }] },
        },
      },
    });
  });

  it('retry backoff: never early, then back to scheduled at the same attempt with no event', () => {
    const run = scheduledOne({});
    run.start(5);
    run.respond(5, { kind: 'failed', identity: 'w', failure: appFailure('x') });
    const due = run.timer(5, 'activityRetryBackoff');
    expect(run.fire(due, due.fireAtMs - 1)).toBeNull();
    expect(run.fire(due)?.events).toEqual([]);
    expect(run.activity(5)).toMatchObject({ phase: 'scheduled', attempt: 2, attemptScheduledTimeMs: due.fireAtMs });
  });

  it('schedule-to-close on a started attempt stops: Started + TimedOut{SCHEDULE_TO_CLOSE, TIMEOUT}', () => {
    const run = scheduledOne({ scheduleToCloseTimeout: seconds(30), startToCloseTimeout: seconds(20) });
    run.start(5);
    const due = run.timer(5, 'activityScheduleToClose');
    expect(run.fire(due, due.fireAtMs - 1)).toBeNull();
    const result = run.fire(due);
    expect(outline(result?.events ?? [])).toEqual([
      '6 ACTIVITY_TASK_STARTED',
      '7 ACTIVITY_TASK_TIMED_OUT',
      '8 WORKFLOW_TASK_SCHEDULED',
    ]);
    expect(attrs(result?.events[1])).toEqual({
      failure: {
        message: 'activity ScheduleToClose timeout',
        source: 'Server',
        timeoutFailureInfo: { timeoutType: 'TIMEOUT_TYPE_SCHEDULE_TO_CLOSE' },
      },
      scheduledEventId: '5',
      startedEventId: '6',
      retryState: 'RETRY_STATE_TIMEOUT',
    });
    expect(run.state.activities).toEqual({});
    assertHistoryShape(run.history);
  });

  it('schedule-to-close in backoff writes TimedOut alone with startedEventId 0 and the last failure as cause', () => {
    const run = scheduledOne({ scheduleToCloseTimeout: seconds(300) });
    run.start(5);
    run.respond(5, { kind: 'failed', identity: 'w', failure: appFailure('x') });
    run.nowMs = run.activity(5).scheduledTimeMs + 300_000;
    const result = run.fire(run.timer(5, 'activityScheduleToClose'));
    expect(outline(result?.events ?? [])).toEqual(['6 ACTIVITY_TASK_TIMED_OUT', '7 WORKFLOW_TASK_SCHEDULED']);
    expect(attrs(result?.events[0])).toMatchObject({
      failure: { cause: appFailure('x') },
      startedEventId: '0',
      retryState: 'RETRY_STATE_TIMEOUT',
    });
  });

  it('schedule-to-start is never retried: TimedOut{SCHEDULE_TO_START, startedEventId 0}', () => {
    const run = scheduledOne({ scheduleToStartTimeout: seconds(5) });
    const due = run.timer(5, 'activityScheduleToStart');
    expect(run.fire(due, due.fireAtMs - 1)).toBeNull();
    const result = run.fire(due);
    expect(outline(result?.events ?? [])).toEqual(['6 ACTIVITY_TASK_TIMED_OUT', '7 WORKFLOW_TASK_SCHEDULED']);
    expect(attrs(result?.events[0])).toMatchObject({
      failure: { timeoutFailureInfo: { timeoutType: 'TIMEOUT_TYPE_SCHEDULE_TO_START' } },
      scheduledEventId: '5',
      startedEventId: '0',
      retryState: 'RETRY_STATE_TIMEOUT',
    });
    assertHistoryShape(run.history);
  });

  it('a timeout while a workflow task is started is buffered like any close', () => {
    const run = scheduledOne({ scheduleToStartTimeout: seconds(30) });
    run.apply((s, c) => signalWorkflow(s, { signalName: 'wake', identity: 'client', requestId: '' }, c)); // 6, 7
    run.poll(); // 8
    const due = run.timer(5, 'activityScheduleToStart');
    expect(run.fire(due)?.events).toEqual([]);
    expect(run.state.bufferedEvents).toHaveLength(1);
    const flushed = run.completeWith([]);
    expect(outline(flushed.events)).toEqual([
      '9 WORKFLOW_TASK_COMPLETED',
      '10 ACTIVITY_TASK_TIMED_OUT',
      '11 WORKFLOW_TASK_SCHEDULED',
    ]);
    assertHistoryShape(run.history);
  });
});
