/**
 * Starts the three-node cluster a scenario measures, with leaders placed, and closes it afterwards.
 */
import { join } from 'node:path';
import type { NodeId } from '../../src/raft/core/types.js';
import { progress } from '../support/progress.js';
import { BenchCluster } from './benchCluster.js';
import type { BenchOptions } from './benchOptions.js';

/** The benchmark's cluster size: three voters, the smallest that tolerates a failure. */
export const BENCH_NODE_COUNT = 3;

/** How long elections and leader transfers may take before the scenario gives up. */
const LEADER_PLACEMENT_TIMEOUT_MS = 30_000;

/** Runs `body` on a fresh cluster of `groupCount` groups in `<dataDir>/<name>`, leaders per `preferredLeader`. */
export async function withCluster<T>(
  options: BenchOptions,
  dataDir: string,
  name: string,
  groupCount: number,
  preferredLeader: (groupId: number) => NodeId,
  body: (cluster: BenchCluster) => Promise<T>
): Promise<T> {
  progress(`${name}: starting ${BENCH_NODE_COUNT} nodes with ${groupCount} group(s)`);
  const cluster = await BenchCluster.start({
    dataDir: join(dataDir, name),
    nodeCount: BENCH_NODE_COUNT,
    groupCount,
    tickMs: options.tickMs,
    raft: { electionTicks: options.electionTicks, heartbeatTicks: options.heartbeatTicks },
  });
  try {
    await cluster.placeLeaders(preferredLeader, LEADER_PLACEMENT_TIMEOUT_MS);
    progress(`${name}: leaders per node ${cluster.leadersPerNode().join('/')}`);
    const result = await body(cluster);
    await cluster.waitConverged(LEADER_PLACEMENT_TIMEOUT_MS);
    progress(`${name}: every replica applied its leader's commit index`);
    return result;
  } finally {
    await cluster.close();
  }
}

/** Spreads leadership round-robin: group g is led by node ((g - 1) mod 3) + 1. */
export function spreadLeaders(groupId: number): NodeId {
  return ((groupId - 1) % BENCH_NODE_COUNT) + 1;
}
