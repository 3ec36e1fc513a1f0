/**
 * `npx tsx jepsen-like/engine/crashCli.ts [--workflows 2000] [--concurrency 64] [--kill-after-fraction 0.4]
 * [--seed n] [--shards 8] [--keep-data]`: runs the crash scenario (crashRun.ts) once, prints one JSON summary line
 * and a table to stdout, progress to stderr, and exits 1 on any violation (2 on a usage error).
 */
import { parseFlags, UsageError } from './cliFlags.js';
import { formatCrashReport } from './crashReport.js';
import { runCrash } from './crashRun.js';

const seedMax = 2 ** 31 - 1;

async function main(argv: readonly string[]): Promise<number> {
  const flags = parseFlags(
    argv,
    {
      workflows: { defaultValue: 2000, min: 1, max: 1_000_000, integer: true },
      concurrency: { defaultValue: 64, min: 1, max: 10_000, integer: true },
      'kill-after-fraction': { defaultValue: 0.4, min: 0, max: 1, integer: false },
      seed: { defaultValue: Date.now() % seedMax, min: 0, max: seedMax, integer: true },
      shards: { defaultValue: 8, min: 1, max: 1024, integer: true },
    },
    ['keep-data']
  );
  process.stderr.write(`crash: seed ${flags.seed}\n`);
  const summary = await runCrash({
    workflows: flags.workflows,
    concurrency: flags.concurrency,
    killAfterFraction: flags['kill-after-fraction'],
    seed: flags.seed,
    shards: flags.shards,
    keepWorkDir: flags['keep-data'],
    progress: (line) => process.stderr.write(`${line}\n`),
  });
  process.stdout.write(`${JSON.stringify(summary)}\n${formatCrashReport(summary)}\n`);
  return summary.violationCount === 0 ? 0 : 1;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  process.stderr.write(`crashCli: ${error.message}\n`);
  process.exitCode = 2;
}
