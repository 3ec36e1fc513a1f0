/**
 * `npx tsx bench/engine/latencyBench.ts [--workflows 200] [--concurrency 1,16] [--warmup 20] [--shards 8]`:
 * end-to-end latency of a one-activity workflow (client.workflow.execute of `oneActivity`, whose one activity
 * returns its input) through a real `cairn dev` process on a temp dir, with the official SDK's Client and Worker
 * in this process. After `--warmup` workflows, one closed-loop run per concurrency; prints one JSON line and a table.
 * Figures only, no verdict; a run with wrong results exits 1.
 */
import { parseArgs } from 'node:util';
import { withScenarioEnvironment } from '../../jepsen-like/engine/scenarioEnvironment.js';
import { formatReportTable } from '../../jepsen-like/engine/reportTable.js';
import { describeFileSystem } from '../support/fileSystemInfo.js';
import { collectMachineInfo, formatMachineInfo } from '../support/machineInfo.js';
import type { MachineInfo } from '../support/machineInfo.js';
import { runLatency } from './latencyRun.js';
import type { LatencyRunResult } from './latencyRun.js';

interface BenchFlags {
  readonly workflows: number;
  readonly concurrencies: readonly number[];
  readonly warmup: number;
  readonly shards: number;
}

/** A bad flag: the message names it and what it accepts. */
class BenchUsageError extends Error {
  override readonly name = 'BenchUsageError';
}

function positiveInteger(flag: string, text: string | undefined, fallback: number, min = 1): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min)
    throw new BenchUsageError(`--${flag}: '${text}' must be an integer ≥ ${min}`);
  return value;
}

function parseBenchFlags(argv: readonly string[]): BenchFlags {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      workflows: { type: 'string' },
      concurrency: { type: 'string' },
      warmup: { type: 'string' },
      shards: { type: 'string' },
    },
    strict: true,
  });
  const concurrencies = (values.concurrency ?? '1,16')
    .split(',')
    .map((text) => positiveInteger('concurrency', text, 1));
  return {
    workflows: positiveInteger('workflows', values.workflows, 200),
    concurrencies,
    warmup: positiveInteger('warmup', values.warmup, 20, 0),
    shards: positiveInteger('shards', values.shards, 8),
  };
}

function formatRun(run: LatencyRunResult): string {
  const { latency } = run;
  return formatReportTable(`oneActivity, C=${run.concurrency}, ${run.workflows} workflows`, [
    [
      'p50 / p90 / p99 / max ms',
      [latency.p50Ms, latency.p90Ms, latency.p99Ms, latency.maxMs].map((ms) => ms.toFixed(1)).join(' / '),
    ],
    ['mean ms', latency.meanMs],
    ['workflows/s', run.workflowsPerSecond],
    ['node CPU % of one core', run.nodeCpuPercent],
    ['harness (client + worker) CPU %', run.harnessCpuPercent],
    ['node RSS / peak RSS MiB', `${run.nodeRssMiB.toFixed(1)} / ${run.nodePeakRssMiB.toFixed(1)}`],
    ['wrong results', run.wrongResults],
  ]);
}

async function main(argv: readonly string[]): Promise<number> {
  const flags = parseBenchFlags(argv);
  const machine: MachineInfo = collectMachineInfo();
  let fileSystem = 'unknown';
  const runs = await withScenarioEnvironment({ label: 'latency-bench', shards: flags.shards }, async (environment) => {
    fileSystem = await describeFileSystem(environment.workDir);
    const context = { client: environment.sdk.client, taskQueue: environment.taskQueue, nodePid: environment.node.pid };
    process.stderr.write(`latency bench: warming up with ${flags.warmup} workflows\n`);
    await runLatency({ ...context, label: 'warmup' }, flags.warmup, 1);
    const results: LatencyRunResult[] = [];
    for (const concurrency of flags.concurrencies) {
      process.stderr.write(`latency bench: ${flags.workflows} workflows at C=${concurrency}\n`);
      results.push(await runLatency({ ...context, label: `c${concurrency}` }, flags.workflows, concurrency));
    }
    return results;
  });
  const document = { bench: 'engine-latency', machine, fileSystem, shards: flags.shards, warmup: flags.warmup, runs };
  process.stdout.write(`${JSON.stringify(document)}\n`);
  process.stdout.write(
    [
      ...formatMachineInfo(machine),
      `data dir on ${fileSystem}, ${flags.shards} shards, ${flags.warmup} warm-up workflows`,
      ...runs.map(formatRun),
    ].join('\n') + '\n'
  );
  return runs.every((run) => run.wrongResults === 0) ? 0 : 1;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof BenchUsageError) && !(error instanceof TypeError && 'code' in error)) throw error;
  process.stderr.write(`latencyBench: ${error.message}\n`);
  process.exitCode = 2;
}
