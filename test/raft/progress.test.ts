/**
 * Goal: Progress (src/raft/core/progress.ts), the leader's view of one follower, moves between probe, replicate
 * and snapshot as etcd-raft's does; match never goes back; rejections move `next` back only when they answer
 * the current probe or exceed the match; pausing follows the state and flow control.
 * Method: table tests ported from etcd-raft `tracker/progress_test.go`, plus cases for the stale rejections and
 * flow control that Cairn's leader relies on (`sentEntries`, `canBumpCommit`).
 */
import { describe, expect, it } from 'vitest';
import { AssertionError } from '../../src/raft/core/errors.js';
import type { ProgressState } from '../../src/raft/core/progress.js';
import { Progress } from '../../src/raft/core/progress.js';

function progressOf(fields: { state?: ProgressState; match?: number; next: number; maxInflight?: number }): Progress {
  const progress = new Progress(fields.next, fields.maxInflight ?? 256, 0, false);
  progress.state = fields.state ?? 'probe';
  progress.match = fields.match ?? 0;
  return progress;
}

describe('Progress.isPaused', () => {
  for (const { state, flowPaused, paused } of [
    { state: 'probe', flowPaused: false, paused: false },
    { state: 'probe', flowPaused: true, paused: true },
    { state: 'replicate', flowPaused: false, paused: false },
    { state: 'replicate', flowPaused: true, paused: true },
    { state: 'snapshot', flowPaused: false, paused: true },
    { state: 'snapshot', flowPaused: true, paused: true },
  ] as const) {
    it(`${state} with msgAppFlowPaused=${flowPaused} -> ${paused}`, () => {
      const progress = progressOf({ state, next: 1 });
      progress.msgAppFlowPaused = flowPaused;
      expect(progress.isPaused()).toBe(paused);
    });
  }
});

describe('Progress state transitions', () => {
  it('maybeDecrTo and maybeUpdate resume a paused stream', () => {
    const progress = progressOf({ next: 2 });
    progress.msgAppFlowPaused = true;
    expect(progress.maybeDecrTo(1, 1)).toBe(true);
    expect(progress.msgAppFlowPaused).toBe(false);
    progress.msgAppFlowPaused = true;
    expect(progress.maybeUpdate(2)).toBe(true);
    expect(progress.msgAppFlowPaused).toBe(false);
  });

  for (const { why, state, pendingSnapshot, next } of [
    { why: 'from replicate', state: 'replicate', pendingSnapshot: 0, next: 2 },
    { why: 'after a finished snapshot', state: 'snapshot', pendingSnapshot: 10, next: 11 },
    { why: 'after a failed snapshot', state: 'snapshot', pendingSnapshot: 0, next: 2 },
  ] as const) {
    it(`becomeProbe ${why}: next ${next}`, () => {
      const progress = progressOf({ state, match: 1, next: 5 });
      progress.pendingSnapshot = pendingSnapshot;
      progress.becomeProbe();
      expect(progress.state).toBe('probe');
      expect(progress.match).toBe(1);
      expect(progress.next).toBe(next);
      expect(progress.pendingSnapshot).toBe(0);
      expect(progress.isPaused()).toBe(false);
    });
  }

  it('becomeReplicate restarts from match + 1 with empty inflights', () => {
    const progress = progressOf({ match: 1, next: 5 });
    progress.inflights.add(4, 10);
    progress.becomeReplicate();
    expect(progress.state).toBe('replicate');
    expect(progress.match).toBe(1);
    expect(progress.next).toBe(2);
    expect(progress.inflights.size()).toBe(0);
  });

  it('becomeSnapshot records the pending snapshot and pauses', () => {
    const progress = progressOf({ match: 1, next: 5 });
    progress.becomeSnapshot(10);
    expect(progress.state).toBe('snapshot');
    expect(progress.match).toBe(1);
    expect(progress.pendingSnapshot).toBe(10);
    expect(progress.next).toBe(11);
    expect(progress.isPaused()).toBe(true);
  });
});

describe('Progress.maybeUpdate', () => {
  // match 3, next 5.
  for (const { update, match, next, updated } of [
    { update: 2, match: 3, next: 5, updated: false }, // match and next never decrease
    { update: 3, match: 3, next: 5, updated: false },
    { update: 4, match: 4, next: 5, updated: true }, // match grows, next stays
    { update: 5, match: 5, next: 6, updated: true }, // both grow
  ]) {
    it(`ack ${update} -> match ${match} next ${next}`, () => {
      const progress = progressOf({ match: 3, next: 5 });
      expect(progress.maybeUpdate(update)).toBe(updated);
      expect(progress.match).toBe(match);
      expect(progress.next).toBe(next);
    });
  }
});

describe('Progress.maybeDecrTo', () => {
  const cases: Array<{
    why: string;
    state: ProgressState;
    match: number;
    next: number;
    rejected: number;
    hint: number;
    decremented: boolean;
    wantNext: number;
  }> = [
    {
      why: 'replicate: rejected at the match is stale',
      state: 'replicate',
      match: 5,
      next: 10,
      rejected: 5,
      hint: 5,
      decremented: false,
      wantNext: 10,
    },
    {
      why: 'replicate: rejected below the match is stale',
      state: 'replicate',
      match: 5,
      next: 10,
      rejected: 4,
      hint: 4,
      decremented: false,
      wantNext: 10,
    },
    {
      why: 'replicate: back to match + 1',
      state: 'replicate',
      match: 5,
      next: 10,
      rejected: 9,
      hint: 9,
      decremented: true,
      wantNext: 6,
    },
    {
      why: 'probe: not the current probe (next - 1 = -1)',
      state: 'probe',
      match: 0,
      next: 0,
      rejected: 0,
      hint: 0,
      decremented: false,
      wantNext: 0,
    },
    {
      why: 'probe: not the current probe',
      state: 'probe',
      match: 0,
      next: 10,
      rejected: 5,
      hint: 5,
      decremented: false,
      wantNext: 10,
    },
    {
      why: 'probe: one back',
      state: 'probe',
      match: 0,
      next: 10,
      rejected: 9,
      hint: 9,
      decremented: true,
      wantNext: 9,
    },
    {
      why: 'probe: one back to 1',
      state: 'probe',
      match: 0,
      next: 2,
      rejected: 1,
      hint: 1,
      decremented: true,
      wantNext: 1,
    },
    {
      why: 'probe: never below 1',
      state: 'probe',
      match: 0,
      next: 1,
      rejected: 0,
      hint: 0,
      decremented: true,
      wantNext: 1,
    },
    {
      why: 'probe: jump to hint + 1',
      state: 'probe',
      match: 0,
      next: 10,
      rejected: 9,
      hint: 2,
      decremented: true,
      wantNext: 3,
    },
    {
      why: 'probe: hint 0 gives 1',
      state: 'probe',
      match: 0,
      next: 10,
      rejected: 9,
      hint: 0,
      decremented: true,
      wantNext: 1,
    },
    {
      why: 'probe: never below match + 1',
      state: 'probe',
      match: 4,
      next: 10,
      rejected: 9,
      hint: 1,
      decremented: true,
      wantNext: 5,
    },
  ];
  for (const tc of cases) {
    it(`${tc.why}: next ${tc.next} rejected ${tc.rejected} hint ${tc.hint} -> ${tc.wantNext}`, () => {
      const progress = progressOf({ state: tc.state, match: tc.match, next: tc.next });
      expect(progress.maybeDecrTo(tc.rejected, tc.hint)).toBe(tc.decremented);
      expect(progress.match).toBe(tc.match);
      expect(progress.next).toBe(tc.wantNext);
    });
  }

  it('a decrement also lowers the commit index the follower is known to have been sent', () => {
    const progress = progressOf({ state: 'probe', match: 0, next: 10 });
    progress.noteSentCommit(9);
    expect(progress.maybeDecrTo(9, 3)).toBe(true);
    expect(progress.next).toBe(4);
    expect(progress.sentCommit).toBe(3);
  });
});

describe('Progress flow control', () => {
  it('probe: one append with entries pauses until a response', () => {
    const progress = progressOf({ next: 5 });
    progress.sentEntries(0, 0);
    expect(progress.isPaused()).toBe(false); // an empty probe does not pause
    progress.sentEntries(2, 20);
    expect(progress.isPaused()).toBe(true);
    expect(progress.next).toBe(5); // probing does not advance next optimistically
  });

  it('replicate: appends advance next optimistically and pause once the inflights are full', () => {
    const progress = progressOf({ state: 'replicate', match: 4, next: 5, maxInflight: 2 });
    progress.sentEntries(2, 20);
    expect(progress.next).toBe(7);
    expect(progress.isPaused()).toBe(false);
    progress.sentEntries(1, 10);
    expect(progress.next).toBe(8);
    expect(progress.isPaused()).toBe(true);
    expect(progress.inflights.size()).toBe(2);
    // An acknowledgement frees the inflights up to the acked index; the leader then resumes.
    expect(progress.maybeUpdate(6)).toBe(true);
    progress.inflights.freeLE(6);
    expect(progress.isPaused()).toBe(false);
    expect(progress.inflights.size()).toBe(1);
  });

  it('snapshot state refuses to account appends (assertion)', () => {
    const progress = progressOf({ next: 5 });
    progress.becomeSnapshot(10);
    expect(() => progress.sentEntries(1, 1)).toThrow(AssertionError);
  });

  it('canBumpCommit only when the follower can use a newer commit index', () => {
    const progress = progressOf({ state: 'replicate', match: 5, next: 8 });
    progress.noteSentCommit(5);
    expect(progress.canBumpCommit(5)).toBe(false); // nothing new
    expect(progress.canBumpCommit(6)).toBe(true);
    progress.noteSentCommit(7); // everything sent so far is known committed to it
    expect(progress.canBumpCommit(9)).toBe(false);
  });

  it('toString shows state, flags, pending snapshot and inflights', () => {
    const progress = new Progress(2, 1, 0, true);
    progress.match = 1;
    progress.inflights.add(123, 1);
    progress.becomeSnapshot(123);
    expect(progress.toString()).toBe('snapshot match=1 next=124 learner paused pendingSnap=123 inactive');
  });
});
