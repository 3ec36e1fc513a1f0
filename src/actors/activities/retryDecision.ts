/**
 * The server-side activity retry decision (TEMPORAL-API.md §5.4), after Temporal's `getBackoffInterval` and
 * `isRetryable`. Pure: the clock reading, the attempt and the failure are inputs.
 */
import type { RetryPolicy } from './retryPolicy.js';
import { TIMEOUT_FAILURE_TYPE_PREFIX } from './retryPolicy.js';

/** Float noise below this is rounded away before rounding a backoff up to whole milliseconds. */
const BACKOFF_ROUNDING_EPSILON_MS = 1e-6;

/** Temporal's `RetryState` names that an activity close can carry. */
export type RetryState =
  | 'RETRY_STATE_IN_PROGRESS'
  | 'RETRY_STATE_NON_RETRYABLE_FAILURE'
  | 'RETRY_STATE_TIMEOUT'
  | 'RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED'
  | 'RETRY_STATE_RETRY_POLICY_NOT_SET'
  | 'RETRY_STATE_INTERNAL_SERVER_ERROR'
  | 'RETRY_STATE_CANCEL_REQUESTED';

/** Temporal's timeout types, named as `TimeoutType.String()` names them in failure type matching. */
export type ActivityTimeoutType = 'StartToClose' | 'Heartbeat' | 'ScheduleToStart' | 'ScheduleToClose';

/** What ended the attempt, reduced to what the decision needs. */
export type AttemptFailure =
  | {
      kind: 'application';
      /** `ApplicationFailureInfo.type`, matched against the policy's `nonRetryableErrorTypes`. */
      type: string;
      nonRetryable: boolean;
      /** `ApplicationFailureInfo.nextRetryDelay` in ms: replaces the computed backoff (not capped by it). */
      nextRetryDelayMs?: number;
    }
  | { kind: 'timeout'; timeoutType: ActivityTimeoutType }
  | { kind: 'server'; nonRetryable: boolean }
  | { kind: 'canceled' }
  | { kind: 'terminated' };

/** Inputs of {@link decideActivityRetry}; times and durations in ms. */
export interface RetryDecisionInput {
  policy: RetryPolicy;
  /** The attempt that just ended, from 1. */
  attempt: number;
  failure: AttemptFailure;
  /** A cancel was requested for the activity: it is not retried (Temporal's RETRY_STATE_CANCEL_REQUESTED). */
  cancelRequested?: boolean;
  /** When the activity (attempt 1) was scheduled. */
  scheduledTimeMs: number;
  /** The normalized schedule-to-close timeout; 0 means none. */
  scheduleToCloseTimeoutMs: number;
  nowMs: number;
}

/** Retry after `backoffMs`, or stop and close the activity with `retryState`. */
export type RetryDecision = { retry: true; backoffMs: number } | { retry: false; retryState: RetryState };

/**
 * Decides whether the attempt is retried and after how long. Rows of §5.4, in order: a non-retryable failure stops
 * with NON_RETRYABLE_FAILURE (a SCHEDULE_TO_* timeout with TIMEOUT, as Temporal's timer executor reports it);
 * `attempt ≥ maximumAttempts > 0` stops with MAXIMUM_ATTEMPTS_REACHED; a retry that would start after
 * `scheduledTime + scheduleToClose` stops with TIMEOUT; otherwise retry after `nextRetryDelay` or
 * min(initial × coefficient^(attempt−1), maximum).
 */
export function decideActivityRetry(input: RetryDecisionInput): RetryDecision {
  const { policy, attempt, failure } = input;
  if (
    failure.kind === 'timeout' &&
    (failure.timeoutType === 'ScheduleToStart' || failure.timeoutType === 'ScheduleToClose')
  ) {
    return { retry: false, retryState: 'RETRY_STATE_TIMEOUT' };
  }
  if (input.cancelRequested === true) return { retry: false, retryState: 'RETRY_STATE_CANCEL_REQUESTED' };
  if (!isRetryable(failure, policy.nonRetryableErrorTypes)) {
    return { retry: false, retryState: 'RETRY_STATE_NON_RETRYABLE_FAILURE' };
  }
  if (policy.maximumAttempts > 0 && attempt >= policy.maximumAttempts) {
    return { retry: false, retryState: 'RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED' };
  }
  const backoffMs =
    failure.kind === 'application' && failure.nextRetryDelayMs !== undefined && failure.nextRetryDelayMs > 0
      ? failure.nextRetryDelayMs
      : retryBackoffMs(policy, attempt);
  if (
    input.scheduleToCloseTimeoutMs > 0 &&
    input.nowMs + backoffMs > input.scheduledTimeMs + input.scheduleToCloseTimeoutMs
  ) {
    return { retry: false, retryState: 'RETRY_STATE_TIMEOUT' };
  }
  return { retry: true, backoffMs };
}

/**
 * The policy's backoff after attempt `attempt` (from 1): min(initial × coefficient^(attempt−1), maximum), rounded
 * up to a whole ms so a retry never starts early. Overflow to Infinity lands on the maximum.
 */
export function retryBackoffMs(policy: RetryPolicy, attempt: number): number {
  const exponent = Math.max(0, attempt - 1);
  // The epsilon keeps float noise (1000 × 1.1 = 1100.0000000000002) from adding a millisecond.
  const computedMs = Math.ceil(
    policy.initialIntervalMs * Math.pow(policy.backoffCoefficient, exponent) - BACKOFF_ROUNDING_EPSILON_MS
  );
  return Math.min(computedMs, policy.maximumIntervalMs);
}

/** Temporal's `isRetryable`: cancel and terminate never; timeouts only StartToClose/Heartbeat, unless listed. */
function isRetryable(failure: AttemptFailure, nonRetryableErrorTypes: readonly string[]): boolean {
  switch (failure.kind) {
    case 'canceled':
    case 'terminated':
      return false;
    case 'timeout':
      if (failure.timeoutType !== 'StartToClose' && failure.timeoutType !== 'Heartbeat') return false;
      return !nonRetryableErrorTypes.includes(TIMEOUT_FAILURE_TYPE_PREFIX + failure.timeoutType);
    case 'server':
      return !failure.nonRetryable;
    case 'application':
      return !failure.nonRetryable && !nonRetryableErrorTypes.includes(failure.type);
  }
}
