/**
 * Goal: the core elects, replicates and commits in the simplest settings; a fast first signal before the
 * paper tests. Method: the synchronous TestNetwork.
 */
import { describe, expect, it } from 'vitest';
import { TestNetwork } from './support/network.js';

describe('raft smoke', () => {
  it('single node elects itself and commits a proposal', () => {
    const net = new TestNetwork([1]);
    net.campaign(1);
    expect(net.raw(1).raft.role).toBe('leader');
    net.propose(1, 'a');
    expect(net.appliedData(1)).toEqual(['a']);
  });

  it('three nodes elect node 1 and replicate to all', () => {
    const net = new TestNetwork([1, 2, 3]);
    net.campaign(1);
    expect(net.leader()).toBe(1);
    net.propose(1, 'x');
    net.propose(2, 'y'); // forwarded by a follower
    net.tickAll(2); // heartbeats carry the commit index to followers
    for (const id of [1, 2, 3]) expect(net.appliedData(id)).toEqual(['x', 'y']);
  });

  it('elects a leader by ticking alone (randomized timeouts)', () => {
    const net = new TestNetwork([1, 2, 3, 4, 5]);
    net.tickAll(40);
    const leader = net.leader();
    expect(leader).toBeDefined();
    const terms = new Set([...net.nodes.values()].map((node) => node.rawNode.raft.term));
    expect(terms.size).toBe(1);
  });
});

describe('raft smoke: reads', () => {
  it('a ReadIndex at a follower is forwarded and answered to the follower, not kept by the leader', () => {
    const net = new TestNetwork([1, 2, 3]);
    net.campaign(1);
    net.propose(1, 'x');
    net.raw(2).readIndex(new TextEncoder().encode('ctx-1'));
    net.stabilize();
    expect(net.node(1).readStates).toHaveLength(0);
    expect(net.node(2).readStates).toHaveLength(1);
    expect(new TextDecoder().decode(net.node(2).readStates[0]?.requestContext)).toBe('ctx-1');
    expect(net.node(2).readStates[0]?.index).toBe(net.raw(1).raft.raftLog.committed);
  });
});
