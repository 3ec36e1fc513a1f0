/**
 * Goal: partitions behave as Raft with PreVote and CheckQuorum promises. Method: a quiet 3-node simulated
 * cluster (real MultiRaft/RawNode, simulated network and disk); cut links of one node, run simulated ticks,
 * and assert roles, terms and commits, with every per-event invariant checker on.
 */
import { describe, expect, it } from 'vitest';
import { Scenario } from './harness.js';

describe('partition scenarios', () => {
  it('partition: isolate leader symmetric; majority elects a new leader and the old one steps down (CheckQuorum)', async () => {
    const t = Scenario.start({ nodeCount: 3, replicasPerGroup: 3 });
    const oldLeader = await t.awaitLeader(0);
    const oldTerm = t.node(oldLeader).term(0);
    await t.put(0, 'x', 1);

    t.node(oldLeader).dropAll({ direction: 'both' });
    await t.until(() => t.leaderId(0) !== null && t.leaderId(0) !== oldLeader, 400, 'new leader in the majority');
    const newLeader = t.leaderId(0) as number;
    expect(t.node(newLeader).term(0)).toBeGreaterThan(oldTerm);
    // CheckQuorum: without hearing from a quorum for an election timeout the isolated leader steps down.
    await t.until(() => t.node(oldLeader).role(0) !== 'leader', 400, 'old leader stepping down');
    expect(t.node(oldLeader).term(0)).toBe(oldTerm); // PreVote: the isolated node does not inflate its term

    await t.put(0, 'x', 2); // the majority keeps committing
    t.heal();
    await t.until(
      () => t.node(oldLeader).sim.replicas.get(0)?.rawNode.raft.leader === newLeader,
      400,
      'old leader following'
    );
    expect(await t.read(0, 'x')).toBe(2);
    await t.until(() => t.node(oldLeader).applied(0) === t.node(newLeader).applied(0), 400, 'old leader catching up');
    expect(t.node(oldLeader).digest(0)).toBe(t.node(newLeader).digest(0));
    t.assertNoViolations();
  });

  it('one-way: follower receive-only; leader keeps committing and keeps its term', async () => {
    const t = Scenario.start({ nodeCount: 3, replicasPerGroup: 3 });
    const leader = await t.awaitLeader(0);
    const term = t.node(leader).term(0);
    const follower = [1, 2, 3].find((id) => id !== leader) as number;

    t.node(follower).dropAll({ direction: 'outgoing' }); // it hears the leader but nobody hears it
    const commitBefore = t.node(leader).commit(0);
    for (let i = 0; i < 5; i++) await t.put(0, `k${i}`, i);
    await t.ticks(200);

    expect(t.leaderId(0)).toBe(leader);
    expect(t.node(leader).term(0)).toBe(term);
    expect(t.node(leader).commit(0)).toBeGreaterThanOrEqual(commitBefore + 5);
    // Heartbeats keep reaching the follower, so it never campaigns.
    expect(t.node(follower).term(0)).toBe(term);
    expect(t.node(follower).role(0)).toBe('follower');
    t.assertNoViolations();
  });

  it('one-way: follower send-only; its pre-votes cannot disrupt the leader', async () => {
    const t = Scenario.start({ nodeCount: 3, replicasPerGroup: 3 });
    const leader = await t.awaitLeader(0);
    const term = t.node(leader).term(0);
    const follower = [1, 2, 3].find((id) => id !== leader) as number;

    t.node(follower).dropAll({ direction: 'incoming' }); // it hears nothing, campaigns, everyone hears it
    for (let i = 0; i < 3; i++) await t.put(0, `k${i}`, i);
    await t.ticks(300);

    // PreVote: peers that hear from the leader reject the pre-vote, so the term never moves.
    expect(t.leaderId(0)).toBe(leader);
    expect(t.node(leader).term(0)).toBe(term);
    expect(t.node(follower).role(0)).not.toBe('leader');
    t.assertNoViolations();
  });
});
