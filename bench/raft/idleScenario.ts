/**
 * The idle scenario: `groupCount` groups with leaders spread over three nodes and no proposals. What remains is
 * the cost of keeping groups alive: ticks, heartbeats and their responses, and MultiRaft cycles. The process
 * hosts all three nodes, so the per-node figure is the process figure ÷ 3.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { progress } from '../support/progress.js';
import { ResourceSampler } from '../support/resourceSampler.js';
import type { ResourceUsage } from '../support/resourceSampler.js';
import type { BenchOptions } from './benchOptions.js';
import type { IdleRunResult } from './runResult.js';
import { BENCH_NODE_COUNT, spreadLeaders, withCluster } from './startCluster.js';

/** Time given to the cluster after leader placement before the window opens (follower catch-up, GC). */
const IDLE_SETTLE_MS = 1_000;

export interface IdleResult {
  readonly groups: number;
  readonly windowMs: number;
  readonly resources: ResourceUsage;
  /** Process CPU ÷ number of nodes: the estimated cost for one node, in % of one core. */
  readonly cpuPercentPerNode: number;
  readonly messagesPerS: number;
  readonly deliveriesPerS: number;
  readonly fsyncsPerS: number;
  readonly cyclesPerS: number;
  readonly leadersPerNode: readonly number[];
}

export async function runIdleScenario(options: BenchOptions, dataDir: string): Promise<IdleRunResult> {
  return withCluster(options, dataDir, 'idle', options.groupCount, spreadLeaders, async (cluster) => {
    await sleep(IDLE_SETTLE_MS);
    const label = `${options.groupCount} idle groups`;
    progress(`${label}: measuring for ${options.durationMs / 1000} s`);
    const before = cluster.counters();
    const sampler = new ResourceSampler();
    sampler.start();
    await sleep(options.durationMs);
    const resources = sampler.stop();
    const after = cluster.counters();
    cluster.checkHealthy();
    const perS = (count: number): number => (count / resources.wallMs) * 1000;
    const fsyncs = after.fsyncsPerNode.reduce(
      (total, count, position) => total + count - (before.fsyncsPerNode[position] ?? 0),
      0
    );
    const idle: IdleResult = {
      groups: options.groupCount,
      windowMs: resources.wallMs,
      resources,
      cpuPercentPerNode: resources.cpuPercentOfCore / BENCH_NODE_COUNT,
      messagesPerS: perS(after.messagesDelivered - before.messagesDelivered),
      deliveriesPerS: perS(after.deliveries - before.deliveries),
      fsyncsPerS: perS(fsyncs),
      cyclesPerS: perS(after.cycles - before.cycles),
      leadersPerNode: cluster.leadersPerNode(),
    };
    return { kind: 'idle', scenario: 'idle', label, idle };
  });
}
