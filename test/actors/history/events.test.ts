/**
 * Goal: event builders produce the proto-loader shape (TEMPORAL-API.md §1): string int64s, {seconds, nanos}
 * timestamps, the enum name, the oneof's virtual `attributes` field and exactly one attributes member; bad ids
 * are fail-stop. Method: build events and compare whole objects.
 */

import { describe, expect, it } from 'vitest';

import { AssertionError } from '../../../src/raft/core/errors.js';
import { workflowExecutionTerminatedEvent, workflowTaskTimedOutEvent } from '../../../src/actors/history/events.js';
import { durationFromMs, msFromTimestamp, timestampFromMs } from '../../../src/actors/history/protoTime.js';

describe('history event builders', () => {
  it('build the proto-loader shape with millisecond time as seconds and nanos', () => {
    const event = workflowExecutionTerminatedEvent(7, 1_700_000_000_123, 42, { reason: 'r', identity: 'i' });
    expect(event).toEqual({
      eventId: '7',
      eventTime: { seconds: '1700000000', nanos: 123_000_000 },
      taskId: '42',
      eventType: 'EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED',
      attributes: 'workflowExecutionTerminatedEventAttributes',
      workflowExecutionTerminatedEventAttributes: { reason: 'r', identity: 'i' },
    });
  });

  it('refuse event id 0 and fractional times as broken invariants', () => {
    const attributes = {
      scheduledEventId: '1',
      startedEventId: '0',
      timeoutType: 'TIMEOUT_TYPE_SCHEDULE_TO_START',
    } as const;
    expect(() => workflowTaskTimedOutEvent(0, 0, 1, attributes)).toThrow(AssertionError);
    expect(() => workflowTaskTimedOutEvent(1, 0.5, 1, attributes)).toThrow(AssertionError);
  });

  it('convert times and durations both ways', () => {
    expect(durationFromMs(10_500)).toEqual({ seconds: '10', nanos: 500_000_000 });
    expect(msFromTimestamp(timestampFromMs(1_234_567))).toBe(1_234_567);
  });
});
