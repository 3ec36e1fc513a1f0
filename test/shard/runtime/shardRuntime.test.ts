// Goal: the single-node ShardRuntime (src/shard/runtime/shardRuntime.ts): bootstraps N shards that become ready,
// serves proposals and reads per shard, survives close/reopen with state and applied index intact, refuses a
// different shard count, compacts the Raft log only up to a durable applied index, and restarts after compaction.
// Method: real LevelDBs on temp dirs; readiness is awaited through onReady (no sleeps).
import { rm } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { DURABLE_MARK_KEY, decodeAppliedState } from '../../../src/shard/apply/stateLayout.js';
import { ShardCountMismatchError } from '../../../src/shard/errors.js';
import { LevelStateStore } from '../../../src/shard/levelStateStore.js';
import { ShardRuntime } from '../../../src/shard/runtime/shardRuntime.js';
import { bytesOf, command, put, requires, textOf } from '../support/commands.js';
import { openRuntime, tempDataDir } from '../support/runtimeHelpers.js';
import { silentLogger } from '../support/shardHarness.js';

const dirs: string[] = [];
async function newDir(): Promise<string> {
  const dir = await tempDataDir();
  dirs.push(dir);
  return dir;
}
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('ShardRuntime', () => {
  it('bootstraps 8 shards by default, each ready and independent', async () => {
    const { runtime, fatal } = await openRuntime(await newDir());
    expect(runtime.shardCount).toBe(8);
    for (let shardId = 0; shardId < 8; shardId++) {
      const outcome = await runtime.shard(shardId).propose(command({ writes: [put('k', `s${shardId}`)] }));
      expect(outcome.outcome).toBe('applied');
    }
    for (let shardId = 0; shardId < 8; shardId++) {
      const value = await runtime.shard(shardId).read((view) => view.get(bytesOf('k')));
      expect(textOf(value?.value)).toBe(`s${shardId}`);
    }
    expect(() => runtime.shard(8)).toThrow(RangeError);
    await runtime.close();
    expect(fatal).toEqual([]);
  });

  it('keeps state and applied index across close and reopen; proposals after restart work', async () => {
    const dir = await newDir();
    const first = await openRuntime(dir, { shards: 2 });
    for (let i = 0; i < 20; i++) {
      await first.runtime.shard(1).propose(command({ requestId: `r${i}`, writes: [put('counter', String(i))] }));
    }
    const appliedBefore = first.runtime.shard(1).applied;
    await first.runtime.close();

    const second = await openRuntime(dir);
    expect(second.runtime.shardCount).toBe(2);
    const shard = second.runtime.shard(1);
    // Applied moved past the old index by the new leader's no-op and barrier, and no entry was applied twice.
    expect(shard.applied.index).toBeGreaterThan(appliedBefore.index);
    const counter = await shard.read((view) => view.get(bytesOf('counter')));
    expect([counter?.version, textOf(counter?.value)]).toEqual([20, '19']);
    const dup = await shard.propose(command({ requestId: 'r3', writes: [put('counter', 'x')] }));
    expect(dup.outcome).toBe('duplicate');
    const next = await shard.propose(
      command({ preconditions: [requires('counter', 20)], writes: [put('counter', '20')] })
    );
    expect(next.outcome).toBe('applied');
    await second.runtime.close();
    expect([...first.fatal, ...second.fatal]).toEqual([]);
  });

  it('refuses to reopen with a different shard count', async () => {
    const dir = await newDir();
    const { runtime } = await openRuntime(dir, { shards: 3 });
    await runtime.close();
    await expect(
      ShardRuntime.open({ dataDir: dir, shards: 4, logger: silentLogger, onFatal: () => undefined })
    ).rejects.toBeInstanceOf(ShardCountMismatchError);
    // The refused start closed what it opened: the directory opens again, with its 3 shards.
    const again = await openRuntime(dir);
    expect(again.runtime.shardCount).toBe(3);
    await again.runtime.close();
  });

  it('compacts the log only up to the durable applied index, and restarts after compaction', async () => {
    const dir = await newDir();
    const { runtime, fatal } = await openRuntime(dir, { shards: 1, compactionEntries: 10 });
    for (let i = 0; i < 40; i++) await runtime.shard(0).propose(command({ writes: [put(`k${i}`, 'v')] }));
    await runtime.close();
    expect(runtime.compactions).toBeGreaterThan(0);
    const compactedTo = runtime.raftStorage(0).firstIndex() - 1;
    expect(compactedTo).toBeGreaterThan(1);

    const state = await LevelStateStore.open(dir);
    const mark = decodeAppliedState(await state.shard(0).get(DURABLE_MARK_KEY));
    await state.close();
    expect(mark.index).toBeGreaterThanOrEqual(compactedTo);

    const reopened = await openRuntime(dir);
    let keys = 0;
    await reopened.runtime.shard(0).read(async (view) => {
      for await (const entry of view.scan()) if (entry.version === 1) keys++;
    });
    expect(keys).toBe(40);
    await reopened.runtime.close();
    expect([...fatal, ...reopened.fatal]).toEqual([]);
  });

  it('routes workflows with shardOf over its shard count', async () => {
    const { runtime } = await openRuntime(await newDir(), { shards: 3 });
    const shardIds = new Set<number>();
    for (let i = 0; i < 50; i++) shardIds.add(runtime.shardOf('default', `wf-${i}`));
    expect([...shardIds].sort()).toEqual([0, 1, 2]);
    await runtime.close();
  });
});
