/**
 * Goal: user timers (TEMPORAL-API.md §5.5, §8): START_TIMER writes TimerStarted and records when the timer is due;
 * the timer fires exactly at that time (never a millisecond early) as TimerFired + a new workflow task, or buffered
 * while a task is started; CANCEL_TIMER writes TimerCanceled and makes the timer's fire stale (also when its
 * TimerFired is still buffered); bad commands fail the task with the timer causes. Method: harness sequences with
 * an explicit clock, exact event outlines, and the history shape check after each scenario.
 */

import { describe, expect, it } from 'vitest';

import { assertHistoryShape } from '../../../src/actors/history/historyShape.js';
import { msFromTimestamp } from '../../../src/actors/history/protoTime.js';
import { fireUserTimer } from '../../../src/actors/timers/fireUserTimer.js';
import { fireWorkflowTimer, workflowTimersOf } from '../../../src/actors/timers/workflowTimers.js';
import type { ProtoCommand } from '../../../src/actors/workflowTask/commandHandlers.js';
import { outline, RunHarness } from '../workflowTask/runHarness.js';
import { cancelTimer, completeWith, durationOfMs, signal, startTimer } from './timerRun.js';

const run1 = { namespaceId: 'default', workflowId: 'wf-1', runId: 'run-1' };

/** A run whose first task started timer `t1` (1.5 s) in event 5; returns the harness. */
function runWithTimer(): RunHarness {
  const run = new RunHarness();
  run.poll();
  completeWith(run, [startTimer('t1', { seconds: '1', nanos: 500_000_000 })]);
  return run;
}

/** The started task's failure cause after a refused completion. */
function refusedCause(run: RunHarness, commands: readonly ProtoCommand[]): unknown {
  const result = completeWith(run, commands);
  expect(outline(result.events)[0]).toMatch(/WORKFLOW_TASK_FAILED$/);
  expect(result.effects).toContainEqual(expect.objectContaining({ kind: 'respondError', code: 'INVALID_ARGUMENT' }));
  return (result.events[0] as unknown as { workflowTaskFailedEventAttributes: { cause: unknown } })
    .workflowTaskFailedEventAttributes.cause;
}

describe('user timers', () => {
  it('a 1.5 s timer is null at fireAtMs - 1 and fires at fireAtMs as TimerFired + a workflow task', () => {
    const run = runWithTimer();
    expect(outline(run.history.slice(3))).toEqual(['4 WORKFLOW_TASK_COMPLETED', '5 TIMER_STARTED']);
    const started = run.history[4];
    expect(started).toMatchObject({
      timerStartedEventAttributes: {
        timerId: 't1',
        startToFireTimeout: { seconds: '1', nanos: 500_000_000 },
        workflowTaskCompletedEventId: '4',
      },
    });
    const fireAtMs = msFromTimestamp(started!.eventTime) + 1500;
    expect(run.state.timers).toEqual({ t1: { timerId: 't1', startedEventId: 5, fireAtMs } });
    expect(run.state.workflowTask.phase).toBe('none');
    const timer = { kind: 'userTimer', run: run1, timerId: 't1', startedEventId: 5 } as const;
    expect(workflowTimersOf(run.state)).toEqual([{ fireAtMs, timer }]);

    run.nowMs = fireAtMs - 1;
    expect(fireUserTimer(run.state, { timerId: 't1', startedEventId: 5 }, run.context())).toBeNull();
    expect(fireWorkflowTimer(run.state, timer, run.context())).toBeNull();

    run.nowMs = fireAtMs;
    const fired = run.apply((s, c) => fireWorkflowTimer(s, timer, c)!);
    expect(outline(fired.events)).toEqual(['6 TIMER_FIRED', '7 WORKFLOW_TASK_SCHEDULED']);
    expect(fired.events[0]).toMatchObject({ timerFiredEventAttributes: { timerId: 't1', startedEventId: '5' } });
    expect(fired.effects).toEqual([
      { kind: 'dispatchWorkflowTask', queue: 'normal', taskQueue: 'tq', scheduledEventId: 7, attempt: 1 },
    ]);
    expect(run.state.timers).toEqual({});
    expect(fireWorkflowTimer(run.state, timer, { ...run.context(), nowMs: fireAtMs + 10_000 })).toBeNull();
    assertHistoryShape(run.history);
  });

  it('a timer firing while a task is started is buffered, then flushed by the completion', () => {
    const run = runWithTimer();
    signal(run);
    run.poll();
    run.nowMs = run.state.timers['t1']!.fireAtMs + 5;
    const buffered = run.apply((s, c) => fireUserTimer(s, { timerId: 't1', startedEventId: 5 }, c)!);
    expect(buffered.events).toEqual([]);
    expect(run.state.timers).toEqual({});
    expect(run.state.bufferedEvents).toHaveLength(1);
    const completed = completeWith(run, []);
    expect(outline(completed.events)).toEqual([
      '9 WORKFLOW_TASK_COMPLETED',
      '10 TIMER_FIRED',
      '11 WORKFLOW_TASK_SCHEDULED',
    ]);
    expect(completed.events[1]).toMatchObject({ timerFiredEventAttributes: { timerId: 't1', startedEventId: '5' } });
    assertHistoryShape(run.history);
  });

  it('a cancelled timer writes TimerCanceled and its later fire is stale', () => {
    const run = runWithTimer();
    const { fireAtMs } = run.state.timers['t1']!;
    signal(run);
    run.poll();
    const cancelled = completeWith(run, [cancelTimer('t1')]);
    expect(outline(cancelled.events)).toEqual(['9 WORKFLOW_TASK_COMPLETED', '10 TIMER_CANCELED']);
    expect(cancelled.events[1]).toMatchObject({
      timerCanceledEventAttributes: {
        timerId: 't1',
        startedEventId: '5',
        workflowTaskCompletedEventId: '9',
        identity: 'worker',
      },
    });
    expect(run.state.timers).toEqual({});
    expect(workflowTimersOf(run.state)).toEqual([]);
    run.nowMs = fireAtMs + 1000;
    expect(fireUserTimer(run.state, { timerId: 't1', startedEventId: 5 }, run.context())).toBeNull();
    assertHistoryShape(run.history);
  });

  it('cancelling a timer whose TimerFired is buffered drops the TimerFired and writes only TimerCanceled', () => {
    const run = runWithTimer();
    signal(run);
    run.poll();
    run.nowMs = run.state.timers['t1']!.fireAtMs;
    run.apply((s, c) => fireUserTimer(s, { timerId: 't1', startedEventId: 5 }, c)!);
    const cancelled = completeWith(run, [cancelTimer('t1')]);
    expect(outline(cancelled.events)).toEqual(['9 WORKFLOW_TASK_COMPLETED', '10 TIMER_CANCELED']);
    expect(cancelled.events[1]).toMatchObject({ timerCanceledEventAttributes: { timerId: 't1', startedEventId: '5' } });
    expect(run.state.bufferedEvents).toEqual([]);
    expect(run.state.workflowTask.phase).toBe('none');
    expect(run.history.some((event) => event.eventType === 'EVENT_TYPE_TIMER_FIRED')).toBe(false);
    assertHistoryShape(run.history);
  });

  it('a timer id restarted after a cancel fires only for its new TimerStarted', () => {
    const run = runWithTimer();
    signal(run);
    run.poll();
    completeWith(run, [cancelTimer('t1')]);
    signal(run);
    run.poll();
    completeWith(run, [startTimer('t1', durationOfMs(100))]);
    const restarted = run.state.timers['t1']!;
    expect(restarted.startedEventId).toBe(15);
    run.nowMs = restarted.fireAtMs;
    expect(fireUserTimer(run.state, { timerId: 't1', startedEventId: 5 }, run.context())).toBeNull();
    const fired = run.apply((s, c) => fireUserTimer(s, { timerId: 't1', startedEventId: 15 }, c)!);
    expect(fired.events[0]).toMatchObject({ timerFiredEventAttributes: { timerId: 't1', startedEventId: '15' } });
    assertHistoryShape(run.history);
  });

  it('a started timerId, an empty id, a zero, negative or missing timeout fail the task as BAD_START_TIMER', () => {
    const bad = 'WORKFLOW_TASK_FAILED_CAUSE_BAD_START_TIMER_ATTRIBUTES';
    const cases: ProtoCommand[] = [
      startTimer('t1', durationOfMs(1000)),
      startTimer('', durationOfMs(1000)),
      startTimer('t2', { seconds: '0', nanos: 0 }),
      startTimer('t2', { seconds: '-1', nanos: 0 }),
      startTimer('t2', { seconds: 'soon', nanos: 0 }),
      { commandType: 'COMMAND_TYPE_START_TIMER', startTimerCommandAttributes: { timerId: 't2' } },
      { commandType: 'COMMAND_TYPE_START_TIMER' },
    ];
    for (const command of cases) {
      const run = runWithTimer();
      signal(run);
      run.poll();
      expect(refusedCause(run, [command])).toBe(bad);
      expect(Object.keys(run.state.timers)).toEqual(['t1']);
      assertHistoryShape(run.history);
    }
  });

  it('within one completion: a timerId started twice is refused; start then cancel writes both events', () => {
    const twice = new RunHarness();
    twice.poll();
    const sameId = [startTimer('t', durationOfMs(1000)), startTimer('t', durationOfMs(2000))];
    expect(refusedCause(twice, sameId)).toBe('WORKFLOW_TASK_FAILED_CAUSE_BAD_START_TIMER_ATTRIBUTES');
    expect(twice.state.timers).toEqual({});

    const startCancel = new RunHarness();
    startCancel.poll();
    const result = completeWith(startCancel, [startTimer('t', durationOfMs(1000)), cancelTimer('t'), cancelTimer('t')]);
    expect(outline(result.events)[0]).toMatch(/WORKFLOW_TASK_FAILED$/);
    startCancel.poll();
    const ok = completeWith(startCancel, [startTimer('t', durationOfMs(1000)), cancelTimer('t')]);
    expect(outline(ok.events)).toEqual([
      '5 WORKFLOW_TASK_SCHEDULED',
      '6 WORKFLOW_TASK_STARTED',
      '7 WORKFLOW_TASK_COMPLETED',
      '8 TIMER_STARTED',
      '9 TIMER_CANCELED',
    ]);
    expect(ok.events[4]).toMatchObject({ timerCanceledEventAttributes: { timerId: 't', startedEventId: '8' } });
    expect(startCancel.state.timers).toEqual({});
    assertHistoryShape(startCancel.history);
  });

  it('cancelling an unknown timer fails the task as BAD_CANCEL_TIMER', () => {
    const run = runWithTimer();
    signal(run);
    run.poll();
    expect(refusedCause(run, [cancelTimer('nope')])).toBe('WORKFLOW_TASK_FAILED_CAUSE_BAD_CANCEL_TIMER_ATTRIBUTES');
    expect(Object.keys(run.state.timers)).toEqual(['t1']);
  });

  it('sub-millisecond timeouts round up so the timer never fires early', () => {
    const run = new RunHarness();
    run.poll();
    completeWith(run, [startTimer('tiny', { seconds: '0', nanos: 1 })]);
    const startedMs = msFromTimestamp(run.history[4]!.eventTime);
    expect(run.state.timers['tiny']!.fireAtMs).toBe(startedMs + 1);
  });
});
