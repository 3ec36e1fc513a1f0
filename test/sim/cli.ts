/**
 * The simulator's command line (`npm run sim -- …`):
 *   --seed S            run one seed, verbose: options, every trace line with --trace, figures
 *   --seeds N [--base B] run N seeds from base B (random base if omitted), progress every 100 seeds
 *   --preset lite|default
 *   --trace             with --seed: print every event line
 * Prints `SEED=` and the derived options before each verbose run; on failure the replay command, the
 * violations and the trace tail. Exit code 1 if any seed failed.
 */
import { execFileSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { deriveOptions, formatOptions, type PresetName } from './options.js';
import { formatFailure, formatStats, runSimulation } from './simulator.js';

interface CliArguments {
  seed: number | null;
  seeds: number;
  base: number | null;
  preset: PresetName;
  trace: boolean;
}

function parseArguments(argv: readonly string[]): CliArguments {
  const parsed: CliArguments = { seed: null, seeds: 1, base: null, preset: 'default', trace: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    const number = (): number => {
      const n = Number(value);
      if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${flag} needs a non-negative integer, got ${value}`);
      i++;
      return n;
    };
    if (flag === '--seed') parsed.seed = number();
    else if (flag === '--seeds') parsed.seeds = number();
    else if (flag === '--base') parsed.base = number();
    else if (flag === '--trace') parsed.trace = true;
    else if (flag === '--preset') {
      if (value !== 'lite' && value !== 'default') throw new Error(`--preset must be lite or default, got ${value}`);
      parsed.preset = value;
      i++;
    } else throw new Error(`unknown argument ${flag}`);
  }
  return parsed;
}

/** The git commit the simulator runs (plus a mark when the tree has changes), or 'unknown' outside git. */
function sourceCommit(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8' }).trim();
    return dirty.length > 0 ? `${head}+changes` : head;
  } catch {
    return 'unknown';
  }
}

async function runOne(seed: number, preset: PresetName, trace: boolean): Promise<boolean> {
  const options = deriveOptions(seed, preset);
  console.log(`commit=${sourceCommit()} (a seed is exact only for its commit)`);
  for (const line of formatOptions(options)) console.log(line);
  const started = performance.now();
  const result = await runSimulation(options, trace ? { traceSink: (line) => console.log(line) } : {});
  const elapsedMs = Math.round(performance.now() - started);
  console.log(`stats ${formatStats(result.stats)} elapsedMs=${elapsedMs}`);
  if (result.linearizability !== null)
    console.log(`linearizability ${JSON.stringify({ status: result.linearizability.status })}`);
  if (result.ok) {
    console.log(`PASS SEED=${seed}`);
    return true;
  }
  for (const line of formatFailure(result, preset)) console.log(line);
  return false;
}

async function runMany(count: number, base: number, preset: PresetName): Promise<boolean> {
  console.log(`running ${count} seeds from base ${base} (preset ${preset}) at commit ${sourceCommit()}`);
  const failures: number[] = [];
  const unknownLinearizability: number[] = [];
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const seed = base + i;
    const result = await runSimulation(deriveOptions(seed, preset));
    if (result.linearizability?.status === 'unknown') unknownLinearizability.push(seed);
    if (!result.ok) {
      failures.push(seed);
      for (const line of formatOptions(deriveOptions(seed, preset))) console.log(line);
      for (const line of formatFailure(result, preset)) console.log(line);
    }
    if ((i + 1) % 100 === 0) {
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      console.log(`progress ${i + 1}/${count} seeds, ${failures.length} failed, ${seconds}s`);
    }
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (unknownLinearizability.length > 0) {
    console.log(`linearizability search budget exhausted (unknown) for seeds: ${unknownLinearizability.join(' ')}`);
  }
  console.log(
    `summary: seeds run ${count} (base ${base}), failed ${failures.length}${failures.length > 0 ? `: ${failures.join(' ')}` : ''}, ${seconds}s`
  );
  return failures.length === 0;
}

async function main(): Promise<void> {
  const args = parseArguments(process.argv.slice(2));
  const ok =
    args.seed !== null
      ? await runOne(args.seed, args.preset, args.trace)
      : await runMany(args.seeds, args.base ?? randomInt(0, 2 ** 31), args.preset);
  process.exitCode = ok ? 0 : 1;
}

await main();
