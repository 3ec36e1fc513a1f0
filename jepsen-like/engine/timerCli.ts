/**
 * `npx tsx jepsen-like/engine/timerCli.ts [--workflows 200] [--seed n] [--shards 8] [--kill-delay-ms 1000]
 * [--keep-data]`: runs the timer scenario (timerRestart.ts) once, prints one JSON summary line and a table to
 * stdout, progress to stderr, and exits 1 on any violation (2 on a usage error).
 */
import { parseFlags, UsageError } from './cliFlags.js';
import { formatTimerReport } from './timerReport.js';
import { runTimerRestart } from './timerRestart.js';

const seedMax = 2 ** 31 - 1;

async function main(argv: readonly string[]): Promise<number> {
  const flags = parseFlags(
    argv,
    {
      workflows: { defaultValue: 200, min: 1, max: 100_000, integer: true },
      seed: { defaultValue: Date.now() % seedMax, min: 0, max: seedMax, integer: true },
      shards: { defaultValue: 8, min: 1, max: 1024, integer: true },
      'kill-delay-ms': { defaultValue: 1_000, min: 0, max: 600_000, integer: true },
    },
    ['keep-data']
  );
  process.stderr.write(`timers: seed ${flags.seed}\n`);
  const summary = await runTimerRestart({
    workflows: flags.workflows,
    seed: flags.seed,
    shards: flags.shards,
    killDelayMs: flags['kill-delay-ms'],
    keepWorkDir: flags['keep-data'],
    progress: (line) => process.stderr.write(`${line}\n`),
  });
  process.stdout.write(`${JSON.stringify(summary)}\n${formatTimerReport(summary)}\n`);
  return summary.violationCount === 0 ? 0 : 1;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  process.stderr.write(`timerCli: ${error.message}\n`);
  process.exitCode = 2;
}
