/**
 * Goal: single-node membership changes (thesis §4.1) take effect when their entry is applied and keep the
 * cluster safe: adding a voter or a learner, promoting a learner, removing a node (a leader never removes itself;
 * one that applies its own removal hands leadership over;
 * a smaller quorum commits what was pending), one unapplied change at a time (a new leader treats its whole log
 * as possibly holding one), learners never count toward a quorum, a node with a committed but unapplied change
 * does not campaign, and CheckQuorum gives a new member a grace period.
 *
 * Method: TestNetwork scenarios where conf changes travel as log entries and are applied by the network's
 * Ready processing, plus hand-made leaders whose Ready cycles the test runs itself.
 */
import { describe, expect, it } from 'vitest';
import { encodeConfChange } from '../../src/raft/core/confChange.js';
import { ProposalDroppedError, StepPeerNotFoundError } from '../../src/raft/core/errors.js';
import type { ConfChange, NodeId } from '../../src/raft/core/types.js';
import { NONE, makeMessage } from '../../src/raft/core/types.js';
import type { NodeOptions, TestNode } from './support/network.js';
import {
  TestNetwork,
  drainNode,
  entriesWithTerms,
  logPositions,
  newTestNode,
  newTestStorage,
  summarize,
} from './support/network.js';

const PLAIN: NodeOptions = { preVote: false, checkQuorum: false };
const ELECTION_TICKS = 10;

function changeMembership(net: TestNetwork, proposer: NodeId, change: ConfChange): void {
  net.raw(proposer).proposeConfChange(change);
  net.stabilize();
  net.tickAll(1); // followers learn the commit index and apply the change too
}

function voters(net: TestNetwork, id: NodeId) {
  return net.raw(id).raft.tracker.confState();
}

function handMadeLeader(ids: readonly NodeId[], options: NodeOptions = PLAIN): TestNode {
  const node = newTestNode(1, { voters: ids }, options);
  node.rawNode.raft.becomeCandidate();
  node.rawNode.raft.becomeLeader();
  drainNode(node);
  return node;
}

describe('adding members', () => {
  it('adds a voter: it catches up, counts toward the quorum, and every node applies the new configuration', () => {
    const net = new TestNetwork([1, 2], PLAIN);
    net.campaign(1);
    net.propose(1, 'before');
    net.addNode(3, newTestStorage([1, 2]), PLAIN);

    changeMembership(net, 2, { kind: 'addNode', nodeId: 3 }); // proposed at a follower, forwarded

    for (const id of [1, 2, 3]) expect(voters(net, id)).toEqual({ voters: [1, 2, 3], learners: [] });
    expect(logPositions(net.raw(3).raft.raftLog.allEntries())).toEqual(
      logPositions(net.raw(1).raft.raftLog.allEntries())
    );
    expect(net.appliedData(3)).toEqual(['before']);

    net.isolate(2);
    net.propose(1, 'with 3');
    expect(net.appliedData(1)).toEqual(['before', 'with 3']); // {1, 3} is a quorum of three
    net.isolate(3);
    net.propose(1, 'alone');
    expect(net.appliedData(1)).toEqual(['before', 'with 3']); // 1 of 3 is not
  });

  it('adds a learner: it receives the log but its acks never make a quorum', () => {
    const net = new TestNetwork([1, 2], PLAIN);
    net.campaign(1);
    net.addNode(3, newTestStorage([1, 2]), PLAIN);
    changeMembership(net, 1, { kind: 'addLearner', nodeId: 3 });
    expect(voters(net, 3)).toEqual({ voters: [1, 2], learners: [3] });
    expect(net.raw(3).raft.isLearner).toBe(true);

    net.isolate(2);
    net.propose(1, 'needs 2');

    expect(net.raw(3).raft.raftLog.lastIndex()).toBe(net.raw(1).raft.raftLog.lastIndex());
    expect(net.raw(1).status().progress?.get(3)?.match).toBe(net.raw(1).raft.raftLog.lastIndex());
    expect(net.appliedData(1)).toEqual([]);
  });

  it('promotes a learner to a voter, which may then campaign and win', () => {
    const net = new TestNetwork([1, 2], PLAIN, [3]);
    net.campaign(1);
    net.campaign(3);
    expect(net.raw(3).raft.role).toBe('follower'); // a learner never campaigns

    changeMembership(net, 1, { kind: 'addNode', nodeId: 3 });
    expect(voters(net, 1)).toEqual({ voters: [1, 2, 3], learners: [] });
    expect(net.raw(3).raft.isLearner).toBe(false);
    net.campaign(3);

    expect(summarize(net).map((row) => [row.id, row.role])).toEqual([
      [1, 'follower'],
      [2, 'follower'],
      [3, 'leader'],
    ]);
  });

  it('a new member’s progress counts as recently active, so CheckQuorum does not depose the leader at once', () => {
    const node = handMadeLeader([1], { preVote: false, checkQuorum: true });
    for (let tick = 0; tick < ELECTION_TICKS - 1; tick++) node.rawNode.tick();
    node.rawNode.applyConfChange({ kind: 'addNode', nodeId: 2 });

    node.rawNode.tick(); // the quorum check of this round sees node 2 as active
    expect(node.rawNode.raft.role).toBe('leader');

    for (let tick = 0; tick < ELECTION_TICKS; tick++) node.rawNode.tick();
    expect(node.rawNode.raft.role).toBe('follower'); // node 2 never answered
  });
});

describe('removing members', () => {
  it('removes a voter: the leader forgets it, the quorum shrinks, and the removed node never campaigns', () => {
    const net = new TestNetwork([1, 2, 3], PLAIN);
    net.campaign(1);
    changeMembership(net, 1, { kind: 'removeNode', nodeId: 3 });

    expect(voters(net, 1)).toEqual({ voters: [1, 2], learners: [] });
    expect(net.raw(1).status().progress?.has(3)).toBe(false);
    expect(net.raw(3).raft.promotable()).toBe(false);
    net.tick(3, 3 * ELECTION_TICKS);
    expect(net.raw(3).raft.role).toBe('follower');
    expect(net.raw(3).raft.term).toBe(1);
    expect(() => net.raw(1).step(makeMessage({ type: 'appResp', from: 3, to: 1, term: 1, index: 1 }))).toThrow(
      StepPeerNotFoundError
    );

    net.propose(1, 'two voters');
    expect(net.appliedData(2)).toEqual(['two voters']);
  });

  it('removing a node lets the smaller quorum commit what was pending', () => {
    const node = handMadeLeader([1, 2]);
    node.rawNode.step(makeMessage({ type: 'appResp', from: 2, to: 1, term: 1, index: 1 }));
    drainNode(node);
    node.rawNode.proposeConfChange({ kind: 'removeNode', nodeId: 2 });
    const confChangeIndex = node.rawNode.raft.raftLog.lastIndex();
    node.rawNode.propose(new TextEncoder().encode('hello'));
    drainNode(node);
    expect(node.rawNode.raft.raftLog.committed).toBe(1);

    node.rawNode.step(makeMessage({ type: 'appResp', from: 2, to: 1, term: 1, index: confChangeIndex }));
    drainNode(node); // applies the removal: node 1 alone is the quorum now

    expect(node.rawNode.raft.tracker.confState()).toEqual({ voters: [1], learners: [] });
    expect(node.rawNode.raft.raftLog.committed).toBe(confChangeIndex + 1);
    expect(node.applied.map((entry) => new TextDecoder().decode(entry.data))).toContain('hello');
  });

  it('a leader refuses to remove or demote itself; after a transfer the new leader removes it (table)', () => {
    const net = new TestNetwork([1, 2, 3], PLAIN);
    net.campaign(1);
    expect(() => net.raw(1).proposeConfChange({ kind: 'removeNode', nodeId: 1 })).toThrow(/transfer leadership/);
    expect(() => net.raw(1).proposeConfChange({ kind: 'addLearner', nodeId: 1 })).toThrow(/transfer leadership/);

    net.raw(1).transferLeader(2);
    net.stabilize();
    expect(net.leader()).toBe(2);
    changeMembership(net, 2, { kind: 'removeNode', nodeId: 1 });
    net.tickAll(4 * ELECTION_TICKS);

    const table = summarize(net);
    expect(table[0]?.role).toBe('follower');
    expect(table.find((row) => row.role === 'leader')?.id).toBe(2);
    for (const id of [2, 3]) expect(voters(net, id)).toEqual({ voters: [2, 3], learners: [] });
  });

  it('a leader that applies its own removal (proposed by an earlier leader) hands leadership over, never leaderless', () => {
    // CheckQuorum on (the default): members answer the deposed non-member's heartbeats with their higher term.
    const net = new TestNetwork([1, 2, 3], { preVote: false, checkQuorum: true });
    net.campaign(1);
    // Leader 1 proposes removing 2; the entry reaches 2 but 2's acknowledgement is lost and 3 never sees it.
    net.cut(1, 3);
    net.cutOneWay(2, 1);
    net.raw(1).proposeConfChange({ kind: 'removeNode', nodeId: 2 });
    net.stabilize();
    expect(net.raw(1).raft.raftLog.committed).toBeLessThan(net.raw(1).raft.raftLog.lastIndex());
    // Leader 1 goes away; 2 (longer log) wins with 3's vote and commits the removal of itself.
    net.recover();
    net.isolate(1);
    net.tick(3, ELECTION_TICKS); // 3's lease on leader 1 expires
    net.campaign(2);
    expect(net.raw(2).raft.tracker.confState().voters).toEqual([1, 3]);
    // Still leading (refusing proposals) while it hands over rather than stepping down at once.
    expect(net.raw(2).raft.role).toBe('leader');
    expect(() => net.raw(2).propose(new TextEncoder().encode('x'))).toThrow(ProposalDroppedError);
    net.recover();
    net.tickAll(4 * ELECTION_TICKS);
    expect(net.leader()).toBe(3);
    expect(net.raw(2).raft.role).toBe('follower');
    for (const id of [1, 3]) expect(voters(net, id)).toEqual({ voters: [1, 3], learners: [] });
    net.propose(3, 'after');
    net.tickAll(2);
    expect(net.appliedData(1)).toContain('after');
  });

  it('refuses to remove or demote the last voter', () => {
    const node = handMadeLeader([1]);
    expect(() => node.rawNode.proposeConfChange({ kind: 'removeNode', nodeId: 1 })).toThrow(ProposalDroppedError);
    expect(() => node.rawNode.proposeConfChange({ kind: 'addLearner', nodeId: 1 })).toThrow(ProposalDroppedError);
    expect(node.rawNode.raft.raftLog.lastIndex()).toBe(1);
  });
});

describe('one change at a time', () => {
  it('proposing a conf change records it as pending', () => {
    const node = handMadeLeader([1, 2]);
    const lastIndex = node.rawNode.raft.raftLog.lastIndex();
    node.rawNode.proposeConfChange({ kind: 'addNode', nodeId: 3 });
    expect(node.rawNode.raft.raftLog.lastIndex()).toBe(lastIndex + 1);
    expect(node.rawNode.raft.pendingConfIndex).toBe(lastIndex + 1);
  });

  it('a second conf change is refused while one is pending, and accepted once it is applied', () => {
    const node = handMadeLeader([1, 2]);
    node.rawNode.proposeConfChange({ kind: 'addNode', nodeId: 3 });

    expect(() => node.rawNode.proposeConfChange({ kind: 'addNode', nodeId: 4 })).toThrow(ProposalDroppedError);
    const lastIndex = node.rawNode.raft.raftLog.lastIndex();

    for (const sent of drainNode(node)) {
      if (sent.type === 'app') {
        node.rawNode.step(
          makeMessage({ type: 'appResp', from: 2, to: 1, term: 1, index: sent.index + sent.entries.length })
        );
      }
    }
    drainNode(node); // commits and applies the first change
    expect(node.rawNode.raft.raftLog.applied).toBe(lastIndex);
    node.rawNode.proposeConfChange({ kind: 'addNode', nodeId: 4 });
    expect(node.rawNode.raft.raftLog.lastIndex()).toBe(lastIndex + 1);
  });

  it('a second conf change in one network is refused while the first cannot commit', () => {
    const net = new TestNetwork([1, 2, 3], PLAIN);
    net.campaign(1);
    net.isolate(2);
    net.isolate(3);
    net.raw(1).proposeConfChange({ kind: 'removeNode', nodeId: 3 });
    expect(() => net.raw(1).proposeConfChange({ kind: 'addLearner', nodeId: 4 })).toThrow(ProposalDroppedError);
    net.raw(1).propose(new TextEncoder().encode('normal entries are still accepted'));
    expect(net.raw(1).raft.raftLog.lastIndex()).toBe(3);
  });

  it.each([
    [false, 0],
    [true, 1],
  ])(
    'a new leader treats its whole log as possibly holding a conf change (uncommitted entry: %s)',
    (withEntry, pending) => {
      const node = newTestNode(
        1,
        {
          voters: [1, 2],
          entries: withEntry ? entriesWithTerms(1, 1) : [],
          hardState: { term: 1, vote: NONE, commit: 0 },
        },
        PLAIN
      );
      node.rawNode.raft.becomeCandidate();
      node.rawNode.raft.becomeLeader();
      expect(node.rawNode.raft.pendingConfIndex).toBe(pending);
      if (withEntry)
        expect(() => node.rawNode.proposeConfChange({ kind: 'addNode', nodeId: 3 })).toThrow(ProposalDroppedError);
    }
  );
});

describe('campaigning with a committed but unapplied conf change', () => {
  function followerWithCommittedConfChange(): TestNode {
    const node = newTestNode(2, { voters: [1, 2, 3] }, PLAIN);
    const confChange = {
      term: 1,
      index: 2,
      kind: 'confChange' as const,
      data: encodeConfChange({ kind: 'removeNode', nodeId: 3 }),
    };
    node.rawNode.step(
      makeMessage({ type: 'app', from: 1, to: 2, term: 1, entries: [...entriesWithTerms(1, 1), confChange], commit: 2 })
    );
    expect(node.rawNode.raft.raftLog.committed).toBe(2);
    expect(node.rawNode.raft.raftLog.applied).toBe(0);
    return node;
  }

  it('does not campaign on timeout, on request, or on TimeoutNow until the change is applied', () => {
    const node = followerWithCommittedConfChange();
    for (let tick = 0; tick < 2 * ELECTION_TICKS; tick++) node.rawNode.tick();
    node.rawNode.campaign();
    node.rawNode.step(makeMessage({ type: 'timeoutNow', from: 1, to: 2, term: 1 }));
    expect(node.rawNode.raft.role).toBe('follower');
    expect(node.rawNode.raft.term).toBe(1);

    drainNode(node); // persists and applies, including the conf change
    expect(node.rawNode.raft.tracker.confState()).toEqual({ voters: [1, 2], learners: [] });
    node.rawNode.campaign();
    expect(node.rawNode.raft.role).toBe('candidate');
    expect(node.rawNode.raft.term).toBe(2);
  });

  it('a leadership transfer to such a node waits until it has applied the change', () => {
    const net = new TestNetwork([1, 2, 3], PLAIN);
    net.campaign(1);
    net.holdReady(2); // node 2's driver stalls: it learns entries and the commit but applies nothing
    net.raw(1).proposeConfChange({ kind: 'removeNode', nodeId: 3 });
    net.stabilize();
    net.tick(1); // the heartbeat brings node 2 the commit index
    expect(net.raw(2).raft.raftLog.committed).toBe(2);
    expect(net.raw(2).raft.raftLog.applied).toBe(1);

    net.send(makeMessage({ type: 'timeoutNow', from: 1, to: 2, term: 1 }));
    expect(net.raw(2).raft.role).toBe('follower');
    expect(net.raw(2).raft.term).toBe(1);

    net.releaseReady(2);
    net.stabilize();
    net.raw(1).transferLeader(2);
    net.stabilize();

    expect(net.raw(2).raft.role).toBe('leader');
    expect(net.raw(1).raft.role).toBe('follower');
    expect(voters(net, 2)).toEqual({ voters: [1, 2], learners: [] });
  });
});

describe('promotability', () => {
  it.each([
    [[1], true],
    [[1, 2, 3], true],
    [[], false],
    [[2, 3], false],
  ] as Array<[NodeId[], boolean]>)('node 1 with voters %j is promotable: %s', (ids, expected) => {
    const node = newTestNode(1, { voters: ids }, PLAIN);
    expect(node.rawNode.raft.promotable()).toBe(expected);
  });
});
