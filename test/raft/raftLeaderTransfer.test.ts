/**
 * Goal: leadership transfer (thesis §3.10) as etcd-raft's raft_test.go specifies it: an up-to-date transferee
 * gets TimeoutNow at once, a lagging one after it caught up (through a snapshot if need be); the transfer is
 * abandoned after an election timeout; proposals are dropped while it is under way; requests to the leader
 * itself, to non-members and to learners are ignored; a removed or demoted transferee aborts it; a higher term
 * ends it; the transferee's campaign overrides the other followers' CheckQuorum leases.
 *
 * Method: TestNetwork scenarios; TimeoutNow is dropped or the transferee isolated to keep a transfer pending.
 */
import { describe, expect, it } from 'vitest';
import { ProposalDroppedError } from '../../src/raft/core/errors.js';
import type { Message, NodeId, RaftRole } from '../../src/raft/core/types.js';
import { NONE, makeMessage } from '../../src/raft/core/types.js';
import type { NodeOptions } from './support/network.js';
import { TestNetwork, drainNode, newTestNode, summarize } from './support/network.js';

const PLAIN: NodeOptions = { preVote: false, checkQuorum: false };
const ELECTION_TICKS = 10;
const HEARTBEAT_TICKS = 1;

/** Asks `requester` (the leader, or a follower that forwards it) to hand leadership to `transferee`. */
function transfer(net: TestNetwork, requester: NodeId, transferee: NodeId): void {
  net.raw(requester).transferLeader(transferee);
  net.stabilize();
}

/** etcd's checkLeaderTransferState: role and known leader of `id`, and no transfer pending. */
function expectTransferState(net: TestNetwork, id: NodeId, role: RaftRole, leader: NodeId): void {
  const raft = net.raw(id).raft;
  expect([raft.role, raft.leader, raft.leadTransferee]).toEqual([role, leader, NONE]);
}

function electedNetwork(options: NodeOptions = PLAIN): TestNetwork {
  const net = new TestNetwork([1, 2, 3], options);
  net.campaign(1);
  expect(net.raw(1).raft.role).toBe('leader');
  return net;
}

describe('leadership transfer', () => {
  it('to an up-to-date follower happens at once, and back again after more replication', () => {
    const net = electedNetwork();

    transfer(net, 1, 2);
    expectTransferState(net, 1, 'follower', 2);
    expect(net.raw(2).raft.role).toBe('leader');

    net.propose(2, 'after');
    transfer(net, 2, 1);
    expectTransferState(net, 1, 'leader', 1);
    expect(summarize(net)).toEqual([
      { id: 1, role: 'leader', term: 3, lastIndex: 4 },
      { id: 2, role: 'follower', term: 3, lastIndex: 4 },
      { id: 3, role: 'follower', term: 3, lastIndex: 4 },
    ]);
  });

  it('requested at the transferee itself: the follower forwards the request to the leader', () => {
    const net = electedNetwork();

    net.raw(2).transferLeader(2);
    net.stabilize();
    expectTransferState(net, 1, 'follower', 2);

    net.propose(2, 'after');
    net.raw(1).transferLeader(1);
    net.stabilize();
    expectTransferState(net, 1, 'leader', 1);
  });

  it('overrides the followers’ CheckQuorum leases: the transferee’s votes carry the transfer context', () => {
    const net = electedNetwork({ preVote: true, checkQuorum: true });
    net.tickAll(3); // everyone is well inside the leader's lease

    transfer(net, 1, 2);
    expectTransferState(net, 1, 'follower', 2);
    net.propose(2, 'after');
    transfer(net, 2, 1);
    expectTransferState(net, 1, 'leader', 1);
  });

  it('to a lagging follower waits until it has caught up, then completes', () => {
    const net = electedNetwork();
    net.isolate(3);
    net.propose(1, '');
    net.recover();
    expect(net.raw(1).status().progress?.get(3)?.match).toBe(1);

    transfer(net, 1, 3);

    expectTransferState(net, 1, 'follower', 3);
    expect(net.raw(3).raft.role).toBe('leader');
    expect(net.raw(3).raft.raftLog.lastIndex()).toBe(3);
  });

  it('to a follower that needs a snapshot completes only once the snapshot is installed and acknowledged', () => {
    const net = electedNetwork();
    net.isolate(3);
    net.propose(1, '');
    const leader = net.node(1);
    const applied = leader.rawNode.raft.raftLog.applied;
    const snapshot = leader.storage.prepareSnapshot(
      applied,
      leader.rawNode.raft.tracker.confState(),
      new Uint8Array(0)
    );
    leader.storage.recordSnapshot(snapshot);
    leader.storage.compactNow(applied);
    net.recover();

    let held: Message | undefined;
    net.msgHook = (message) => {
      if (message.type !== 'appResp' || message.from !== 3 || message.reject) return true;
      held = message;
      return false;
    };
    transfer(net, 1, 3);
    expect(net.delivered.some((message) => message.type === 'snap' && message.to === 3)).toBe(true);
    expect(net.raw(1).raft.role).toBe('leader');
    expect(net.raw(1).raft.leadTransferee).toBe(3);
    expect(held).toBeDefined();

    net.msgHook = undefined;
    net.send(held as Message);
    expectTransferState(net, 1, 'follower', 3);
  });

  it('to itself is a no-op', () => {
    const net = electedNetwork();
    transfer(net, 1, 1);
    expectTransferState(net, 1, 'leader', 1);
  });

  it('to a node that is not a member is ignored', () => {
    const net = electedNetwork();
    transfer(net, 1, 4);
    expectTransferState(net, 1, 'leader', 1);
  });

  it('to a learner is ignored', () => {
    const net = new TestNetwork([1, 2], PLAIN, [3]);
    net.campaign(1);
    transfer(net, 1, 3);
    expectTransferState(net, 1, 'leader', 1);
    expect(net.delivered.filter((message) => message.type === 'timeoutNow')).toEqual([]);
  });

  it('is abandoned after an election timeout if the transferee does not take over', () => {
    const net = electedNetwork();
    net.isolate(3);
    transfer(net, 1, 3);
    expect(net.raw(1).raft.leadTransferee).toBe(3);

    for (let tick = 0; tick < HEARTBEAT_TICKS; tick++) net.raw(1).tick();
    expect(net.raw(1).raft.leadTransferee).toBe(3);
    for (let tick = 0; tick < ELECTION_TICKS - HEARTBEAT_TICKS; tick++) net.raw(1).tick();

    expectTransferState(net, 1, 'leader', 1);
  });

  it('drops proposals while it is under way', () => {
    const net = electedNetwork();
    net.isolate(3);
    transfer(net, 1, 3);
    const match = net.raw(1).status().progress?.get(1)?.match;

    expect(() => net.raw(1).propose(new Uint8Array(0))).toThrow(ProposalDroppedError);
    net.propose(2, 'forwarded'); // a follower's forwarded proposal is dropped quietly at the leader

    expect(net.raw(1).status().progress?.get(1)?.match).toBe(match);
    expect(net.raw(1).raft.raftLog.lastIndex()).toBe(1);
  });

  it('ends when a higher-term vote deposes the leader', () => {
    const net = electedNetwork();
    net.isolate(3);
    transfer(net, 1, 3);
    expect(net.raw(1).raft.leadTransferee).toBe(3);

    net.campaign(2);

    expectTransferState(net, 1, 'follower', 2);
  });

  it('is aborted when the transferee is removed', () => {
    const net = electedNetwork();
    net.dropType('timeoutNow');
    transfer(net, 1, 3);
    expect(net.raw(1).raft.leadTransferee).toBe(3);

    net.raw(1).applyConfChange({ kind: 'removeNode', nodeId: 3 });

    expectTransferState(net, 1, 'leader', 1);
  });

  it('is aborted when the transferee is demoted to a learner', () => {
    const net = electedNetwork();
    net.dropType('timeoutNow');
    transfer(net, 1, 3);

    net.raw(1).applyConfChange({ kind: 'addLearner', nodeId: 3 });

    expectTransferState(net, 1, 'leader', 1);
  });

  it('back to the leader itself cancels the pending transfer', () => {
    const net = electedNetwork();
    net.isolate(3);
    transfer(net, 1, 3);
    expect(net.raw(1).raft.leadTransferee).toBe(3);

    transfer(net, 1, 1);

    expectTransferState(net, 1, 'leader', 1);
  });

  it('a second transfer to another node replaces the pending one and completes', () => {
    const net = electedNetwork();
    net.isolate(3);
    transfer(net, 1, 3);

    transfer(net, 1, 2);

    expectTransferState(net, 1, 'follower', 2);
  });

  it('a second request to the same node does not extend the timeout', () => {
    const net = electedNetwork();
    net.isolate(3);
    transfer(net, 1, 3);
    for (let tick = 0; tick < HEARTBEAT_TICKS; tick++) net.raw(1).tick();

    transfer(net, 1, 3);
    for (let tick = 0; tick < ELECTION_TICKS - HEARTBEAT_TICKS; tick++) net.raw(1).tick();

    expectTransferState(net, 1, 'leader', 1);
  });

  it('TimeoutNow at a node outside its own configuration does nothing, even with votes', () => {
    const node = newTestNode(1, { voters: [2, 3, 4] }, PLAIN);

    node.rawNode.step(makeMessage({ type: 'timeoutNow', from: 2, to: 1 }));
    node.rawNode.raft.step(makeMessage({ type: 'voteResp', from: 2, to: 1, term: 1 }));
    node.rawNode.raft.step(makeMessage({ type: 'voteResp', from: 3, to: 1, term: 1 }));
    drainNode(node);

    expect(node.rawNode.raft.role).toBe('follower');
  });
});
