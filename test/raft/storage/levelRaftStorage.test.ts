// Goal: LevelRaftStorage keeps each group's durable log exactly as MemoryRaftStorage would, isolated from the
// other groups in the same LevelDB, refuses to open a damaged log (naming group, key and mismatch), stores large
// snapshots in chunks, and settles its own writes (createSnapshot, compact) consistently with Ready writes queued
// around them.
// Method: a seeded differential run against MemoryRaftStorage with restarts; hand-made damage applied to the raw
// LevelDB between close and reopen; maintenance calls raced against a queued snapshot install.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Level } from 'level';
import { afterEach, describe, expect, it } from 'vitest';
import { AssertionError, CompactedError, SnapshotOutOfDateError } from '../../../src/raft/core/errors.js';
import { SeededRandom } from '../../../src/raft/core/random.js';
import type { ConfState, Entry } from '../../../src/raft/core/types.js';
import { LevelLogDb, RAFT_LOG_DIRECTORY } from '../../../src/raft/storage/levelLogDb.js';
import { LevelRaftStorage } from '../../../src/raft/storage/levelRaftStorage.js';
import { RaftLogCorruptionError, encodeEntryValue, encodeHardStateValue } from '../../../src/raft/storage/logCodec.js';
import {
  LogKeyKind,
  entryKey,
  hardStateKey,
  kindKeyRange,
  snapshotChunkKey,
} from '../../../src/raft/storage/logKeys.js';
import { MemoryRaftStorage } from '../../../src/raft/storage/memoryRaftStorage.js';
import type { RaftPersistOps } from '../../../src/raft/storage/raftStorage.js';
import { observe } from '../../contract/raftStorage.contract.js';

const CONF_STATE: ConfState = { voters: [1, 2, 3], learners: [] };
const tempDirs: string[] = [];

afterEach(async () => {
  for (const dir of tempDirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function tempDataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-level-storage-'));
  tempDirs.push(dir);
  return dir;
}

function entry(index: number, term: number, data: Uint8Array = new Uint8Array([index & 0xff])): Entry {
  return { index, term, kind: 'normal', data };
}

function appendOps(from: number, to: number, term: number, commit: number): RaftPersistOps {
  const entries: Entry[] = [];
  for (let index = from; index <= to; index++) entries.push(entry(index, term));
  return { snapshot: null, entries, hardState: { term, vote: 0, commit } };
}

/** Writes as the driver does: durable through the node's log writer, then into the storage's view. */
async function persist(db: LevelLogDb, storage: LevelRaftStorage, ops: RaftPersistOps): Promise<void> {
  await db.logWriter.persist([{ groupId: storage.groupId, ops }]);
  storage.applyPersisted(ops);
}

/** Opens the raw LevelDB under `dataDir` (the log DB must be closed) to damage it by hand. */
async function withRawLevel(
  dataDir: string,
  body: (raw: Level<Uint8Array, Uint8Array>) => Promise<void>
): Promise<void> {
  const raw = new Level<Uint8Array, Uint8Array>(join(dataDir, RAFT_LOG_DIRECTORY), {
    keyEncoding: 'view',
    valueEncoding: 'view',
  });
  await raw.open();
  try {
    await body(raw);
  } finally {
    await raw.close();
  }
}

async function countKeys(db: LevelLogDb, groupId: number, kind: LogKeyKind): Promise<number> {
  let count = 0;
  for await (const _ of db.iterate(kindKeyRange(groupId, kind))) count++;
  return count;
}

describe('LevelRaftStorage against MemoryRaftStorage (seeded differential run with restarts)', () => {
  const seed = Number(process.env.SEED ?? 20240611);

  it(`400 random writes leave both storages equal, before and after restarts (seed ${seed})`, async () => {
    const dataDir = await tempDataDir();
    let db = await LevelLogDb.open(dataDir, { logWriter: { snapshotChunkBytes: 16 } });
    let level = await LevelRaftStorage.open(db, 3);
    const memory = new MemoryRaftStorage();
    const random = new SeededRandom(seed);
    let term = 1;
    const actionCounts = new Map<string, number>();
    try {
      for (let step = 0; step < 400; step++) {
        const action = randomAction(random, memory, term);
        term = action.term;
        const label = action.kind === 'persist' ? action.label : action.kind;
        actionCounts.set(label, (actionCounts.get(label) ?? 0) + 1);
        if (action.kind === 'persist') {
          memory.applyPersisted(action.ops);
          await persist(db, level, action.ops);
        } else if (action.kind === 'createSnapshot') {
          const data = new Uint8Array(random.intInclusive(0, 70)).fill(step & 0xff);
          await memory.createSnapshot(action.index, CONF_STATE, data);
          await level.createSnapshot(action.index, CONF_STATE, data);
        } else {
          await memory.compact(action.index);
          await level.compact(action.index);
        }
        expect(observe(level), `step ${step}: ${action.kind}`).toEqual(observe(memory));
        if (step % 50 === 49) {
          await db.close();
          db = await LevelLogDb.open(dataDir, { logWriter: { snapshotChunkBytes: 16 } });
          level = await LevelRaftStorage.open(db, 3);
          expect(observe(level), `restart after step ${step}`).toEqual(observe(memory));
        }
      }
      // The run is only worth something if it exercised every kind of write.
      for (const label of ['append', 'conflict', 'install', 'createSnapshot', 'compact']) {
        expect(actionCounts.get(label) ?? 0, `${label} count`).toBeGreaterThanOrEqual(8);
      }
      console.log(`differential run, seed ${seed}: ${JSON.stringify(Object.fromEntries(actionCounts))}`);
    } catch (error) {
      throw new Error(`differential run failed with SEED=${seed}: ${String(error)}`, { cause: error });
    } finally {
      await db.close();
    }
  });
});

type Action =
  | { kind: 'persist'; label: 'append' | 'conflict' | 'install'; ops: RaftPersistOps; term: number }
  | { kind: 'createSnapshot' | 'compact'; index: number; term: number };

/** A random valid write for a storage in `memory`'s state: appends, conflicting appends, commits, snapshots. */
function randomAction(random: SeededRandom, memory: MemoryRaftStorage, term: number): Action {
  const commit = memory.hardState().commit;
  const last = memory.lastIndex();
  const first = memory.firstIndex();
  const roll = random.intInclusive(0, 99);
  const data = () => new Uint8Array(random.intInclusive(0, 40)).fill(roll);
  const entriesFrom = (from: number, count: number, entryTerm: number) =>
    Array.from({ length: count }, (_, i) => entry(from + i, entryTerm, data()));
  if (roll < 10 && last > commit) {
    // A new leader overwrites the uncommitted suffix from a random point on.
    const from = random.intInclusive(Math.max(commit + 1, first), last);
    const entries = entriesFrom(from, random.intInclusive(1, 4), term + 1);
    return {
      kind: 'persist',
      label: 'conflict',
      term: term + 1,
      ops: { snapshot: null, entries, hardState: { term: term + 1, vote: 0, commit } },
    };
  }
  if (roll < 20 && commit > memory.snapshot().metadata.index && commit >= first - 1) {
    const lowest = Math.max(memory.snapshot().metadata.index + 1, first - 1);
    return { kind: 'createSnapshot', term, index: random.intInclusive(lowest, commit) };
  }
  if (roll < 28 && commit >= first) return { kind: 'compact', term, index: random.intInclusive(first, commit) };
  if (roll < 31) {
    // A leader's snapshot far ahead replaces the whole log.
    const index = last + random.intInclusive(1, 6);
    const snapshot = { metadata: { index, term: term + 1, confState: CONF_STATE }, data: data() };
    return {
      kind: 'persist',
      label: 'install',
      term: term + 1,
      ops: { snapshot, entries: [], hardState: { term: term + 1, vote: 0, commit: index } },
    };
  }
  const entries = entriesFrom(last + 1, random.intInclusive(1, 5), term);
  const newCommit = random.intInclusive(commit, last + entries.length);
  return {
    kind: 'persist',
    label: 'append',
    term,
    ops: { snapshot: null, entries, hardState: { term, vote: 0, commit: newCommit } },
  };
}

describe('LevelRaftStorage: groups sharing one LevelDB', () => {
  it('groups at adjacent and extreme ids only ever see their own keys', async () => {
    const dataDir = await tempDataDir();
    const groupIds = [0, 1, 2, 255, 256, 0xfffffffe, 0xffffffff];
    let db = await LevelLogDb.open(dataDir);
    const twins = new Map(groupIds.map((groupId) => [groupId, new MemoryRaftStorage()]));
    const storages = await Promise.all(groupIds.map((groupId) => LevelRaftStorage.open(db, groupId)));
    // Interleaved writes: every group appends, in one batch per round; group 1 is truncated, group 2 compacted,
    // group 256 replaced by a snapshot.
    for (let round = 1; round <= 5; round++) {
      const writes = groupIds.map((groupId) => ({
        groupId,
        ops: appendOps(round * 3 - 2, round * 3, 1, round * 3 - 3),
      }));
      await db.logWriter.persist(writes);
      for (const [position, write] of writes.entries()) {
        storages[position]?.applyPersisted(write.ops);
        twins.get(write.groupId)?.applyPersisted(write.ops);
      }
    }
    const truncate = appendOps(14, 14, 2, 12);
    const install: RaftPersistOps = {
      snapshot: { metadata: { index: 30, term: 3, confState: CONF_STATE }, data: new Uint8Array([9]) },
      entries: [],
      hardState: { term: 3, vote: 0, commit: 30 },
    };
    await db.logWriter.persist([
      { groupId: 1, ops: truncate },
      { groupId: 256, ops: install },
    ]);
    storages[1]?.applyPersisted(truncate);
    twins.get(1)?.applyPersisted(truncate);
    storages[4]?.applyPersisted(install);
    twins.get(256)?.applyPersisted(install);
    await storages[2]?.compact(10);
    await twins.get(2)?.compact(10);
    await db.close();

    db = await LevelLogDb.open(dataDir);
    try {
      expect(await db.groupIds()).toEqual(groupIds);
      for (const groupId of groupIds) {
        const reopened = await LevelRaftStorage.open(db, groupId);
        expect(observe(reopened), `group ${groupId}`).toEqual(observe(twins.get(groupId) as MemoryRaftStorage));
      }
      expect(await countKeys(db, 1, LogKeyKind.entry)).toBe(14);
      expect(await countKeys(db, 2, LogKeyKind.entry)).toBe(5);
      expect(await countKeys(db, 256, LogKeyKind.entry)).toBe(0);
      expect(await countKeys(db, 255, LogKeyKind.entry)).toBe(15);
    } finally {
      await db.close();
    }
  });
});

describe('LevelRaftStorage: a damaged log is refused at open', () => {
  /**
   * Group 1: entries 1..6 with 8-byte payloads, commit 5, a 25-byte snapshot at 4 (3 chunks of 10 bytes),
   * compacted to 2. Group 2: a small healthy log next to it.
   */
  async function standardLog(): Promise<string> {
    const dataDir = await tempDataDir();
    const db = await LevelLogDb.open(dataDir, { logWriter: { snapshotChunkBytes: 10 } });
    const storage = await LevelRaftStorage.open(db, 1);
    const neighbour = await LevelRaftStorage.open(db, 2);
    const ops = appendOps(1, 6, 1, 5);
    await persist(db, storage, {
      ...ops,
      entries: ops.entries.map((e) => entry(e.index, e.term, new Uint8Array(8).fill(e.index))),
    });
    await storage.createSnapshot(4, CONF_STATE, new Uint8Array(25).fill(7));
    await storage.compact(2);
    await persist(db, neighbour, appendOps(1, 3, 1, 3));
    await db.close();
    return dataDir;
  }

  async function openAfter(damage: (raw: Level<Uint8Array, Uint8Array>) => Promise<void>): Promise<unknown> {
    const dataDir = await standardLog();
    await withRawLevel(dataDir, damage);
    const db = await LevelLogDb.open(dataDir);
    try {
      // The neighbour group is unaffected by the damage to group 1.
      expect((await LevelRaftStorage.open(db, 2)).lastIndex()).toBe(3);
      return await LevelRaftStorage.open(db, 1).then(
        () => null,
        (error: unknown) => error
      );
    } finally {
      await db.close();
    }
  }

  async function flipByte(raw: Level<Uint8Array, Uint8Array>, key: Uint8Array, offset: number): Promise<void> {
    const value = await raw.get(key);
    if (value === undefined) throw new Error('test setup: no value to damage');
    const damaged = Uint8Array.from(value);
    damaged[offset] = (damaged[offset] as number) ^ 0x10;
    await raw.put(key, damaged);
  }

  it('an undamaged log opens', async () => {
    expect(await openAfter(async () => {})).toBeNull();
  });

  const cases: {
    name: string;
    damage: (raw: Level<Uint8Array, Uint8Array>) => Promise<void>;
    key: string;
    reason: RegExp;
  }[] = [
    {
      name: 'a flipped byte in an entry payload',
      damage: (raw) => flipByte(raw, entryKey(1, 4), 20),
      key: 'group 1 entry 4',
      reason: /checksum mismatch/,
    },
    {
      name: 'a flipped byte in an entry term',
      damage: (raw) => flipByte(raw, entryKey(1, 6), 12),
      key: 'group 1 entry 6',
      reason: /checksum mismatch/,
    },
    {
      name: 'a flipped checksum byte',
      damage: (raw) => flipByte(raw, entryKey(1, 3), 2),
      key: 'group 1 entry 3',
      reason: /checksum mismatch/,
    },
    {
      name: 'an unknown format version',
      damage: (raw) => flipByte(raw, entryKey(1, 5), 0),
      key: 'group 1 entry 5',
      reason: /format version 17/,
    },
    {
      name: 'a value written under the wrong key',
      damage: async (raw) => raw.put(entryKey(1, 3), (await raw.get(entryKey(1, 4))) as Uint8Array),
      key: 'group 1 entry 3',
      reason: /checksum mismatch/,
    },
    {
      name: 'a missing entry in the middle',
      damage: (raw) => raw.del(entryKey(1, 4)),
      key: 'group 1 entry 5',
      reason: /not contiguous: entry 5 follows 3/,
    },
    {
      name: 'a torn last entry',
      damage: async (raw) => raw.put(entryKey(1, 6), ((await raw.get(entryKey(1, 6))) as Uint8Array).subarray(0, 3)),
      key: 'group 1 entry 6',
      reason: /shorter than the 5-byte header/,
    },
    {
      name: 'a well-formed entry left below the compaction point',
      damage: (raw) => raw.put(entryKey(1, 2), encodeEntryValue(entryKey(1, 2), entry(2, 1))),
      key: 'group 1 entry 2',
      reason: /not contiguous: entry 2 follows 2/,
    },
    {
      name: 'a flipped byte in a snapshot chunk',
      damage: (raw) => flipByte(raw, snapshotChunkKey(1, 1), 15),
      key: 'group 1 snapshotChunk 1',
      reason: /checksum mismatch/,
    },
    {
      name: 'a missing snapshot chunk',
      damage: (raw) => raw.del(snapshotChunkKey(1, 2)),
      key: 'group 1 snapshotMeta',
      reason: /2 chunks stored, metadata says 3/,
    },
    {
      name: 'a flipped byte in the hard state',
      damage: (raw) => flipByte(raw, hardStateKey(1), 9),
      key: 'group 1 hardState',
      reason: /checksum mismatch/,
    },
    {
      name: 'a well-formed hard state committing beyond the log',
      damage: (raw) => raw.put(hardStateKey(1), encodeHardStateValue(hardStateKey(1), { term: 1, vote: 0, commit: 7 })),
      key: 'group 1 hardState',
      reason: /commit 7 is beyond the log end 6/,
    },
    {
      name: 'an unknown key in the group range',
      damage: (raw) => raw.put(new Uint8Array([1, 0, 0, 0, 1, 0x05]), new Uint8Array([1])),
      key: 'key 0x010000000105',
      reason: /unknown key/,
    },
  ];
  for (const testCase of cases) {
    it(`detects ${testCase.name}`, async () => {
      const error = await openAfter(testCase.damage);
      expect(error).toBeInstanceOf(RaftLogCorruptionError);
      expect(error).toMatchObject({ groupId: 1, keyDescription: testCase.key });
      expect((error as RaftLogCorruptionError).reason).toMatch(testCase.reason);
    });
  }
});

describe('LevelRaftStorage: snapshots', () => {
  it('stores snapshot data in chunks and deletes the surplus chunks when a smaller snapshot replaces it', async () => {
    const dataDir = await tempDataDir();
    let db = await LevelLogDb.open(dataDir, { logWriter: { snapshotChunkBytes: 10 } });
    try {
      const storage = await LevelRaftStorage.open(db, 5);
      await persist(db, storage, appendOps(1, 6, 1, 6));
      const large = Uint8Array.from({ length: 95 }, (_, i) => i);
      await storage.createSnapshot(3, CONF_STATE, large);
      expect(await countKeys(db, 5, LogKeyKind.snapshotChunk)).toBe(10);
      const small = new Uint8Array(15).fill(3);
      await storage.createSnapshot(5, CONF_STATE, small);
      expect(await countKeys(db, 5, LogKeyKind.snapshotChunk)).toBe(2);
      await db.close();
      db = await LevelLogDb.open(dataDir, { logWriter: { snapshotChunkBytes: 10 } });
      const reopened = await LevelRaftStorage.open(db, 5);
      expect(reopened.snapshot()).toEqual({ metadata: { index: 5, term: 1, confState: CONF_STATE }, data: small });
    } finally {
      await db.close();
    }
  });

  it('compact and createSnapshot queued behind a snapshot install are refused, and the install wins', async () => {
    const dataDir = await tempDataDir();
    const db = await LevelLogDb.open(dataDir);
    try {
      const storage = await LevelRaftStorage.open(db, 1);
      await persist(db, storage, appendOps(1, 10, 1, 10));
      const install: RaftPersistOps = {
        snapshot: { metadata: { index: 20, term: 2, confState: CONF_STATE }, data: new Uint8Array([1]) },
        entries: [],
        hardState: { term: 2, vote: 0, commit: 20 },
      };
      const installing = db.logWriter.persist([{ groupId: 1, ops: install }]);
      // The view still shows the old log, so both calls pass validation; the writer knows better.
      await expect(storage.compact(5)).rejects.toBeInstanceOf(CompactedError);
      await expect(storage.createSnapshot(8, CONF_STATE, new Uint8Array())).rejects.toBeInstanceOf(
        SnapshotOutOfDateError
      );
      await installing;
      storage.applyPersisted(install);
      expect([storage.firstIndex(), storage.lastIndex(), storage.snapshot().metadata.index]).toEqual([21, 20, 20]);
    } finally {
      await db.close();
    }
  });

  it('compact and createSnapshot queued before a snapshot install land first, in the same order on disk and in memory', async () => {
    const dataDir = await tempDataDir();
    let db = await LevelLogDb.open(dataDir);
    try {
      const storage = await LevelRaftStorage.open(db, 1);
      await persist(db, storage, appendOps(1, 10, 1, 10));
      const compacting = storage.compact(5);
      const snapshotting = storage.createSnapshot(8, CONF_STATE, new Uint8Array([8]));
      const install: RaftPersistOps = {
        snapshot: { metadata: { index: 20, term: 2, confState: CONF_STATE }, data: new Uint8Array([1]) },
        entries: [entry(21, 2)],
        hardState: { term: 2, vote: 0, commit: 20 },
      };
      const installing = db.logWriter.persist([{ groupId: 1, ops: install }]);
      await Promise.all([compacting, snapshotting, installing]);
      expect(db.logWriter.stats().batches).toBe(2);
      storage.applyPersisted(install);
      const live = observe(storage);
      await db.close();
      db = await LevelLogDb.open(dataDir);
      expect(observe(await LevelRaftStorage.open(db, 1))).toEqual(live);
      expect(storage.snapshot().metadata.index).toBe(20);
    } finally {
      await db.close();
    }
  });
});

describe('LevelRaftStorage: the log writer asserts what the driver guarantees', () => {
  it('compact or createSnapshot beyond the durable commit index fails an assertion and writes nothing', async () => {
    const dataDir = await tempDataDir();
    const db = await LevelLogDb.open(dataDir);
    try {
      const storage = await LevelRaftStorage.open(db, 1);
      await persist(db, storage, appendOps(1, 10, 1, 6));
      const batchesBefore = db.logWriter.stats().batches;
      await expect(storage.compact(7)).rejects.toBeInstanceOf(AssertionError);
      await expect(storage.createSnapshot(7, CONF_STATE, new Uint8Array())).rejects.toBeInstanceOf(AssertionError);
      expect(db.logWriter.stats().batches).toBe(batchesBefore);
      expect([storage.firstIndex(), storage.snapshot().metadata.index]).toEqual([1, 0]);
    } finally {
      await db.close();
    }
  });

  it('a hard state whose term or commit goes backwards, or that changes its vote within a term, fails an assertion', async () => {
    const dataDir = await tempDataDir();
    const db = await LevelLogDb.open(dataDir);
    try {
      const storage = await LevelRaftStorage.open(db, 1);
      await persist(db, storage, {
        snapshot: null,
        entries: [entry(1, 2), entry(2, 2)],
        hardState: { term: 2, vote: 3, commit: 2 },
      });
      const hardStateOnly = (term: number, vote: number, commit: number): RaftPersistOps => ({
        snapshot: null,
        entries: [],
        hardState: { term, vote, commit },
      });
      for (const ops of [
        hardStateOnly(1, 3, 2),
        hardStateOnly(2, 3, 1),
        hardStateOnly(2, 1, 2),
        hardStateOnly(2, 3, 3),
      ]) {
        await expect(db.logWriter.persist([{ groupId: 1, ops }])).rejects.toBeInstanceOf(AssertionError);
      }
      await db.logWriter.persist([{ groupId: 1, ops: hardStateOnly(3, 1, 2) }]);
      expect(db.logWriter.groupBounds(1)?.hardState).toEqual({ term: 3, vote: 1, commit: 2 });
    } finally {
      await db.close();
    }
  });
});
