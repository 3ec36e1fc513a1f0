/**
 * Goal: the activity retry decision follows TEMPORAL-API.md §5.4 row by row (Temporal's getBackoffInterval):
 * non-retryable failures and types stop with NON_RETRYABLE_FAILURE; the maximum attempt stops with
 * MAXIMUM_ATTEMPTS_REACHED; SCHEDULE_TO_* timeouts, cancel and terminate are never retried; a retry that would
 * start after schedule-to-close stops with TIMEOUT; otherwise the backoff is min(initial × coeff^(attempt−1), max)
 * or nextRetryDelay.
 * Method: a table of cases with exact expected decisions; a seeded fast-check property that the backoff is
 * monotone non-decreasing in the attempt, starts at the initial interval and never exceeds the maximum.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type {
  AttemptFailure,
  RetryDecision,
  RetryDecisionInput,
} from '../../../src/actors/activities/retryDecision.js';
import { decideActivityRetry, retryBackoffMs } from '../../../src/actors/activities/retryDecision.js';
import type { RetryPolicy } from '../../../src/actors/activities/retryPolicy.js';
import { normalizeRetryPolicy } from '../../../src/actors/activities/retryPolicy.js';

const SEED = 5_4_2026;
const policy: RetryPolicy = normalizeRetryPolicy({ nonRetryableErrorTypes: ['Fatal', 'TemporalTimeout:Heartbeat'] });
const appFailure: AttemptFailure = { kind: 'application', type: 'Transient', nonRetryable: false };

function decide(overrides: Partial<RetryDecisionInput>): RetryDecision {
  return decideActivityRetry({
    policy,
    attempt: 1,
    failure: appFailure,
    scheduledTimeMs: 1_000_000,
    scheduleToCloseTimeoutMs: 0,
    nowMs: 1_000_000,
    ...overrides,
  });
}

describe('decideActivityRetry (§5.4 table)', () => {
  const table: { name: string; input: Partial<RetryDecisionInput>; expected: RetryDecision }[] = [
    {
      name: 'first failure retries after the initial interval',
      input: {},
      expected: { retry: true, backoffMs: 1_000 },
    },
    { name: 'attempt 2 doubles', input: { attempt: 2 }, expected: { retry: true, backoffMs: 2_000 } },
    { name: 'attempt 5: 1 s × 2^4', input: { attempt: 5 }, expected: { retry: true, backoffMs: 16_000 } },
    { name: 'attempt 8 is capped at 100 s', input: { attempt: 8 }, expected: { retry: true, backoffMs: 100_000 } },
    { name: 'attempt 5000 stays at the cap', input: { attempt: 5_000 }, expected: { retry: true, backoffMs: 100_000 } },
    {
      name: 'nonRetryable flag',
      input: { failure: { kind: 'application', type: 'Transient', nonRetryable: true } },
      expected: { retry: false, retryState: 'RETRY_STATE_NON_RETRYABLE_FAILURE' },
    },
    {
      name: 'type in nonRetryableErrorTypes',
      input: { failure: { kind: 'application', type: 'Fatal', nonRetryable: false } },
      expected: { retry: false, retryState: 'RETRY_STATE_NON_RETRYABLE_FAILURE' },
    },
    {
      name: 'non-retryable beats maximum attempts',
      input: {
        attempt: 3,
        policy: { ...policy, maximumAttempts: 3 },
        failure: { kind: 'application', type: 'Fatal', nonRetryable: false },
      },
      expected: { retry: false, retryState: 'RETRY_STATE_NON_RETRYABLE_FAILURE' },
    },
    {
      name: 'attempt = maximumAttempts',
      input: { attempt: 3, policy: { ...policy, maximumAttempts: 3 } },
      expected: { retry: false, retryState: 'RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED' },
    },
    {
      name: 'attempt below maximumAttempts retries',
      input: { attempt: 2, policy: { ...policy, maximumAttempts: 3 } },
      expected: { retry: true, backoffMs: 2_000 },
    },
    {
      name: 'maximumAttempts 1 never retries',
      input: { policy: { ...policy, maximumAttempts: 1 } },
      expected: { retry: false, retryState: 'RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED' },
    },
    {
      name: 'next attempt would pass schedule-to-close',
      input: { attempt: 3, scheduleToCloseTimeoutMs: 10_000, nowMs: 1_006_001 },
      expected: { retry: false, retryState: 'RETRY_STATE_TIMEOUT' },
    },
    {
      name: 'next attempt exactly at schedule-to-close still retries',
      input: { attempt: 3, scheduleToCloseTimeoutMs: 10_000, nowMs: 1_006_000 },
      expected: { retry: true, backoffMs: 4_000 },
    },
    {
      name: 'START_TO_CLOSE timeout retries',
      input: { attempt: 2, failure: { kind: 'timeout', timeoutType: 'StartToClose' } },
      expected: { retry: true, backoffMs: 2_000 },
    },
    {
      name: 'HEARTBEAT timeout listed as non-retryable',
      input: { failure: { kind: 'timeout', timeoutType: 'Heartbeat' } },
      expected: { retry: false, retryState: 'RETRY_STATE_NON_RETRYABLE_FAILURE' },
    },
    {
      name: 'SCHEDULE_TO_START timeout never retried',
      input: { failure: { kind: 'timeout', timeoutType: 'ScheduleToStart' } },
      expected: { retry: false, retryState: 'RETRY_STATE_TIMEOUT' },
    },
    {
      name: 'SCHEDULE_TO_CLOSE timeout never retried',
      input: { failure: { kind: 'timeout', timeoutType: 'ScheduleToClose' } },
      expected: { retry: false, retryState: 'RETRY_STATE_TIMEOUT' },
    },
    {
      name: 'cancel never retried',
      input: { failure: { kind: 'canceled' } },
      expected: { retry: false, retryState: 'RETRY_STATE_NON_RETRYABLE_FAILURE' },
    },
    {
      name: 'terminate never retried',
      input: { failure: { kind: 'terminated' } },
      expected: { retry: false, retryState: 'RETRY_STATE_NON_RETRYABLE_FAILURE' },
    },
    {
      name: 'cancel requested stops a retryable failure',
      input: { cancelRequested: true },
      expected: { retry: false, retryState: 'RETRY_STATE_CANCEL_REQUESTED' },
    },
    {
      name: 'server failure marked non-retryable',
      input: { failure: { kind: 'server', nonRetryable: true } },
      expected: { retry: false, retryState: 'RETRY_STATE_NON_RETRYABLE_FAILURE' },
    },
    {
      name: 'retryable server failure',
      input: { failure: { kind: 'server', nonRetryable: false } },
      expected: { retry: true, backoffMs: 1_000 },
    },
    {
      name: 'nextRetryDelay replaces the backoff, even above the maximum interval',
      input: { attempt: 4, failure: { ...appFailure, nextRetryDelayMs: 250_000 } },
      expected: { retry: true, backoffMs: 250_000 },
    },
    {
      name: 'nextRetryDelay past schedule-to-close stops with TIMEOUT',
      input: { scheduleToCloseTimeoutMs: 60_000, failure: { ...appFailure, nextRetryDelayMs: 60_001 } },
      expected: { retry: false, retryState: 'RETRY_STATE_TIMEOUT' },
    },
    {
      name: 'float noise does not add a millisecond (1000 × 1.1)',
      input: { attempt: 2, policy: { ...policy, backoffCoefficient: 1.1 } },
      expected: { retry: true, backoffMs: 1_100 },
    },
    {
      name: 'fractional coefficient rounds the backoff up to whole ms',
      input: {
        attempt: 2,
        policy: { ...policy, initialIntervalMs: 3, backoffCoefficient: 1.5, maximumIntervalMs: 300 },
      },
      expected: { retry: true, backoffMs: 5 },
    },
  ];
  for (const { name, input, expected } of table) {
    it(`${name} -> ${JSON.stringify(expected)}`, () => {
      expect(decide(input)).toEqual(expected);
    });
  }
});

describe('retryBackoffMs', () => {
  it(`is monotone non-decreasing, starts at the initial interval and stays ≤ the maximum (seed ${SEED})`, () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3_600_000 }),
        fc.double({ min: 1, max: 10, noNaN: true }),
        fc.integer({ min: 1, max: 1_000 }),
        fc.integer({ min: 1, max: 200 }),
        (initialIntervalMs, backoffCoefficient, maximumFactor, attempts) => {
          const retryPolicy = normalizeRetryPolicy({
            initialIntervalMs,
            backoffCoefficient,
            maximumIntervalMs: initialIntervalMs * maximumFactor,
          });
          expect(retryBackoffMs(retryPolicy, 1)).toBe(initialIntervalMs);
          const backoffsMs = Array.from({ length: attempts }, (_, index) => retryBackoffMs(retryPolicy, index + 1));
          const ordered = backoffsMs.every(
            (backoffMs, index) => index === 0 || backoffMs >= (backoffsMs[index - 1] ?? 0)
          );
          expect(ordered).toBe(true);
          expect(Math.max(...backoffsMs)).toBeLessThanOrEqual(retryPolicy.maximumIntervalMs);
          expect(backoffsMs.every((backoffMs) => Number.isInteger(backoffMs))).toBe(true);
        }
      ),
      { seed: SEED, numRuns: 1_000 }
    );
  });
});
