/**
 * Small readers of decoded proto values in history events (Durations, int64s, enums), so scenario assertions compare
 * plain numbers and enum names.
 */
import { temporal } from '@temporalio/proto';
import type { google } from '@temporalio/proto';

const enums = temporal.api.enums.v1;

/** Milliseconds of a decoded google.protobuf.Duration (undefined when absent). */
export function durationMs(duration: google.protobuf.IDuration | null | undefined): number | undefined {
  if (duration === null || duration === undefined) return undefined;
  return Number(duration.seconds ?? 0) * 1000 + Math.round(Number(duration.nanos ?? 0) / 1e6);
}

/** Milliseconds since the epoch of an event's eventTime (0 when absent). */
export function eventTimeMs(event: temporal.api.history.v1.IHistoryEvent | undefined): number {
  const time = event?.eventTime;
  return Number(time?.seconds ?? 0) * 1000 + Math.floor(Number(time?.nanos ?? 0) / 1e6);
}

/** A decoded int64 (Long, number or string) as a number. */
export function int64(value: unknown): number {
  return Number(value ?? 0);
}

/** The enum name of a RetryState value ('RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED'). */
export function retryStateName(value: temporal.api.enums.v1.RetryState | null | undefined): string | undefined {
  return value === null || value === undefined ? undefined : enums.RetryState[value];
}

/** The enum name of a TimeoutType value ('TIMEOUT_TYPE_HEARTBEAT'). */
export function timeoutTypeName(value: temporal.api.enums.v1.TimeoutType | null | undefined): string | undefined {
  return value === null || value === undefined ? undefined : enums.TimeoutType[value];
}

/** The enum name of a TaskQueueKind value ('TASK_QUEUE_KIND_STICKY'). */
export function taskQueueKindName(value: temporal.api.enums.v1.TaskQueueKind | null | undefined): string | undefined {
  return value === null || value === undefined ? undefined : enums.TaskQueueKind[value];
}
