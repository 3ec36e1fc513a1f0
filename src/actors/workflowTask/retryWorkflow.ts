/**
 * The workflow-level retry decision (TEMPORAL-API.md §5.10 "Retry, cron, timeouts"), after Temporal's
 * `GetRetryBackoffDuration` / `getBackoffInterval` / `isRetryable`: when a run fails or its run timeout fires, the
 * start's retry policy (which applies to the whole chain) says whether the chain gets another run and after which
 * first-workflow-task backoff, or which `RETRY_STATE_*` the close event reports. The rows are the activity ones
 * (retryDecision.ts), so this module only maps a workflow's close onto them. Pure: clock, attempt and failure are
 * inputs.
 */

import { durationMsFromProto, InvalidDurationError, type ProtoDuration } from '../activities/durations.js';
import { attemptFailureOf } from '../activities/respondActivityTask.js';
import {
  decideActivityRetry,
  type ActivityTimeoutType,
  type AttemptFailure,
  type RetryDecision,
  type RetryState,
} from '../activities/retryDecision.js';
import {
  InvalidRetryPolicyError,
  normalizeRetryPolicy,
  type RetryPolicy,
  type RetryPolicyInput,
} from '../activities/retryPolicy.js';
import type { ProtoMessage } from '../history/events.js';
import type { MutableState } from '../mutableState/mutableState.js';
import { invariant } from '../../raft/core/errors.js';
import { parentLineageOf, startWorkflow, type StartWorkflowInput } from './startWorkflow.js';
import { serverIdentity } from './terminateWorkflow.js';
import type { TransitionDraft } from './transition.js';

/** How a run ended, for the decision. */
export type RunEnd =
  /** FAIL_WORKFLOW_EXECUTION with this `temporal.api.failure.v1.Failure` (absent = none given). */
  | { readonly kind: 'failed'; readonly failure?: ProtoMessage }
  /** The run timeout fired: retried as a START_TO_CLOSE timeout, as Temporal does. */
  | { readonly kind: 'runTimedOut' }
  /** The execution timeout fired: it spans every run of the chain, so nothing is retried. */
  | { readonly kind: 'executionTimedOut' };

/** Inputs of {@link decideWorkflowRetry}; times and durations in ms. */
export interface WorkflowRetryInput {
  /** The chain's normalized policy ({@link workflowRetryPolicyOf}); null = the start had none. */
  readonly policy: RetryPolicy | null;
  /** The attempt of the run that just ended, from 1. */
  readonly attempt: number;
  readonly end: RunEnd;
  readonly nowMs: number;
  /** When the chain's first run started: the execution timeout counts from there. */
  readonly executionStartTimeMs: number;
  /** 0 = none. */
  readonly workflowExecutionTimeoutMs: number;
}

/** Retry with a new run whose first workflow task waits `backoffMs`, or close the chain with `retryState`. */
export type WorkflowRetryDecision = RetryDecision;

/** The close event's retry fields: IN_PROGRESS + the next run's id, or the reason the chain ends here. */
export interface RetryCloseFields {
  readonly retryState: RetryState;
  /** Set only when the run is retried. */
  readonly newExecutionRunId?: string;
}

const TIMEOUT_TYPES: Readonly<Record<string, ActivityTimeoutType>> = {
  TIMEOUT_TYPE_START_TO_CLOSE: 'StartToClose',
  TIMEOUT_TYPE_HEARTBEAT: 'Heartbeat',
  TIMEOUT_TYPE_SCHEDULE_TO_START: 'ScheduleToStart',
  TIMEOUT_TYPE_SCHEDULE_TO_CLOSE: 'ScheduleToClose',
};

const RETRYABLE_TIMEOUT_TYPES: readonly ActivityTimeoutType[] = ['StartToClose', 'Heartbeat'];

/**
 * Decides whether the chain gets another run. Without a policy nothing is retried: a failure reports
 * RETRY_POLICY_NOT_SET and a timeout TIMEOUT (this engine's behaviour before retries existed). With one, the
 * activity rows apply: non-retryable failures and types stop with NON_RETRYABLE_FAILURE, `attempt ≥
 * maximumAttempts > 0` with MAXIMUM_ATTEMPTS_REACHED, a retry that would start after the execution expiration with
 * TIMEOUT; otherwise the backoff is `nextRetryDelay` or min(initial × coefficient^(attempt−1), maximum).
 */
export function decideWorkflowRetry(input: WorkflowRetryInput): WorkflowRetryDecision {
  const { policy, end } = input;
  if (end.kind === 'executionTimedOut') return { retry: false, retryState: 'RETRY_STATE_TIMEOUT' };
  if (policy === null) {
    return {
      retry: false,
      retryState: end.kind === 'failed' ? 'RETRY_STATE_RETRY_POLICY_NOT_SET' : 'RETRY_STATE_TIMEOUT',
    };
  }
  const failure: AttemptFailure =
    end.kind === 'failed' ? workflowAttemptFailureOf(end.failure) : { kind: 'timeout', timeoutType: 'StartToClose' };
  // An activity reports TIMEOUT for these (its timer executor's rule); a workflow's isRetryable just refuses them.
  if (failure.kind === 'timeout' && !RETRYABLE_TIMEOUT_TYPES.includes(failure.timeoutType)) {
    return { retry: false, retryState: 'RETRY_STATE_NON_RETRYABLE_FAILURE' };
  }
  return decideActivityRetry({
    policy,
    attempt: input.attempt,
    failure,
    // The execution timeout plays the activity's schedule-to-close: no retry may start after it.
    scheduledTimeMs: input.executionStartTimeMs,
    scheduleToCloseTimeoutMs: input.workflowExecutionTimeoutMs,
    nowMs: input.nowMs,
  });
}

/**
 * Reads what the decision needs from a workflow's failure, as Temporal's `isRetryable` does: only the top-level
 * failure counts. Terminated and canceled are never retried, timeouts by type, server failures unless marked
 * non-retryable, application failures by flag and type; any other failure (or none) is retryable.
 */
export function workflowAttemptFailureOf(failure: ProtoMessage | undefined): AttemptFailure {
  if (failure === undefined) return { kind: 'application', type: '', nonRetryable: false };
  if (isMessage(failure['terminatedFailureInfo'])) return { kind: 'terminated' };
  if (isMessage(failure['canceledFailureInfo'])) return { kind: 'canceled' };
  const timeout = failure['timeoutFailureInfo'];
  if (isMessage(timeout)) {
    const timeoutType = TIMEOUT_TYPES[String(timeout['timeoutType'])];
    // An unknown or unspecified timeout type is not one of the two retryable ones.
    return { kind: 'timeout', timeoutType: timeoutType ?? 'ScheduleToClose' };
  }
  const server = failure['serverFailureInfo'];
  if (isMessage(server)) return { kind: 'server', nonRetryable: server['nonRetryable'] === true };
  if (isMessage(failure['applicationFailureInfo'])) return attemptFailureOf(failure);
  // Not in nonRetryableErrorTypes: normalizeRetryPolicy refuses an empty type name.
  return { kind: 'application', type: '', nonRetryable: false };
}

/**
 * A start's `temporal.api.common.v1.RetryPolicy` normalized with Temporal's defaults; null when the start has none.
 * Throws InvalidRetryPolicyError or InvalidDurationError (naming the field) for a bad one: the frontend should call
 * it when it accepts the start, so a chain never fails to decide later.
 */
export function workflowRetryPolicyOf(retryPolicy: ProtoMessage | undefined): RetryPolicy | null {
  if (retryPolicy === undefined) return null;
  const types = retryPolicy['nonRetryableErrorTypes'];
  const input: RetryPolicyInput = {
    initialIntervalMs: durationField(retryPolicy, 'initialInterval'),
    backoffCoefficient: numberField(retryPolicy, 'backoffCoefficient'),
    maximumIntervalMs: durationField(retryPolicy, 'maximumInterval'),
    maximumAttempts: numberField(retryPolicy, 'maximumAttempts'),
    nonRetryableErrorTypes: Array.isArray(types) ? types.map((type) => String(type)) : undefined,
  };
  return normalizeRetryPolicy(input, 'retryPolicy');
}

/** The close event's retry fields for `decision`; `newExecutionRunId` is the next run's id (context.freshRunId). */
export function retryCloseFields(decision: WorkflowRetryDecision, newExecutionRunId: string): RetryCloseFields {
  return decision.retry
    ? { retryState: 'RETRY_STATE_IN_PROGRESS', newExecutionRunId }
    : { retryState: decision.retryState };
}

function isMessage(value: unknown): value is ProtoMessage {
  return typeof value === 'object' && value !== null;
}

function numberField(message: ProtoMessage, field: string): number | undefined {
  const value = message[field];
  return typeof value === 'number' ? value : undefined;
}

/** A Duration field in ms; undefined when unset. */
function durationField(message: ProtoMessage, field: string): number | undefined {
  const value = message[field];
  if (value === undefined || value === null) return undefined;
  const path = `retryPolicy.${field}`;
  if (!isMessage(value)) throw new InvalidDurationError(path, 'must be a google.protobuf.Duration message');
  return durationMsFromProto(path, value as ProtoDuration);
}

/** The retry decision for the run of `state` ending as `end` (its chain's policy, attempt and start). */
export function decideRetryOf(state: MutableState, end: RunEnd, nowMs: number): WorkflowRetryDecision {
  let policy: RetryPolicy | null = null;
  try {
    policy = state.retrySource === null ? null : workflowRetryPolicyOf(state.retrySource.retryPolicy);
  } catch (error) {
    // Validated at start (evaluateStart); a stored policy that no longer parses means: no retries.
    if (!(error instanceof InvalidRetryPolicyError || error instanceof InvalidDurationError)) throw error;
  }
  const info = state.executionInfo;
  return decideWorkflowRetry({
    policy,
    attempt: state.attempt,
    end,
    nowMs,
    executionStartTimeMs: info.workflowExecutionExpirationMs
      ? info.workflowExecutionExpirationMs - info.workflowExecutionTimeoutMs
      : info.startTimeMs,
    workflowExecutionTimeoutMs: info.workflowExecutionTimeoutMs,
  });
}

/**
 * Starts the chain's next run in the same entry, after the draft closed this one with `newExecutionRunId` =
 * `context.freshRunId`: same workflow id, type, queue, input, header, timeouts, memo, search attributes and retry
 * policy; attempt + 1; its first workflow task waits `backoffMs` (§5.10).
 */
export function spawnRetryRunIn(draft: TransitionDraft, backoffMs: number, continuedFailure?: ProtoMessage): void {
  const state = draft.state;
  const newRunId = draft.context.freshRunId;
  invariant(newRunId !== undefined, 'a workflow retry needs context.freshRunId');
  const source = state.retrySource;
  invariant(source !== null, 'only a run with a retry policy is retried');
  const parent = state.parent;
  const input: StartWorkflowInput = {
    executionInfo: { ...state.executionInfo, runId: newRunId, startTimeMs: draft.context.nowMs },
    identity: serverIdentity,
    ...(source.input === null ? {} : { input: source.input }),
    ...(source.header === null ? {} : { header: source.header }),
    ...(state.memo === null ? {} : { memo: { fields: state.memo } }),
    ...(state.searchAttributes === null ? {} : { searchAttributes: { indexedFields: state.searchAttributes } }),
    retryPolicy: source.retryPolicy,
    firstWorkflowTaskBackoffMs: backoffMs,
    lineage: {
      firstExecutionRunId: state.firstExecutionRunId,
      continuedExecutionRunId: state.executionInfo.runId,
      initiator: 'CONTINUE_AS_NEW_INITIATOR_RETRY',
      attempt: state.attempt + 1,
      ...(continuedFailure === undefined ? {} : { continuedFailure }),
      ...parentLineageOf(parent),
    },
  };
  draft.spawn(startWorkflow(input, draft.spawnContext()));
}
