/**
 * Normalizes the attributes of a SCHEDULE_ACTIVITY_TASK command into what ActivityTaskScheduled stores
 * (TEMPORAL-API.md §4 "Normalizing ScheduleActivityTask"), following Temporal's
 * `validateActivityScheduleAttributes`. Pure: the workflow's run timeout and task queue are inputs.
 * Every duration is whole milliseconds and 0 means unset (Temporal treats a zero Duration as unset).
 */
import { InvalidDurationError, validateDurationMs } from './durations.js';
import type { RetryPolicy, RetryPolicyInput } from './retryPolicy.js';
import { InvalidRetryPolicyError, normalizeRetryPolicy } from './retryPolicy.js';

/** Temporal's WorkflowTaskFailedCause for any invalid SCHEDULE_ACTIVITY_TASK command. */
export const BAD_SCHEDULE_ACTIVITY_ATTRIBUTES = 'WORKFLOW_TASK_FAILED_CAUSE_BAD_SCHEDULE_ACTIVITY_ATTRIBUTES';

/** Longest activity id and activity type name accepted (Temporal's id length limit, TEMPORAL-API.md §10). */
export const ACTIVITY_ID_LENGTH_MAX = 1_000;

/** The timing and routing attributes of a SCHEDULE_ACTIVITY_TASK command, durations in ms (0 or absent = unset). */
export interface ScheduleActivityInput {
  activityId: string;
  activityTypeName: string;
  taskQueueName?: string;
  scheduleToCloseTimeoutMs?: number;
  scheduleToStartTimeoutMs?: number;
  startToCloseTimeoutMs?: number;
  heartbeatTimeoutMs?: number;
  retryPolicy?: RetryPolicyInput;
}

/** The workflow-side inputs of the normalization. */
export interface ScheduleActivityContext {
  /** The run's task queue, used when the command leaves its own empty. */
  workflowTaskQueueName: string;
  /** The run timeout in ms; 0 means none. */
  workflowRunTimeoutMs: number;
}

/**
 * Normalized attributes. `scheduleToCloseTimeoutMs` and `scheduleToStartTimeoutMs` may be 0 (none: the run has no
 * timeout and the command set only start-to-close); `startToCloseTimeoutMs` is always positive.
 */
export interface NormalizedScheduleActivity {
  activityId: string;
  activityTypeName: string;
  taskQueueName: string;
  scheduleToCloseTimeoutMs: number;
  scheduleToStartTimeoutMs: number;
  startToCloseTimeoutMs: number;
  heartbeatTimeoutMs: number;
  retryPolicy: RetryPolicy;
}

/** Why a SCHEDULE_ACTIVITY_TASK command was rejected; the WFT fails with {@link BAD_SCHEDULE_ACTIVITY_ATTRIBUTES}. */
export class BadScheduleActivityAttributesError extends Error {
  override readonly name = 'BadScheduleActivityAttributesError';
  readonly workflowTaskFailedCause = BAD_SCHEDULE_ACTIVITY_ATTRIBUTES;
  constructor(
    /** The offending command field, e.g. `startToCloseTimeout` or `retryPolicy.backoffCoefficient`. */
    readonly field: string,
    message: string
  ) {
    super(message);
  }
}

/** The outcome: normalized attributes, or the typed failure the WFT must fail with. Never throws on bad input. */
export type NormalizeScheduleActivityResult =
  { ok: true; value: NormalizedScheduleActivity } | { ok: false; error: BadScheduleActivityAttributesError };

/**
 * Applies §4's five rules. Idempotent: normalizing a normalized result (with the same context) returns it again.
 */
export function normalizeScheduleActivity(
  input: ScheduleActivityInput,
  context: ScheduleActivityContext
): NormalizeScheduleActivityResult {
  try {
    return { ok: true, value: normalizeOrThrow(input, context) };
  } catch (error) {
    if (error instanceof BadScheduleActivityAttributesError) return { ok: false, error };
    if (error instanceof InvalidDurationError || error instanceof InvalidRetryPolicyError) {
      return { ok: false, error: new BadScheduleActivityAttributesError(error.field, error.message) };
    }
    throw error;
  }
}

function normalizeOrThrow(input: ScheduleActivityInput, context: ScheduleActivityContext): NormalizedScheduleActivity {
  checkName('activityId', input.activityId);
  checkName('activityType', input.activityTypeName);
  const runTimeoutMs = context.workflowRunTimeoutMs;
  validateDurationMs('workflowRunTimeout', runTimeoutMs);
  const timeouts = deduceTimeouts(input);
  const capped = capByRunTimeout(timeouts, runTimeoutMs);
  return {
    activityId: input.activityId,
    activityTypeName: input.activityTypeName,
    taskQueueName: input.taskQueueName || context.workflowTaskQueueName,
    ...capped,
    // Rule 4: the heartbeat timeout never exceeds start-to-close (0 stays 0: no heartbeat timeout).
    heartbeatTimeoutMs: Math.min(capped.heartbeatTimeoutMs, capped.startToCloseTimeoutMs),
    retryPolicy: normalizeRetryPolicy(input.retryPolicy),
  };
}

type Timeouts = Pick<
  NormalizedScheduleActivity,
  'scheduleToCloseTimeoutMs' | 'scheduleToStartTimeoutMs' | 'startToCloseTimeoutMs' | 'heartbeatTimeoutMs'
>;

/** Rules 1–3: fill unset timeouts from the ones that are set, or fail when neither end-to-end bound is set. */
function deduceTimeouts(input: ScheduleActivityInput): Timeouts & { runTimeoutFills: boolean } {
  const scheduleToCloseMs = durationOrZero('scheduleToCloseTimeout', input.scheduleToCloseTimeoutMs);
  const scheduleToStartMs = durationOrZero('scheduleToStartTimeout', input.scheduleToStartTimeoutMs);
  const startToCloseMs = durationOrZero('startToCloseTimeout', input.startToCloseTimeoutMs);
  const heartbeatTimeoutMs = durationOrZero('heartbeatTimeout', input.heartbeatTimeoutMs);
  if (scheduleToCloseMs > 0) {
    return {
      scheduleToCloseTimeoutMs: scheduleToCloseMs,
      scheduleToStartTimeoutMs:
        scheduleToStartMs > 0 ? Math.min(scheduleToStartMs, scheduleToCloseMs) : scheduleToCloseMs,
      startToCloseTimeoutMs: startToCloseMs > 0 ? Math.min(startToCloseMs, scheduleToCloseMs) : scheduleToCloseMs,
      heartbeatTimeoutMs,
      runTimeoutFills: false,
    };
  }
  if (startToCloseMs > 0) {
    // Rule 2: the run timeout (possibly 0 = none) stands in for schedule-to-close and an unset schedule-to-start.
    return {
      scheduleToCloseTimeoutMs: 0,
      scheduleToStartTimeoutMs: scheduleToStartMs,
      startToCloseTimeoutMs: startToCloseMs,
      heartbeatTimeoutMs,
      runTimeoutFills: true,
    };
  }
  throw new BadScheduleActivityAttributesError(
    'startToCloseTimeout',
    `activity ${JSON.stringify(input.activityId)}: neither startToCloseTimeout nor scheduleToCloseTimeout is set; ` +
      'set at least one of them on the activity options'
  );
}

/** Rules 2 and 4: fill from the run timeout where rule 2 says so, then cap every timeout by it (0 = no cap). */
function capByRunTimeout(timeouts: Timeouts & { runTimeoutFills: boolean }, runTimeoutMs: number): Timeouts {
  const { runTimeoutFills, ...result } = timeouts;
  if (runTimeoutFills) {
    result.scheduleToCloseTimeoutMs = runTimeoutMs;
    if (result.scheduleToStartTimeoutMs === 0) result.scheduleToStartTimeoutMs = runTimeoutMs;
  }
  if (runTimeoutMs === 0) return result;
  return {
    scheduleToCloseTimeoutMs: Math.min(result.scheduleToCloseTimeoutMs, runTimeoutMs),
    scheduleToStartTimeoutMs: Math.min(result.scheduleToStartTimeoutMs, runTimeoutMs),
    startToCloseTimeoutMs: Math.min(result.startToCloseTimeoutMs, runTimeoutMs),
    heartbeatTimeoutMs: Math.min(result.heartbeatTimeoutMs, runTimeoutMs),
  };
}

function durationOrZero(field: string, durationMs: number | undefined): number {
  if (durationMs === undefined) return 0;
  validateDurationMs(field, durationMs);
  return durationMs;
}

function checkName(field: string, value: string): void {
  if (value.length === 0) throw new BadScheduleActivityAttributesError(field, `${field} must not be empty`);
  if (value.length > ACTIVITY_ID_LENGTH_MAX) {
    throw new BadScheduleActivityAttributesError(
      field,
      `${field} is ${value.length} characters long; the limit is ${ACTIVITY_ID_LENGTH_MAX}`
    );
  }
}
