/**
 * Activity retry policies: Temporal's defaults (TEMPORAL-API.md §10) and validation, applied in that order as
 * Temporal's `retrypolicy.EnsureDefaults` then `Validate` do. Durations are whole milliseconds; 0 means "unset"
 * on input and "unlimited" for `maximumAttempts` on output.
 */
import type { ProtoMessage } from '../history/events.js';
import { durationFromMs } from '../history/protoTime.js';

/** Default initial interval: 1 s. */
export const RETRY_INITIAL_INTERVAL_MS_DEFAULT = 1_000;
/** Default backoff coefficient: ×2. */
export const RETRY_BACKOFF_COEFFICIENT_DEFAULT = 2;
/** Default maximum interval: 100 × the initial interval. */
export const RETRY_MAXIMUM_INTERVAL_FACTOR_DEFAULT = 100;
/** The prefix Temporal gives timeout failures when matching them against `nonRetryableErrorTypes`. */
export const TIMEOUT_FAILURE_TYPE_PREFIX = 'TemporalTimeout:';
/** The timeout types a retry policy may list as non-retryable: only these two are ever retried. */
const RETRYABLE_TIMEOUT_TYPE_NAMES: readonly string[] = ['StartToClose', 'Heartbeat'];

/** A retry policy as a command carries it (every field optional; 0 means unset). */
export interface RetryPolicyInput {
  initialIntervalMs?: number;
  backoffCoefficient?: number;
  maximumIntervalMs?: number;
  maximumAttempts?: number;
  nonRetryableErrorTypes?: readonly string[];
}

/** A normalized retry policy: every field set; `maximumAttempts` 0 means unlimited. */
export interface RetryPolicy {
  initialIntervalMs: number;
  backoffCoefficient: number;
  maximumIntervalMs: number;
  maximumAttempts: number;
  nonRetryableErrorTypes: readonly string[];
}

/** A retry policy field that is out of range; `field` names it (e.g. `retryPolicy.backoffCoefficient`). */
export class InvalidRetryPolicyError extends Error {
  override readonly name = 'InvalidRetryPolicyError';
  constructor(
    readonly field: string,
    detail: string
  ) {
    super(`${field}: ${detail}`);
  }
}

/**
 * Fills Temporal's defaults into `input` and validates the result. Idempotent: a normalized policy normalizes to
 * itself. Throws {@link InvalidRetryPolicyError} for a coefficient below 1, a negative or fractional interval, a
 * maximum interval below the initial one, negative or fractional attempts, or an unusable non-retryable type.
 */
export function normalizeRetryPolicy(input: RetryPolicyInput | undefined, field = 'retryPolicy'): RetryPolicy {
  const policy = input ?? {};
  checkWholeMs(`${field}.initialInterval`, policy.initialIntervalMs);
  checkWholeMs(`${field}.maximumInterval`, policy.maximumIntervalMs);
  const initialIntervalMs = orDefault(policy.initialIntervalMs, RETRY_INITIAL_INTERVAL_MS_DEFAULT);
  const backoffCoefficient = orDefault(policy.backoffCoefficient, RETRY_BACKOFF_COEFFICIENT_DEFAULT);
  const maximumIntervalMs = orDefault(
    policy.maximumIntervalMs,
    initialIntervalMs * RETRY_MAXIMUM_INTERVAL_FACTOR_DEFAULT
  );
  const maximumAttempts = policy.maximumAttempts ?? 0;
  if (!Number.isFinite(backoffCoefficient) || backoffCoefficient < 1) {
    throw new InvalidRetryPolicyError(`${field}.backoffCoefficient`, `must be at least 1, got ${backoffCoefficient}`);
  }
  if (maximumIntervalMs < initialIntervalMs) {
    throw new InvalidRetryPolicyError(
      `${field}.maximumInterval`,
      `${maximumIntervalMs} ms is less than initialInterval ${initialIntervalMs} ms`
    );
  }
  if (!Number.isSafeInteger(maximumAttempts) || maximumAttempts < 0) {
    throw new InvalidRetryPolicyError(
      `${field}.maximumAttempts`,
      `must be a non-negative integer (0 = unlimited), got ${maximumAttempts}`
    );
  }
  const nonRetryableErrorTypes = [...(policy.nonRetryableErrorTypes ?? [])];
  nonRetryableErrorTypes.forEach((type, index) =>
    checkNonRetryableType(`${field}.nonRetryableErrorTypes[${index}]`, type)
  );
  return { initialIntervalMs, backoffCoefficient, maximumIntervalMs, maximumAttempts, nonRetryableErrorTypes };
}

/** Treats undefined and 0 as unset, as Temporal does for proto durations and doubles. */
function orDefault(value: number | undefined, fallback: number): number {
  return value === undefined || value === 0 ? fallback : value;
}

function checkWholeMs(field: string, valueMs: number | undefined): void {
  if (valueMs === undefined) return;
  if (!Number.isSafeInteger(valueMs) || valueMs < 0) {
    throw new InvalidRetryPolicyError(field, `must be a non-negative whole number of milliseconds, got ${valueMs}`);
  }
}

/** A timeout type may be listed only if it can be retried at all (StartToClose, Heartbeat), as in Temporal. */
function checkNonRetryableType(field: string, type: string): void {
  if (type.length === 0) throw new InvalidRetryPolicyError(field, 'must not be empty');
  if (!type.startsWith(TIMEOUT_FAILURE_TYPE_PREFIX)) return;
  const timeoutType = type.slice(TIMEOUT_FAILURE_TYPE_PREFIX.length);
  if (!RETRYABLE_TIMEOUT_TYPE_NAMES.includes(timeoutType)) {
    throw new InvalidRetryPolicyError(
      field,
      `invalid timeout type ${JSON.stringify(timeoutType)}: only StartToClose and Heartbeat timeouts are retryable`
    );
  }
}

/** `temporal.api.common.v1.RetryPolicy` of a normalized policy (maximumAttempts 0 = unlimited, as in the proto). */
export function retryPolicyProto(policy: RetryPolicy): ProtoMessage {
  return {
    initialInterval: durationFromMs(policy.initialIntervalMs),
    backoffCoefficient: policy.backoffCoefficient,
    maximumInterval: durationFromMs(policy.maximumIntervalMs),
    maximumAttempts: policy.maximumAttempts,
    nonRetryableErrorTypes: [...policy.nonRetryableErrorTypes],
  };
}
