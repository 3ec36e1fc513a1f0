/**
 * Goal: one-at-a-time membership changes work end to end, including removing the leader. Method: a quiet
 * 3-node simulated cluster; a new node 4 is created on demand and added as a learner, promoted to voter, then
 * the leader hands leadership over and is removed by its successor; assert configurations, the new leader, replica GC of the removed node, and that
 * writes keep committing and replicas converge.
 */
import { describe, expect, it } from 'vitest';
import { Scenario } from './harness.js';

describe('membership scenarios', () => {
  it('membership: add learner, promote, remove leader', async () => {
    const t = Scenario.start({ nodeCount: 3, replicasPerGroup: 3 });
    const leader = await t.awaitLeader(0);
    await t.put(0, 'a', 1);

    const joiner = t.addNode(4);
    joiner.sim.createReplica(0, null);
    expect(t.proposeConfChange(0, { kind: 'addLearner', nodeId: 4 })).toBe(true);
    await t.until(() => t.confState(0)?.learners.includes(4) === true, 300, 'learner 4 in the configuration');
    await t.until(() => joiner.applied(0) >= t.node(leader).applied(0), 500, 'learner catching up');
    expect(joiner.role(0)).toBe('follower');

    expect(t.proposeConfChange(0, { kind: 'addNode', nodeId: 4 })).toBe(true);
    await t.until(() => t.confState(0)?.voters.includes(4) === true, 300, 'node 4 promoted to voter');
    await t.put(0, 'a', 2);

    // A leader may not remove itself (it could leave the group leaderless): it hands leadership over first.
    expect(t.proposeConfChange(0, { kind: 'removeNode', nodeId: leader })).toBe(false);
    t.node(leader).sim.withRawNode(0, (rawNode) => rawNode.transferLeader(4));
    await t.until(() => t.leaderId(0) !== null && t.leaderId(0) !== leader, 600, 'a leader other than the old one');
    await t.until(() => t.proposeConfChange(0, { kind: 'removeNode', nodeId: leader }), 300, 'removal proposed');
    await t.until(() => !t.node(leader).sim.replicas.has(0), 300, 'replica GC on the removed node');
    expect(t.confState(0)?.voters).toEqual([1, 2, 3, 4].filter((id) => id !== leader));

    await t.put(0, 'a', 3);
    expect(await t.read(0, 'a')).toBe(3);
    const newLeader = t.leaderId(0) as number;
    for (const id of t.confState(0)?.voters ?? []) {
      await t.until(() => t.node(id).applied(0) === t.node(newLeader).applied(0), 300, `n${id} converging`);
      expect(t.node(id).digest(0)).toBe(t.node(newLeader).digest(0));
    }
    t.assertNoViolations();
  });
});
