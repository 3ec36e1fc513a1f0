// Goal: every acknowledged command survives SIGKILL and is applied exactly once (TESTING.md "durable acks survive
// crashes"), including across Raft log compactions and restarts that re-apply the log beyond the state DB.
// Method: crashChild.ts runs a ShardRuntime whose workers each chain commands on a counter key (precondition on its
// version) plus one new item key per command, printing each acknowledgement; this test SIGKILLs it after a
// seeded-random number of acks, three times on the same data directory (each child resumes from what it reads),
// then reopens the runtime and checks: every acked item exists at version 1; each counter's version equals its
// value (a command applied twice would bump the version past the value) and equals the number of its items.
import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { SeededRandom } from '../../../src/raft/core/random.js';
import { CRASH_SHARDS, CRASH_WORKERS, counterKey, itemRange } from './crashShared.js';
import { textOf } from '../support/commands.js';
import { openRuntime, tempDataDir } from '../support/runtimeHelpers.js';

const SEED = Number(process.env.SEED ?? 4711);
const KILLS = 3;
const CHILD_PATH = fileURLToPath(new URL('./crashChild.ts', import.meta.url));
const PROJECT_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

/** Runs a child until it printed `killAfterAcks` acks, SIGKILLs it, and records the acks in `acked`. */
async function runChildUntilKilled(dataDir: string, killAfterAcks: number, acked: Set<string>): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD_PATH, dataDir], {
    cwd: PROJECT_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  let acks = 0;
  for await (const line of createInterface({ input: child.stdout })) {
    if (line === 'READY') continue;
    const match = /^ACK (\d+) (\d+)$/.exec(line);
    if (match === null) throw new Error(`unexpected child output: ${line}\n${stderr}`);
    acked.add(`${match[1]}/${match[2]}`);
    if (++acks === killAfterAcks) child.kill('SIGKILL');
  }
  expect(await exited, `the child must die of SIGKILL (stderr: ${stderr})`).toBe('SIGKILL');
}

describe('crash: SIGKILL while proposing', () => {
  it(`keeps every acknowledged command, applied exactly once, over ${KILLS} kills (seed ${SEED})`, async () => {
    const dir = await tempDataDir();
    dirs.push(dir);
    const random = new SeededRandom(SEED);
    const acked = new Set<string>();
    for (let kill = 0; kill < KILLS; kill++) await runChildUntilKilled(dir, 60 + (random.nextUint32() % 100), acked);

    const { runtime, fatal } = await openRuntime(dir, { shards: CRASH_SHARDS });
    for (let worker = 0; worker < CRASH_WORKERS; worker++) {
      const shard = runtime.shard(worker % CRASH_SHARDS);
      const { counter, items } = await shard.read(async (view) => {
        const counterValue = await view.get(counterKey(worker));
        let itemCount = 0;
        for await (const entry of view.scan(itemRange(worker))) {
          expect(entry.version, `item ${textOf(entry.key)}`).toBe(1);
          itemCount++;
        }
        return { counter: counterValue, items: itemCount };
      });
      const count = Number(textOf(counter?.value) ?? '0');
      expect(counter?.version ?? 0, `worker ${worker}: counter version = value (no double apply)`).toBe(count);
      expect(items, `worker ${worker}: one item per applied command`).toBe(count);
      const ackedHere = [...acked]
        .filter((key) => key.startsWith(`${worker}/`))
        .map((key) => Number(key.split('/')[1]));
      for (const i of ackedHere) expect(i, `worker ${worker}: acked command ${i} is applied`).toBeLessThan(count);
    }
    expect(acked.size).toBeGreaterThan(0);
    // The children compacted the Raft logs (at least 3 × 60 acks over 2 shards, compaction every 25 entries).
    const compactedTo = [0, 1].map((shardId) => runtime.raftStorage(shardId).firstIndex() - 1);
    expect(Math.max(...compactedTo)).toBeGreaterThan(1);
    await runtime.close();
    expect(fatal).toEqual([]);
  });
});
