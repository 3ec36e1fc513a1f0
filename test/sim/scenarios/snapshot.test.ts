/**
 * Goal: a follower that falls behind the leader's compaction point catches up through a chunked snapshot.
 * Method: a quiet 3-node simulated cluster with frequent snapshots, compaction without a tail and 64-byte
 * chunks over a lossy, duplicating network; isolate a follower, write past several compactions, heal, and
 * assert the follower received a multi-chunk snapshot and converged to the leader's state.
 */
import { describe, expect, it } from 'vitest';
import { Scenario } from './harness.js';

describe('snapshot scenarios', () => {
  it('far-behind follower catches up by chunked snapshot over a lossy network', async () => {
    const t = Scenario.start({
      nodeCount: 3,
      replicasPerGroup: 3,
      raft: { snapshotEveryEntries: 5, compactionTailEntries: 0 },
      network: { snapshotChunkBytes: 64, lossProbability: 0.1, duplicateProbability: 0.2 },
    });
    const leader = await t.awaitLeader(0);
    const follower = [1, 2, 3].find((id) => id !== leader) as number;
    t.node(follower).dropAll({ direction: 'both' });
    for (let i = 0; i < 30; i++) await t.put(0, `k${i % 3}`, i);
    const leaderReplica = t.node(leader).sim.replicas.get(0);
    expect(leaderReplica?.storage.firstIndex()).toBeGreaterThan(t.node(follower).applied(0) + 1);

    const received = t.node(follower).sim.snapshotsReceived;
    t.heal();
    await t.until(
      () => t.node(follower).applied(0) >= (leaderReplica?.applied ?? Infinity),
      800,
      'follower catching up'
    );
    expect(t.node(follower).sim.snapshotsReceived).toBeGreaterThan(received);
    expect(
      t.cluster.trace.tail(400).some((line) => /send snapshot@\d+ to n\d+ as ([2-9]|\d\d+) chunks/.test(line))
    ).toBe(true);
    expect(t.node(follower).digest(0)).toBe(t.node(leader).digest(0));
    t.assertNoViolations();
  });
});
