/**
 * Durations at the edge: the engine keeps every duration as whole milliseconds (`number`); the gRPC layer
 * (proto-loader with `longs: String`) hands over `google.protobuf.Duration` as `{seconds: string, nanos: number}`.
 * These converters are the only place that shape is read or built, and they validate what they read, because
 * the values come from workers and clients.
 */

/**
 * The largest duration accepted: Go's `time.Duration` maximum (2^63−1 ns, about 292 years) in whole
 * milliseconds. Temporal's server cannot hold more, so SDKs never send more to a working server; the bound also
 * keeps `nowMs + durationMs` a safe integer.
 */
export const DURATION_MS_MAX = 9_223_372_036_854;

const NANOS_PER_SECOND = 1_000_000_000;
const NANOS_PER_MS = 1_000_000;

/** A `google.protobuf.Duration` as proto-loader decodes it with `longs: String` (a number is tolerated). */
export interface ProtoDuration {
  seconds?: string | number | null;
  nanos?: number | null;
}

/** A duration that is negative, not a number, fractional where it must be whole, or beyond {@link DURATION_MS_MAX}. */
export class InvalidDurationError extends Error {
  override readonly name = 'InvalidDurationError';
  constructor(
    /** The request field that held the bad value, e.g. `scheduleToCloseTimeout`. */
    readonly field: string,
    detail: string
  ) {
    super(`${field}: ${detail}`);
  }
}

/**
 * Reads a proto Duration as whole milliseconds; `null`/`undefined` (an unset field) gives `undefined`.
 * Sub-millisecond nanos round **up** so a timeout is never shorter than asked (timers never fire early).
 * Throws {@link InvalidDurationError} naming `field` for negative, malformed or too large values.
 */
export function durationMsFromProto(field: string, duration: ProtoDuration | null | undefined): number | undefined {
  if (duration === null || duration === undefined) return undefined;
  const seconds = parseSeconds(field, duration.seconds);
  const nanos = duration.nanos ?? 0;
  if (!Number.isInteger(nanos) || nanos < 0 || nanos >= NANOS_PER_SECOND) {
    throw new InvalidDurationError(field, `nanos must be an integer in [0, 999999999], got ${String(nanos)}`);
  }
  if (seconds > BigInt(Math.floor(DURATION_MS_MAX / 1000))) {
    throw new InvalidDurationError(field, `${String(seconds)} s exceeds the maximum of ${DURATION_MS_MAX} ms`);
  }
  const durationMs = Number(seconds) * 1000 + Math.ceil(nanos / NANOS_PER_MS);
  if (durationMs > DURATION_MS_MAX) {
    throw new InvalidDurationError(field, `${durationMs} ms exceeds the maximum of ${DURATION_MS_MAX} ms`);
  }
  return durationMs;
}

/** Parses the int64-as-string seconds strictly: an optional absent value is 0, negatives are rejected. */
function parseSeconds(field: string, seconds: string | number | null | undefined): bigint {
  if (seconds === null || seconds === undefined || seconds === '') return 0n;
  if (typeof seconds === 'number') {
    if (!Number.isSafeInteger(seconds) || seconds < 0) {
      throw new InvalidDurationError(field, `seconds must be a non-negative integer, got ${seconds}`);
    }
    return BigInt(seconds);
  }
  if (!/^-?[0-9]{1,20}$/.test(seconds)) {
    throw new InvalidDurationError(field, `seconds must be a decimal integer, got ${JSON.stringify(seconds)}`);
  }
  const value = BigInt(seconds);
  if (value < 0n) throw new InvalidDurationError(field, `must not be negative, got ${seconds} s`);
  return value;
}

/** Builds the proto Duration for whole milliseconds (0 means "unset/unlimited", sent as `{seconds: '0'}`). */
export function durationMsToProto(field: string, durationMs: number): { seconds: string; nanos: number } {
  validateDurationMs(field, durationMs);
  return { seconds: String(Math.floor(durationMs / 1000)), nanos: (durationMs % 1000) * NANOS_PER_MS };
}

/**
 * Checks an internal duration: a whole, non-negative number of milliseconds at most {@link DURATION_MS_MAX}.
 * Throws {@link InvalidDurationError} naming `field` otherwise.
 */
export function validateDurationMs(field: string, durationMs: number): void {
  if (!Number.isInteger(durationMs)) {
    throw new InvalidDurationError(field, `must be a whole number of milliseconds, got ${durationMs}`);
  }
  if (durationMs < 0) throw new InvalidDurationError(field, `must not be negative, got ${durationMs} ms`);
  if (durationMs > DURATION_MS_MAX) {
    throw new InvalidDurationError(field, `${durationMs} ms exceeds the maximum of ${DURATION_MS_MAX} ms`);
  }
}
