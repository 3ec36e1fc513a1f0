/**
 * Goal: the run-level server timers derived from state (TEMPORAL-API.md §5.3, §5.6, §8): which timers a state
 * implies and when, that each fires exactly at its time (null a millisecond earlier), that a fired timer is stale
 * afterwards, and what each writes: WFT start-to-close (WFTTimedOut, then transient attempts that write nothing),
 * sticky schedule-to-start (back to the normal queue, same attempt), run and execution timeouts (the run closes as
 * timedOut, a started task is force-failed first, buffered events are flushed, pending timers are dropped).
 * Method: harness sequences with an explicit clock; every history passes the shape check.
 */

import { describe, expect, it } from 'vitest';

import { assertHistoryShape } from '../../../src/actors/history/historyShape.js';
import type { DueTimer } from '../../../src/actors/timers/timerKinds.js';
import {
  fireWorkflowTimer,
  workflowTimersOf,
  type WorkflowTimerKind,
} from '../../../src/actors/timers/workflowTimers.js';
import { WorkflowClosedError } from '../../../src/actors/workflowTask/errors.js';
import { timeoutWorkflowRun } from '../../../src/actors/workflowTask/timeoutWorkflowRun.js';
import { outline, RunHarness, startTimeMs } from '../workflowTask/runHarness.js';
import { completeWith, durationOfMs, runWithTimeouts, signal, startTimer } from './timerRun.js';

const run1 = { namespaceId: 'default', workflowId: 'wf-1', runId: 'run-1' };

/** The one derived timer of `kind`. */
function timerOf(run: RunHarness, kind: WorkflowTimerKind['kind']): DueTimer & { timer: WorkflowTimerKind } {
  const found = workflowTimersOf(run.state).filter((due) => due.timer.kind === kind);
  expect(found).toHaveLength(1);
  return found[0] as DueTimer & { timer: WorkflowTimerKind };
}

/** Checks the timer is null a millisecond early, then fires it at its time. */
function fireExactly(run: RunHarness, due: DueTimer & { timer: WorkflowTimerKind }) {
  expect(fireWorkflowTimer(run.state, due.timer, { ...run.context(), nowMs: due.fireAtMs - 1 })).toBeNull();
  run.nowMs = due.fireAtMs;
  return run.apply((s, c) => fireWorkflowTimer(s, due.timer, c)!);
}

describe('workflow timers', () => {
  it('WFT start-to-close: WFTTimedOut, then transient attempts 2 and 3 time out writing nothing (§5.3)', () => {
    const run = new RunHarness();
    expect(workflowTimersOf(run.state)).toEqual([]);
    run.poll();
    const first = timerOf(run, 'workflowTaskStartToClose');
    expect(first).toEqual({
      fireAtMs: startTimeMs + 1000 + 10_000,
      timer: { kind: 'workflowTaskStartToClose', run: run1, scheduledEventId: 2, attempt: 1 },
    });
    const timedOut = fireExactly(run, first);
    expect(outline(timedOut.events)).toEqual(['4 WORKFLOW_TASK_TIMED_OUT']);
    expect(timedOut.events[0]).toMatchObject({
      workflowTaskTimedOutEventAttributes: { timeoutType: 'TIMEOUT_TYPE_START_TO_CLOSE', startedEventId: '3' },
    });
    expect(run.state.workflowTask).toMatchObject({ phase: 'scheduled', attempt: 2, transient: true });
    expect(fireWorkflowTimer(run.state, first.timer, run.context())).toBeNull();

    run.poll();
    const second = timerOf(run, 'workflowTaskStartToClose');
    expect(second.timer).toMatchObject({ scheduledEventId: 5, attempt: 2 });
    expect(fireExactly(run, second).events).toEqual([]);
    expect(run.state.workflowTask).toMatchObject({ phase: 'scheduled', attempt: 3, scheduledEventId: 5 });
    run.poll();
    completeWith(run, []);
    expect(outline(run.history.slice(3))).toEqual([
      '4 WORKFLOW_TASK_TIMED_OUT',
      '5 WORKFLOW_TASK_SCHEDULED',
      '6 WORKFLOW_TASK_STARTED',
      '7 WORKFLOW_TASK_COMPLETED',
    ]);
    expect(run.history[4]).toMatchObject({ workflowTaskScheduledEventAttributes: { attempt: 3 } });
    assertHistoryShape(run.history);
  });

  it('sticky schedule-to-start falls back to the normal queue with the same attempt (§5.6)', () => {
    const run = new RunHarness();
    run.poll();
    const stickiness = { stickyTaskQueue: 'sticky-1', scheduleToStartTimeoutMs: 10_000 };
    completeWith(run, [], { stickiness, force: true });
    const scheduledTimeMs = msOfScheduled(run);
    const sticky = timerOf(run, 'stickyScheduleToStart');
    expect(sticky).toEqual({
      fireAtMs: scheduledTimeMs + 10_000,
      timer: { kind: 'stickyScheduleToStart', run: run1, scheduledEventId: 5, attempt: 1 },
    });
    const moved = fireExactly(run, sticky);
    expect(outline(moved.events)).toEqual(['6 WORKFLOW_TASK_TIMED_OUT', '7 WORKFLOW_TASK_SCHEDULED']);
    expect(moved.events[0]).toMatchObject({
      workflowTaskTimedOutEventAttributes: { startedEventId: '0', timeoutType: 'TIMEOUT_TYPE_SCHEDULE_TO_START' },
    });
    expect(moved.events[1]).toMatchObject({
      workflowTaskScheduledEventAttributes: { attempt: 1, taskQueue: { name: 'tq', kind: 'TASK_QUEUE_KIND_NORMAL' } },
    });
    expect(run.state.stickiness).toBeNull();
    expect(workflowTimersOf(run.state)).toEqual([]);
    expect(fireWorkflowTimer(run.state, sticky.timer, run.context())).toBeNull();
    assertHistoryShape(run.history);
  });

  it('a sticky task that was polled in time has only its start-to-close timer', () => {
    const run = new RunHarness();
    run.poll();
    completeWith(run, [], { stickiness: { stickyTaskQueue: 's', scheduleToStartTimeoutMs: 5000 }, force: true });
    const sticky = timerOf(run, 'stickyScheduleToStart');
    run.poll();
    expect(workflowTimersOf(run.state).map((due) => due.timer.kind)).toEqual(['workflowTaskStartToClose']);
    expect(fireWorkflowTimer(run.state, sticky.timer, { ...run.context(), nowMs: sticky.fireAtMs })).toBeNull();
  });

  it('the run timeout closes the run as timedOut and drops pending timers', () => {
    const run = runWithTimeouts(60_000, 0);
    run.poll();
    completeWith(run, [startTimer('long', durationOfMs(3_600_000))]);
    const userTimer = timerOf(run, 'userTimer');
    const runTimeout = timerOf(run, 'workflowRunTimeout');
    expect(runTimeout).toEqual({ fireAtMs: startTimeMs + 60_000, timer: { kind: 'workflowRunTimeout', run: run1 } });
    const closed = fireExactly(run, runTimeout);
    expect(outline(closed.events)).toEqual(['6 WORKFLOW_EXECUTION_TIMED_OUT']);
    expect(closed.events[0]).toMatchObject({
      workflowExecutionTimedOutEventAttributes: { retryState: 'RETRY_STATE_TIMEOUT' },
    });
    expect(closed.effects).toEqual([{ kind: 'runClosed', status: 'timedOut', closeEventId: 6 }]);
    expect(run.state.status).toBe('timedOut');
    expect(run.state.closeState).toMatchObject({ status: 'timedOut', closeEventId: 6 });
    expect(run.state.timers).toEqual({});
    expect(run.history.at(-1)?.eventType).toBe('EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT');
    expect(workflowTimersOf(run.state)).toEqual([]);
    const late = { ...run.context(), nowMs: userTimer.fireAtMs };
    expect(fireWorkflowTimer(run.state, userTimer.timer, late)).toBeNull();
    expect(fireWorkflowTimer(run.state, runTimeout.timer, late)).toBeNull();
    expect(() => timeoutWorkflowRun(run.state, late)).toThrow(WorkflowClosedError);
    assertHistoryShape(run.history);
  });

  it('a timeout during a started task force-fails it and flushes buffered events before closing', () => {
    const run = runWithTimeouts(0, 30_000);
    run.poll();
    signal(run);
    expect(run.state.bufferedEvents).toHaveLength(1);
    const closed = fireExactly(run, timerOf(run, 'workflowExecutionTimeout'));
    expect(outline(closed.events)).toEqual([
      '4 WORKFLOW_TASK_FAILED',
      '5 WORKFLOW_EXECUTION_SIGNALED',
      '6 WORKFLOW_EXECUTION_TIMED_OUT',
    ]);
    expect(closed.events[0]).toMatchObject({
      workflowTaskFailedEventAttributes: { cause: 'WORKFLOW_TASK_FAILED_CAUSE_FORCE_CLOSE_COMMAND' },
    });
    expect(run.state.workflowTask).toEqual({ phase: 'none' });
    expect(run.state.bufferedEvents).toEqual([]);
    assertHistoryShape(run.history);
  });

  it('a timeout during a transient attempt writes no task event; the later of two timeouts is stale', () => {
    const run = runWithTimeouts(20_000, 40_000);
    run.poll();
    fireExactly(run, timerOf(run, 'workflowTaskStartToClose'));
    run.poll();
    const execution = timerOf(run, 'workflowExecutionTimeout');
    const closed = fireExactly(run, timerOf(run, 'workflowRunTimeout'));
    expect(outline(closed.events)).toEqual(['5 WORKFLOW_EXECUTION_TIMED_OUT']);
    expect(fireWorkflowTimer(run.state, execution.timer, { ...run.context(), nowMs: execution.fireAtMs })).toBeNull();
    assertHistoryShape(run.history);
  });

  it('a timer naming another run is stale', () => {
    const run = runWithTimeouts(1000, 0);
    const due = timerOf(run, 'workflowRunTimeout');
    const other = { ...due.timer, run: { ...run1, runId: 'run-2' } };
    expect(fireWorkflowTimer(run.state, other, { ...run.context(), nowMs: due.fireAtMs + 1 })).toBeNull();
  });
});

/** The scheduled time of the current (written) workflow task. */
function msOfScheduled(run: RunHarness): number {
  const task = run.state.workflowTask;
  if (task.phase !== 'scheduled') {
    throw new Error(`test bug: task is ${task.phase}`);
  }
  return task.scheduledTimeMs;
}
