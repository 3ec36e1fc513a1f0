/**
 * Goal: UnstableLog (src/raft/core/unstableLog.ts), the tail of the log not yet durable, answers first/last
 * index and term queries from its entries and pending snapshot, drops entries only when the driver reports the
 * exact (index, term) durable, and truncates correctly on conflicting appends.
 * Method: table tests ported from etcd-raft `log_unstable_test.go`. Cairn has no `offsetInProgress` (a Ready is
 * always acknowledged before the next one), so the in-progress columns are dropped; every other column is kept.
 */
import { describe, expect, it } from 'vitest';
import { AssertionError } from '../../src/raft/core/errors.js';
import type { Entry, Snapshot } from '../../src/raft/core/types.js';
import { EMPTY_BYTES, EMPTY_CONF_STATE } from '../../src/raft/core/types.js';
import { UnstableLog } from '../../src/raft/core/unstableLog.js';

function entriesAt(first: number, ...terms: number[]): Entry[] {
  return terms.map((term, offset) => ({ index: first + offset, term, kind: 'normal', data: EMPTY_BYTES }));
}

function snapshotAt(index: number, term: number): Snapshot {
  return { metadata: { index, term, confState: EMPTY_CONF_STATE }, data: EMPTY_BYTES };
}

function ids(entries: readonly Entry[]): string[] {
  return entries.map((entry) => `${entry.term}/${entry.index}`);
}

/** An unstable log in the given state, built field by field as etcd's tests do. */
function unstableOf(entries: Entry[], offset: number, snapshot: Snapshot | null): UnstableLog {
  const unstable = new UnstableLog(offset);
  unstable.entries = entries;
  unstable.snapshot = snapshot;
  return unstable;
}

describe('UnstableLog index and term queries', () => {
  const snapshot4 = snapshotAt(4, 1);

  for (const { entries, offset, snapshot, want } of [
    { entries: entriesAt(5, 1), offset: 5, snapshot: null, want: undefined },
    { entries: [], offset: 1, snapshot: null, want: undefined },
    { entries: entriesAt(5, 1), offset: 5, snapshot: snapshot4, want: 5 },
    { entries: [], offset: 5, snapshot: snapshot4, want: 5 },
  ]) {
    it(`maybeFirstIndex: ${ids(entries).join(' ') || 'no entries'}, snapshot ${snapshot === null ? 'none' : 'at 4'} -> ${want}`, () => {
      expect(unstableOf(entries, offset, snapshot).maybeFirstIndex()).toBe(want);
    });
  }

  for (const { entries, offset, snapshot, want } of [
    { entries: entriesAt(5, 1), offset: 5, snapshot: null, want: 5 }, // last in entries
    { entries: entriesAt(5, 1), offset: 5, snapshot: snapshot4, want: 5 },
    { entries: [], offset: 5, snapshot: snapshot4, want: 4 }, // last in snapshot
    { entries: [], offset: 1, snapshot: null, want: undefined }, // empty
  ]) {
    it(`maybeLastIndex: ${ids(entries).join(' ') || 'no entries'}, snapshot ${snapshot === null ? 'none' : 'at 4'} -> ${want}`, () => {
      expect(unstableOf(entries, offset, snapshot).maybeLastIndex()).toBe(want);
    });
  }

  for (const { entries, offset, snapshot, index, want } of [
    // Term from entries.
    { entries: entriesAt(5, 1), offset: 5, snapshot: null, index: 5, want: 1 },
    { entries: entriesAt(5, 1), offset: 5, snapshot: null, index: 6, want: undefined },
    { entries: entriesAt(5, 1), offset: 5, snapshot: null, index: 4, want: undefined },
    { entries: entriesAt(5, 1), offset: 5, snapshot: snapshot4, index: 5, want: 1 },
    { entries: entriesAt(5, 1), offset: 5, snapshot: snapshot4, index: 6, want: undefined },
    // Term from the snapshot.
    { entries: entriesAt(5, 1), offset: 5, snapshot: snapshot4, index: 4, want: 1 },
    { entries: entriesAt(5, 1), offset: 5, snapshot: snapshot4, index: 3, want: undefined },
    { entries: [], offset: 5, snapshot: snapshot4, index: 5, want: undefined },
    { entries: [], offset: 5, snapshot: snapshot4, index: 4, want: 1 },
    { entries: [], offset: 1, snapshot: null, index: 5, want: undefined },
  ]) {
    it(`maybeTerm(${index}): ${ids(entries).join(' ') || 'no entries'}, snapshot ${snapshot === null ? 'none' : 'at 4'} -> ${want}`, () => {
      expect(unstableOf(entries, offset, snapshot).maybeTerm(index)).toBe(want);
    });
  }
});

describe('UnstableLog.restore', () => {
  it('replaces entries and snapshot; the log now starts after the snapshot', () => {
    const unstable = unstableOf(entriesAt(5, 1), 5, snapshotAt(4, 1));
    const snapshot = snapshotAt(6, 2);
    unstable.restore(snapshot);
    expect(unstable.offset).toBe(7);
    expect(unstable.entries).toHaveLength(0);
    expect(unstable.snapshot).toBe(snapshot);
    expect(unstable.maybeLastIndex()).toBe(6);
    expect(unstable.maybeTerm(6)).toBe(2);
  });

  it('stableSnapTo drops the snapshot only when the index matches', () => {
    const unstable = unstableOf([], 5, snapshotAt(4, 1));
    unstable.stableSnapTo(3);
    expect(unstable.snapshot).not.toBeNull();
    unstable.stableSnapTo(4);
    expect(unstable.snapshot).toBeNull();
  });
});

describe('UnstableLog.stableTo', () => {
  const cases: Array<{
    why: string;
    entries: Entry[];
    offset: number;
    snapshot: Snapshot | null;
    index: number;
    term: number;
    wantOffset: number;
    wantLength: number;
  }> = [
    { why: 'empty', entries: [], offset: 1, snapshot: null, index: 5, term: 1, wantOffset: 1, wantLength: 0 },
    {
      why: 'the only entry',
      entries: entriesAt(5, 1),
      offset: 5,
      snapshot: null,
      index: 5,
      term: 1,
      wantOffset: 6,
      wantLength: 0,
    },
    {
      why: 'the first entry',
      entries: entriesAt(5, 1, 1),
      offset: 5,
      snapshot: null,
      index: 5,
      term: 1,
      wantOffset: 6,
      wantLength: 1,
    },
    {
      why: 'term mismatch',
      entries: entriesAt(6, 2),
      offset: 6,
      snapshot: null,
      index: 6,
      term: 1,
      wantOffset: 6,
      wantLength: 1,
    },
    {
      why: 'an old entry',
      entries: entriesAt(5, 1),
      offset: 5,
      snapshot: null,
      index: 4,
      term: 1,
      wantOffset: 5,
      wantLength: 1,
    },
    {
      why: 'an old entry, other term',
      entries: entriesAt(5, 1),
      offset: 5,
      snapshot: null,
      index: 4,
      term: 2,
      wantOffset: 5,
      wantLength: 1,
    },
    // With a snapshot.
    {
      why: 'first entry after a snapshot',
      entries: entriesAt(5, 1),
      offset: 5,
      snapshot: snapshotAt(4, 1),
      index: 5,
      term: 1,
      wantOffset: 6,
      wantLength: 0,
    },
    {
      why: 'first of two after a snapshot',
      entries: entriesAt(5, 1, 1),
      offset: 5,
      snapshot: snapshotAt(4, 1),
      index: 5,
      term: 1,
      wantOffset: 6,
      wantLength: 1,
    },
    {
      why: 'term mismatch after a snapshot',
      entries: entriesAt(6, 2),
      offset: 6,
      snapshot: snapshotAt(5, 1),
      index: 6,
      term: 1,
      wantOffset: 6,
      wantLength: 1,
    },
    {
      why: 'the snapshot index',
      entries: entriesAt(5, 1),
      offset: 5,
      snapshot: snapshotAt(4, 1),
      index: 4,
      term: 1,
      wantOffset: 5,
      wantLength: 1,
    },
    {
      why: 'the snapshot index, other term',
      entries: entriesAt(5, 2),
      offset: 5,
      snapshot: snapshotAt(4, 2),
      index: 4,
      term: 1,
      wantOffset: 5,
      wantLength: 1,
    },
  ];
  for (const tc of cases) {
    it(`${tc.why}: stableTo(${tc.index}, ${tc.term}) -> offset ${tc.wantOffset}, ${tc.wantLength} left`, () => {
      const unstable = unstableOf(tc.entries, tc.offset, tc.snapshot);
      unstable.stableTo(tc.index, tc.term);
      expect(unstable.offset).toBe(tc.wantOffset);
      expect(unstable.entries).toHaveLength(tc.wantLength);
    });
  }
});

describe('UnstableLog.truncateAndAppend', () => {
  const cases: Array<{
    why: string;
    entries: Entry[];
    offset: number;
    append: Entry[];
    wantOffset: number;
    want: Entry[];
  }> = [
    // Append to the end.
    {
      why: 'append at the end',
      entries: entriesAt(5, 1),
      offset: 5,
      append: entriesAt(6, 1, 1),
      wantOffset: 5,
      want: entriesAt(5, 1, 1, 1),
    },
    // Replace the unstable entries.
    {
      why: 'replace from the offset',
      entries: entriesAt(5, 1),
      offset: 5,
      append: entriesAt(5, 2, 2),
      wantOffset: 5,
      want: entriesAt(5, 2, 2),
    },
    {
      why: 'replace from before the offset',
      entries: entriesAt(5, 1),
      offset: 5,
      append: entriesAt(4, 2, 2, 2),
      wantOffset: 4,
      want: entriesAt(4, 2, 2, 2),
    },
    // Truncate the existing entries and append.
    {
      why: 'truncate in the middle',
      entries: entriesAt(5, 1, 1, 1),
      offset: 5,
      append: entriesAt(6, 2),
      wantOffset: 5,
      want: entriesAt(5, 1, 2),
    },
    {
      why: 'truncate the last',
      entries: entriesAt(5, 1, 1, 1),
      offset: 5,
      append: entriesAt(7, 2, 2),
      wantOffset: 5,
      want: entriesAt(5, 1, 1, 2, 2),
    },
  ];
  for (const tc of cases) {
    it(`${tc.why}: ${ids(tc.entries).join(' ')} + ${ids(tc.append).join(' ')} -> ${ids(tc.want).join(' ')}`, () => {
      const unstable = unstableOf(tc.entries, tc.offset, null);
      unstable.truncateAndAppend(tc.append);
      expect(unstable.offset).toBe(tc.wantOffset);
      expect(ids(unstable.entries)).toEqual(ids(tc.want));
      // The index invariant: entries[i].index === offset + i.
      unstable.entries.forEach((entry, position) => expect(entry.index).toBe(unstable.offset + position));
    });
  }

  it('does not alias the caller array when it replaces the tail', () => {
    const unstable = unstableOf(entriesAt(5, 1), 5, null);
    const appended = entriesAt(5, 2);
    unstable.truncateAndAppend(appended);
    appended.push(...entriesAt(6, 2));
    expect(unstable.entries).toHaveLength(1);
  });

  it('slice() refuses ranges outside the unstable entries (assertion)', () => {
    const unstable = unstableOf(entriesAt(5, 1, 1), 5, null);
    expect(ids(unstable.slice(5, 7))).toEqual(['1/5', '1/6']);
    expect(() => unstable.slice(4, 6)).toThrow(AssertionError);
    expect(() => unstable.slice(5, 8)).toThrow(AssertionError);
    expect(() => unstable.slice(6, 5)).toThrow(AssertionError);
  });

  it('construction refuses offset 0 (assertion)', () => {
    expect(() => new UnstableLog(0)).toThrow(AssertionError);
  });
});
