/**
 * Goal: the activity life cycle of §5.4 — schedule by command, start without an event, close with the Started +
 * close pair (buffered while a workflow task runs), server-side retries that leave no trace, cancellation before
 * and after start, heartbeats that report a cancel request, and stale tokens refused with typed errors.
 * Method: a run driven through real transitions (ActivityRun), asserting exact event sequences, attributes and
 * state, and the history shape after each scenario.
 */

import { describe, expect, it } from 'vitest';

import { isActivityCancelRequested } from '../../../src/actors/activities/heartbeatActivityTask.js';
import { ActivityNotCancelRequestedError } from '../../../src/actors/activities/respondActivityTask.js';
import { startActivityTask } from '../../../src/actors/activities/startActivityTask.js';
import { assertHistoryShape } from '../../../src/actors/history/historyShape.js';
import { StaleTaskError, WorkflowClosedError } from '../../../src/actors/workflowTask/errors.js';
import { terminateWorkflow } from '../../../src/actors/workflowTask/terminateWorkflow.js';
import { outline } from '../workflowTask/runHarness.js';
import { ActivityRun, appFailure, attrs, cancelCommand, scheduleCommand, seconds } from './activityHarness.js';

const done = { kind: 'completed', identity: 'activity-worker', result: { payloads: [{ data: 'ok' }] } } as const;

function failed(message: string, type = 'Error', nonRetryable = false) {
  return { kind: 'failed', identity: 'activity-worker', failure: appFailure(message, type, nonRetryable) } as const;
}

/** A run whose first workflow task scheduled one activity per command; returns the run and the scheduled ids. */
function scheduled(...commands: Parameters<typeof scheduleCommand>[]): { run: ActivityRun; ids: number[] } {
  const run = new ActivityRun();
  run.poll();
  const result = run.completeWith(commands.map((args) => scheduleCommand(...args)));
  return { run, ids: run.scheduledIds(result) };
}

describe('schedule, start, complete', () => {
  it('writes ActivityTaskScheduled with normalized timeouts and retry policy, and a scheduled attempt 1', () => {
    const { run, ids } = scheduled(['a1', { heartbeatTimeout: seconds(60) }]);
    expect(ids).toEqual([5]);
    expect(outline(run.history)).toEqual([
      '1 WORKFLOW_EXECUTION_STARTED',
      '2 WORKFLOW_TASK_SCHEDULED',
      '3 WORKFLOW_TASK_STARTED',
      '4 WORKFLOW_TASK_COMPLETED',
      '5 ACTIVITY_TASK_SCHEDULED',
    ]);
    expect(attrs(run.history[4])).toEqual({
      activityId: 'a1',
      activityType: { name: 'greet' },
      taskQueue: { name: 'tq', kind: 'TASK_QUEUE_KIND_NORMAL' },
      input: { payloads: [{ data: 'a1' }] },
      scheduleToCloseTimeout: { seconds: '0', nanos: 0 },
      scheduleToStartTimeout: { seconds: '0', nanos: 0 },
      startToCloseTimeout: { seconds: '10', nanos: 0 },
      heartbeatTimeout: { seconds: '10', nanos: 0 },
      workflowTaskCompletedEventId: '4',
      retryPolicy: {
        initialInterval: { seconds: '1', nanos: 0 },
        backoffCoefficient: 2,
        maximumInterval: { seconds: '100', nanos: 0 },
        maximumAttempts: 0,
        nonRetryableErrorTypes: [],
      },
    });
    expect(run.activity(5)).toMatchObject({
      phase: 'scheduled',
      attempt: 1,
      activityId: 'a1',
      heartbeatTimeoutMs: 10_000,
    });
    expect(run.state.workflowTask.phase).toBe('none');
  });

  it('start writes no event; completion writes Started + Completed with the right ids and schedules a task', () => {
    const { run } = scheduled(['a1', {}]);
    const startedAtMs = run.nowMs;
    expect(run.start(5, 'req-1').events).toEqual([]);
    expect(run.activity(5)).toMatchObject({ phase: 'started', startedTimeMs: startedAtMs, startRequestId: 'req-1' });
    const result = run.respond(5, done);
    expect(outline(result.events)).toEqual([
      '6 ACTIVITY_TASK_STARTED',
      '7 ACTIVITY_TASK_COMPLETED',
      '8 WORKFLOW_TASK_SCHEDULED',
    ]);
    expect(attrs(result.events[0])).toEqual({
      scheduledEventId: '5',
      identity: 'activity-worker',
      requestId: 'req-1',
      attempt: 1,
    });
    expect(attrs(result.events[1])).toEqual({
      result: { payloads: [{ data: 'ok' }] },
      scheduledEventId: '5',
      startedEventId: '6',
      identity: 'activity-worker',
    });
    expect(run.state.activities).toEqual({});
    assertHistoryShape(run.history);
  });

  it('a close while a workflow task is started is buffered and flushed after the next completion', () => {
    const { run, ids } = scheduled(['a', {}], ['b', {}]);
    expect(ids).toEqual([5, 6]);
    run.start(5);
    run.start(6);
    run.respond(5, done); // 7 Started, 8 Completed, 9 WFT scheduled
    run.poll(); // 10 WFT started
    const buffered = run.respond(6, done);
    expect(buffered.events).toEqual([]);
    expect(run.state.bufferedEvents).toHaveLength(1);
    const flushed = run.completeWith([]);
    expect(outline(flushed.events)).toEqual([
      '11 WORKFLOW_TASK_COMPLETED',
      '12 ACTIVITY_TASK_STARTED',
      '13 ACTIVITY_TASK_COMPLETED',
      '14 WORKFLOW_TASK_SCHEDULED',
    ]);
    expect(attrs(flushed.events[2])).toMatchObject({ scheduledEventId: '6', startedEventId: '12' });
    assertHistoryShape(run.history);
  });
});

describe('failures and retries', () => {
  it('attempts 1–2 fail, 3 completes: no retry trace, attempt 3 in Started with the last failure', () => {
    const { run } = scheduled(['a', { retryPolicy: { initialInterval: seconds(1), backoffCoefficient: 2 } }]);
    run.start(5);
    const firstFailedAtMs = run.nowMs;
    const first = run.respond(5, failed('boom 1'));
    expect(first.events).toEqual([]);
    expect(run.activity(5)).toMatchObject({ phase: 'backoff', attempt: 2, lastFailure: appFailure('boom 1') });
    const backoff1 = run.timer(5, 'activityRetryBackoff');
    expect(backoff1.fireAtMs).toBe(firstFailedAtMs + 1000);
    expect(run.fire(backoff1)?.events).toEqual([]);
    run.start(5);
    const failedAtMs = run.nowMs;
    run.respond(5, failed('boom 2'));
    expect(run.timer(5, 'activityRetryBackoff').fireAtMs).toBe(failedAtMs + 2000);
    run.fire(run.timer(5, 'activityRetryBackoff'));
    run.start(5, 'req-3');
    const result = run.respond(5, done);
    expect(outline(result.events)).toEqual([
      '6 ACTIVITY_TASK_STARTED',
      '7 ACTIVITY_TASK_COMPLETED',
      '8 WORKFLOW_TASK_SCHEDULED',
    ]);
    expect(attrs(result.events[0])).toEqual({
      scheduledEventId: '5',
      identity: 'activity-worker',
      requestId: 'req-3',
      attempt: 3,
      lastFailure: appFailure('boom 2'),
    });
    assertHistoryShape(run.history);
  });

  it('a non-retryable type stops at once with NON_RETRYABLE_FAILURE', () => {
    const { run } = scheduled(['a', { retryPolicy: { nonRetryableErrorTypes: ['Fatal'] } }]);
    run.start(5);
    const result = run.respond(5, failed('no', 'Fatal'));
    expect(outline(result.events)).toEqual([
      '6 ACTIVITY_TASK_STARTED',
      '7 ACTIVITY_TASK_FAILED',
      '8 WORKFLOW_TASK_SCHEDULED',
    ]);
    expect(attrs(result.events[1])).toEqual({
      failure: appFailure('no', 'Fatal'),
      scheduledEventId: '5',
      startedEventId: '6',
      identity: 'activity-worker',
      retryState: 'RETRY_STATE_NON_RETRYABLE_FAILURE',
    });
  });

  it('a nonRetryable application failure stops too', () => {
    const { run } = scheduled(['a', {}]);
    run.start(5);
    const result = run.respond(5, failed('no', 'Error', true));
    expect(attrs(result.events[1])).toMatchObject({ retryState: 'RETRY_STATE_NON_RETRYABLE_FAILURE' });
  });

  it('stops with MAXIMUM_ATTEMPTS_REACHED at maximumAttempts', () => {
    const { run } = scheduled(['a', { retryPolicy: { maximumAttempts: 2 } }]);
    run.start(5);
    run.respond(5, failed('one'));
    run.fire(run.timer(5, 'activityRetryBackoff'));
    run.start(5);
    const result = run.respond(5, failed('two'));
    expect(outline(result.events)).toEqual([
      '6 ACTIVITY_TASK_STARTED',
      '7 ACTIVITY_TASK_FAILED',
      '8 WORKFLOW_TASK_SCHEDULED',
    ]);
    expect(attrs(result.events[0])).toMatchObject({ attempt: 2, lastFailure: appFailure('one') });
    expect(attrs(result.events[1])).toMatchObject({
      failure: appFailure('two'),
      retryState: 'RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED',
    });
    assertHistoryShape(run.history);
  });

  it('nextRetryDelay replaces the policy backoff, and failed heartbeat details are kept for the next attempt', () => {
    const { run } = scheduled(['a', {}]);
    run.start(5);
    const failedAtMs = run.nowMs;
    const failure = { message: 'later', applicationFailureInfo: { type: 'E', nextRetryDelay: seconds(7) } };
    run.respond(5, { kind: 'failed', identity: 'w', failure, lastHeartbeatDetails: { payloads: [{ data: 'p' }] } });
    expect(run.activity(5)).toMatchObject({
      attemptScheduledTimeMs: failedAtMs + 7000,
      heartbeatDetails: { payloads: [{ data: 'p' }] },
    });
  });
});

describe('cancellation', () => {
  it('before start: CancelRequested + Canceled{startedEventId 0} at once, activity removed, task scheduled', () => {
    const { run } = scheduled(['a', {}]);
    const result = run.decide([cancelCommand(5)]); // 6 signaled, 7 scheduled, 8 started, 9 completed
    expect(outline(result.events)).toEqual([
      '9 WORKFLOW_TASK_COMPLETED',
      '10 ACTIVITY_TASK_CANCEL_REQUESTED',
      '11 ACTIVITY_TASK_CANCELED',
      '12 WORKFLOW_TASK_SCHEDULED',
    ]);
    expect(attrs(result.events[1])).toEqual({ scheduledEventId: '5', workflowTaskCompletedEventId: '9' });
    expect(attrs(result.events[2])).toEqual({
      scheduledEventId: '5',
      startedEventId: '0',
      latestCancelRequestedEventId: '10',
      identity: 'worker',
    });
    expect(run.state.activities).toEqual({});
    assertHistoryShape(run.history);
  });

  it('in backoff counts as not started', () => {
    const { run } = scheduled(['a', {}]);
    run.start(5);
    run.respond(5, failed('x'));
    const result = run.decide([cancelCommand(5)]);
    expect(outline(result.events).map((line) => line.split(' ')[1])).toEqual([
      'WORKFLOW_TASK_COMPLETED',
      'ACTIVITY_TASK_CANCEL_REQUESTED',
      'ACTIVITY_TASK_CANCELED',
      'WORKFLOW_TASK_SCHEDULED',
    ]);
    expect(run.state.activities).toEqual({});
  });

  it('after start: CancelRequested only; the heartbeat reports it; Canceled closes with Started + Canceled', () => {
    const { run } = scheduled(['a', {}]);
    run.start(5);
    run.heartbeat(5);
    expect(isActivityCancelRequested(run.state, 5)).toBe(false);
    const result = run.decide([cancelCommand(5)]);
    expect(outline(result.events)).toEqual(['9 WORKFLOW_TASK_COMPLETED', '10 ACTIVITY_TASK_CANCEL_REQUESTED']);
    expect(run.state.workflowTask.phase).toBe('none');
    expect(run.heartbeat(5).events).toEqual([]);
    expect(isActivityCancelRequested(run.state, 5)).toBe(true);
    const closed = run.respond(5, { kind: 'canceled', identity: 'activity-worker', details: { payloads: [] } });
    expect(outline(closed.events)).toEqual([
      '11 ACTIVITY_TASK_STARTED',
      '12 ACTIVITY_TASK_CANCELED',
      '13 WORKFLOW_TASK_SCHEDULED',
    ]);
    expect(attrs(closed.events[1])).toEqual({
      details: { payloads: [] },
      latestCancelRequestedEventId: '10',
      scheduledEventId: '5',
      startedEventId: '11',
      identity: 'activity-worker',
    });
    assertHistoryShape(run.history);
  });

  it('after a cancel request a failure is not retried (CANCEL_REQUESTED) and a late completion is accepted', () => {
    const failing = scheduled(['a', {}]).run;
    failing.start(5);
    failing.decide([cancelCommand(5)]);
    const result = failing.respond(5, failed('x'));
    expect(attrs(result.events[1])).toMatchObject({ retryState: 'RETRY_STATE_CANCEL_REQUESTED' });
    const completing = scheduled(['a', {}]).run;
    completing.start(5);
    completing.decide([cancelCommand(5)]);
    expect(completing.respond(5, done).events[1]?.eventType).toBe('EVENT_TYPE_ACTIVITY_TASK_COMPLETED');
  });

  it('refuses RespondActivityTaskCanceled when no cancel was requested', () => {
    const { run } = scheduled(['a', {}]);
    run.start(5);
    expect(() => run.respond(5, { kind: 'canceled', identity: 'w' })).toThrow(ActivityNotCancelRequestedError);
  });
});

describe('stale tokens and closed runs', () => {
  it('a retried poll with the same requestId changes nothing; another start is stale', () => {
    const { run } = scheduled(['a', {}]);
    run.start(5, 'req-1');
    const before = run.state;
    const again = run.apply((s, c) =>
      startActivityTask(s, { scheduledEventId: 5, attempt: 1, requestId: 'req-1', identity: 'w' }, c)
    );
    expect(again.events).toEqual([]);
    expect(run.state.activities).toEqual(before.activities);
    expect(() =>
      run.apply((s, c) =>
        startActivityTask(s, { scheduledEventId: 5, attempt: 1, requestId: 'req-2', identity: 'w' }, c)
      )
    ).toThrow(StaleTaskError);
    expect(() =>
      run.apply((s, c) => startActivityTask(s, { scheduledEventId: 99, attempt: 1, requestId: 'r', identity: 'w' }, c))
    ).toThrow(StaleTaskError);
  });

  it('refuses answers for an unstarted attempt, another attempt, or a closed activity', () => {
    const { run } = scheduled(['a', {}]);
    expect(() => run.respond(5, done)).toThrow(StaleTaskError);
    expect(() => run.heartbeat(5)).toThrow(StaleTaskError);
    run.start(5);
    run.respond(5, failed('x'));
    run.fire(run.timer(5, 'activityRetryBackoff'));
    run.start(5);
    expect(() => run.respond(5, done, 1)).toThrow(StaleTaskError);
    run.respond(5, done);
    expect(() => run.respond(5, done, 2)).toThrow(StaleTaskError);
  });

  it('refuses everything on a closed run', () => {
    const { run } = scheduled(['a', {}]);
    run.start(5);
    run.apply((s, c) => terminateWorkflow(s, { reason: 'stop', identity: 'admin' }, c));
    expect(run.state.activities).toEqual({});
    expect(() => run.respond(5, done, 1)).toThrow(WorkflowClosedError);
    expect(() =>
      run.apply((s, c) => startActivityTask(s, { scheduledEventId: 5, attempt: 1, requestId: 'r', identity: 'w' }, c))
    ).toThrow(WorkflowClosedError);
  });
});
