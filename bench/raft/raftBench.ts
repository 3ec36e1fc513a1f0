/**
 * `npm run bench`: measures the Raft layer of Cairn (never pass/fail). Three nodes, each with its own LevelDB,
 * LogWriter and MultiRaft, run in one process over an asynchronous in-process transport. Scenarios:
 * - one-group: committed proposals/s and commit latency (propose → applied on the leader) of one group under
 *   a closed loop of C outstanding 100-byte proposals, with fsyncs per proposal, CPU and RSS;
 * - many-groups: the same over 64 groups with leaders spread over the three nodes;
 * - idle: the CPU and RSS of 64 idle groups.
 * With `--scenario all` each scenario runs in its own child process, so RSS and CPU are not polluted by the
 * previous one. Results go to stdout and to bench/results/<timestamp>.json. See bench/README.md.
 */
import { fork } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { collectMachineInfo } from '../support/machineInfo.js';
import { describeFileSystem } from '../support/fileSystemInfo.js';
import { progress } from '../support/progress.js';
import type { BenchOptions, ScenarioName } from './benchOptions.js';
import { USAGE, childArgs, parseBenchOptions } from './benchOptions.js';
import { formatHeader, formatResults, resultsDocument } from './benchReport.js';
import { runIdleScenario } from './idleScenario.js';
import { runManyGroupsScenario, runOneGroupScenario } from './loadScenarios.js';
import type { RunResult } from './runResult.js';

const RESULTS_DIRECTORY = fileURLToPath(new URL('../results/', import.meta.url));

async function runScenario(scenario: ScenarioName, options: BenchOptions, dataDir: string): Promise<RunResult[]> {
  switch (scenario) {
    case 'one-group':
      return runOneGroupScenario(options, dataDir);
    case 'many-groups':
      return runManyGroupsScenario(options, dataDir);
    case 'idle':
      return [await runIdleScenario(options, dataDir)];
    default: {
      const unreachable: never = scenario;
      throw new Error(`unknown scenario ${String(unreachable)}`);
    }
  }
}

/** Runs one scenario in a child process of this script; resolves with the results it sends back. */
function runScenarioInChild(scenario: ScenarioName, options: BenchOptions, dataDir: string): Promise<RunResult[]> {
  return new Promise((resolve, reject) => {
    // fork reuses process.execArgv, which carries tsx's loader flags, so the child runs this .ts file too.
    const child = fork(fileURLToPath(import.meta.url), childArgs(options, scenario, dataDir), {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let results: RunResult[] | null = null;
    child.on('message', (message) => {
      results = message as RunResult[];
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0 && results !== null) resolve(results);
      else reject(new Error(`scenario ${scenario} failed in its child process (exit ${code ?? signal})`));
    });
  });
}

async function runScenarios(options: BenchOptions, dataDir: string): Promise<RunResult[]> {
  const inChildren = !options.inProcess && options.scenarios.length > 1;
  const results: RunResult[] = [];
  for (const scenario of options.scenarios) {
    const scenarioResults = inChildren
      ? await runScenarioInChild(scenario, options, dataDir)
      : await runScenario(scenario, options, dataDir);
    results.push(...scenarioResults);
  }
  return results;
}

/** A child: run the one scenario asked for in the parent's data dir and send the results back over IPC. */
async function runAsChild(options: BenchOptions): Promise<void> {
  const send = process.send?.bind(process);
  if (send === undefined || options.dataDir === null || options.scenarios.length !== 1) {
    throw new Error('--child is internal: it needs an IPC channel, --data-dir and one --scenario');
  }
  const results = await runScenario(options.scenarios[0] as ScenarioName, options, options.dataDir);
  await new Promise<void>((resolve, reject) =>
    send(results, (error: Error | null) => (error ? reject(error) : resolve()))
  );
  process.disconnect?.();
}

async function writeResults(startedAt: string, document: unknown): Promise<string> {
  await mkdir(RESULTS_DIRECTORY, { recursive: true });
  const path = join(RESULTS_DIRECTORY, `${startedAt.replace(/[:.]/g, '-')}.json`);
  await writeFile(path, `${JSON.stringify(document, null, 2)}\n`);
  return path;
}

async function main(): Promise<void> {
  let options: BenchOptions | 'help';
  try {
    options = parseBenchOptions(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  if (options === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (options.child) return runAsChild(options);
  const startedAt = new Date().toISOString();
  // Always a fresh directory of our own (under --data-dir if given), removed at the end.
  const dataRoot = options.dataDir ?? tmpdir();
  await mkdir(dataRoot, { recursive: true });
  const dataDir = await mkdtemp(join(dataRoot, 'cairn-bench-'));
  const environment = {
    machine: collectMachineInfo(),
    fileSystem: await describeFileSystem(dataDir),
    dataDir,
  };
  const header = formatHeader(environment, options);
  for (const line of header) progress(line);
  let results: RunResult[];
  try {
    results = await runScenarios(options, dataDir);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
  const path = await writeResults(startedAt, resultsDocument(startedAt, environment, options, results));
  process.stdout.write(`${[...header, '', ...formatResults(results), '', `results: ${path}`].join('\n')}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
