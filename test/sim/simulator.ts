/**
 * One simulator run from its options: bootstrap, the safety phase with faults, the liveness phase with every
 * fault healed, then the post-run checkers (liveness and convergence, linearizability of the client history).
 * Returns a result; printing is the caller's (cli.ts, sim.test.ts).
 */
import type { Violation } from './checkers/violations.js';
import { FaultScheduler } from './faults.js';
import { checkLinearizable, type LinearizabilityResult } from './linearizability.js';
import { LivenessDriver } from './liveness.js';
import { formatOptions, type SimOptions } from './options.js';
import { stream } from './prng.js';
import { SimCluster } from './simCluster.js';

export interface SimStats {
  readonly ticks: number;
  readonly events: number;
  readonly ops: Record<'invoke' | 'ok' | 'fail' | 'info', number>;
  readonly crashes: number;
  readonly pauses: number;
  readonly confChanges: number;
  readonly leaderTransfers: number;
  readonly leaderships: number;
  readonly appliedEntries: number;
  readonly snapshotsTaken: number;
  readonly snapshotsSent: number;
  readonly snapshotsReceived: number;
  readonly packetsSent: number;
  readonly packetsLost: number;
  readonly packetsCut: number;
  readonly acksChecked: number;
  readonly nodesAtEnd: number;
  readonly livenessTicks: number;
}

export interface SimResult {
  readonly ok: boolean;
  readonly seed: number;
  readonly optionLines: readonly string[];
  readonly violations: readonly Violation[];
  readonly linearizability: LinearizabilityResult | null;
  readonly stats: SimStats;
  readonly traceTail: readonly string[];
}

export interface RunSettings {
  /** Every trace line as it happens (verbose single-seed runs). */
  readonly traceSink?: (line: string) => void;
  readonly traceTailLines?: number;
  /** Runs after bootstrap, before the first event (scenario tests install hooks here). */
  readonly setup?: (cluster: SimCluster, faults: FaultScheduler) => void;
}

/** Runs one seed's simulation to the end. */
export async function runSimulation(options: SimOptions, settings: RunSettings = {}): Promise<SimResult> {
  const cluster = new SimCluster(options);
  cluster.trace.sink = settings.traceSink ?? null;
  const faults = new FaultScheduler(cluster, stream(options.seed, 'faults'));
  cluster.tickHooks.push(() => {
    if (cluster.phase === 'safety') faults.onTick();
  });
  cluster.bootstrap();
  settings.setup?.(cluster, faults);
  await cluster.runUntil(options.safetyTicks);
  const livenessStart = cluster.queue.nowTicks;
  if (!cluster.violations.failed) await runLiveness(cluster, faults);
  const livenessTicks = cluster.queue.nowTicks - livenessStart;
  cluster.phase = 'done';
  for (const client of cluster.clients) client.abandon();
  let linearizability: LinearizabilityResult | null = null;
  if (!cluster.violations.failed) {
    linearizability = checkLinearizable(cluster.history.completedOps());
    if (linearizability.status === 'illegal') {
      const ops = linearizability.ops.map(
        (op) =>
          `c${op.clientId}#${op.opSeq} ${JSON.stringify(op.op)} -> ${JSON.stringify(op.output)} [${op.callPosition}, ${op.returnPosition}]`
      );
      cluster.violations.report('linearizability', `key ${linearizability.key}:\n    ${ops.join('\n    ')}`);
    }
  }
  return {
    ok: !cluster.violations.failed,
    seed: options.seed,
    optionLines: formatOptions(options),
    violations: cluster.violations.violations,
    linearizability,
    stats: collectStats(cluster, faults, livenessTicks),
    traceTail: cluster.trace.tail(settings.traceTailLines ?? 60),
  };
}

async function runLiveness(cluster: SimCluster, faults: FaultScheduler): Promise<void> {
  cluster.phase = 'liveness';
  cluster.workloadOn = false;
  faults.healAll();
  cluster.trace.record(cluster.queue.nowTicks, null, null, null, '~ liveness phase: all faults healed');
  const liveness = new LivenessDriver(cluster);
  cluster.tickHooks.push(() => liveness.onTick());
  const deadline = cluster.queue.nowTicks + cluster.options.livenessTicksMax;
  await cluster.runUntil(deadline, () => liveness.converged());
  if (!cluster.violations.failed && !liveness.converged()) {
    cluster.violations.report(
      'liveness',
      `no convergence within ${cluster.options.livenessTicksMax} ticks: ${liveness.describe()}`
    );
  }
}

function collectStats(cluster: SimCluster, faults: FaultScheduler, livenessTicks: number): SimStats {
  const nodes = [...cluster.nodes.values()];
  const sum = (pick: (node: (typeof nodes)[number]) => number): number =>
    nodes.reduce((total, node) => total + pick(node), 0);
  return {
    ticks: cluster.queue.nowTicks,
    events: cluster.eventsRun,
    ops: cluster.history.counts(),
    crashes: faults.crashes,
    pauses: faults.pauses,
    confChanges: faults.confChangesProposed,
    leaderTransfers: faults.leaderTransfers,
    leaderships: cluster.electionSafety.leadershipCount,
    appliedEntries: cluster.stateMachineSafety.appliedEntries,
    snapshotsTaken: sum((node) => node.snapshotsTaken),
    snapshotsSent: sum((node) => node.snapshotsSent),
    snapshotsReceived: sum((node) => node.snapshotsReceived),
    packetsSent: cluster.network.counters.sent,
    packetsLost: cluster.network.counters.lost,
    packetsCut: cluster.network.counters.cut,
    acksChecked: cluster.ackAfterPersist.checkedAcks,
    nodesAtEnd: cluster.nodes.size,
    livenessTicks,
  };
}

/** The lines a failing run prints: replay command, violations, trace tail. */
export function formatFailure(result: SimResult, preset: string): string[] {
  const presetFlag = preset === 'default' ? '' : ` --preset ${preset}`;
  return [
    `FAIL SEED=${result.seed}: replay with: npm run sim -- --seed ${result.seed}${presetFlag}`,
    ...result.violations.map(
      (violation) => `  violation ${violation.invariant} at t=${violation.timeTicks}: ${violation.detail}`
    ),
    `  trace tail (last ${result.traceTail.length} events):`,
    ...result.traceTail.map((line) => `    ${line}`),
  ];
}

/** A one-line summary of a run's figures. */
export function formatStats(stats: SimStats): string {
  return Object.entries(stats)
    .map(([key, value]) => `${key}=${typeof value === 'object' ? JSON.stringify(value) : String(value)}`)
    .join(' ');
}
