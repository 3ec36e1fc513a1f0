/**
 * Goal: a crash loses exactly the unsynced writes, and nothing acknowledged depends on them. Method: a quiet
 * 3-node simulated cluster with slow syncs; write and await acks, then power-loss every node at once (each
 * loses all its unsynced batches), restart, and read every acknowledged write back through ReadIndex.
 */
import { describe, expect, it } from 'vitest';
import { Scenario } from './harness.js';

describe('crash scenarios', () => {
  it('crash loses unsynced writes: acked writes survive a power loss of every node', async () => {
    const t = Scenario.start({
      nodeCount: 3,
      replicasPerGroup: 3,
      disk: { syncDelayMinTicks: 2, syncDelayMeanTicks: 6, unsyncedLossFraction: 1 },
    });
    await t.awaitLeader(0);
    const acked = new Map<string, number>();
    for (let i = 0; i < 12; i++) {
      await t.put(0, `key${i % 4}`, 100 + i);
      acked.set(`key${i % 4}`, 100 + i);
    }
    // More writes in flight, unacknowledged, so the crash finds unsynced batches to lose.
    t.workload(true);
    await t.ticks(15);
    t.workload(false);

    let lostBatches = 0;
    for (const id of [1, 2, 3]) lostBatches += t.node(id).crash().lost;
    expect(lostBatches).toBeGreaterThan(0);
    for (const id of [1, 2, 3]) t.node(id).restart();

    await t.awaitLeader(0);
    for (const [key, value] of acked) {
      const read = await t.read(0, key);
      // The workload may have overwritten the key after our ack, never with an older value of ours.
      if (read !== value) expect(read === null ? -1 : read).toBeGreaterThan(value);
    }
    expect(t.linearizability().status).toBe('ok');
    t.assertNoViolations();
  });

  it('crash of a follower mid-stream: it restarts from its durable state and re-applies the log', async () => {
    const t = Scenario.start({ nodeCount: 3, replicasPerGroup: 3, raft: { snapshotEveryEntries: 1000 } });
    const leader = await t.awaitLeader(0);
    const follower = [1, 2, 3].find((id) => id !== leader) as number;
    for (let i = 0; i < 8; i++) await t.put(0, 'k', i);
    await t.until(() => t.node(follower).applied(0) === t.node(leader).applied(0), 200, 'follower caught up');
    const appliedBefore = t.node(follower).applied(0);

    t.node(follower).crash();
    t.node(follower).restart();
    // No snapshot beyond the bootstrap one: the restarted replica starts at applied 1 and re-applies.
    expect(t.node(follower).applied(0)).toBe(1);
    await t.until(() => t.node(follower).applied(0) >= appliedBefore, 300, 'follower re-applying its log');
    expect(t.node(follower).digest(0)).toBe(t.node(leader).digest(0));
    t.assertNoViolations();
  });
});
