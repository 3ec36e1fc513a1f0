/**
 * Plain readings of a fetched history for the checkers: readable event names, exact event times and durations in
 * nanoseconds (bigint, so that "not earlier than" compares without float rounding), and decoded result payloads.
 */
import { defaultPayloadConverter } from '@temporalio/client';
// A default import: the package is CommonJS with exports Node's ESM loader cannot name statically.
import temporalProto from '@temporalio/proto';
import type { google, temporal } from '@temporalio/proto';

/** A history as `handle.fetchHistory()` returns it. */
export type History = temporal.api.history.v1.IHistory;
/** One event of it. */
export type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

const { EventType } = temporalProto.temporal.api.enums.v1;
const nanosPerSecond = 1_000_000_000n;

/** 'EVENT_TYPE_TIMER_FIRED' (or its number) → 'TimerFired'. */
export function eventName(event: HistoryEvent): string {
  const { eventType } = event;
  const enumName = typeof eventType === 'number' ? EventType[eventType] : String(eventType);
  return (enumName ?? String(eventType))
    .replace(/^EVENT_TYPE_/, '')
    .split('_')
    .map((word) => word.charAt(0) + word.slice(1).toLowerCase())
    .join('');
}

/** The events of `history` named `name`. */
export function eventsNamed(history: History, name: string): HistoryEvent[] {
  return (history.events ?? []).filter((event) => eventName(event) === name);
}

/** The event names in order, for messages. */
export function shapeOf(history: History): string {
  return (history.events ?? []).map(eventName).join(',');
}

/** A decoded int64 (Long, number or string) as a number. */
export function int64(value: unknown): number {
  return Number(value ?? 0);
}

/** A Timestamp as nanoseconds since the epoch; undefined when absent. */
export function timestampNs(timestamp: google.protobuf.ITimestamp | null | undefined): bigint | undefined {
  if (timestamp === null || timestamp === undefined) return undefined;
  return BigInt(String(timestamp.seconds ?? 0)) * nanosPerSecond + BigInt(timestamp.nanos ?? 0);
}

/** A Duration as nanoseconds; undefined when absent. */
export function durationNs(duration: google.protobuf.IDuration | null | undefined): bigint | undefined {
  if (duration === null || duration === undefined) return undefined;
  return BigInt(String(duration.seconds ?? 0)) * nanosPerSecond + BigInt(duration.nanos ?? 0);
}

/** Nanoseconds → milliseconds as a float (for reports only; comparisons stay in bigint). */
export function nsToMs(ns: bigint): number {
  return Number(ns) / 1e6;
}

/** The value of the only payload of the WorkflowExecutionCompleted event; undefined when there is none. */
export function completedResultOf(event: HistoryEvent): unknown {
  const payload = event.workflowExecutionCompletedEventAttributes?.result?.payloads?.[0];
  if (payload === undefined) return undefined;
  return defaultPayloadConverter.fromPayload({
    metadata: payload.metadata ?? undefined,
    data: payload.data ?? undefined,
  });
}

/**
 * The events of `history` as `Name@±seconds` relative to `originWallMs` (with the attempt of task events), e.g.
 * `WorkflowTaskScheduled#2@+9.87s`: shows where a slow workflow spent its time around a kill.
 */
export function timelineOf(history: History, originWallMs: number): string {
  return (history.events ?? [])
    .map((event) => {
      const atNs = timestampNs(event.eventTime);
      const offsetS = atNs === undefined ? '?' : ((nsToMs(atNs) - originWallMs) / 1000).toFixed(2);
      const attempt =
        event.workflowTaskScheduledEventAttributes?.attempt ?? event.activityTaskStartedEventAttributes?.attempt;
      const sign = offsetS.startsWith('-') || offsetS === '?' ? '' : '+';
      return `${eventName(event)}${attempt === undefined || attempt === null ? '' : `#${attempt}`}@${sign}${offsetS}s`;
    })
    .join(' ');
}
