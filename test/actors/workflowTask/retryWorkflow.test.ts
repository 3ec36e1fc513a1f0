/**
 * Goal: the workflow retry decision follows TEMPORAL-API.md §5.10 and Temporal's getBackoffInterval/isRetryable:
 * a chain with policy {initialInterval 1 s, maximumAttempts 3} retries attempts 1 and 2 after 1 s and 2 s and stops
 * at attempt 3 with MAXIMUM_ATTEMPTS_REACHED; non-retryable failures stop; a run timeout retries while an execution
 * timeout never does; no policy keeps the pre-retry retry states; start retry policies are parsed and validated.
 * Method: exact expected decisions per case (tables), plus the close-event fields built from each decision.
 */
import { describe, expect, it } from 'vitest';
import { InvalidDurationError } from '../../../src/actors/activities/durations.js';
import { InvalidRetryPolicyError } from '../../../src/actors/activities/retryPolicy.js';
import type { ProtoMessage } from '../../../src/actors/history/events.js';
import {
  decideWorkflowRetry,
  retryCloseFields,
  workflowAttemptFailureOf,
  workflowRetryPolicyOf,
  type RunEnd,
  type WorkflowRetryDecision,
  type WorkflowRetryInput,
} from '../../../src/actors/workflowTask/retryWorkflow.js';

const START_MS = 1_700_000_000_000;
const policyProto: ProtoMessage = { initialInterval: { seconds: '1', nanos: 0 }, maximumAttempts: 3 };
const policy = workflowRetryPolicyOf(policyProto);
const appFailure: ProtoMessage = { message: 'boom', applicationFailureInfo: { type: 'Transient' } };
const failed: RunEnd = { kind: 'failed', failure: appFailure };

function decide(overrides: Partial<WorkflowRetryInput>): WorkflowRetryDecision {
  return decideWorkflowRetry({
    policy,
    attempt: 1,
    end: failed,
    nowMs: START_MS + 5_000,
    executionStartTimeMs: START_MS,
    workflowExecutionTimeoutMs: 0,
    ...overrides,
  });
}

describe('workflowRetryPolicyOf', () => {
  it('fills Temporal defaults into the start policy', () => {
    expect(policy).toEqual({
      initialIntervalMs: 1_000,
      backoffCoefficient: 2,
      maximumIntervalMs: 100_000,
      maximumAttempts: 3,
      nonRetryableErrorTypes: [],
    });
  });

  it('reads every field', () => {
    const parsed = workflowRetryPolicyOf({
      initialInterval: { seconds: '2', nanos: 500_000_000 },
      backoffCoefficient: 1.5,
      maximumInterval: { seconds: '60' },
      maximumAttempts: 0,
      nonRetryableErrorTypes: ['Fatal'],
    });
    expect(parsed).toEqual({
      initialIntervalMs: 2_500,
      backoffCoefficient: 1.5,
      maximumIntervalMs: 60_000,
      maximumAttempts: 0,
      nonRetryableErrorTypes: ['Fatal'],
    });
  });

  it('is null without a policy and refuses bad ones with typed errors', () => {
    expect(workflowRetryPolicyOf(undefined)).toBeNull();
    expect(() => workflowRetryPolicyOf({ backoffCoefficient: 0.5 })).toThrow(InvalidRetryPolicyError);
    expect(() => workflowRetryPolicyOf({ initialInterval: { seconds: '-1' } })).toThrow(InvalidDurationError);
    expect(() => workflowRetryPolicyOf({ initialInterval: 5 })).toThrow(/retryPolicy\.initialInterval/);
  });
});

describe('decideWorkflowRetry: the {1 s, maximumAttempts 3} chain', () => {
  it('retries attempt 1 after 1 s, attempt 2 after 2 s, and stops at attempt 3', () => {
    expect(decide({ attempt: 1 })).toEqual({ retry: true, backoffMs: 1_000 });
    expect(decide({ attempt: 2 })).toEqual({ retry: true, backoffMs: 2_000 });
    expect(decide({ attempt: 3 })).toEqual({ retry: false, retryState: 'RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED' });
  });

  it('builds the close event fields from the decision', () => {
    expect(retryCloseFields(decide({ attempt: 1 }), 'run-2')).toEqual({
      retryState: 'RETRY_STATE_IN_PROGRESS',
      newExecutionRunId: 'run-2',
    });
    expect(retryCloseFields(decide({ attempt: 3 }), 'run-4')).toEqual({
      retryState: 'RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED',
    });
  });
});

describe('decideWorkflowRetry: rows', () => {
  const nonRetryable = 'RETRY_STATE_NON_RETRYABLE_FAILURE';
  const table: { name: string; input: Partial<WorkflowRetryInput>; expected: WorkflowRetryDecision }[] = [
    {
      name: 'nonRetryable ApplicationFailure stops',
      input: { end: { kind: 'failed', failure: { applicationFailureInfo: { type: 'X', nonRetryable: true } } } },
      expected: { retry: false, retryState: nonRetryable },
    },
    {
      name: 'a type listed in nonRetryableErrorTypes stops',
      input: { policy: workflowRetryPolicyOf({ nonRetryableErrorTypes: ['Transient'] }) },
      expected: { retry: false, retryState: nonRetryable },
    },
    {
      name: 'nextRetryDelay replaces the computed backoff',
      input: {
        end: {
          kind: 'failed',
          failure: { applicationFailureInfo: { type: 'X', nextRetryDelay: { seconds: '7', nanos: 0 } } },
        },
      },
      expected: { retry: true, backoffMs: 7_000 },
    },
    {
      name: 'a failure without a failure message is retryable',
      input: { end: { kind: 'failed' } },
      expected: { retry: true, backoffMs: 1_000 },
    },
    {
      name: 'a run timeout retries',
      input: { end: { kind: 'runTimedOut' } },
      expected: { retry: true, backoffMs: 1_000 },
    },
    {
      name: 'a run timeout listed as non-retryable stops',
      input: {
        end: { kind: 'runTimedOut' },
        policy: workflowRetryPolicyOf({ nonRetryableErrorTypes: ['TemporalTimeout:StartToClose'] }),
      },
      expected: { retry: false, retryState: nonRetryable },
    },
    {
      name: 'a run timeout at the last attempt stops',
      input: { end: { kind: 'runTimedOut' }, attempt: 3 },
      expected: { retry: false, retryState: 'RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED' },
    },
    {
      name: 'the execution timeout is never retried',
      input: { end: { kind: 'executionTimedOut' } },
      expected: { retry: false, retryState: 'RETRY_STATE_TIMEOUT' },
    },
    {
      name: 'a retry that would start after the execution expiration stops with TIMEOUT',
      input: { workflowExecutionTimeoutMs: 5_999 },
      expected: { retry: false, retryState: 'RETRY_STATE_TIMEOUT' },
    },
    {
      name: 'a retry that starts exactly at the execution expiration is allowed',
      input: { workflowExecutionTimeoutMs: 6_000 },
      expected: { retry: true, backoffMs: 1_000 },
    },
    {
      name: 'no policy: a failure reports RETRY_POLICY_NOT_SET',
      input: { policy: null },
      expected: { retry: false, retryState: 'RETRY_STATE_RETRY_POLICY_NOT_SET' },
    },
    {
      name: 'no policy: a run timeout reports TIMEOUT',
      input: { policy: null, end: { kind: 'runTimedOut' } },
      expected: { retry: false, retryState: 'RETRY_STATE_TIMEOUT' },
    },
    {
      name: 'a SCHEDULE_TO_CLOSE timeout failure is not retryable',
      input: {
        end: { kind: 'failed', failure: { timeoutFailureInfo: { timeoutType: 'TIMEOUT_TYPE_SCHEDULE_TO_CLOSE' } } },
      },
      expected: { retry: false, retryState: nonRetryable },
    },
  ];
  for (const { name, input, expected } of table) {
    it(name, () => {
      expect(decide(input)).toEqual(expected);
    });
  }
});

describe('workflowAttemptFailureOf (Temporal isRetryable: the top-level failure only)', () => {
  it('classifies each failure info', () => {
    expect(workflowAttemptFailureOf({ terminatedFailureInfo: {} })).toEqual({ kind: 'terminated' });
    expect(workflowAttemptFailureOf({ canceledFailureInfo: {} })).toEqual({ kind: 'canceled' });
    expect(workflowAttemptFailureOf({ timeoutFailureInfo: { timeoutType: 'TIMEOUT_TYPE_HEARTBEAT' } })).toEqual({
      kind: 'timeout',
      timeoutType: 'Heartbeat',
    });
    expect(workflowAttemptFailureOf({ serverFailureInfo: { nonRetryable: true } })).toEqual({
      kind: 'server',
      nonRetryable: true,
    });
    expect(workflowAttemptFailureOf(appFailure)).toEqual({
      kind: 'application',
      type: 'Transient',
      nonRetryable: false,
      nextRetryDelayMs: undefined,
    });
    const retryable = { kind: 'application', type: '', nonRetryable: false };
    expect(workflowAttemptFailureOf({ activityFailureInfo: {}, cause: appFailure })).toEqual(retryable);
    expect(workflowAttemptFailureOf(undefined)).toEqual(retryable);
  });

  it('never retries canceled or terminated failures', () => {
    for (const failure of [{ canceledFailureInfo: {} }, { terminatedFailureInfo: {} }]) {
      expect(decide({ end: { kind: 'failed', failure } })).toEqual({
        retry: false,
        retryState: 'RETRY_STATE_NON_RETRYABLE_FAILURE',
      });
    }
  });
});
