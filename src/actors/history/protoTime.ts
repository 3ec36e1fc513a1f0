/**
 * google.protobuf.Timestamp and Duration in the proto-loader shape (TEMPORAL-API.md §1: int64 as strings), built
 * from integer milliseconds. The engine keeps times as milliseconds and converts only when it builds an event.
 */

import { invariant } from '../../raft/core/errors.js';

/** `google.protobuf.Timestamp` as proto-loader decodes it (`longs: String`). */
export interface ProtoTimestamp {
  readonly seconds: string;
  readonly nanos: number;
}

/** `google.protobuf.Duration` as proto-loader decodes it. */
export interface ProtoDuration {
  readonly seconds: string;
  readonly nanos: number;
}

/** Converts epoch milliseconds (a non-negative safe integer) to a Timestamp. */
export function timestampFromMs(epochMs: number): ProtoTimestamp {
  invariant(Number.isSafeInteger(epochMs) && epochMs >= 0, () => `epochMs must be a safe integer >= 0, got ${epochMs}`);
  return { seconds: String(Math.floor(epochMs / 1000)), nanos: (epochMs % 1000) * 1_000_000 };
}

/** Converts a millisecond duration (a non-negative safe integer) to a Duration. */
export function durationFromMs(durationMs: number): ProtoDuration {
  invariant(
    Number.isSafeInteger(durationMs) && durationMs >= 0,
    () => `durationMs must be a safe integer >= 0, got ${durationMs}`
  );
  return { seconds: String(Math.floor(durationMs / 1000)), nanos: (durationMs % 1000) * 1_000_000 };
}

/** Converts a Timestamp back to epoch milliseconds (sub-millisecond nanos are truncated). */
export function msFromTimestamp(timestamp: ProtoTimestamp): number {
  return Number(timestamp.seconds) * 1000 + Math.floor(timestamp.nanos / 1_000_000);
}
