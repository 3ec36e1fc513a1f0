/**
 * The benchmark's command line (node:util parseArgs) and the options every scenario reads.
 */
import { parseArgs } from 'node:util';
import type { ProposeMode } from './closedLoopLoad.js';

export const SCENARIO_NAMES = ['one-group', 'many-groups', 'idle'] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

export interface BenchOptions {
  readonly scenarios: readonly ScenarioName[];
  /** Length of each measurement window (each concurrency level, and the idle window). */
  readonly durationMs: number;
  readonly warmupMs: number;
  /** Groups of the many-groups and idle scenarios. */
  readonly groupCount: number;
  readonly payloadBytes: number;
  /** Outstanding proposals of the one-group runs, one run per value. */
  readonly concurrencies: readonly number[];
  /** Outstanding proposals per group of the many-groups runs, one run per value. */
  readonly groupConcurrencies: readonly number[];
  readonly tickMs: number;
  readonly electionTicks: number;
  readonly heartbeatTicks: number;
  readonly proposeMode: ProposeMode;
  /** Where the nodes' LevelDBs go; null = a fresh temp dir, removed at the end. */
  readonly dataDir: string | null;
  /** Run the scenarios in this process instead of one child process each. */
  readonly inProcess: boolean;
  /** Internal: this process is a child running one scenario for a parent (results go over IPC). */
  readonly child: boolean;
}

export const USAGE = `usage: npm run bench -- [options]
  --scenario one-group|many-groups|idle|all   (default all; 'all' runs each scenario in its own child process)
  --duration-s N          measurement window per run (default 10)
  --warmup-s N            load before each window opens (default 2)
  --groups N              groups of many-groups and idle (default 64)
  --payload-bytes N       proposal size (default 100, at least 8)
  --concurrency A,B,...   outstanding proposals for one-group (default 1,64,256)
  --group-concurrency A,B outstanding proposals per group for many-groups (default 1,4)
  --tick-ms N             tick interval (default 100, the node runtime's); --election-ticks (10), --heartbeat-ticks (1)
  --propose-mode batch|single   batch (default): multiRaft.enqueueProposal, a turn's proposals become one
                          append per follower; single: one multiRaft.propose (one append) per proposal
  --data-dir DIR          where the LevelDBs go (default a fresh temp dir, removed at the end)
  --in-process            run all scenarios in this process (RSS then includes earlier scenarios)`;

function positiveNumber(text: string, flag: string, integer: boolean): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isSafeInteger(value))) {
    throw new Error(`--${flag} must be a positive ${integer ? 'integer' : 'number'}, got '${text}'`);
  }
  return value;
}

function integerList(text: string, flag: string): number[] {
  return text.split(',').map((part) => positiveNumber(part.trim(), flag, true));
}

function scenarioList(text: string): ScenarioName[] {
  if (text === 'all') return [...SCENARIO_NAMES];
  const name = SCENARIO_NAMES.find((candidate) => candidate === text);
  if (name === undefined) throw new Error(`--scenario must be one of ${SCENARIO_NAMES.join(', ')}, all; got '${text}'`);
  return [name];
}

/** Parses `args` (process.argv without node and script); throws with a message on bad input. */
export function parseBenchOptions(args: readonly string[]): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: [...args],
    strict: true,
    options: {
      scenario: { type: 'string', default: 'all' },
      'duration-s': { type: 'string', default: '10' },
      'warmup-s': { type: 'string', default: '2' },
      groups: { type: 'string', default: '64' },
      'payload-bytes': { type: 'string', default: '100' },
      concurrency: { type: 'string', default: '1,64,256' },
      'group-concurrency': { type: 'string', default: '1,4' },
      'tick-ms': { type: 'string', default: '100' },
      'election-ticks': { type: 'string', default: '10' },
      'heartbeat-ticks': { type: 'string', default: '1' },
      'propose-mode': { type: 'string', default: 'batch' },
      'data-dir': { type: 'string' },
      'in-process': { type: 'boolean', default: false },
      child: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return 'help';
  const payloadBytes = positiveNumber(values['payload-bytes'], 'payload-bytes', true);
  if (payloadBytes < 8) throw new Error('--payload-bytes must be at least 8 (the proposal id)');
  const proposeMode = values['propose-mode'];
  if (proposeMode !== 'single' && proposeMode !== 'batch') {
    throw new Error(`--propose-mode must be single or batch, got '${proposeMode}'`);
  }
  return {
    scenarios: scenarioList(values.scenario),
    durationMs: positiveNumber(values['duration-s'], 'duration-s', false) * 1000,
    warmupMs: positiveNumber(values['warmup-s'], 'warmup-s', false) * 1000,
    groupCount: positiveNumber(values.groups, 'groups', true),
    payloadBytes,
    concurrencies: integerList(values.concurrency, 'concurrency'),
    groupConcurrencies: integerList(values['group-concurrency'], 'group-concurrency'),
    tickMs: positiveNumber(values['tick-ms'], 'tick-ms', false),
    electionTicks: positiveNumber(values['election-ticks'], 'election-ticks', true),
    heartbeatTicks: positiveNumber(values['heartbeat-ticks'], 'heartbeat-ticks', true),
    proposeMode,
    dataDir: values['data-dir'] ?? null,
    inProcess: values['in-process'],
    child: values.child,
  };
}

/** The command line that gives a child the same options for one scenario in `dataDir`. */
export function childArgs(options: BenchOptions, scenario: ScenarioName, dataDir: string): string[] {
  return [
    '--child',
    `--scenario=${scenario}`,
    `--duration-s=${options.durationMs / 1000}`,
    `--warmup-s=${options.warmupMs / 1000}`,
    `--groups=${options.groupCount}`,
    `--payload-bytes=${options.payloadBytes}`,
    `--concurrency=${options.concurrencies.join(',')}`,
    `--group-concurrency=${options.groupConcurrencies.join(',')}`,
    `--tick-ms=${options.tickMs}`,
    `--election-ticks=${options.electionTicks}`,
    `--heartbeat-ticks=${options.heartbeatTicks}`,
    `--propose-mode=${options.proposeMode}`,
    `--data-dir=${dataDir}`,
  ];
}
