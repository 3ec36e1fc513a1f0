/**
 * Goal: RaftLog (src/raft/core/log.ts) keeps the Log Matching and Leader Completeness rules of the paper (§5.3,
 * §5.4) over durable storage plus the unstable tail: conflict detection, fast back-off, the append rules, commit
 * that never moves back nor past the log, bounds with typed errors, size limits that always return one entry, and
 * snapshot restore.
 * Method: table tests ported from etcd-raft `log_test.go` (same cases, same expected values), adapted where the
 * Cairn API differs (payload bytes instead of protobuf sizes; no async apply pausing); each adaptation says why.
 */
import { describe, expect, it } from 'vitest';
import { AssertionError, CompactedError, UnavailableError } from '../../src/raft/core/errors.js';
import { RaftLog, limitSize } from '../../src/raft/core/log.js';
import type { Entry, Snapshot } from '../../src/raft/core/types.js';
import { EMPTY_BYTES, EMPTY_CONF_STATE } from '../../src/raft/core/types.js';
import { MemoryRaftStorage } from '../../src/raft/storage/memoryRaftStorage.js';

const NO_LIMIT = Number.MAX_SAFE_INTEGER;

/** Entries at consecutive indexes from `first`, with the given terms (etcd's `index(i).terms(...)`). */
function entriesAt(first: number, ...terms: number[]): Entry[] {
  return terms.map((term, offset) => ({ index: first + offset, term, kind: 'normal', data: EMPTY_BYTES }));
}

/** Entries at consecutive indexes from `first`, with terms in [fromTerm, toTerm) (etcd's `termRange`). */
function termRange(first: number, fromTerm: number, toTerm: number, data: Uint8Array = EMPTY_BYTES): Entry[] {
  const entries: Entry[] = [];
  for (let term = fromTerm; term < toTerm; term++) {
    entries.push({ index: first + term - fromTerm, term, kind: 'normal', data });
  }
  return entries;
}

function snapshotAt(index: number, term: number): Snapshot {
  return { metadata: { index, term, confState: EMPTY_CONF_STATE }, data: EMPTY_BYTES };
}

function ids(entries: readonly Entry[]): string[] {
  return entries.map((entry) => `${entry.term}/${entry.index}`);
}

function newLog(storage = new MemoryRaftStorage(), maxApplyingBytes = NO_LIMIT): RaftLog {
  return new RaftLog(storage, maxApplyingBytes);
}

describe('RaftLog.findConflict', () => {
  // Log: 1/1 2/2 3/3.
  const cases: Array<{ entries: Entry[]; conflict: number; why: string }> = [
    { entries: [], conflict: 0, why: 'no entries' },
    { entries: entriesAt(1, 1, 2, 3), conflict: 0, why: 'all present' },
    { entries: entriesAt(2, 2, 3), conflict: 0, why: 'suffix present' },
    { entries: entriesAt(3, 3), conflict: 0, why: 'last present' },
    { entries: entriesAt(1, 1, 2, 3, 4, 4), conflict: 4, why: 'new entries after a match' },
    { entries: entriesAt(2, 2, 3, 4, 5), conflict: 4, why: 'new entries after a partial match' },
    { entries: entriesAt(3, 3, 4, 4), conflict: 4, why: 'new entries after the last' },
    { entries: entriesAt(4, 4, 4), conflict: 4, why: 'only new entries' },
    { entries: entriesAt(1, 4, 4), conflict: 1, why: 'conflict at the first entry' },
    { entries: entriesAt(2, 1, 4, 4), conflict: 2, why: 'conflict in the middle' },
    { entries: entriesAt(3, 1, 2, 4, 4), conflict: 3, why: 'conflict at the last entry' },
  ];
  for (const { entries, conflict, why } of cases) {
    it(`${why}: ${ids(entries).join(' ') || '(none)'} -> ${conflict}`, () => {
      const log = newLog();
      log.append(entriesAt(1, 1, 2, 3));
      expect(log.findConflict(entries)).toBe(conflict);
    });
  }
});

describe('RaftLog.findConflictByTerm (fast back-off)', () => {
  // `log[0]` is the snapshot (index, term); the rest is appended after it.
  const cases: Array<{ log: Entry[]; index: number; term: number; want: number }> = [
    // Log starts from index 1.
    { log: entriesAt(0, 0, 2, 2, 5, 5, 5), index: 100, term: 2, want: 100 }, // unavailable
    { log: entriesAt(0, 0, 2, 2, 5, 5, 5), index: 5, term: 6, want: 5 },
    { log: entriesAt(0, 0, 2, 2, 5, 5, 5), index: 5, term: 5, want: 5 },
    { log: entriesAt(0, 0, 2, 2, 5, 5, 5), index: 5, term: 4, want: 2 },
    { log: entriesAt(0, 0, 2, 2, 5, 5, 5), index: 5, term: 2, want: 2 },
    { log: entriesAt(0, 0, 2, 2, 5, 5, 5), index: 5, term: 1, want: 0 },
    { log: entriesAt(0, 0, 2, 2, 5, 5, 5), index: 1, term: 2, want: 1 },
    { log: entriesAt(0, 0, 2, 2, 5, 5, 5), index: 1, term: 1, want: 0 },
    { log: entriesAt(0, 0, 2, 2, 5, 5, 5), index: 0, term: 0, want: 0 },
    // Log with compacted entries.
    { log: entriesAt(10, 3, 3, 3, 4, 4, 4), index: 30, term: 3, want: 30 }, // unavailable
    { log: entriesAt(10, 3, 3, 3, 4, 4, 4), index: 14, term: 9, want: 14 },
    { log: entriesAt(10, 3, 3, 3, 4, 4, 4), index: 14, term: 4, want: 14 },
    { log: entriesAt(10, 3, 3, 3, 4, 4, 4), index: 14, term: 3, want: 12 },
    { log: entriesAt(10, 3, 3, 3, 4, 4, 4), index: 14, term: 2, want: 9 },
    { log: entriesAt(10, 3, 3, 3, 4, 4, 4), index: 11, term: 5, want: 11 },
    { log: entriesAt(10, 3, 3, 3, 4, 4, 4), index: 10, term: 5, want: 10 },
    { log: entriesAt(10, 3, 3, 3, 4, 4, 4), index: 10, term: 3, want: 10 },
    { log: entriesAt(10, 3, 3, 3, 4, 4, 4), index: 10, term: 2, want: 9 },
    { log: entriesAt(10, 3, 3, 3, 4, 4, 4), index: 9, term: 2, want: 9 }, // compacted
    { log: entriesAt(10, 3, 3, 3, 4, 4, 4), index: 4, term: 2, want: 4 }, // compacted
    { log: entriesAt(10, 3, 3, 3, 4, 4, 4), index: 0, term: 0, want: 0 }, // compacted
  ];
  for (const { log: entries, index, term, want } of cases) {
    const snapshot = entries[0] as Entry;
    it(`snapshot ${snapshot.term}/${snapshot.index}, (index ${index}, term ${term}) -> ${want}`, () => {
      const storage = new MemoryRaftStorage({ snapshot: snapshotAt(snapshot.index, snapshot.term) });
      const log = newLog(storage);
      log.append(entries.slice(1));
      const [gotIndex, gotTerm] = log.findConflictByTerm(index, term);
      expect(gotIndex).toBe(want);
      // The returned term is the term at the returned index, or 0 when that index is out of bounds.
      expect(gotTerm).toBe(log.zeroTermOnOutOfBounds(gotIndex));
    });
  }
});

describe('RaftLog.isUpToDate (paper §5.4.1)', () => {
  // Log: 1/1 2/2 3/3; last index 3, last term 3.
  const cases: Array<{ lastIndex: number; lastTerm: number; upToDate: boolean }> = [
    // A greater last term wins whatever the index.
    { lastIndex: 2, lastTerm: 4, upToDate: true },
    { lastIndex: 3, lastTerm: 4, upToDate: true },
    { lastIndex: 4, lastTerm: 4, upToDate: true },
    // A smaller last term loses whatever the index.
    { lastIndex: 2, lastTerm: 2, upToDate: false },
    { lastIndex: 3, lastTerm: 2, upToDate: false },
    { lastIndex: 4, lastTerm: 2, upToDate: false },
    // Equal last term: an equal or longer log wins.
    { lastIndex: 2, lastTerm: 3, upToDate: false },
    { lastIndex: 3, lastTerm: 3, upToDate: true },
    { lastIndex: 4, lastTerm: 3, upToDate: true },
  ];
  for (const { lastIndex, lastTerm, upToDate } of cases) {
    it(`candidate ${lastTerm}/${lastIndex} vs 3/3 -> ${upToDate}`, () => {
      const log = newLog();
      log.append(entriesAt(1, 1, 2, 3));
      expect(log.isUpToDate(lastIndex, lastTerm)).toBe(upToDate);
    });
  }
});

describe('RaftLog.append', () => {
  // Storage holds 1/1 2/2.
  const cases: Array<{ entries: Entry[]; lastIndex: number; log: string[]; unstableOffset: number }> = [
    { entries: [], lastIndex: 2, log: ['1/1', '2/2'], unstableOffset: 3 },
    { entries: entriesAt(3, 2), lastIndex: 3, log: ['1/1', '2/2', '2/3'], unstableOffset: 3 },
    // Conflicts with index 1: the whole log is replaced, the unstable part now starts at 1.
    { entries: entriesAt(1, 2), lastIndex: 1, log: ['2/1'], unstableOffset: 1 },
    // Conflicts with index 2.
    { entries: entriesAt(2, 3, 3), lastIndex: 3, log: ['1/1', '3/2', '3/3'], unstableOffset: 2 },
  ];
  for (const { entries, lastIndex, log: want, unstableOffset } of cases) {
    it(`appending ${ids(entries).join(' ') || '(none)'} gives ${want.join(' ')}`, () => {
      const storage = new MemoryRaftStorage({ entries: entriesAt(1, 1, 2) });
      const log = newLog(storage);
      expect(log.append(entries)).toBe(lastIndex);
      expect(ids(log.entries(1, NO_LIMIT))).toEqual(want);
      expect(log.unstable.offset).toBe(unstableOffset);
    });
  }

  it('refuses to overwrite committed entries (assertion)', () => {
    const log = newLog();
    log.append(entriesAt(1, 1, 2, 3));
    log.commitTo(2);
    expect(() => log.append(entriesAt(2, 4))).toThrow(AssertionError);
    expect(ids(log.allEntries())).toEqual(['1/1', '2/2', '3/3']);
  });
});

describe('RaftLog.maybeAppend (AppendEntries receiver, paper Figure 2)', () => {
  // Log: 1/1 2/2 3/3, committed 1.
  const lastIndex = 3;
  const lastTerm = 3;
  const commit = 1;
  const cases: Array<{
    why: string;
    prevIndex: number;
    prevTerm: number;
    leaderCommit: number;
    entries: Entry[];
    lastNewIndex: number | undefined;
    committed: number;
    throws?: boolean;
  }> = [
    // (index, term) does not match: reject, nothing changes.
    {
      why: 'term differs',
      prevIndex: 3,
      prevTerm: 2,
      leaderCommit: 3,
      entries: entriesAt(4, 4),
      lastNewIndex: undefined,
      committed: commit,
    },
    {
      why: 'index beyond the log',
      prevIndex: 4,
      prevTerm: 3,
      leaderCommit: 3,
      entries: entriesAt(5, 4),
      lastNewIndex: undefined,
      committed: commit,
    },
    // Match with the last entry.
    {
      why: 'heartbeat-like append',
      prevIndex: 3,
      prevTerm: 3,
      leaderCommit: 3,
      entries: [],
      lastNewIndex: 3,
      committed: 3,
    },
    {
      why: 'commit capped at the last new entry',
      prevIndex: 3,
      prevTerm: 3,
      leaderCommit: 4,
      entries: [],
      lastNewIndex: 3,
      committed: 3,
    },
    {
      why: 'commit up to the leader commit',
      prevIndex: 3,
      prevTerm: 3,
      leaderCommit: 2,
      entries: [],
      lastNewIndex: 3,
      committed: 2,
    },
    {
      why: 'commit never decreases',
      prevIndex: 3,
      prevTerm: 3,
      leaderCommit: 0,
      entries: [],
      lastNewIndex: 3,
      committed: commit,
    },
    {
      why: 'empty prefix matches',
      prevIndex: 0,
      prevTerm: 0,
      leaderCommit: 3,
      entries: [],
      lastNewIndex: 0,
      committed: commit,
    },
    {
      why: 'one new entry',
      prevIndex: 3,
      prevTerm: 3,
      leaderCommit: 3,
      entries: entriesAt(4, 4),
      lastNewIndex: 4,
      committed: 3,
    },
    {
      why: 'one new entry, committed',
      prevIndex: 3,
      prevTerm: 3,
      leaderCommit: 4,
      entries: entriesAt(4, 4),
      lastNewIndex: 4,
      committed: 4,
    },
    {
      why: 'commit capped at the new entry',
      prevIndex: 3,
      prevTerm: 3,
      leaderCommit: 5,
      entries: entriesAt(4, 4),
      lastNewIndex: 4,
      committed: 4,
    },
    {
      why: 'two new entries',
      prevIndex: 3,
      prevTerm: 3,
      leaderCommit: 5,
      entries: entriesAt(4, 4, 4),
      lastNewIndex: 5,
      committed: 5,
    },
    // Match in the middle: the conflicting suffix is replaced.
    {
      why: 'replace the last entry',
      prevIndex: 2,
      prevTerm: 2,
      leaderCommit: 3,
      entries: entriesAt(3, 4),
      lastNewIndex: 3,
      committed: 3,
    },
    {
      why: 'replace two entries with one',
      prevIndex: 1,
      prevTerm: 1,
      leaderCommit: 3,
      entries: entriesAt(2, 4),
      lastNewIndex: 2,
      committed: 2,
    },
    {
      why: 'conflict with a committed entry',
      prevIndex: 0,
      prevTerm: 0,
      leaderCommit: 3,
      entries: entriesAt(1, 4),
      lastNewIndex: 1,
      committed: 1,
      throws: true,
    },
    {
      why: 'replace two entries with two',
      prevIndex: 1,
      prevTerm: 1,
      leaderCommit: 3,
      entries: entriesAt(2, 4, 4),
      lastNewIndex: 3,
      committed: 3,
    },
  ];
  for (const tc of cases) {
    it(`${tc.why}: prev ${tc.prevTerm}/${tc.prevIndex} commit ${tc.leaderCommit} + ${ids(tc.entries).join(' ') || '(none)'}`, () => {
      const log = newLog();
      log.append(entriesAt(1, 1, 2, lastTerm));
      log.committed = commit;
      expect(log.lastIndex()).toBe(lastIndex);
      if (tc.throws === true) {
        // Entries at or below the commit index never change (Leader Completeness): this is a broken invariant.
        expect(() => log.maybeAppend(tc.prevIndex, tc.prevTerm, tc.leaderCommit, tc.entries)).toThrow(AssertionError);
        expect(ids(log.allEntries())).toEqual(['1/1', '2/2', '3/3']);
        return;
      }
      expect(log.maybeAppend(tc.prevIndex, tc.prevTerm, tc.leaderCommit, tc.entries)).toBe(tc.lastNewIndex);
      expect(log.committed).toBe(tc.committed);
      if (tc.lastNewIndex !== undefined && tc.entries.length > 0) {
        const first = log.lastIndex() - tc.entries.length + 1;
        expect(ids(log.slice(first, log.lastIndex() + 1, NO_LIMIT))).toEqual(ids(tc.entries));
      }
    });
  }
});

describe('RaftLog after compaction', () => {
  it('reads terms, matches and entries across the storage/unstable boundary after storage compaction', () => {
    // 750 entries in storage, 250 unstable; term = index.
    const storage = new MemoryRaftStorage({ entries: termRange(1, 1, 751) });
    storage.setHardState({ term: 750, vote: 0, commit: 750 });
    const log = newLog(storage);
    log.append(termRange(751, 751, 1001));
    expect(log.maybeCommit(1000, 1000)).toBe(true);
    log.appliedTo(log.committed);

    storage.compactNow(500);
    expect(log.lastIndex()).toBe(1000);
    for (let index = 500; index <= 1000; index++) {
      expect(log.term(index)).toBe(index);
      expect(log.matchTerm(index, index)).toBe(true);
    }
    const unstable = log.nextUnstableEntries();
    expect(unstable).toHaveLength(250);
    expect(unstable[0]?.index).toBe(751);

    log.append([{ index: 1001, term: 1001, kind: 'normal', data: EMPTY_BYTES }]);
    expect(log.lastIndex()).toBe(1001);
    expect(log.entries(1001, NO_LIMIT)).toHaveLength(1);
  });

  it('counts the entries left after successive compactions; compacting below or beyond fails', () => {
    const storage = new MemoryRaftStorage({ entries: termRange(1, 1, 1001) });
    storage.setHardState({ term: 1000, vote: 0, commit: 1000 });
    const log = newLog(storage);
    const steps: Array<[number, number]> = [
      [300, 700],
      [500, 500],
      [800, 200],
      [900, 100],
    ];
    for (const [compactIndex, left] of steps) {
      storage.compactNow(compactIndex);
      expect(log.allEntries()).toHaveLength(left);
    }
    expect(() => storage.compactNow(899)).toThrow(CompactedError);
    expect(() => storage.compactNow(1001)).toThrow(AssertionError);
  });
});

describe('RaftLog commit and stability', () => {
  for (const { commit, want, throws } of [
    { commit: 3, want: 3, throws: false },
    { commit: 1, want: 2, throws: false }, // never decreases
    { commit: 4, want: 2, throws: true }, // beyond the last index: the log was lost
  ]) {
    it(`commitTo(${commit}) from 2 -> ${throws ? 'assertion' : want}`, () => {
      const log = newLog();
      log.append(entriesAt(1, 1, 2, 3));
      log.committed = 2;
      if (throws) expect(() => log.commitTo(commit)).toThrow(AssertionError);
      else log.commitTo(commit);
      expect(log.committed).toBe(want);
    });
  }

  it('maybeCommit commits only an index of the given term (paper §5.4.2)', () => {
    const log = newLog();
    log.append(entriesAt(1, 1, 2, 3));
    expect(log.maybeCommit(2, 3)).toBe(false); // entry 2 has term 2
    expect(log.committed).toBe(0);
    expect(log.maybeCommit(3, 3)).toBe(true);
    expect(log.committed).toBe(3);
    expect(log.maybeCommit(2, 2)).toBe(false); // below the commit index
    expect(log.committed).toBe(3);
  });

  for (const { index, term, offset } of [
    { index: 1, term: 1, offset: 2 },
    { index: 2, term: 2, offset: 3 },
    { index: 2, term: 1, offset: 1 }, // term mismatch: a newer entry replaced it, keep it unstable
    { index: 3, term: 1, offset: 1 }, // beyond the log
  ]) {
    it(`stableTo(${index}, ${term}) over 1/1 2/2 -> unstable offset ${offset}`, () => {
      const log = newLog();
      log.append(entriesAt(1, 1, 2));
      log.stableTo(index, term);
      expect(log.unstable.offset).toBe(offset);
    });
  }

  // Storage holds a snapshot at 5/2.
  for (const { index, term, appended, offset } of [
    { index: 6, term: 2, appended: [], offset: 6 },
    { index: 5, term: 2, appended: [], offset: 6 },
    { index: 4, term: 2, appended: [], offset: 6 },
    { index: 6, term: 3, appended: [], offset: 6 },
    { index: 5, term: 3, appended: [], offset: 6 },
    { index: 4, term: 3, appended: [], offset: 6 },
    { index: 6, term: 2, appended: entriesAt(6, 2), offset: 7 },
    { index: 5, term: 2, appended: entriesAt(6, 2), offset: 6 },
    { index: 4, term: 2, appended: entriesAt(6, 2), offset: 6 },
    { index: 6, term: 3, appended: entriesAt(6, 2), offset: 6 },
    { index: 5, term: 3, appended: entriesAt(6, 2), offset: 6 },
    { index: 4, term: 3, appended: entriesAt(6, 2), offset: 6 },
  ]) {
    it(`with snapshot 2/5 and ${ids(appended).join(' ') || 'nothing'} appended, stableTo(${index}, ${term}) -> offset ${offset}`, () => {
      const log = newLog(new MemoryRaftStorage({ snapshot: snapshotAt(5, 2) }));
      log.append(appended);
      log.stableTo(index, term);
      expect(log.unstable.offset).toBe(offset);
    });
  }

  it('nextUnstableEntries hands out exactly the entries not yet in storage', () => {
    const stored = new MemoryRaftStorage({ entries: entriesAt(1, 1) });
    const log = newLog(stored);
    log.append(entriesAt(2, 2));
    expect(ids(log.nextUnstableEntries())).toEqual(['2/2']);
    log.stableTo(2, 2);
    expect(log.nextUnstableEntries()).toEqual([]);
    expect(log.unstable.offset).toBe(3);
  });
});

describe('RaftLog committed entries for the application', () => {
  // Storage: snapshot 1/3 plus entry 1/4; unstable 1/5 1/6; committed 5.
  function committedLog(maxApplyingBytes = NO_LIMIT, data: Uint8Array = EMPTY_BYTES): RaftLog {
    const all = entriesAt(4, 1, 1, 1).map((entry) => ({ ...entry, data }));
    const storage = new MemoryRaftStorage({ snapshot: snapshotAt(3, 1), entries: all.slice(0, 1) });
    const log = newLog(storage, maxApplyingBytes);
    log.append(all);
    log.stableTo(4, 1);
    expect(log.maybeCommit(5, 1)).toBe(true);
    return log;
  }

  // etcd's `allowUnstable=true` rows: Cairn always hands out committed entries that are not yet durable locally,
  // since a quorum holds them (the driver persists the Ready's entries before applying its committed entries).
  for (const { applied, applying, want } of [
    { applied: 3, applying: 3, want: ['1/4', '1/5'] },
    { applied: 3, applying: 4, want: ['1/5'] },
    { applied: 3, applying: 5, want: [] },
    { applied: 4, applying: 4, want: ['1/5'] },
    { applied: 4, applying: 5, want: [] },
    { applied: 5, applying: 5, want: [] },
  ]) {
    it(`applied ${applied}, applying ${applying} -> ${want.join(' ') || 'nothing'}`, () => {
      const log = committedLog();
      log.appliedTo(applied);
      log.acceptApplying(applying);
      expect(ids(log.nextCommittedEntries())).toEqual(want);
      expect(log.hasNextCommittedEntries()).toBe(want.length > 0);
    });
  }

  it('hands out nothing while an unstable snapshot waits to be applied', () => {
    const log = committedLog();
    log.appliedTo(3);
    log.restore(snapshotAt(7, 1));
    expect(log.nextCommittedEntries()).toEqual([]);
    expect(log.hasNextCommittedEntries()).toBe(false);
  });

  it('bounds committed entries by maxApplyingBytes but always hands out one', () => {
    const fourBytes = new Uint8Array(4);
    // Two entries of 4 bytes fit in 8; the limit stops there.
    const limited = committedLog(8, fourBytes);
    limited.appliedTo(3);
    expect(ids(limited.nextCommittedEntries())).toEqual(['1/4', '1/5']);
    const tight = committedLog(7, fourBytes);
    tight.appliedTo(3);
    expect(ids(tight.nextCommittedEntries())).toEqual(['1/4']);
    // An entry larger than the limit still goes out alone, or the application could never make progress.
    const tiny = committedLog(1, fourBytes);
    tiny.appliedTo(3);
    expect(ids(tiny.nextCommittedEntries())).toEqual(['1/4']);
    tiny.acceptApplying(4);
    expect(ids(tiny.nextCommittedEntries())).toEqual(['1/5']);
  });

  it('refuses to apply beyond the commit index or backwards (assertion)', () => {
    const log = committedLog();
    log.appliedTo(4);
    expect(() => log.appliedTo(6)).toThrow(AssertionError);
    expect(() => log.appliedTo(3)).toThrow(AssertionError);
    expect(() => log.acceptApplying(6)).toThrow(AssertionError);
    expect(log.applied).toBe(4);
  });
});

describe('RaftLog bounds', () => {
  it('starts after the storage snapshot: first index, committed, unstable offset and term', () => {
    const log = newLog(new MemoryRaftStorage({ snapshot: snapshotAt(1000, 1000) }));
    expect(log.allEntries()).toHaveLength(0);
    expect(log.firstIndex()).toBe(1001);
    expect(log.committed).toBe(1000);
    expect(log.applied).toBe(1000);
    expect(log.unstable.offset).toBe(1001);
    expect(log.term(1000)).toBe(1000);
  });

  // Snapshot at 100 (term 1); entries 101..199 with term = index - 100.
  function boundedLog(): RaftLog {
    const log = newLog(new MemoryRaftStorage({ snapshot: snapshotAt(100, 1) }));
    log.append(termRange(101, 1, 100));
    return log;
  }

  it('term(): compacted below the snapshot, known from the snapshot index to the last index, unavailable after', () => {
    const log = boundedLog();
    expect(() => log.term(99)).toThrow(CompactedError);
    expect(log.term(100)).toBe(1);
    expect(log.term(150)).toBe(50);
    expect(log.term(199)).toBe(99);
    expect(() => log.term(200)).toThrow(UnavailableError);
    expect(log.zeroTermOnOutOfBounds(99)).toBe(0);
    expect(log.zeroTermOnOutOfBounds(200)).toBe(0);
    expect(log.matchTerm(200, 0)).toBe(false);
  });

  it('term() with an unstable snapshot: only the snapshot index is known, the gap is compacted', () => {
    const log = newLog(new MemoryRaftStorage({ snapshot: snapshotAt(100, 1) }));
    log.restore(snapshotAt(105, 1));
    expect(() => log.term(100)).toThrow(CompactedError);
    expect(() => log.term(101)).toThrow(CompactedError);
    expect(() => log.term(104)).toThrow(CompactedError);
    expect(log.term(105)).toBe(1);
    expect(() => log.term(106)).toThrow(UnavailableError);
  });

  it('slice(): compacted below the first index, unavailable past the last, assertion on lo > hi', () => {
    const log = boundedLog();
    const first = 101;
    const count = 99;
    expect(() => log.slice(first - 2, first + 1, NO_LIMIT)).toThrow(CompactedError);
    expect(() => log.slice(first - 1, first + 1, NO_LIMIT)).toThrow(CompactedError);
    expect(log.slice(first, first, NO_LIMIT)).toEqual([]);
    expect(log.slice(first + 50, first + 50, NO_LIMIT)).toEqual([]);
    expect(log.slice(first + count, first + count, NO_LIMIT)).toEqual([]);
    // etcd panics on these two; Cairn reports them as typed errors.
    expect(() => log.slice(first + count, first + count + 1, NO_LIMIT)).toThrow(UnavailableError);
    expect(() => log.slice(first + count + 1, first + count + 1, NO_LIMIT)).toThrow(UnavailableError);
    expect(() => log.slice(150, 149, NO_LIMIT)).toThrow(AssertionError);
  });
});

describe('RaftLog.slice size limit', () => {
  // Snapshot at 100; 101..149 in storage, 150..199 unstable; term = index; every entry carries 10 payload bytes.
  const offset = 100;
  const last = 200;
  const half = 150;
  const size = 10;
  const payload = new Uint8Array(size);
  const range = (from: number, to: number): string[] => ids(termRange(from, from, to));
  function slicedLog(): RaftLog {
    const storage = new MemoryRaftStorage({
      snapshot: snapshotAt(offset, 0),
      entries: termRange(offset + 1, offset + 1, half, payload),
    });
    const log = newLog(storage);
    log.append(termRange(half, half, last, payload));
    return log;
  }
  const cases: Array<{ lo: number; hi: number; limit: number; want: string[] }> = [
    // No limit.
    { lo: offset + 1, hi: offset + 1, limit: NO_LIMIT, want: [] },
    { lo: offset + 1, hi: half - 1, limit: NO_LIMIT, want: range(offset + 1, half - 1) },
    { lo: offset + 1, hi: half, limit: NO_LIMIT, want: range(offset + 1, half) },
    { lo: offset + 1, hi: half + 1, limit: NO_LIMIT, want: range(offset + 1, half + 1) },
    { lo: offset + 1, hi: last, limit: NO_LIMIT, want: range(offset + 1, last) },
    { lo: half - 1, hi: half, limit: NO_LIMIT, want: range(half - 1, half) },
    { lo: half - 1, hi: half + 1, limit: NO_LIMIT, want: range(half - 1, half + 1) },
    { lo: half - 1, hi: last, limit: NO_LIMIT, want: range(half - 1, last) },
    { lo: half, hi: half + 1, limit: NO_LIMIT, want: range(half, half + 1) },
    { lo: half, hi: last, limit: NO_LIMIT, want: range(half, last) },
    { lo: last - 1, hi: last, limit: NO_LIMIT, want: range(last - 1, last) },
    // At least one entry is always returned.
    { lo: offset + 1, hi: last, limit: 0, want: range(offset + 1, offset + 2) },
    { lo: half - 1, hi: half + 1, limit: 0, want: range(half - 1, half) },
    { lo: half, hi: last, limit: 0, want: range(half, half + 1) },
    { lo: half + 1, hi: last, limit: 0, want: range(half + 1, half + 2) },
    // Low limit.
    { lo: offset + 1, hi: last, limit: size - 1, want: range(offset + 1, offset + 2) },
    { lo: half - 1, hi: half + 1, limit: size - 1, want: range(half - 1, half) },
    { lo: half, hi: last, limit: size - 1, want: range(half, half + 1) },
    // Just enough for one.
    { lo: offset + 1, hi: last, limit: size, want: range(offset + 1, offset + 2) },
    { lo: half - 1, hi: half + 1, limit: size, want: range(half - 1, half) },
    { lo: half, hi: last, limit: size, want: range(half, half + 1) },
    // Not enough for two.
    { lo: offset + 1, hi: last, limit: size + 1, want: range(offset + 1, offset + 2) },
    { lo: half - 1, hi: half + 1, limit: size + 1, want: range(half - 1, half) },
    { lo: half, hi: last, limit: size + 1, want: range(half, half + 1) },
    // Enough for two.
    { lo: offset + 1, hi: last, limit: size * 2, want: range(offset + 1, offset + 3) },
    { lo: half - 2, hi: half + 1, limit: size * 2, want: range(half - 2, half) },
    { lo: half - 1, hi: half + 1, limit: size * 2, want: range(half - 1, half + 1) },
    { lo: half, hi: last, limit: size * 2, want: range(half, half + 2) },
    // Not enough for three.
    { lo: half - 2, hi: half + 1, limit: size * 3 - 1, want: range(half - 2, half) },
    // Enough for three, across the storage/unstable boundary.
    { lo: half - 1, hi: half + 2, limit: size * 3, want: range(half - 1, half + 2) },
  ];
  for (const { lo, hi, limit, want } of cases) {
    it(`[${lo}, ${hi}) limit ${limit === NO_LIMIT ? 'none' : limit} -> ${want.length} entries`, () => {
      expect(ids(slicedLog().slice(lo, hi, limit))).toEqual(want);
    });
  }

  it('limitSize keeps the longest prefix within the limit, and at least one entry', () => {
    const entries = termRange(1, 1, 4, payload);
    expect(limitSize(entries, 0)).toHaveLength(1);
    expect(limitSize(entries, 19)).toHaveLength(1);
    expect(limitSize(entries, 20)).toHaveLength(2);
    expect(limitSize(entries, 30)).toBe(entries);
    expect(limitSize([], 0)).toEqual([]);
  });
});

describe('RaftLog.restore', () => {
  it('installs a snapshot: everything it covers is committed, the log restarts after it', () => {
    const log = newLog();
    log.append(entriesAt(1, 1, 1, 2));
    log.commitTo(1);
    log.restore(snapshotAt(10, 3));
    expect(log.committed).toBe(10);
    expect(log.firstIndex()).toBe(11);
    expect(log.lastIndex()).toBe(10);
    expect(log.lastTerm()).toBe(3);
    expect(log.nextUnstableSnapshot()?.metadata.index).toBe(10);
    expect(log.nextUnstableEntries()).toEqual([]);
    expect(log.snapshot().metadata.index).toBe(10);
    // Entries after the snapshot are appended to the new log.
    expect(log.maybeAppend(10, 3, 11, entriesAt(11, 3))).toBe(11);
    expect(log.committed).toBe(11);
    log.stableSnapTo(10);
    expect(log.nextUnstableSnapshot()).toBeNull();
  });

  it('refuses a snapshot at or below the commit index (assertion)', () => {
    const log = newLog();
    log.append(entriesAt(1, 1, 1, 2));
    log.commitTo(3);
    expect(() => log.restore(snapshotAt(3, 2))).toThrow(AssertionError);
    expect(log.committed).toBe(3);
    expect(log.nextUnstableSnapshot()).toBeNull();
  });
});
