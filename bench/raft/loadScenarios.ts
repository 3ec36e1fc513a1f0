/**
 * The two load scenarios. one-group: one group led by node 1, one closed-loop run per concurrency level.
 * many-groups: `groupCount` groups with leaders spread over the three nodes, one run per per-group concurrency,
 * figures aggregated over all groups.
 */
import { progress } from '../support/progress.js';
import type { BenchOptions } from './benchOptions.js';
import { runClosedLoop } from './closedLoopLoad.js';
import type { LoadRunResult } from './runResult.js';
import { spreadLeaders, withCluster } from './startCluster.js';

/** A proposal outstanding this long was lost in a leadership change (none is expected in a healthy run). */
const PROPOSAL_LOST_MS = 5_000;

export async function runOneGroupScenario(options: BenchOptions, dataDir: string): Promise<LoadRunResult[]> {
  return withCluster(
    options,
    dataDir,
    'one-group',
    1,
    () => 1,
    async (cluster) => {
      const results: LoadRunResult[] = [];
      for (const concurrency of options.concurrencies) {
        const label = `one-group C=${concurrency}`;
        progress(`${label}: warm-up ${options.warmupMs / 1000} s, then ${options.durationMs / 1000} s measured`);
        const load = await runClosedLoop(cluster, {
          label,
          groupIds: cluster.groupIds,
          slotsPerGroup: concurrency,
          payloadBytes: options.payloadBytes,
          warmupMs: options.warmupMs,
          durationMs: options.durationMs,
          proposalLostMs: PROPOSAL_LOST_MS,
          proposeMode: options.proposeMode,
        });
        results.push({ kind: 'load', scenario: 'one-group', label, load });
      }
      return results;
    }
  );
}

export async function runManyGroupsScenario(options: BenchOptions, dataDir: string): Promise<LoadRunResult[]> {
  return withCluster(options, dataDir, 'many-groups', options.groupCount, spreadLeaders, async (cluster) => {
    const results: LoadRunResult[] = [];
    for (const slotsPerGroup of options.groupConcurrencies) {
      const label = `${options.groupCount} groups C=${slotsPerGroup}/group (${slotsPerGroup * options.groupCount})`;
      progress(`${label}: warm-up ${options.warmupMs / 1000} s, then ${options.durationMs / 1000} s measured`);
      const load = await runClosedLoop(cluster, {
        label,
        groupIds: cluster.groupIds,
        slotsPerGroup,
        payloadBytes: options.payloadBytes,
        warmupMs: options.warmupMs,
        durationMs: options.durationMs,
        proposalLostMs: PROPOSAL_LOST_MS,
        proposeMode: options.proposeMode,
      });
      results.push({ kind: 'load', scenario: 'many-groups', label, load });
    }
    return results;
  });
}
