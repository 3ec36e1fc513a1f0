/**
 * Goal: the leader's timer window (src/actors/timers/timerIndex.ts) pops timers in (fireAtMs, sequence) order and
 * never before their fire time; cancel removes exactly one timer; the window stays within its size bound and its
 * horizon tells which timers were left in `state/`; armDelayMs is never negative and never above 2^31−1 ms.
 * Method: example tests with exact values, and a seeded fast-check model test that runs random add / cancel /
 * popDue / extend sequences against a sorted-array reference of every durable timer.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AssertionError } from '../../../src/raft/core/errors.js';
import { TIMER_ARM_DELAY_MS_MAX, armDelayMs } from '../../../src/actors/timers/armDelay.js';
import type { IndexedTimer, TimerKey } from '../../../src/actors/timers/timerIndex.js';
import { TIMER_WINDOW_SIZE_MAX, TimerIndex, compareTimerKeys } from '../../../src/actors/timers/timerIndex.js';

const SEED = 8_2026;
const run = { namespaceId: 'ns', workflowId: 'wf', runId: 'r1' };

function timerAt(fireAtMs: number, sequence: number): IndexedTimer {
  return { fireAtMs, sequence, timer: { kind: 'userTimer', run, timerId: `t${sequence}`, startedEventId: sequence } };
}
const sequencesOf = (timers: readonly TimerKey[]) => timers.map((timer) => timer.sequence);

describe('armDelayMs', () => {
  for (const [fireAtMs, nowMs, expectedMs] of [
    [1_000, 400, 600],
    [1_000, 1_000, 0],
    [1_000, 5_000, 0],
    [1_000.2, 1_000, 1],
    [30 * 24 * 3_600_000, 0, TIMER_ARM_DELAY_MS_MAX],
    [TIMER_ARM_DELAY_MS_MAX + 10, 10, TIMER_ARM_DELAY_MS_MAX],
    [TIMER_ARM_DELAY_MS_MAX + 11, 10, TIMER_ARM_DELAY_MS_MAX],
  ] as const) {
    it(`fire at ${fireAtMs}, now ${nowMs} -> ${expectedMs} ms`, () => {
      expect(armDelayMs(fireAtMs, nowMs)).toBe(expectedMs);
    });
  }

  it('clamps to 2^31−1 ms', () => {
    expect(TIMER_ARM_DELAY_MS_MAX).toBe(2_147_483_647);
  });
});

describe('TimerIndex examples', () => {
  it('pops due timers in (fireAtMs, sequence) order and none early', () => {
    const index = new TimerIndex();
    for (const timer of [timerAt(300, 1), timerAt(100, 5), timerAt(100, 2), timerAt(200, 3)]) {
      expect(index.add(timer)).toEqual({ added: true });
    }
    expect(index.nextFireAtMs()).toBe(100);
    expect(index.popDue(99)).toEqual([]);
    expect(sequencesOf(index.popDue(100))).toEqual([2, 5]);
    expect(index.nextFireAtMs()).toBe(200);
    expect(sequencesOf(index.popDue(10_000, 1))).toEqual([3]);
    expect(sequencesOf(index.popDue(10_000))).toEqual([1]);
    expect(index.nextFireAtMs()).toBeUndefined();
    expect(index.size).toBe(0);
  });

  it('cancels by key, once', () => {
    const index = new TimerIndex();
    index.add(timerAt(100, 1));
    index.add(timerAt(100, 2));
    expect(index.cancel({ fireAtMs: 100, sequence: 1 })).toBe(true);
    expect(index.cancel({ fireAtMs: 100, sequence: 1 })).toBe(false);
    expect(index.cancel({ fireAtMs: 999, sequence: 2 })).toBe(false);
    expect(sequencesOf(index.popDue(100))).toEqual([2]);
  });

  it('evicts the latest timer when full and sets the horizon; later adds beyond it stay out', () => {
    const index = new TimerIndex(2);
    index.add(timerAt(100, 1));
    index.add(timerAt(300, 2));
    expect(index.add(timerAt(200, 3))).toEqual({ added: true, evicted: timerAt(300, 2) });
    expect(index.horizon).toEqual({ fireAtMs: 200, sequence: 3 });
    expect(index.add(timerAt(250, 4))).toEqual({ added: false, reason: 'beyondHorizon' });
    expect(index.size).toBe(2);
    index.popDue(1_000);
    index.extend([timerAt(250, 4), timerAt(300, 2)], undefined);
    expect(index.horizon).toBeUndefined();
    expect(sequencesOf(index.popDue(1_000))).toEqual([4, 2]);
  });

  it('a full window refuses a newcomer later than its last timer', () => {
    const index = new TimerIndex(1);
    index.add(timerAt(100, 1));
    expect(index.add(timerAt(200, 2))).toEqual({ added: false, reason: 'windowFull' });
    expect(index.horizon).toEqual({ fireAtMs: 100, sequence: 1 });
  });

  it(`bounds the window at ${TIMER_WINDOW_SIZE_MAX} by default`, () => {
    const index = new TimerIndex();
    for (let sequence = 0; sequence <= TIMER_WINDOW_SIZE_MAX; sequence += 1) index.add(timerAt(sequence, sequence));
    expect(index.size).toBe(TIMER_WINDOW_SIZE_MAX);
  });

  it('treats a duplicate sequence or a bad key as a broken invariant', () => {
    const index = new TimerIndex();
    index.add(timerAt(100, 1));
    expect(() => index.add(timerAt(200, 1))).toThrow(AssertionError);
    expect(() => index.add(timerAt(-1, 2))).toThrow(AssertionError);
    expect(() => index.add(timerAt(1.5, 3))).toThrow(AssertionError);
  });
});

type Operation =
  | { op: 'add'; fireAtMs: number }
  | { op: 'cancel'; pick: number }
  | { op: 'pop'; advanceMs: number; countMax: number }
  | { op: 'refill' };

const operationArbitrary: fc.Arbitrary<Operation> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({ op: fc.constant('add' as const), fireAtMs: fc.integer({ min: 0, max: 2_000 }) }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('cancel' as const), pick: fc.nat(1_000) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('pop' as const),
      advanceMs: fc.integer({ min: 0, max: 300 }),
      countMax: fc.integer({ min: 1, max: 20 }),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ op: 'refill' as const }) }
);

/**
 * Drives the index like the leader would: `durable` is the reference (every timer in `state/`, sorted); adds and
 * cancels go to both; pops are checked against the reference's due prefix; refill loads what lies after the
 * horizon from the reference.
 */
function runModel(sizeMax: number, operations: readonly Operation[]): void {
  const index = new TimerIndex(sizeMax);
  let durable: IndexedTimer[] = [];
  let nowMs = 0;
  let nextSequence = 0;
  for (const operation of operations) {
    if (operation.op === 'add') {
      // A timer is never added in the past of the clock the pops use: it would fire at once, which is fine, so
      // both are allowed; sequence grows, as the durable index assigns it.
      const entry = timerAt(operation.fireAtMs, nextSequence++);
      durable = [...durable, entry].sort(compareTimerKeys);
      index.add(entry);
    } else if (operation.op === 'cancel') {
      const victim = durable[operation.pick % Math.max(1, durable.length)];
      if (victim === undefined) continue;
      durable = durable.filter((entry) => entry.sequence !== victim.sequence);
      index.cancel(victim);
    } else if (operation.op === 'pop') {
      nowMs += operation.advanceMs;
      const popped = index.popDue(nowMs, operation.countMax);
      for (const entry of popped) expect(entry.fireAtMs).toBeLessThanOrEqual(nowMs);
      // What the window pops is exactly the reference's earliest timers: none skipped, none early.
      expect(sequencesOf(popped)).toEqual(sequencesOf(durable.slice(0, popped.length)));
      durable = durable.slice(popped.length);
      const earliest = durable[0];
      if (popped.length < operation.countMax && earliest !== undefined && earliest.fireAtMs <= nowMs) {
        // Something due was not popped: only allowed if the window had dropped it (it lies after the horizon).
        const horizon = index.horizon;
        expect(horizon !== undefined && compareTimerKeys(earliest, horizon) > 0).toBe(true);
        expect(index.size).toBe(0);
      }
    } else {
      const horizon = index.horizon;
      if (horizon === undefined) continue;
      const after = durable.filter((entry) => compareTimerKeys(entry, horizon) > 0);
      const load = after.slice(0, sizeMax - index.size);
      // A load that reaches the end of the reference completes the window; otherwise it ends at its last timer
      // (or, when the window had no room, where it already ended).
      index.extend(load, load.length === after.length ? undefined : (load[load.length - 1] ?? horizon));
    }
    expect(index.size).toBeLessThanOrEqual(sizeMax);
    const horizon = index.horizon;
    const held = horizon === undefined ? durable : durable.filter((entry) => compareTimerKeys(entry, horizon) <= 0);
    // The window holds exactly the durable timers up to its horizon, so its next fire time is the reference's.
    expect(index.size).toBe(held.length);
    expect(index.nextFireAtMs()).toBe(held[0]?.fireAtMs);
  }
}

describe('TimerIndex against a sorted-array reference', () => {
  it(`agrees on every operation sequence (seed ${SEED})`, () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.array(operationArbitrary, { maxLength: 120 }), runModel),
      { seed: SEED, numRuns: 1_500 }
    );
  });
});
