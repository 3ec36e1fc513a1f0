// Goal: LevelStateStore and its in-memory twin MemoryStateStore both meet the ShardStore contract.
// Method: the shared suite in stateStore.contract.ts against each; LevelDB on a fresh temp dir per test.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll } from 'vitest';
import { LevelStateStore } from '../../../src/shard/levelStateStore.js';
import { MemoryStateStore } from '../../../src/shard/memoryStateStore.js';
import { stateStoreContract } from './stateStore.contract.js';

const tempDirs: string[] = [];
afterAll(async () => {
  for (const dir of tempDirs) await rm(dir, { recursive: true, force: true });
});

stateStoreContract('LevelStateStore', {
  async open() {
    const dir = await mkdtemp(join(tmpdir(), 'cairn-state-'));
    tempDirs.push(dir);
    return LevelStateStore.open(dir);
  },
  async reopen(store) {
    const location = (store as LevelStateStore).location;
    await store.close();
    return LevelStateStore.open(dirname(location));
  },
});

stateStoreContract('MemoryStateStore', {
  open: () => Promise.resolve(new MemoryStateStore()),
  reopen: (store) => Promise.resolve(store),
});
