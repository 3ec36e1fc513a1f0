/**
 * Goal: the well-formedness checker (TESTING.md invariant 4) accepts real histories and names each kind of
 * violation. Method: build a valid history with the event builders, then break one rule at a time.
 */

import { describe, expect, it } from 'vitest';

import {
  workflowExecutionCompletedEvent,
  workflowExecutionSignaledEvent,
  workflowExecutionStartedEvent,
  workflowTaskCompletedEvent,
  workflowTaskScheduledEvent,
  workflowTaskStartedEvent,
  workflowTaskTimedOutEvent,
  type HistoryEvent,
} from '../../../src/actors/history/events.js';
import {
  assertHistoryShape,
  HistoryShapeError,
  historyShapeViolations,
} from '../../../src/actors/history/historyShape.js';

const t0 = 1_700_000_000_000;
const queue = { name: 'tq', kind: 'TASK_QUEUE_KIND_NORMAL' } as const;
const timeout = { seconds: '10', nanos: 0 };

function validHistory(): HistoryEvent[] {
  return [
    workflowExecutionStartedEvent(1, t0, 1, {
      workflowType: { name: 'w' },
      taskQueue: queue,
      workflowTaskTimeout: timeout,
      identity: 'c',
      attempt: 1,
      originalExecutionRunId: 'r',
      firstExecutionRunId: 'r',
      workflowId: 'id',
    }),
    workflowTaskScheduledEvent(2, t0, 2, { taskQueue: queue, startToCloseTimeout: timeout, attempt: 1 }),
    workflowTaskStartedEvent(3, t0 + 5, 3, {
      scheduledEventId: '2',
      identity: 'w',
      requestId: 'q',
      historySizeBytes: '0',
    }),
    workflowTaskCompletedEvent(4, t0 + 9, 4, { scheduledEventId: '2', startedEventId: '3', identity: 'w' }),
    workflowExecutionCompletedEvent(5, t0 + 9, 5, { workflowTaskCompletedEventId: '4' }),
  ];
}

const signaled = (id: number, timeMs: number, taskId: number) =>
  workflowExecutionSignaledEvent(id, timeMs, taskId, { signalName: 's', identity: 'c' });

describe('historyShape', () => {
  it('accepts a well-formed history', () => {
    expect(historyShapeViolations(validHistory())).toEqual([]);
    expect(() => assertHistoryShape(validHistory())).not.toThrow();
  });

  it('rejects an empty history', () => {
    expect(historyShapeViolations([])).toHaveLength(1);
  });

  it('rejects a gap in eventIds', () => {
    const events = validHistory();
    events.splice(2, 1);
    expect(historyShapeViolations(events).join()).toMatch(/eventId 4, expected 3/);
  });

  it('rejects time going backwards and taskIds not increasing', () => {
    const backwards = validHistory();
    backwards[3] = workflowTaskCompletedEvent(4, t0 + 1, 4, {
      scheduledEventId: '2',
      startedEventId: '3',
      identity: 'w',
    });
    expect(historyShapeViolations(backwards).join()).toMatch(/eventTime goes backwards/);
    const taskIds = validHistory();
    taskIds[1] = workflowTaskScheduledEvent(2, t0, 1, { taskQueue: queue, startToCloseTimeout: timeout, attempt: 1 });
    expect(historyShapeViolations(taskIds).join()).toMatch(/taskId 1 is not above 1/);
  });

  it('rejects anything after the close event, and a Started that is not first', () => {
    const after = [...validHistory(), signaled(6, t0 + 9, 6)];
    expect(historyShapeViolations(after).join()).toMatch(/follows the close event 5/);
    const notFirst = validHistory();
    notFirst[0] = signaled(1, t0, 1);
    expect(historyShapeViolations(notFirst).join()).toMatch(/must be the first event/);
  });

  it('rejects workflow task events that do not match an open task', () => {
    const wrongScheduled = validHistory();
    wrongScheduled[2] = workflowTaskStartedEvent(3, t0 + 5, 3, {
      scheduledEventId: '1',
      identity: 'w',
      requestId: 'q',
      historySizeBytes: '0',
    });
    expect(historyShapeViolations(wrongScheduled).join()).toMatch(/scheduledEventId 1 is not 2/);
    const wrongStarted = validHistory();
    wrongStarted[3] = workflowTaskCompletedEvent(4, t0 + 9, 4, {
      scheduledEventId: '2',
      startedEventId: '0',
      identity: 'w',
    });
    expect(historyShapeViolations(wrongStarted).join()).toMatch(/startedEventId 0 does not match/);
    const scheduleToStartAfterStart = validHistory().slice(0, 3);
    scheduleToStartAfterStart.push(
      workflowTaskTimedOutEvent(4, t0 + 9, 4, {
        scheduledEventId: '2',
        startedEventId: '3',
        timeoutType: 'TIMEOUT_TYPE_SCHEDULE_TO_START',
      })
    );
    expect(historyShapeViolations(scheduleToStartAfterStart)).toHaveLength(1);
    const twoOpen = validHistory().slice(0, 2);
    twoOpen.push(workflowTaskScheduledEvent(3, t0, 3, { taskQueue: queue, startToCloseTimeout: timeout, attempt: 1 }));
    expect(historyShapeViolations(twoOpen).join()).toMatch(/already open/);
    expect(() => assertHistoryShape(twoOpen)).toThrow(HistoryShapeError);
  });
});
