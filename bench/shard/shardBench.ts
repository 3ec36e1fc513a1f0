/**
 * Throughput of `Shard.propose` on one node: a closed loop of `--concurrency` workers (default 64), spread over
 * the shards, each proposing a command (a fresh requestId, one version-checked put of `--payloadBytes` bytes to
 * its own key) and, once it is applied, the next. After `--warmupS` the window of `--seconds` counts acknowledged
 * proposals and their latencies (propose → outcome). Print-only; data in a temp dir unless `--dataDir`.
 *
 *   npx tsx bench/shard/shardBench.ts [--concurrency 64] [--shards 8] [--seconds 10] [--warmupS 2]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { ShardRuntime } from '../../src/shard/runtime/shardRuntime.js';
import type { Shard } from '../../src/shard/shard.js';
import { describeFileSystem } from '../support/fileSystemInfo.js';
import { LatencyRecorder } from '../support/percentile.js';

const { values } = parseArgs({
  options: {
    concurrency: { type: 'string', default: '64' },
    shards: { type: 'string', default: '8' },
    seconds: { type: 'string', default: '10' },
    warmupS: { type: 'string', default: '2' },
    payloadBytes: { type: 'string', default: '100' },
    dataDir: { type: 'string' },
  },
});
const concurrency = Number(values.concurrency);
const shards = Number(values.shards);
const windowMs = Number(values.seconds) * 1000;
const warmupMs = Number(values.warmupS) * 1000;
const payload = new Uint8Array(Number(values.payloadBytes)).fill(0x61);
const utf8 = new TextEncoder();

function waitReady(shard: Shard): Promise<void> {
  return shard.isReady ? Promise.resolve() : new Promise((resolve) => shard.onReady(() => resolve()));
}

interface Counters {
  measuring: boolean;
  stopping: boolean;
  acked: number;
  readonly latency: LatencyRecorder;
}

async function worker(shard: Shard, workerId: number, counters: Counters): Promise<void> {
  const key = utf8.encode(`bench-${workerId}`);
  for (let i = 0; !counters.stopping; i++) {
    const startedMs = performance.now();
    const outcome = await shard.propose({
      formatVersion: 1,
      requestId: `w${workerId}-${i}`,
      preconditions: [{ key, version: i === 0 ? null : i }],
      writes: [{ type: 'put', key, value: payload }],
      outcome: payload,
      actions: [],
    });
    if (outcome.outcome !== 'applied') throw new Error(`worker ${workerId}: ${outcome.outcome}`);
    if (counters.measuring) {
      counters.acked++;
      counters.latency.record(performance.now() - startedMs);
    }
  }
}

async function main(): Promise<void> {
  const dataDir = values.dataDir ?? (await mkdtemp(join(tmpdir(), 'cairn-shard-bench-')));
  const runtime = await ShardRuntime.open({ dataDir, shards, logger: pino({ level: 'warn' }) });
  for (let shardId = 0; shardId < shards; shardId++) await waitReady(runtime.shard(shardId));
  const counters: Counters = { measuring: false, stopping: false, acked: 0, latency: new LatencyRecorder() };
  const workers = Array.from({ length: concurrency }, (_, id) => worker(runtime.shard(id % shards), id, counters));
  await new Promise((resolve) => setTimeout(resolve, warmupMs));
  const fsyncsBefore = runtime.multiRaft.stats.persistCalls;
  const cpuBefore = process.cpuUsage();
  counters.measuring = true;
  const startedMs = performance.now();
  await new Promise((resolve) => setTimeout(resolve, windowMs));
  counters.measuring = false;
  const elapsedMs = performance.now() - startedMs;
  const cpu = process.cpuUsage(cpuBefore);
  const fsyncs = runtime.multiRaft.stats.persistCalls - fsyncsBefore;
  counters.stopping = true;
  await Promise.all(workers);
  await runtime.close();
  const latency = counters.latency.summary();
  const lines = [
    `shard bench: ${concurrency} concurrent proposers over ${shards} shards, ${payload.length}-byte puts, one node`,
    `  data dir: ${dataDir} (${await describeFileSystem(dataDir)})`,
    `  proposals/s: ${((counters.acked * 1000) / elapsedMs).toFixed(0)} (${counters.acked} in ${(elapsedMs / 1000).toFixed(1)} s)`,
    `  latency ms: p50 ${latency.p50Ms.toFixed(2)}  p90 ${latency.p90Ms.toFixed(2)}  p99 ${latency.p99Ms.toFixed(2)}  max ${latency.maxMs.toFixed(2)}`,
    `  raft log fsyncs/s: ${((fsyncs * 1000) / elapsedMs).toFixed(0)}, proposals per fsync: ${(counters.acked / Math.max(1, fsyncs)).toFixed(1)}`,
    `  CPU: ${(((cpu.user + cpu.system) / 1000 / elapsedMs) * 100).toFixed(0)}% of one core`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  if (values.dataDir === undefined) await rm(dataDir, { recursive: true, force: true });
}

await main();
