// Goal: the checkers of the engine crash and timer scenarios (jepsen-like/engine/crashChecks.ts, timerChecks.ts)
// accept a correct history and execution log and flag each violation they exist for: a second completion, a wrong
// result, an activity completed twice, a duplicate execution that was not in flight at the kill, an execution after
// the recorded completion, an activity never executed, a timer fired early (by one nanosecond), a timer that never
// fired and a timer of the wrong duration. Otherwise a green engineCrash run could be a vacuous one.
// Method: hand-built histories in the shape the SDK client's fetchHistory returns (numeric enums, Long-like int64s
// as numbers, Timestamps and Durations as seconds + nanos, results as SDK-encoded JSON payloads).
import { defaultPayloadConverter } from '@temporalio/client';
import temporalProto from '@temporalio/proto';
import { describe, expect, it } from 'vitest';
import type { ActivityExecution } from '../../jepsen-like/engine/activities.js';
import { checkActivityExecutions, checkTwoActivitiesHistory } from '../../jepsen-like/engine/crashChecks.js';
import type { History, HistoryEvent } from '../../jepsen-like/engine/historyFacts.js';
import { checkSleeperHistory } from '../../jepsen-like/engine/timerChecks.js';

const { EventType } = temporalProto.temporal.api.enums.v1;
const baseSeconds = 1_800_000_000;

/**
 * An event from plain fields: the client decodes int64s as Long objects, which the checkers read through
 * Number()/String(), exactly as they read the plain numbers used here.
 */
function event(fields: Record<string, unknown>): HistoryEvent {
  return fields as HistoryEvent;
}

/** A Timestamp `offsetNs` nanoseconds after the base time. */
function at(offsetNs: number) {
  return { seconds: baseSeconds + Math.floor(offsetNs / 1e9), nanos: offsetNs % 1e9 };
}

function completed(eventId: number, result: unknown): HistoryEvent {
  return event({
    eventId,
    eventType: EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED,
    eventTime: at(9e9),
    workflowExecutionCompletedEventAttributes: { result: { payloads: [defaultPayloadConverter.toPayload(result)] } },
  });
}

/** The history of twoActivities(1): first scheduled at 5, completed at 7 (t=1 s), second at 11 / 13 (t=2 s). */
function twoActivitiesHistory(result: unknown = 'a1-b'): HistoryEvent[] {
  const scheduled = (eventId: number, name: string): HistoryEvent =>
    event({
      eventId,
      eventType: EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED,
      eventTime: at(0),
      activityTaskScheduledEventAttributes: { activityType: { name } },
    });
  const activityCompleted = (eventId: number, scheduledEventId: number, timeNs: number): HistoryEvent =>
    event({
      eventId,
      eventType: EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED,
      eventTime: at(timeNs),
      activityTaskCompletedEventAttributes: { scheduledEventId, startedEventId: scheduledEventId + 1 },
    });
  return [
    event({ eventId: 1, eventType: EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED, eventTime: at(0) }),
    scheduled(5, 'first'),
    activityCompleted(7, 5, 1e9),
    scheduled(11, 'second'),
    activityCompleted(13, 11, 2e9),
    completed(17, result),
  ];
}

const baseMs = baseSeconds * 1000;

function execution(activityType: string, attempt: number, startedAtOffsetMs: number): ActivityExecution {
  const startedAtWallMs = baseMs + startedAtOffsetMs;
  return { workflowId: 'wf', activityType, attempt, startedAtWallMs, endedAtWallMs: startedAtWallMs + 1 };
}

describe('checkTwoActivitiesHistory', () => {
  it('accepts a correct history and reports both completion times', () => {
    const check = checkTwoActivitiesHistory('wf', { events: twoActivitiesHistory() }, 'a1-b');
    expect(check.violations).toEqual([]);
    expect([...check.completedAtWallMs]).toEqual([
      ['first', baseMs + 1000],
      ['second', baseMs + 2000],
    ]);
  });

  it('flags a second WorkflowExecutionCompleted, a wrong result and an activity completed twice', () => {
    const twice: History = { events: [...twoActivitiesHistory(), completed(18, 'a1-b')] };
    expect(checkTwoActivitiesHistory('wf', twice, 'a1-b').violations.join('\n')).toContain(
      '2 WorkflowExecutionCompleted events, expected exactly 1'
    );
    const wrong = checkTwoActivitiesHistory('wf', { events: twoActivitiesHistory('a2-b') }, 'a1-b');
    expect(wrong.violations.join('\n')).toContain('completed with "a2-b", expected "a1-b"');
    const events = twoActivitiesHistory();
    const duplicate = event({ ...events[2], eventId: 8 });
    const doubled = checkTwoActivitiesHistory('wf', { events: [...events, duplicate] }, 'a1-b');
    expect(doubled.violations.join('\n')).toContain('2 ActivityTaskCompleted of first, expected 1');
  });
});

describe('checkActivityExecutions', () => {
  const completedAt = new Map([['wf', new Map([['first', baseMs + 1000]])]]);
  const killAtWallMs = baseMs + 500;

  it('allows a repeat whose first execution began before the kill, and counts it', () => {
    const check = checkActivityExecutions(
      [execution('first', 1, 400), execution('first', 2, 900)],
      completedAt,
      killAtWallMs
    );
    expect(check.violations).toEqual([]);
    expect(check).toMatchObject({ totalExecutions: 2, duplicatedActivities: 1, extraExecutions: 1 });
    expect(check.maxExecutionsOfOneActivity).toBe(2);
  });

  it('flags repeats all after the kill, executions after the completion, and activities never executed', () => {
    const afterKill = checkActivityExecutions(
      [execution('first', 1, 600), execution('first', 2, 700)],
      completedAt,
      killAtWallMs
    );
    expect(afterKill.violations.join('\n')).toContain('wf/first: ran 2 times (attempts 1,2), all after the kill');
    const late = checkActivityExecutions(
      [execution('first', 1, 400), execution('first', 2, 1001)],
      completedAt,
      killAtWallMs
    );
    expect(late.violations.join('\n')).toContain('1 execution(s) began after its completion was recorded');
    const never = checkActivityExecutions([], completedAt, killAtWallMs);
    expect(never.violations).toEqual(['wf/first: completed in the history but never executed by the worker']);
  });
});

describe('checkSleeperHistory', () => {
  /** sleeper(1500): TimerStarted at t=0 for 1.5 s, TimerFired `firedAtNs` after the base time. */
  function sleeperHistory(firedAtNs: number | undefined, timerDurationMs = 1500): History {
    const events: HistoryEvent[] = [
      event({
        eventId: 5,
        eventType: EventType.EVENT_TYPE_TIMER_STARTED,
        eventTime: at(0),
        timerStartedEventAttributes: {
          timerId: '1',
          startToFireTimeout: { seconds: 1, nanos: (timerDurationMs - 1000) * 1e6 },
        },
      }),
    ];
    if (firedAtNs !== undefined) {
      events.push(
        event({
          eventId: 6,
          eventType: EventType.EVENT_TYPE_TIMER_FIRED,
          eventTime: at(firedAtNs),
          timerFiredEventAttributes: { timerId: '1', startedEventId: 5 },
        })
      );
    }
    return { events: [...events, completed(10, 1500)] };
  }

  it('accepts a timer that fires exactly when due and reports its lateness', () => {
    const check = checkSleeperHistory('wf', sleeperHistory(1.5e9), 1500);
    expect(check.violations).toEqual([]);
    expect(check.firings).toEqual([{ dueAtWallMs: baseMs + 1500, latenessMs: 0 }]);
    expect(checkSleeperHistory('wf', sleeperHistory(1.5e9 + 7e6), 1500).firings[0]?.latenessMs).toBe(7);
  });

  it('flags a timer fired one nanosecond early, one never fired, and one of the wrong duration', () => {
    const early = checkSleeperHistory('wf', sleeperHistory(1.5e9 - 1), 1500);
    expect(early.violations.join('\n')).toContain('fired 0.000001 ms early');
    const never = checkSleeperHistory('wf', sleeperHistory(undefined), 1500);
    expect(never.violations.join('\n')).toContain('fired 0 times');
    const wrongDuration = checkSleeperHistory('wf', sleeperHistory(2e9, 1400), 1500);
    expect(wrongDuration.violations.join('\n')).toContain('lasts 1400000000 ns, the workflow asked for 1500 ms');
  });
});
