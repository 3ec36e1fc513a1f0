// Goal: what MemoryRaftStorage adds to the shared contract: starting from a given state (and refusing an
// inconsistent one), round-tripping its state for simulated restarts, etcd-style use without a hard state, and
// compaction past the latest snapshot. The contract cases themselves live in test/contract/.
// Method: direct calls on small hand-built storages.
import { describe, expect, it } from 'vitest';
import { AssertionError, CompactedError, SnapshotOutOfDateError } from '../../../src/raft/core/errors.js';
import type { Entry } from '../../../src/raft/core/types.js';
import { MemoryRaftStorage } from '../../../src/raft/storage/memoryRaftStorage.js';

const CONF_STATE = { voters: [1, 2], learners: [3] };

function entries(from: number, to: number, term: number): Entry[] {
  return Array.from({ length: to - from + 1 }, (_, i) => ({
    index: from + i,
    term,
    kind: 'normal' as const,
    data: new Uint8Array([i]),
  }));
}

describe('MemoryRaftStorage', () => {
  it('starts from a given snapshot, compaction point, entries and hard state', () => {
    const storage = new MemoryRaftStorage({
      snapshot: { metadata: { index: 5, term: 2, confState: CONF_STATE }, data: new Uint8Array([1]) },
      compacted: { index: 7, term: 3 },
      entries: entries(8, 10, 3),
      hardState: { term: 3, vote: 1, commit: 9 },
    });
    expect([storage.firstIndex(), storage.lastIndex(), storage.term(7)]).toEqual([8, 10, 3]);
    expect(() => storage.term(6)).toThrow(CompactedError);
    expect(storage.initialState()).toEqual({ hardState: { term: 3, vote: 1, commit: 9 }, confState: CONF_STATE });
    expect(new MemoryRaftStorage(storage.toOptions()).toOptions()).toEqual(storage.toOptions());
  });

  it('a bootstrap conf state without a snapshot is what initialState reports', () => {
    const storage = new MemoryRaftStorage({ confState: CONF_STATE });
    expect(storage.initialState().confState).toEqual(CONF_STATE);
    expect([storage.firstIndex(), storage.lastIndex(), storage.snapshot().metadata.index]).toEqual([1, 0, 0]);
  });

  it('refuses an inconsistent start state: entries not after the compaction point, a snapshot the log contradicts', () => {
    expect(() => new MemoryRaftStorage({ compacted: { index: 3, term: 1 }, entries: entries(5, 6, 1) })).toThrow(
      AssertionError
    );
    const snapshot = { metadata: { index: 4, term: 9, confState: CONF_STATE }, data: new Uint8Array() };
    expect(
      () => new MemoryRaftStorage({ snapshot, compacted: { index: 2, term: 1 }, entries: entries(3, 6, 1) })
    ).toThrow(AssertionError);
    expect(() => new MemoryRaftStorage({ entries: [...entries(1, 2, 2), ...entries(3, 3, 1)] })).toThrow(
      AssertionError
    );
  });

  it('works etcd-style with no hard state at all: append, createSnapshot, compact', async () => {
    const storage = new MemoryRaftStorage();
    storage.append(entries(1, 6, 1));
    const snapshot = await storage.createSnapshot(4, CONF_STATE, new Uint8Array([4]));
    await storage.compact(5);
    expect(snapshot.metadata).toEqual({ index: 4, term: 1, confState: CONF_STATE });
    // Compacted past the snapshot: the snapshot stays what snapshot() returns, the log starts after 5.
    expect([storage.snapshot().metadata.index, storage.firstIndex(), storage.term(5)]).toEqual([4, 6, 1]);
    await expect(storage.createSnapshot(4, CONF_STATE, new Uint8Array())).rejects.toThrow(SnapshotOutOfDateError);
  });

  it('never mutates entries handed in, and an append with a term below the preceding entry is a broken invariant', () => {
    const storage = new MemoryRaftStorage();
    const handedIn = entries(1, 3, 2);
    const copy = handedIn.map((e) => ({ ...e }));
    storage.append(handedIn);
    storage.append(entries(2, 2, 3));
    expect(handedIn).toEqual(copy);
    expect(() => storage.append(entries(3, 3, 1))).toThrow(AssertionError);
    expect(storage.lastIndex()).toBe(2);
  });
});
