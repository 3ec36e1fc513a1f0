// Child process of crash.test.ts: runs a ShardRuntime on argv[2] and proposes, forever, per worker w: command i
// puts counter `c<w>` = i + 1 (precondition: its version is i, or absent for i = 0) and item `w<w>/<i>` (must not
// exist). It prints `ACK <w> <i>` once command i is acknowledged as applied, and is killed by the parent.
import { pino } from 'pino';
import { ShardRuntime } from '../../../src/shard/runtime/shardRuntime.js';
import type { Shard } from '../../../src/shard/shard.js';

import { CRASH_COMPACTION_ENTRIES, CRASH_SHARDS, CRASH_WORKERS, counterKey, itemKey } from './crashShared.js';

const utf8 = new TextEncoder();

function waitReady(shard: Shard): Promise<void> {
  return shard.isReady ? Promise.resolve() : new Promise((resolve) => shard.onReady(() => resolve()));
}

async function runWorker(shard: Shard, worker: number): Promise<void> {
  const stored = await shard.read((view) => view.get(counterKey(worker)));
  for (let i = stored?.version ?? 0; ; i++) {
    const outcome = await shard.propose({
      formatVersion: 1,
      requestId: `w${worker}-${i}`,
      preconditions: [
        { key: counterKey(worker), version: i === 0 ? null : i },
        { key: itemKey(worker, i), version: null },
      ],
      writes: [
        { type: 'put', key: counterKey(worker), value: utf8.encode(String(i + 1)) },
        { type: 'put', key: itemKey(worker, i), value: utf8.encode('x') },
      ],
      outcome: new Uint8Array(0),
      actions: [],
    });
    if (outcome.outcome !== 'applied') throw new Error(`worker ${worker} command ${i}: ${outcome.outcome}`);
    process.stdout.write(`ACK ${worker} ${i}\n`);
  }
}

async function main(): Promise<void> {
  const dataDir = process.argv[2];
  if (dataDir === undefined) throw new Error('usage: crashChild.ts <dataDir>');
  const runtime = await ShardRuntime.open({
    dataDir,
    shards: CRASH_SHARDS,
    tickMs: 10,
    compactionEntries: CRASH_COMPACTION_ENTRIES,
    logger: pino({ level: 'warn' }, process.stderr),
  });
  for (let shardId = 0; shardId < CRASH_SHARDS; shardId++) await waitReady(runtime.shard(shardId));
  process.stdout.write('READY\n');
  const workers = Array.from({ length: CRASH_WORKERS }, (_, worker) =>
    runWorker(runtime.shard(worker % CRASH_SHARDS), worker)
  );
  await Promise.all(workers);
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error instanceof Error ? error.stack : error)}\n`);
  process.exit(1);
});
