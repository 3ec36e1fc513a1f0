// Runs the RaftStorage contract against both implementations: MemoryRaftStorage (restart = a new storage built
// from the old one's state) and LevelRaftStorage over a real LevelDB in a temp dir (writes go through the node's
// log writer; restart = close the DB, reopen it and load the group from disk), next to two neighbour groups whose
// logs must come out of every case untouched.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { describeRaftStorageContract, entry, hardState, observe, ops } from './raftStorage.contract.js';
import type { StorageHarness } from './raftStorage.contract.js';
import { LevelLogDb } from '../../src/raft/storage/levelLogDb.js';
import { LevelRaftStorage } from '../../src/raft/storage/levelRaftStorage.js';
import { MemoryRaftStorage } from '../../src/raft/storage/memoryRaftStorage.js';
import type { RaftPersistOps } from '../../src/raft/storage/raftStorage.js';

async function makeMemoryHarness(): Promise<StorageHarness> {
  let storage = new MemoryRaftStorage();
  return {
    get storage() {
      return storage;
    },
    async persist(ops: RaftPersistOps) {
      storage.applyPersisted(ops);
    },
    async reopen() {
      storage = new MemoryRaftStorage(storage.toOptions());
      return storage;
    },
    async close() {},
  };
}

/**
 * The group under test shares its LevelDB with the adjacent group ids, which hold a small log of their own: on
 * close every case also checks that none of its writes, truncations or compactions touched a neighbour's keys.
 */
const GROUP_ID = 7;
const NEIGHBOUR_GROUP_IDS = [6, 8];
const NEIGHBOUR_OPS: RaftPersistOps = ops({ entries: [entry(1, 1, 3), entry(2, 1, 3)], hardState: hardState(1, 1) });

async function makeLevelHarness(): Promise<StorageHarness> {
  const dataDir = await mkdtemp(join(tmpdir(), 'cairn-storage-contract-'));
  let db = await LevelLogDb.open(dataDir);
  for (const groupId of NEIGHBOUR_GROUP_IDS) {
    await LevelRaftStorage.open(db, groupId);
    await db.logWriter.persist([{ groupId, ops: NEIGHBOUR_OPS }]);
  }
  let storage = await LevelRaftStorage.open(db, GROUP_ID);
  return {
    get storage() {
      return storage;
    },
    async persist(ops: RaftPersistOps) {
      await db.logWriter.persist([{ groupId: GROUP_ID, ops }]);
      storage.applyPersisted(ops);
    },
    async reopen() {
      await db.close();
      db = await LevelLogDb.open(dataDir);
      storage = await LevelRaftStorage.open(db, GROUP_ID);
      return storage;
    },
    async close() {
      await db.close();
      const reopened = await LevelLogDb.open(dataDir);
      try {
        const expected = new MemoryRaftStorage();
        expected.applyPersisted(NEIGHBOUR_OPS);
        for (const groupId of NEIGHBOUR_GROUP_IDS) {
          expect(observe(await LevelRaftStorage.open(reopened, groupId))).toEqual(observe(expected));
        }
      } finally {
        await reopened.close();
        await rm(dataDir, { recursive: true, force: true });
      }
    },
  };
}

describeRaftStorageContract('MemoryRaftStorage', makeMemoryHarness);
describeRaftStorageContract('LevelRaftStorage', makeLevelHarness);
