/**
 * Goal: SCHEDULE_ACTIVITY_TASK attributes normalize exactly as TEMPORAL-API.md §4 says (Temporal's
 * validateActivityScheduleAttributes): schedule-to-close fills and caps; start-to-close alone takes the run
 * timeout; neither fails with BAD_SCHEDULE_ACTIVITY_ATTRIBUTES; the run timeout caps everything; heartbeat is
 * capped by start-to-close; retry defaults and validation; empty task queue → the workflow's.
 * Method: a table of inputs with exact expected outputs; tables of rejections checking the typed failure and
 * field; a seeded fast-check property that normalizing twice gives the result of normalizing once.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type {
  NormalizedScheduleActivity,
  ScheduleActivityInput,
} from '../../../src/actors/activities/normalizeScheduleActivity.js';
import {
  BAD_SCHEDULE_ACTIVITY_ATTRIBUTES,
  BadScheduleActivityAttributesError,
  normalizeScheduleActivity,
} from '../../../src/actors/activities/normalizeScheduleActivity.js';

const SEED = 4_2026_11;
const DEFAULT_RETRY = {
  initialIntervalMs: 1_000,
  backoffCoefficient: 2,
  maximumIntervalMs: 100_000,
  maximumAttempts: 0,
  nonRetryableErrorTypes: [],
};
const base = { activityId: '1', activityTypeName: 'greet' };

function normalized(input: Omit<ScheduleActivityInput, 'activityId' | 'activityTypeName'>, runTimeoutMs = 0) {
  const result = normalizeScheduleActivity(
    { ...base, ...input },
    { workflowTaskQueueName: 'wf-queue', workflowRunTimeoutMs: runTimeoutMs }
  );
  if (!result.ok) throw new Error(`expected success, got ${result.error.message}`);
  return result.value;
}

type Timeouts = [scheduleToClose: number, scheduleToStart: number, startToClose: number, heartbeat: number];
function timeoutsOf(value: NormalizedScheduleActivity): Timeouts {
  return [
    value.scheduleToCloseTimeoutMs,
    value.scheduleToStartTimeoutMs,
    value.startToCloseTimeoutMs,
    value.heartbeatTimeoutMs,
  ];
}

describe('normalizeScheduleActivity timeouts', () => {
  // [scheduleToClose, scheduleToStart, startToClose, heartbeat] in → out, with the run timeout (0 = none).
  const table: {
    name: string;
    input: Omit<ScheduleActivityInput, 'activityId' | 'activityTypeName'>;
    run: number;
    out: Timeouts;
  }[] = [
    {
      name: 'rule 1: S2C fills both',
      input: { scheduleToCloseTimeoutMs: 60_000 },
      run: 0,
      out: [60_000, 60_000, 60_000, 0],
    },
    {
      name: 'rule 1: S2C caps both',
      input: { scheduleToCloseTimeoutMs: 60_000, scheduleToStartTimeoutMs: 90_000, startToCloseTimeoutMs: 120_000 },
      run: 0,
      out: [60_000, 60_000, 60_000, 0],
    },
    {
      name: 'rule 1: smaller values kept',
      input: { scheduleToCloseTimeoutMs: 60_000, scheduleToStartTimeoutMs: 5_000, startToCloseTimeoutMs: 10_000 },
      run: 0,
      out: [60_000, 5_000, 10_000, 0],
    },
    {
      name: 'rule 2: STC only, no run timeout',
      input: { startToCloseTimeoutMs: 10_000 },
      run: 0,
      out: [0, 0, 10_000, 0],
    },
    {
      name: 'rule 2: STC only, run timeout fills S2C and S2S',
      input: { startToCloseTimeoutMs: 10_000 },
      run: 3_600_000,
      out: [3_600_000, 3_600_000, 10_000, 0],
    },
    {
      name: 'rule 2: a set S2S is kept',
      input: { startToCloseTimeoutMs: 10_000, scheduleToStartTimeoutMs: 2_000 },
      run: 3_600_000,
      out: [3_600_000, 2_000, 10_000, 0],
    },
    {
      name: 'rule 2: a set S2S without run timeout is kept',
      input: { startToCloseTimeoutMs: 10_000, scheduleToStartTimeoutMs: 2_000 },
      run: 0,
      out: [0, 2_000, 10_000, 0],
    },
    {
      name: 'rule 4: run timeout caps everything',
      input: { scheduleToCloseTimeoutMs: 60_000, startToCloseTimeoutMs: 50_000, heartbeatTimeoutMs: 40_000 },
      run: 30_000,
      out: [30_000, 30_000, 30_000, 30_000],
    },
    {
      name: 'rule 4: heartbeat capped by STC',
      input: { startToCloseTimeoutMs: 10_000, heartbeatTimeoutMs: 20_000 },
      run: 0,
      out: [0, 0, 10_000, 10_000],
    },
    {
      name: 'heartbeat below STC kept',
      input: { scheduleToCloseTimeoutMs: 60_000, heartbeatTimeoutMs: 5_000 },
      run: 0,
      out: [60_000, 60_000, 60_000, 5_000],
    },
    {
      name: 'zero means unset',
      input: { scheduleToCloseTimeoutMs: 0, scheduleToStartTimeoutMs: 0, startToCloseTimeoutMs: 7_000 },
      run: 0,
      out: [0, 0, 7_000, 0],
    },
  ];
  for (const { name, input, run, out } of table) {
    it(`${name}: ${JSON.stringify(input)} run ${run} -> ${JSON.stringify(out)}`, () => {
      expect(timeoutsOf(normalized(input, run))).toEqual(out);
    });
  }
});

describe('normalizeScheduleActivity rejections', () => {
  function failure(input: Partial<ScheduleActivityInput>, runTimeoutMs = 0): BadScheduleActivityAttributesError {
    const result = normalizeScheduleActivity(
      { ...base, ...input },
      { workflowTaskQueueName: 'q', workflowRunTimeoutMs: runTimeoutMs }
    );
    if (result.ok) throw new Error('expected a failure');
    return result.error;
  }

  it('neither STC nor S2C fails the WFT with BAD_SCHEDULE_ACTIVITY_ATTRIBUTES and says what to set', () => {
    const error = failure({ scheduleToStartTimeoutMs: 5_000, heartbeatTimeoutMs: 1_000 });
    expect(error).toBeInstanceOf(BadScheduleActivityAttributesError);
    expect(error.workflowTaskFailedCause).toBe(BAD_SCHEDULE_ACTIVITY_ATTRIBUTES);
    expect(BAD_SCHEDULE_ACTIVITY_ATTRIBUTES).toBe('WORKFLOW_TASK_FAILED_CAUSE_BAD_SCHEDULE_ACTIVITY_ATTRIBUTES');
    expect(error.message).toBe(
      'activity "1": neither startToCloseTimeout nor scheduleToCloseTimeout is set; set at least one of them on the activity options'
    );
  });

  for (const { input, field } of [
    { input: { startToCloseTimeoutMs: -1 }, field: 'startToCloseTimeout' },
    { input: { startToCloseTimeoutMs: 1, scheduleToCloseTimeoutMs: Number.NaN }, field: 'scheduleToCloseTimeout' },
    { input: { startToCloseTimeoutMs: 1, heartbeatTimeoutMs: 0.5 }, field: 'heartbeatTimeout' },
    {
      input: { startToCloseTimeoutMs: 1, retryPolicy: { backoffCoefficient: 0.5 } },
      field: 'retryPolicy.backoffCoefficient',
    },
    {
      input: { startToCloseTimeoutMs: 1, retryPolicy: { initialIntervalMs: 10_000, maximumIntervalMs: 5_000 } },
      field: 'retryPolicy.maximumInterval',
    },
    { input: { startToCloseTimeoutMs: 1, retryPolicy: { maximumAttempts: -1 } }, field: 'retryPolicy.maximumAttempts' },
    {
      input: { startToCloseTimeoutMs: 1, retryPolicy: { initialIntervalMs: -5 } },
      field: 'retryPolicy.initialInterval',
    },
    {
      input: { startToCloseTimeoutMs: 1, retryPolicy: { nonRetryableErrorTypes: ['TemporalTimeout:ScheduleToClose'] } },
      field: 'retryPolicy.nonRetryableErrorTypes[0]',
    },
    {
      input: { startToCloseTimeoutMs: 1, retryPolicy: { nonRetryableErrorTypes: ['ok', ''] } },
      field: 'retryPolicy.nonRetryableErrorTypes[1]',
    },
    { input: { startToCloseTimeoutMs: 1, activityId: '' }, field: 'activityId' },
    { input: { startToCloseTimeoutMs: 1, activityTypeName: 'x'.repeat(1_001) }, field: 'activityType' },
  ]) {
    it(`rejects ${JSON.stringify(input)} naming ${field}`, () => {
      const error = failure(input);
      expect(error.field).toBe(field);
      expect(error.workflowTaskFailedCause).toBe(BAD_SCHEDULE_ACTIVITY_ATTRIBUTES);
      expect(error.message).toContain(field);
    });
  }
});

describe('normalizeScheduleActivity retry policy and task queue', () => {
  it('fills Temporal defaults: 1 s, x2, 100 x initial, unlimited attempts', () => {
    expect(normalized({ startToCloseTimeoutMs: 1 }).retryPolicy).toEqual(DEFAULT_RETRY);
  });

  it('derives the default maximum interval from a custom initial interval', () => {
    const policy = normalized({ startToCloseTimeoutMs: 1, retryPolicy: { initialIntervalMs: 250 } }).retryPolicy;
    expect(policy).toEqual({ ...DEFAULT_RETRY, initialIntervalMs: 250, maximumIntervalMs: 25_000 });
  });

  it('keeps a valid explicit policy', () => {
    const retryPolicy = {
      initialIntervalMs: 500,
      backoffCoefficient: 1,
      maximumIntervalMs: 500,
      maximumAttempts: 3,
      nonRetryableErrorTypes: ['Fatal', 'TemporalTimeout:StartToClose', 'TemporalTimeout:Heartbeat'],
    };
    expect(normalized({ startToCloseTimeoutMs: 1, retryPolicy }).retryPolicy).toEqual(retryPolicy);
  });

  it("uses the workflow's task queue when the command's is empty or absent", () => {
    expect(normalized({ startToCloseTimeoutMs: 1 }).taskQueueName).toBe('wf-queue');
    expect(normalized({ startToCloseTimeoutMs: 1, taskQueueName: '' }).taskQueueName).toBe('wf-queue');
    const own = normalizeScheduleActivity(
      { ...base, taskQueueName: 'acts', startToCloseTimeoutMs: 1 },
      { workflowTaskQueueName: 'wf-queue', workflowRunTimeoutMs: 0 }
    );
    expect(own.ok && own.value.taskQueueName).toBe('acts');
  });
});

describe('normalizeScheduleActivity idempotence', () => {
  const optionalMs = fc.option(fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 10_000_000 })), { nil: undefined });
  it(`normalizing twice equals normalizing once (seed ${SEED})`, () => {
    fc.assert(
      fc.property(
        fc.record({
          scheduleToCloseTimeoutMs: optionalMs,
          scheduleToStartTimeoutMs: optionalMs,
          startToCloseTimeoutMs: optionalMs,
          heartbeatTimeoutMs: optionalMs,
          initialIntervalMs: optionalMs,
          maximumAttempts: fc.option(fc.nat(10), { nil: undefined }),
        }),
        fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 10_000_000 })),
        (fields, runTimeoutMs) => {
          const { initialIntervalMs, maximumAttempts, ...timeouts } = fields;
          const context = { workflowTaskQueueName: 'q', workflowRunTimeoutMs: runTimeoutMs };
          const input = { ...base, ...timeouts, retryPolicy: { initialIntervalMs, maximumAttempts } };
          const once = normalizeScheduleActivity(input, context);
          if (!once.ok) {
            expect(once.error.field).toBe('startToCloseTimeout');
            return;
          }
          const twice = normalizeScheduleActivity(once.value, context);
          expect(twice).toEqual(once);
          // The caps hold on every success.
          const value = once.value;
          expect(value.startToCloseTimeoutMs).toBeGreaterThan(0);
          expect(value.heartbeatTimeoutMs).toBeLessThanOrEqual(value.startToCloseTimeoutMs);
          if (runTimeoutMs > 0) expect(Math.max(...timeoutsOf(value))).toBeLessThanOrEqual(runTimeoutMs);
        }
      ),
      { seed: SEED, numRuns: 3_000 }
    );
  });
});
