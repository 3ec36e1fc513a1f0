// The RaftStorage contract (src/raft/storage/raftStorage.ts), run against every implementation (STYLE.md rule 4).
// Method: the cases of etcd-raft's storage_test.go (term, entries with maxBytes and the at-least-one rule,
// lastIndex, firstIndex, compact, createSnapshot, append with conflicts, truncation and gaps, applySnapshot out of
// date), each set up through the harness's `persist` — the way the driver writes: durable first, then
// applyPersisted — and, for durable implementations, checked again after a restart from what is on disk.
import { describe, expect, it } from 'vitest';
import {
  AssertionError,
  CompactedError,
  SnapshotOutOfDateError,
  UnavailableError,
} from '../../src/raft/core/errors.js';
import type { ConfState, Entry, HardState, Snapshot } from '../../src/raft/core/types.js';
import { EMPTY_BYTES, EMPTY_HARD_STATE } from '../../src/raft/core/types.js';
import type { PersistableRaftStorage, RaftPersistOps } from '../../src/raft/storage/raftStorage.js';

/** One storage under test plus the means to write it as the driver does and to restart it. */
export interface StorageHarness {
  /** The current storage (replaced by `reopen`). */
  readonly storage: PersistableRaftStorage;
  /** Makes `ops` durable (memory: nothing to do; LevelDB: through the log writer), then calls applyPersisted. */
  persist(ops: RaftPersistOps): Promise<void>;
  /** A restart: replaces `storage` by one rebuilt from what is durable, and returns it. */
  reopen(): Promise<PersistableRaftStorage>;
  close(): Promise<void>;
}

export type MakeStorageHarness = () => Promise<StorageHarness>;

/** An entry whose payload is `dataBytes` bytes (entries' size limits count payload bytes). */
export function entry(index: number, term: number, dataBytes = 0): Entry {
  return { index, term, kind: 'normal', data: new Uint8Array(dataBytes).fill(index & 0xff) };
}

export function hardState(term: number, commit: number, vote = 0): HardState {
  return { term, vote, commit };
}

export function snapshotAt(index: number, term: number, confState: ConfState, data = EMPTY_BYTES): Snapshot {
  return { metadata: { index, term, confState }, data };
}

export function ops(fields: Partial<RaftPersistOps>): RaftPersistOps {
  return { snapshot: null, entries: [], hardState: null, ...fields };
}

/** Everything a reader can observe, in a comparable shape. */
export function observe(storage: PersistableRaftStorage): unknown {
  const firstIndex = storage.firstIndex();
  const lastIndex = storage.lastIndex();
  const snapshot = storage.snapshot();
  return {
    firstIndex,
    lastIndex,
    termBeforeFirst: storage.term(firstIndex - 1),
    entries: storage.entries(firstIndex, lastIndex + 1, Number.MAX_SAFE_INTEGER).map((e) => ({
      ...e,
      data: Buffer.from(e.data).toString('hex'),
    })),
    initialState: storage.initialState(),
    snapshot: { metadata: snapshot.metadata, data: Buffer.from(snapshot.data).toString('hex') },
  };
}

const CONF_STATE: ConfState = { voters: [1, 2, 3], learners: [] };

/**
 * etcd's fixture: a storage whose dummy entry is at index 3, term 3 (here: a snapshot at 3) followed by the
 * entries 4..lastIndex with term = index, committed up to `commit`.
 */
async function withEtcdLog(harness: StorageHarness, lastIndex: number, commit: number, dataBytes = 0): Promise<void> {
  const entries: Entry[] = [];
  for (let index = 4; index <= lastIndex; index++) entries.push(entry(index, index, dataBytes * (index - 3)));
  await harness.persist(
    ops({ snapshot: snapshotAt(3, 3, CONF_STATE), entries, hardState: hardState(lastIndex, commit) })
  );
}

function indexTerms(storage: PersistableRaftStorage): [number, number][] {
  const first = storage.firstIndex();
  return storage.entries(first, storage.lastIndex() + 1, Number.MAX_SAFE_INTEGER).map((e) => [e.index, e.term]);
}

/** Runs `body` on a fresh harness and closes it, whatever happens. */
async function withHarness(make: MakeStorageHarness, body: (harness: StorageHarness) => Promise<void>): Promise<void> {
  const harness = await make();
  try {
    await body(harness);
  } finally {
    await harness.close();
  }
}

/** Asserts that a restart from durable state shows exactly what the live storage shows. */
async function expectRestartSame(harness: StorageHarness): Promise<void> {
  const before = observe(harness.storage);
  const reopened = await harness.reopen();
  expect(observe(reopened)).toEqual(before);
}

export function describeRaftStorageContract(name: string, makeStorage: MakeStorageHarness): void {
  const run = (body: (harness: StorageHarness) => Promise<void>) => () => withHarness(makeStorage, body);

  describe(`RaftStorage contract: ${name}`, () => {
    it(
      'an empty storage has firstIndex 1, lastIndex 0, term(0) = 0 and an empty snapshot',
      run(async (h) => {
        const s = h.storage;
        expect([s.firstIndex(), s.lastIndex(), s.term(0)]).toEqual([1, 0, 0]);
        expect(() => s.term(1)).toThrow(UnavailableError);
        expect(s.entries(1, 1, 100)).toEqual([]);
        expect(() => s.entries(1, 2, 100)).toThrow(UnavailableError);
        expect(s.snapshot().metadata.index).toBe(0);
        expect(s.initialState()).toEqual({ hardState: EMPTY_HARD_STATE, confState: { voters: [], learners: [] } });
        await expectRestartSame(h);
      })
    );

    it(
      'term is known from the dummy entry to the last index (etcd TestStorageTerm)',
      run(async (h) => {
        await withEtcdLog(h, 5, 3);
        const s = h.storage;
        expect(() => s.term(2)).toThrow(CompactedError);
        expect([s.term(3), s.term(4), s.term(5)]).toEqual([3, 4, 5]);
        expect(() => s.term(6)).toThrow(UnavailableError);
      })
    );

    it(
      'entries honours maxBytes but returns at least one entry (etcd TestStorageEntries)',
      run(async (h) => {
        // Payloads: entry 4 has 10 bytes, 5 has 20, 6 has 30.
        await withEtcdLog(h, 6, 3, 10);
        const s = h.storage;
        const indexes = (lo: number, hi: number, maxBytes: number) => s.entries(lo, hi, maxBytes).map((e) => e.index);
        const max = Number.MAX_SAFE_INTEGER;
        expect(() => s.entries(2, 6, max)).toThrow(CompactedError);
        expect(() => s.entries(3, 4, max)).toThrow(CompactedError);
        expect(indexes(4, 5, max)).toEqual([4]);
        expect(indexes(4, 6, max)).toEqual([4, 5]);
        expect(indexes(4, 7, max)).toEqual([4, 5, 6]);
        expect(indexes(4, 7, 0)).toEqual([4]);
        expect(indexes(4, 7, 10 + 20)).toEqual([4, 5]);
        expect(indexes(4, 7, 10 + 20 + 15)).toEqual([4, 5]);
        expect(indexes(4, 7, 10 + 20 + 30 - 1)).toEqual([4, 5]);
        expect(indexes(4, 7, 10 + 20 + 30)).toEqual([4, 5, 6]);
        expect(indexes(5, 5, max)).toEqual([]);
        expect(() => s.entries(4, 8, max)).toThrow(UnavailableError);
      })
    );

    it(
      'entries hands out an array the caller owns',
      run(async (h) => {
        await withEtcdLog(h, 6, 3);
        const handedOut = h.storage.entries(4, 7, Number.MAX_SAFE_INTEGER);
        handedOut.length = 0;
        expect(h.storage.entries(4, 7, Number.MAX_SAFE_INTEGER).map((e) => e.index)).toEqual([4, 5, 6]);
      })
    );

    it(
      'lastIndex and firstIndex follow appends and compaction (etcd TestStorageLastIndex, TestStorageFirstIndex)',
      run(async (h) => {
        await withEtcdLog(h, 5, 5);
        expect([h.storage.firstIndex(), h.storage.lastIndex()]).toEqual([4, 5]);
        await h.persist(ops({ entries: [entry(6, 5)] }));
        expect(h.storage.lastIndex()).toBe(6);
        await h.storage.compact(4);
        expect(h.storage.firstIndex()).toBe(5);
        await expectRestartSame(h);
      })
    );

    describe('compact (etcd TestStorageCompact)', () => {
      for (const compactIndex of [2, 3]) {
        it(
          `compact(${compactIndex}) at or below the dummy entry throws CompactedError`,
          run(async (h) => {
            await withEtcdLog(h, 5, 5);
            await expect(h.storage.compact(compactIndex)).rejects.toThrow(CompactedError);
            expect(indexTerms(h.storage)).toEqual([
              [4, 4],
              [5, 5],
            ]);
          })
        );
      }
      for (const [compactIndex, remaining] of [
        [4, [[5, 5]]],
        [5, []],
      ] as const) {
        it(
          `compact(${compactIndex}) keeps the term of ${compactIndex} and the entries after it`,
          run(async (h) => {
            await withEtcdLog(h, 5, 5);
            await h.storage.compact(compactIndex);
            expect(h.storage.firstIndex()).toBe(compactIndex + 1);
            expect(h.storage.term(compactIndex)).toBe(compactIndex);
            expect(indexTerms(h.storage)).toEqual(remaining);
            await expectRestartSame(h);
          })
        );
      }
      it(
        'compacting beyond the last index is a broken invariant',
        run(async (h) => {
          await withEtcdLog(h, 5, 5);
          await expect(h.storage.compact(6)).rejects.toThrow(AssertionError);
          expect(h.storage.firstIndex()).toBe(4);
        })
      );
    });

    describe('createSnapshot (etcd TestStorageCreateSnapshot)', () => {
      for (const index of [4, 5]) {
        it(
          `createSnapshot(${index}) records index, term, conf state and data, and leaves the log alone`,
          run(async (h) => {
            await withEtcdLog(h, 5, 5);
            const confState: ConfState = { voters: [1, 2], learners: [3] };
            const data = new TextEncoder().encode('data');
            const created = await h.storage.createSnapshot(index, confState, data);
            const expected = snapshotAt(index, index, confState, data);
            expect(created).toEqual(expected);
            expect(h.storage.snapshot()).toEqual(expected);
            expect(h.storage.initialState().confState).toEqual(confState);
            expect([h.storage.firstIndex(), h.storage.lastIndex()]).toEqual([4, 5]);
            await expectRestartSame(h);
          })
        );
      }
      it(
        'createSnapshot at or below the current snapshot throws SnapshotOutOfDateError',
        run(async (h) => {
          await withEtcdLog(h, 5, 5);
          await expect(h.storage.createSnapshot(3, CONF_STATE, EMPTY_BYTES)).rejects.toThrow(SnapshotOutOfDateError);
          await h.storage.createSnapshot(5, CONF_STATE, EMPTY_BYTES);
          await expect(h.storage.createSnapshot(4, CONF_STATE, EMPTY_BYTES)).rejects.toThrow(SnapshotOutOfDateError);
          expect(h.storage.snapshot().metadata.index).toBe(5);
        })
      );
      it(
        'a snapshot beyond the last index is a broken invariant',
        run(async (h) => {
          await withEtcdLog(h, 5, 5);
          await expect(h.storage.createSnapshot(6, CONF_STATE, EMPTY_BYTES)).rejects.toThrow(AssertionError);
          expect(h.storage.snapshot().metadata.index).toBe(3);
        })
      );
    });

    describe('append (etcd TestStorageAppend)', () => {
      const cases: { name: string; entries: [number, number][]; expected: [number, number][] }[] = [
        {
          name: 'entries all below the first index are ignored',
          entries: [
            [1, 1],
            [2, 2],
          ],
          expected: [
            [4, 4],
            [5, 5],
          ],
        },
        {
          name: 'an identical overlap changes nothing',
          entries: [
            [3, 3],
            [4, 4],
            [5, 5],
          ],
          expected: [
            [4, 4],
            [5, 5],
          ],
        },
        {
          name: 'a conflicting suffix is replaced',
          entries: [
            [3, 3],
            [4, 6],
            [5, 6],
          ],
          expected: [
            [4, 6],
            [5, 6],
          ],
        },
        {
          name: 'an overlap that extends the log',
          entries: [
            [3, 3],
            [4, 4],
            [5, 5],
            [6, 5],
          ],
          expected: [
            [4, 4],
            [5, 5],
            [6, 5],
          ],
        },
        {
          name: 'the compacted prefix of the incoming entries is dropped, then the log is truncated',
          entries: [
            [2, 3],
            [3, 3],
            [4, 5],
          ],
          expected: [[4, 5]],
        },
        { name: 'a shorter conflicting append truncates the log', entries: [[4, 5]], expected: [[4, 5]] },
        {
          name: 'a direct append',
          entries: [[6, 5]],
          expected: [
            [4, 4],
            [5, 5],
            [6, 5],
          ],
        },
      ];
      for (const testCase of cases) {
        it(
          testCase.name,
          run(async (h) => {
            await withEtcdLog(h, 5, 3);
            await h.persist(ops({ entries: testCase.entries.map(([index, term]) => entry(index, term)) }));
            expect(indexTerms(h.storage)).toEqual(testCase.expected);
            await expectRestartSame(h);
          })
        );
      }
      it(
        'an append that leaves a gap is a broken invariant and changes nothing',
        run(async (h) => {
          await withEtcdLog(h, 5, 3);
          await expect(h.persist(ops({ entries: [entry(7, 5)] }))).rejects.toThrow(AssertionError);
          expect(h.storage.lastIndex()).toBe(5);
        })
      );
      it(
        'an append that rewrites a committed entry is a broken invariant and changes nothing',
        run(async (h) => {
          await withEtcdLog(h, 5, 4);
          await expect(h.persist(ops({ entries: [entry(4, 6)] }))).rejects.toThrow(AssertionError);
          expect(indexTerms(h.storage)).toEqual([
            [4, 4],
            [5, 5],
          ]);
        })
      );
    });

    describe('applySnapshot (etcd TestStorageApplySnapshot)', () => {
      it(
        'a newer snapshot replaces the log; an older one throws SnapshotOutOfDateError',
        run(async (h) => {
          const data = new TextEncoder().encode('data');
          await h.persist(ops({ snapshot: snapshotAt(4, 4, CONF_STATE, data), hardState: hardState(4, 4) }));
          expect(h.storage.snapshot()).toEqual(snapshotAt(4, 4, CONF_STATE, data));
          expect([h.storage.firstIndex(), h.storage.lastIndex(), h.storage.term(4)]).toEqual([5, 4, 4]);
          expect(h.storage.initialState()).toEqual({ hardState: hardState(4, 4), confState: CONF_STATE });
          const older = ops({ snapshot: snapshotAt(3, 3, CONF_STATE, data), hardState: hardState(4, 4) });
          await expect(h.persist(older)).rejects.toThrow(SnapshotOutOfDateError);
          expect(h.storage.snapshot().metadata.index).toBe(4);
          await expectRestartSame(h);
        })
      );
      it(
        'a snapshot discards every entry, also those after it, and entries in the same ops follow it',
        run(async (h) => {
          await h.persist(ops({ entries: [1, 2, 3, 4, 5, 6].map((i) => entry(i, 1)), hardState: hardState(1, 2) }));
          await h.persist(ops({ snapshot: snapshotAt(4, 2, CONF_STATE), hardState: hardState(2, 4) }));
          expect([h.storage.firstIndex(), h.storage.lastIndex()]).toEqual([5, 4]);
          await h.persist(
            ops({
              snapshot: snapshotAt(10, 3, CONF_STATE),
              entries: [entry(11, 3), entry(12, 3)],
              hardState: hardState(3, 10),
            })
          );
          expect(indexTerms(h.storage)).toEqual([
            [11, 3],
            [12, 3],
          ]);
          expect(h.storage.term(10)).toBe(3);
          await expectRestartSame(h);
        })
      );
      it(
        'a snapshot at or below a compaction point beyond the last snapshot is out of date too',
        run(async (h) => {
          await withEtcdLog(h, 8, 8);
          await h.storage.compact(7);
          const stale = ops({ snapshot: snapshotAt(6, 6, CONF_STATE), hardState: hardState(8, 8) });
          await expect(h.persist(stale)).rejects.toThrow(SnapshotOutOfDateError);
          expect([h.storage.firstIndex(), h.storage.lastIndex()]).toEqual([8, 8]);
        })
      );
    });

    it(
      'hard state and conf state are what initialState reports, before and after a restart',
      run(async (h) => {
        await withEtcdLog(h, 5, 4);
        await h.persist(ops({ hardState: hardState(7, 5, 2) }));
        expect(h.storage.initialState()).toEqual({ hardState: hardState(7, 5, 2), confState: CONF_STATE });
        const reopened = await h.reopen();
        expect(reopened.initialState()).toEqual({ hardState: hardState(7, 5, 2), confState: CONF_STATE });
      })
    );

    it(
      'a restart after a mixed history (appends, truncation, snapshots, compaction) shows the same state',
      run(async (h) => {
        await h.persist(ops({ entries: [1, 2, 3, 4, 5].map((i) => entry(i, 1, i)), hardState: hardState(1, 2, 1) }));
        await h.persist(ops({ entries: [entry(4, 2, 7), entry(5, 2), entry(6, 2)], hardState: hardState(2, 5) }));
        await h.storage.createSnapshot(4, CONF_STATE, new Uint8Array([1, 2, 3]));
        await h.storage.compact(3);
        await h.persist(ops({ entries: [entry(7, 2, 100)], hardState: hardState(2, 7) }));
        await h.storage.compact(6);
        expect(indexTerms(h.storage)).toEqual([[7, 2]]);
        expect(h.storage.snapshot().metadata).toEqual({ index: 4, term: 2, confState: CONF_STATE });
        await expectRestartSame(h);
        // The restarted storage keeps working.
        await h.persist(ops({ entries: [entry(8, 3)], hardState: hardState(3, 8) }));
        await h.storage.createSnapshot(8, CONF_STATE, EMPTY_BYTES);
        await expectRestartSame(h);
      })
    );
  });
}
