/**
 * Formats the benchmark's results: a header (machine, settings), one line per run with the targets next
 * to the figures, a detail line per run for diagnosis, and the JSON document written to bench/results/.
 */
import type { MachineInfo } from '../support/machineInfo.js';
import { formatMachineInfo } from '../support/machineInfo.js';
import type { BenchOptions } from './benchOptions.js';
import type { IdleRunResult, LoadRunResult, RunResult } from './runResult.js';

/** The targets. */
export const TARGETS = {
  /** One group, with batching (concurrency > 1): committed proposals per second. */
  oneGroupCommittedPerSMin: 20_000,
  /** 64 idle groups: % of one core, per node. */
  idleCpuPercentPerNodeMax: 2,
} as const;

export interface BenchEnvironment {
  readonly machine: MachineInfo;
  readonly fileSystem: string;
  readonly dataDir: string;
}

const integerFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const fixed = (value: number, digits: number): string => (Number.isFinite(value) ? value.toFixed(digits) : '-');

export function formatHeader(environment: BenchEnvironment, options: BenchOptions): string[] {
  return [
    'Cairn Raft benchmark: 3 nodes in ONE process (one JS thread, one LevelDB + LogWriter + MultiRaft per node),',
    'in-process async transport (no serialization). CPU % and RSS are of the whole process, i.e. of all 3 nodes.',
    ...formatMachineInfo(environment.machine),
    `data: ${environment.dataDir} on ${environment.fileSystem}, LevelDB batches with sync: true`,
    `settings: payload ${options.payloadBytes} B, tick ${options.tickMs} ms, election ${options.electionTicks} ticks, ` +
      `heartbeat ${options.heartbeatTicks} tick(s), window ${options.durationMs / 1000} s after ${options.warmupMs / 1000} s warm-up, ` +
      `propose mode ${options.proposeMode}`,
  ];
}

const COLUMNS = [
  ['run', 34],
  ['committed/s', 12],
  ['p50 ms', 8],
  ['p99 ms', 8],
  ['fsyncs/proposal (per node)', 30],
  ['CPU %core', 10],
  ['RSS MiB', 8],
] as const;

function row(cells: readonly string[]): string {
  return cells
    .map((cell, position) => {
      const width = COLUMNS[position]?.[1] ?? 0;
      return position === 0 ? cell.padEnd(width) : cell.padStart(width);
    })
    .join(' ');
}

export function formatTableHeader(): string {
  return `${row(COLUMNS.map(([title]) => title))}  target`;
}

function loadTarget(result: LoadRunResult): string {
  if (result.scenario !== 'one-group') return '(no target)';
  const target = TARGETS.oneGroupCommittedPerSMin;
  const ratio = `${fixed((result.load.committedPerS / target) * 100, 0)}% of it`;
  if (result.load.concurrency === 1) return `≥ ${integerFormat.format(target)}/s needs batching; C=1 cannot batch`;
  return `≥ ${integerFormat.format(target)}/s: ${result.load.committedPerS >= target ? 'MET' : 'MISSED'} (${ratio})`;
}

function formatLoad(result: LoadRunResult): string[] {
  const load = result.load;
  const perNode = load.fsyncsPerProposalPerNode.map((value) => fixed(value, 2)).join('/');
  const main = row([
    result.label,
    integerFormat.format(load.committedPerS),
    fixed(load.latency.p50Ms, 2),
    fixed(load.latency.p99Ms, 2),
    `${fixed(load.fsyncsPerProposal, 3)} (${perNode})`,
    fixed(load.resources.cpuPercentOfCore, 0),
    fixed(load.resources.rssMiBPeak, 0),
  ]);
  const detail =
    `    ${integerFormat.format(load.committed)} committed in ${fixed(load.windowMs / 1000, 1)} s; ` +
    `p90 ${fixed(load.latency.p90Ms, 2)}, p99.9 ${fixed(load.latency.p999Ms, 2)}, max ${fixed(load.latency.maxMs, 2)} ms; ` +
    `sync ${load.syncMsMeanPerNode.map((value) => fixed(value, 2)).join('/')} ms/fsync; ` +
    `${fixed(load.messagesPerProposal, 2)} msgs and ${fixed(load.cyclesPerProposal, 3)} cycles per proposal, ` +
    `${fixed(load.messagesPerDelivery, 1)} msgs/delivery; CPU ${fixed(load.cpuMicrosPerProposal, 0)} µs/proposal; event loop ${fixed(load.resources.eventLoopUtilization * 100, 0)}% busy; ` +
    `dropped ${load.proposalsDropped}, lost ${load.proposalsLost}; leaders ${load.leadersPerNode.join('/')}`;
  return [`${main}  ${loadTarget(result)}`, detail];
}

function formatIdle(result: IdleRunResult): string[] {
  const idle = result.idle;
  const target = TARGETS.idleCpuPercentPerNodeMax;
  const verdict = idle.cpuPercentPerNode <= target ? 'MET' : 'MISSED';
  const main = row([
    result.label,
    '-',
    '-',
    '-',
    `${fixed(idle.fsyncsPerS, 1)} fsyncs/s`,
    fixed(idle.resources.cpuPercentOfCore, 1),
    fixed(idle.resources.rssMiBPeak, 0),
  ]);
  const detail =
    `    per node ≈ ${fixed(idle.cpuPercentPerNode, 1)}% of a core (process ÷ 3), ` +
    `${fixed(((idle.resources.cpuPercentOfCore / 100) * 1e6) / idle.groups, 0)} µs CPU per group per second (3 replicas); ` +
    `${integerFormat.format(idle.messagesPerS)} msgs/s, ${integerFormat.format(idle.deliveriesPerS)} deliveries/s, ` +
    `${integerFormat.format(idle.cyclesPerS)} MultiRaft cycles/s; event loop ${fixed(idle.resources.eventLoopUtilization * 100, 0)}% busy; ` +
    `leaders ${idle.leadersPerNode.join('/')}`;
  return [
    `${main}  ≤ ${target}% of a core per node: ${verdict} (${fixed(idle.cpuPercentPerNode, 1)}% per node)`,
    detail,
  ];
}

export function formatResults(results: readonly RunResult[]): string[] {
  const lines = [formatTableHeader()];
  for (const result of results) lines.push(...(result.kind === 'load' ? formatLoad(result) : formatIdle(result)));
  return lines;
}

/** The JSON document stored in bench/results/<timestamp>.json. */
export function resultsDocument(
  startedAt: string,
  environment: BenchEnvironment,
  options: BenchOptions,
  results: readonly RunResult[]
): unknown {
  return { startedAt, ...environment, options, targets: TARGETS, results };
}
