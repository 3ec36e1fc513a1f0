/**
 * Goal: linearizable reads through ReadIndex (thesis §6.4) and lease reads (§6.4.1) are served at the right
 * index and only when leadership is proven: a safe read needs a heartbeat round acknowledged by a quorum; a read
 * at a follower is forwarded to the leader and answered to the follower; a new leader postpones reads until it
 * has committed an entry of its term; a lease read is served locally only while the lease holds, never during a
 * leadership transfer; duplicated request contexts and delayed heartbeat responses never confirm a later read
 * early (etcd-raft's TestReadOnlyDuplicateRequest).
 *
 * Method: TestNetwork scenarios; message types are dropped or heartbeat responses held back (`msgHook`) to
 * control when a quorum acknowledges; the lease is exercised by ticking an isolated leader tick by tick.
 */
import { describe, expect, it } from 'vitest';
import type { Message, NodeId, ReadState } from '../../src/raft/core/types.js';
import { NONE, makeMessage } from '../../src/raft/core/types.js';
import type { NodeOptions } from './support/network.js';
import { TestNetwork, drainNode, entriesWithTerms, newFixtureStorage, newTestNode } from './support/network.js';

const PLAIN: NodeOptions = { preVote: false, checkQuorum: false };
const LEASE: NodeOptions = { preVote: false, checkQuorum: true, readOnlyOption: 'leaseBased' };
const ELECTION_TICKS = 10;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

function context(text: string): Uint8Array {
  return encoder.encode(text);
}

function reads(net: TestNetwork, id: NodeId): Array<[number, string]> {
  return net.node(id).readStates.map((state: ReadState) => [state.index, decoder.decode(state.requestContext)]);
}

function read(net: TestNetwork, id: NodeId, text: string): void {
  net.raw(id).readIndex(context(text));
  net.stabilize();
}

/**
 * A lease-read cluster with node 1 as leader. Nodes that just started refuse votes for an election timeout when
 * leases are in use, so the cluster ticks that long first (with timeouts pushed out so nobody campaigns).
 */
function leaseCluster(): TestNetwork {
  const net = new TestNetwork([1, 2, 3], LEASE);
  for (const node of net.nodes.values()) node.rawNode.raft.randomizedElectionTimeout = 1000;
  net.tickAll(ELECTION_TICKS);
  net.campaign(1);
  expect(net.raw(1).raft.role).toBe('leader');
  net.propose(1, 'a');
  return net;
}

/** Ticks everyone until the leader has just run its CheckQuorum round (its election clock is back at 0). */
function tickToQuorumCheck(net: TestNetwork, leader: NodeId): void {
  net.tickAll(1);
  while (net.raw(leader).raft.electionElapsed !== 0) net.tickAll(1);
}

describe('ReadIndex, safe option', () => {
  it('a single-voter leader answers at once with its commit index', () => {
    const net = new TestNetwork([1], PLAIN);
    net.campaign(1);
    net.propose(1, 'a');
    read(net, 1, 'r');
    expect(reads(net, 1)).toEqual([[2, 'r']]);
  });

  it('a read at the leader is served only after a quorum acknowledged a heartbeat round', () => {
    const net = new TestNetwork([1, 2, 3], PLAIN);
    net.campaign(1);
    net.propose(1, 'a');
    net.dropType('heartbeatResp');

    const deliveredBefore = net.delivered.length;
    read(net, 1, 'r1');
    expect(reads(net, 1)).toEqual([]);
    // The read started a heartbeat round (its context is the leader's round id, opaque to the test).
    const round = net.delivered.slice(deliveredBefore).filter((m) => m.type === 'heartbeat');
    expect(round.map((m) => m.to)).toEqual([2, 3]);
    expect(round.every((m) => m.context.byteLength > 0)).toBe(true);

    net.recover();
    net.tickAll(1); // the next heartbeat round carries the pending read's context

    expect(reads(net, 1)).toEqual([[2, 'r1']]);
  });

  it('an isolated leader never serves a safe read', () => {
    const net = new TestNetwork([1, 2, 3], PLAIN);
    net.campaign(1);
    net.isolate(1);
    read(net, 1, 'r');
    net.tick(1, ELECTION_TICKS - 1);
    expect(reads(net, 1)).toEqual([]);
  });

  it('a read at a follower is forwarded to the leader and answered to that follower', () => {
    const net = new TestNetwork([1, 2, 3], PLAIN);
    net.campaign(1);
    net.propose(1, 'a');

    read(net, 2, 'from-2');

    const forwarded = net.delivered.find((m) => m.type === 'readIndex');
    expect(forwarded).toMatchObject({ from: 2, to: 1 });
    expect(reads(net, 2)).toEqual([[2, 'from-2']]);
    expect(reads(net, 1)).toEqual([]);
  });

  it('reads at the leader and at followers return the commit index at request time (etcd TestReadOnlyOptionSafe)', () => {
    const net = new TestNetwork([1, 2, 3], PLAIN);
    net.campaign(1);
    const rounds: Array<[NodeId, number, string]> = [
      [1, 11, 'ctx1'],
      [2, 21, 'ctx2'],
      [3, 31, 'ctx3'],
      [1, 41, 'ctx4'],
      [2, 51, 'ctx5'],
      [3, 61, 'ctx6'],
    ];
    for (const [id, index, text] of rounds) {
      for (let i = 0; i < 10; i++) net.propose(1, '');
      read(net, id, text);
      expect(
        net.node(id).readStates.map((state) => [state.index, decoder.decode(state.requestContext)])
      ).toContainEqual([index, text]);
    }
  });

  it('a learner’s read is forwarded to the leader and answered to the learner', () => {
    const net = new TestNetwork([1], PLAIN, [2]);
    net.campaign(1);
    for (let i = 0; i < 10; i++) net.propose(1, '');

    read(net, 2, 'learner');

    expect(reads(net, 2)).toEqual([[11, 'learner']]);
  });

  it('a follower without a leader drops a read', () => {
    const net = new TestNetwork([1, 2, 3], PLAIN);
    read(net, 2, 'nobody');
    expect(net.delivered.filter((m) => m.type === 'readIndex')).toEqual([]);
    expect(reads(net, 2)).toEqual([]);
  });

  it('a new leader postpones a read until it commits an entry of its term, then serves it (etcd TestReadOnlyForNewLeader)', () => {
    const net = new TestNetwork([], PLAIN);
    const layout: Array<[NodeId, number, number]> = [
      [1, 1, 0],
      [2, 2, 2],
      [3, 2, 2],
    ];
    for (const [id, commit, compactIndex] of layout) {
      const storage = newFixtureStorage({
        voters: [1, 2, 3],
        entries: entriesWithTerms(1, 1, 1),
        hardState: { term: 1, vote: NONE, commit },
      });
      if (compactIndex > 0) storage.compactNow(compactIndex);
      net.addNode(id, storage, { ...PLAIN, applied: commit });
    }
    net.dropType('app'); // the new leader cannot commit its no-op
    net.campaign(1);
    expect(net.raw(1).raft.role).toBe('leader');

    read(net, 1, 'ctx');
    expect(reads(net, 1)).toEqual([]);

    net.recover();
    net.raw(1).tick(); // a heartbeat round is queued; the proposal below goes out with it
    net.propose(1, '');
    expect(net.raw(1).raft.raftLog.committed).toBe(4);
    expect(net.raw(1).raft.raftLog.term(4)).toBe(net.raw(1).raft.term);
    expect(reads(net, 1)).toEqual([[4, 'ctx']]);

    read(net, 1, 'ctx');
    expect(reads(net, 1)).toEqual([
      [4, 'ctx'],
      [4, 'ctx'],
    ]);
  });

  it('a retried read with the same context while the first is pending is answered once', () => {
    const net = new TestNetwork([1, 2, 3], PLAIN);
    net.campaign(1);
    net.dropType('heartbeatResp');
    read(net, 1, 'same');
    read(net, 1, 'same');
    net.recover();
    net.tickAll(1);
    expect(reads(net, 1)).toEqual([[1, 'same']]);
  });

  it('reads beyond pendingReadsMax are dropped; the queued ones are served', () => {
    const net = new TestNetwork([1, 2, 3], { ...PLAIN, pendingReadsMax: 2 });
    net.campaign(1);
    net.dropType('heartbeatResp');
    for (const text of ['r1', 'r2', 'r3']) read(net, 1, text);
    net.recover();
    net.tickAll(1);
    expect(reads(net, 1)).toEqual([
      [1, 'r1'],
      [1, 'r2'],
    ]);
  });

  it('a delayed heartbeat response and a duplicated request never confirm a later read early (etcd TestReadOnlyDuplicateRequest)', () => {
    const net = new TestNetwork([1, 2, 3], PLAIN);
    net.campaign(1);
    const readA = makeMessage({ type: 'readIndex', from: 2, to: 1, context: context('A') });
    const minimumA = net.raw(1).raft.raftLog.committed;
    const delayed: Message[] = [readA]; // the network (or a client retry) duplicates request A

    net.msgHook = (message) => {
      if (message.type !== 'heartbeatResp') return true;
      delayed.push(message); // the acknowledgements of A's heartbeat round arrive much later
      return false;
    };
    net.send(readA);
    net.msgHook = undefined;
    net.tick(1); // a later round confirms A

    net.isolate(1);
    net.campaign(2);
    net.propose(2, 'someOp');
    const minimumB = net.raw(2).raft.raftLog.committed;
    read(net, 1, 'B'); // at the deposed leader, which does not know it yet
    net.recover();
    net.send(...delayed);

    const all = [1, 2, 3].flatMap((id) => net.node(id).readStates);
    for (const state of all) {
      const text = decoder.decode(state.requestContext);
      if (text === 'A') expect(state.index).toBeGreaterThanOrEqual(minimumA);
      if (text === 'B') expect(state.index).toBeGreaterThanOrEqual(minimumB);
    }
    expect(all.some((state) => decoder.decode(state.requestContext) === 'A')).toBe(true);
  });
});

describe('ReadIndex, lease-based option', () => {
  it('a node that just started ignores vote requests for an election timeout when leases are in use', () => {
    const net = new TestNetwork([1, 2, 3], LEASE);
    net.campaign(1);
    expect(net.raw(1).raft.role).toBe('candidate');
    expect(net.raw(2).raft.vote).toBe(NONE);

    for (const node of net.nodes.values()) node.rawNode.raft.randomizedElectionTimeout = 1000;
    net.tickAll(ELECTION_TICKS);
    net.campaign(1);
    expect(net.raw(1).raft.role).toBe('leader');
  });

  it('a lease read is served locally while the lease holds and falls back to a heartbeat round once it expires', () => {
    const net = leaseCluster();
    tickToQuorumCheck(net, 1);
    net.isolate(1); // no heartbeat round can complete from here on
    const commit = net.raw(1).raft.raftLog.committed;

    read(net, 1, 'fresh');
    expect(reads(net, 1)).toEqual([[commit, 'fresh']]);

    const leaseTicks = net.raw(1).raft.leaseTicks;
    for (let tick = 0; tick < leaseTicks; tick++) net.tick(1);
    read(net, 1, 'last-lease-tick');
    expect(reads(net, 1)).toEqual([
      [commit, 'fresh'],
      [commit, 'last-lease-tick'],
    ]);

    net.tick(1); // the lease has now expired, yet CheckQuorum has not deposed the leader
    expect(net.raw(1).raft.role).toBe('leader');
    read(net, 1, 'expired');
    expect(reads(net, 1)).toHaveLength(2);

    net.recover();
    net.tick(1); // the heartbeat round confirms leadership
    expect(reads(net, 1)).toEqual([
      [commit, 'fresh'],
      [commit, 'last-lease-tick'],
      [commit, 'expired'],
    ]);
  });

  it('the lease is not used during a leadership transfer', () => {
    const net = leaseCluster();
    tickToQuorumCheck(net, 1);
    net.dropType('heartbeat');
    read(net, 1, 'before');
    expect(reads(net, 1)).toHaveLength(1); // served from the lease, no heartbeat round needed

    net.isolate(3);
    net.raw(1).transferLeader(3); // 3 is up to date: TimeoutNow is sent at once and lost
    net.stabilize();
    expect(net.raw(1).raft.leadTransferee).toBe(3);
    read(net, 1, 'during');
    expect(reads(net, 1)).toHaveLength(1); // the transferee may win inside our lease

    net.recover();
    net.isolate(3);
    net.tick(1); // a heartbeat round with node 2 confirms leadership
    expect(reads(net, 1).map(([, text]) => text)).toEqual(['before', 'during']);
  });

  it('a lease read at a follower is answered from the leader’s lease without a heartbeat round', () => {
    const net = leaseCluster();
    tickToQuorumCheck(net, 1);
    net.dropType('heartbeat');
    const commit = net.raw(1).raft.raftLog.committed;

    read(net, 2, 'follower-lease');

    expect(reads(net, 2)).toEqual([[commit, 'follower-lease']]);
  });

  it('reads at every node follow the commit index under leases (etcd TestReadOnlyOptionLease)', () => {
    const net = leaseCluster();
    const base = net.raw(1).raft.raftLog.committed;
    const rounds: Array<[NodeId, string]> = [
      [1, 'ctx1'],
      [2, 'ctx2'],
      [3, 'ctx3'],
    ];
    rounds.forEach(([id, text], round) => {
      for (let i = 0; i < 10; i++) net.propose(1, '');
      read(net, id, text);
      expect(reads(net, id)).toContainEqual([base + 10 * (round + 1), text]);
    });
  });
});

describe('ReadIndex on a hand-driven leader', () => {
  it('frees a read once a quorum acknowledged its heartbeat', () => {
    const node = newTestNode(1, { voters: [1, 2] }, PLAIN);
    node.rawNode.raft.becomeCandidate();
    node.rawNode.raft.becomeLeader();
    drainNode(node);
    node.rawNode.step(makeMessage({ type: 'appResp', from: 2, to: 1, term: 1, index: 1 }));
    drainNode(node);

    node.rawNode.step(makeMessage({ type: 'readIndex', from: 2, to: 1, context: context('ctx') }));
    const heartbeats = drainNode(node);
    expect(heartbeats.map((m) => [m.type, m.to])).toEqual([['heartbeat', 2]]);
    const heartbeat = heartbeats[0] as Message;
    expect(drainNode(node)).toEqual([]); // nothing is answered before the acknowledgement

    node.rawNode.step(makeMessage({ type: 'heartbeatResp', from: 2, to: 1, term: 1, context: heartbeat.context }));

    const answer = drainNode(node);
    expect(answer.map((m) => [m.type, m.to, m.index, decoder.decode(m.context)])).toEqual([
      ['readIndexResp', 2, 1, 'ctx'],
    ]);
  });
});
