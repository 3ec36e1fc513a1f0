// Goal: "processing ≡ replay" (TESTING.md): what a live one-node ShardRuntime leaves in its state DB equals what the
// pure apply produces when it replays the committed Raft log from scratch, and every acknowledged outcome equals
// the replayed outcome of the entry at the same index.
// Method: fast-check (seeded; the seed prints on failure) generates waves of commands — puts and deletes with and
// without version preconditions, request ids that repeat — proposed concurrently within a wave through a real
// runtime on a temp dir (2 shards). After close, the test reads every group's committed entries back from
// LevelRaftStorage, applies them with applyToStore to a fresh MemoryStateStore, and compares the two stores
// key by key (user data, dedup records and applied state); halfway through, the runtime is closed and reopened.
import { rm } from 'node:fs/promises';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LevelLogDb } from '../../../src/raft/storage/levelLogDb.js';
import { LevelRaftStorage } from '../../../src/raft/storage/levelRaftStorage.js';
import { decodeCommittedEntry } from '../../../src/shard/apply/apply.js';
import { applyToStore } from '../../../src/shard/applyToStore.js';
import { LevelStateStore } from '../../../src/shard/levelStateStore.js';
import { MemoryStateStore } from '../../../src/shard/memoryStateStore.js';
import type { ShardOutcome } from '../../../src/shard/pendingProposals.js';
import type { ShardStore } from '../../../src/shard/stateStore.js';
import { command, del, put, requires, textOf } from '../support/commands.js';
import { openRuntime, tempDataDir } from '../support/runtimeHelpers.js';

const SHARDS = 2;
const SEED = Number(process.env.SEED ?? 20261125);

const specArb = fc.record({
  shardId: fc.integer({ min: 0, max: SHARDS - 1 }),
  requestId: fc.option(fc.constantFrom('r1', 'r2', 'r3', 'r4'), { nil: null }),
  precondition: fc.option(
    fc.tuple(fc.constantFrom('a', 'b', 'c'), fc.option(fc.integer({ min: 1, max: 4 }), { nil: null })),
    {
      nil: null,
    }
  ),
  writes: fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c', 'd'), fc.boolean(), fc.string({ maxLength: 3 })), {
    maxLength: 3,
  }),
});
type Spec = typeof specArb extends fc.Arbitrary<infer T> ? T : never;

function toCommand(spec: Spec) {
  const seen = new Set<string>();
  const writes = spec.writes.filter(([key]) => !seen.has(key) && seen.add(key) !== undefined);
  return command({
    requestId: spec.requestId,
    preconditions: spec.precondition === null ? [] : [requires(spec.precondition[0], spec.precondition[1])],
    writes: writes.map(([key, isPut, value]) => (isPut ? put(key, value) : del(key))),
    outcome: `o:${spec.requestId ?? '-'}:${writes.map(([k]) => k).join('')}`,
  });
}

async function dump(store: ShardStore): Promise<[string, string][]> {
  const out: [string, string][] = [];
  for await (const [key, value] of store.iterate())
    out.push([Buffer.from(key).toString('hex'), Buffer.from(value).toString('hex')]);
  return out;
}

/** Replays group `shardId + 1`'s committed log into a fresh memory store; returns it and the outcome per index. */
async function replay(logDb: LevelLogDb, shardId: number) {
  const storage = await LevelRaftStorage.open(logDb, shardId + 1);
  const commit = storage.hardState().commit;
  expect(storage.firstIndex(), 'no compaction in this test').toBe(2);
  const memory = new MemoryStateStore();
  const outcomes = new Map<number, [string, string | undefined]>();
  for (const entry of storage.entries(2, commit + 1, Number.MAX_SAFE_INTEGER)) {
    const result = await applyToStore(memory.shard(shardId), decodeCommittedEntry(entry));
    outcomes.set(entry.index, [result.outcome, textOf(result.result)]);
  }
  return { store: memory.shard(shardId), outcomes };
}

describe('processing ≡ replay', () => {
  it('the live state DB equals a from-scratch replay of the committed log, outcome by outcome', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(specArb, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 6 }),
        async (waves) => {
          const dir = await tempDataDir();
          try {
            // Half the waves, a clean restart, then the rest: replay must also hold across a restart.
            const acked: { shardId: number; outcome: ShardOutcome }[] = [];
            const restartAt = Math.floor(waves.length / 2);
            for (const part of [waves.slice(0, restartAt), waves.slice(restartAt)]) {
              const { runtime, fatal } = await openRuntime(dir, { shards: SHARDS, compactionEntries: 1_000_000 });
              for (const wave of part) {
                const outcomes = await Promise.all(
                  wave.map((spec) => runtime.shard(spec.shardId).propose(toCommand(spec)))
                );
                outcomes.forEach((outcome, i) => acked.push({ shardId: (wave[i] as Spec).shardId, outcome }));
              }
              await runtime.close();
              expect(fatal).toEqual([]);
            }
            const logDb = await LevelLogDb.open(dir);
            const state = await LevelStateStore.open(dir);
            try {
              for (let shardId = 0; shardId < SHARDS; shardId++) {
                const replayed = await replay(logDb, shardId);
                expect(await dump(state.shard(shardId))).toEqual(await dump(replayed.store));
                for (const ack of acked.filter((a) => a.shardId === shardId)) {
                  expect(replayed.outcomes.get(ack.outcome.index)).toEqual([
                    ack.outcome.outcome,
                    textOf(ack.outcome.result),
                  ]);
                }
              }
            } finally {
              await logDb.close();
              await state.close();
            }
          } finally {
            await rm(dir, { recursive: true, force: true });
          }
        }
      ),
      { seed: SEED, numRuns: 15 }
    );
  });
});
