/**
 * Goal: leader election works and stays safe and live with and without PreVote (thesis §9.6) and CheckQuorum
 * (thesis §6.2): the etcd-raft raft_test.go election scenarios, including the explicit regression cases for
 * etcd-io/etcd#8243 (a node with a smaller term rejoining while the leader dies must not stall the cluster)
 * and #9586 (a pre-candidate must forget its leader, or two pre-candidates block each other forever).
 *
 * Method: the synchronous TestNetwork; nodes that etcd models as "nopStepper" are absent or isolated; where
 * a scenario needs a precise timing the test sets `randomizedElectionTimeout` (as etcd does) and ticks single
 * nodes. Scenarios end with a table of role, term and last index per node.
 */
import { describe, expect, it } from 'vitest';
import type { Entry, MessageType, NodeId, RaftRole } from '../../src/raft/core/types.js';
import { NONE, makeMessage } from '../../src/raft/core/types.js';
import type { NodeOptions } from './support/network.js';
import {
  TestNetwork,
  drainNode,
  entriesWithTerms,
  logPositions,
  newFixtureStorage,
  newTestNode,
  summarize,
} from './support/network.js';

const PLAIN: NodeOptions = { preVote: false, checkQuorum: false };
const PRE_VOTE: NodeOptions = { preVote: true, checkQuorum: false };
const CHECK_QUORUM: NodeOptions = { preVote: false, checkQuorum: true };
const BOTH: NodeOptions = { preVote: true, checkQuorum: true };
const ELECTION_TICKS = 10;

/** Ticks one node `ticks` times, delivering everything after each tick. */
function tickEach(net: TestNetwork, id: NodeId, ticks: number): void {
  for (let tick = 0; tick < ticks; tick++) net.tick(id);
}

function setElectionTimeout(net: TestNetwork, id: NodeId, ticks: number): void {
  net.raw(id).raft.randomizedElectionTimeout = ticks;
}

/** A network whose nodes start from term `term` with empty logs (etcd's becomeFollower(term, None)). */
function networkAtTerm(ids: readonly NodeId[], term: number, options: NodeOptions): TestNetwork {
  const net = new TestNetwork([], options);
  for (const id of ids) {
    net.addNode(id, newFixtureStorage({ voters: ids, hardState: { term, vote: NONE, commit: 0 } }), options);
  }
  return net;
}

/** A network whose nodes start from the given logs; each node's term is the last term of its log. */
function networkWithLogs(logs: ReadonlyArray<readonly number[]>, options: NodeOptions, absent = 0): TestNetwork {
  const ids = Array.from({ length: logs.length + absent }, (_, offset) => offset + 1);
  const net = new TestNetwork([], options);
  logs.forEach((terms, offset) => {
    const entries = entriesWithTerms(1, ...terms);
    const term = terms[terms.length - 1] ?? 0;
    net.addNode(
      offset + 1,
      newFixtureStorage({ voters: ids, entries, hardState: { term, vote: NONE, commit: 0 } }),
      options
    );
  });
  return net;
}

function roles(net: TestNetwork): Array<[NodeId, RaftRole, number]> {
  return summarize(net).map((row) => [row.id, row.role, row.term]);
}

describe('leader election', () => {
  for (const [mode, options] of [
    ['without PreVote', PLAIN],
    ['with PreVote', PRE_VOTE],
  ] as const) {
    const pendingRole: RaftRole = options.preVote === true ? 'preCandidate' : 'candidate';
    const pendingTerm = options.preVote === true ? 0 : 1;
    const cases: Array<[string, number, NodeId[], RaftRole, number]> = [
      ['all three up', 3, [], 'leader', 1],
      ['one of three down', 3, [3], 'leader', 1],
      ['two of three down', 3, [2, 3], pendingRole, pendingTerm],
      ['two of four down', 4, [2, 3], pendingRole, pendingTerm],
      ['two of five down', 5, [2, 3], 'leader', 1],
    ];
    it.each(cases)(`${mode}: %s`, (_name, size, down, role, term) => {
      const ids = Array.from({ length: size }, (_, offset) => offset + 1);
      const net = new TestNetwork(ids, options);
      for (const id of down) net.isolate(id);

      net.campaign(1);

      expect(net.raw(1).raft.role).toBe(role);
      expect(net.raw(1).raft.term).toBe(term);
    });

    it(`${mode}: a candidate with an older log loses against voters further along in the same term`, () => {
      const net = networkWithLogs([[], [1], [1], [1, 1]], options, 1); // five voters, node 5 absent
      net.campaign(1);

      expect(net.raw(1).raft.role).toBe('follower');
      expect(net.raw(1).raft.term).toBe(1);
      expect(net.raw(1).raft.raftLog.lastIndex()).toBe(0);
    });

    it(`${mode}: each node in turn can win an election (leader cycle)`, () => {
      const net = new TestNetwork([1, 2, 3], options);
      for (const campaigner of [1, 2, 3]) {
        net.campaign(campaigner);
        for (const node of net.nodes.values()) {
          expect(node.rawNode.raft.role).toBe(node.id === campaigner ? 'leader' : 'follower');
        }
      }
      expect(summarize(net).map((row) => row.lastIndex)).toEqual([3, 3, 3]);
    });

    it(`${mode}: a leader elected without the newest entries overwrites them`, () => {
      // Node 1 won term 1 and replicated to 2; node 3 won term 2 and wrote an entry; 4 and 5 voted for 3.
      const ids = [1, 2, 3, 4, 5];
      const net = new TestNetwork([], options);
      const fixture = (entries: Entry[], term: number, vote: NodeId) =>
        newFixtureStorage({ voters: ids, entries, hardState: { term, vote, commit: 0 } });
      net.addNode(1, fixture(entriesWithTerms(1, 1), 1, NONE), options);
      net.addNode(2, fixture(entriesWithTerms(1, 1), 1, NONE), options);
      net.addNode(3, fixture(entriesWithTerms(1, 2), 2, NONE), options);
      net.addNode(4, fixture([], 2, 3), options);
      net.addNode(5, fixture([], 2, 3), options);

      net.campaign(1); // fails: a quorum knows term 2 already; node 1 learns it
      expect(net.raw(1).raft.role).toBe('follower');
      expect(net.raw(1).raft.term).toBe(2);

      net.campaign(1);
      expect(net.raw(1).raft.role).toBe('leader');
      expect(net.raw(1).raft.term).toBe(3);
      for (const node of net.nodes.values()) {
        expect(logPositions(node.rawNode.raft.raftLog.allEntries())).toEqual([
          [1, 1],
          [2, 3],
        ]);
      }
    });
  }

  it('a learner never campaigns on election timeout, even when asked to', () => {
    const net = new TestNetwork([1], PLAIN, [2]);
    net.tick(2, 3 * ELECTION_TICKS);
    net.campaign(2);
    net.send(makeMessage({ type: 'timeoutNow', from: 1, to: 2, term: 0 }));

    expect(net.raw(2).raft.isLearner).toBe(true);
    expect(net.raw(2).raft.role).toBe('follower');
    expect(net.raw(2).raft.term).toBe(0);
  });

  it('a learner promoted to voter campaigns and wins', () => {
    const net = new TestNetwork([1], PLAIN, [2]);
    net.campaign(1);
    expect(net.raw(1).raft.role).toBe('leader');
    net.raw(1).proposeConfChange({ kind: 'addNode', nodeId: 2 });
    net.stabilize();
    net.tickAll(1); // the follower learns the commit and applies the promotion
    expect(net.raw(2).raft.isLearner).toBe(false);

    net.campaign(2);

    expect(roles(net)).toEqual([
      [1, 'follower', 2],
      [2, 'leader', 2],
    ]);
  });

  it('a learner grants a vote when asked (the candidate may know a newer configuration)', () => {
    const node = newTestNode(2, { voters: [1], learners: [2], hardState: { term: 1, vote: NONE, commit: 0 } }, PLAIN);

    node.rawNode.step(makeMessage({ type: 'vote', from: 1, to: 2, term: 2, logTerm: 11, index: 11 }));

    const sent = drainNode(node);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ type: 'voteResp', to: 1, reject: false });
  });

  it('a candidate asks only voters, and a learner’s vote does not count', () => {
    const node = newTestNode(1, { voters: [1, 2, 3], learners: [4] }, PLAIN);
    node.rawNode.campaign();
    const sent = drainNode(node);
    expect(sent.map((m) => [m.type, m.to])).toEqual([
      ['vote', 2],
      ['vote', 3],
    ]);

    node.rawNode.step(makeMessage({ type: 'voteResp', from: 4, to: 1, term: 1 }));
    expect(node.rawNode.raft.role).toBe('candidate');
    node.rawNode.step(makeMessage({ type: 'voteResp', from: 2, to: 1, term: 1 }));
    expect(node.rawNode.raft.role).toBe('leader');
  });

  const anyStateRoles: RaftRole[] = ['follower', 'preCandidate', 'candidate', 'leader'];
  const voteTypes: Array<'vote' | 'preVote'> = ['vote', 'preVote'];
  it.each(voteTypes.flatMap((type) => anyStateRoles.map((role) => [type, role] as const)))(
    'grants a %s for a higher term from any state (%s)',
    (type, role) => {
      const node = newTestNode(1, { voters: [1, 2, 3], hardState: { term: 1, vote: NONE, commit: 0 } }, PLAIN);
      const raft = node.rawNode.raft;
      if (role === 'follower') raft.becomeFollower(1, 3);
      if (role === 'preCandidate') raft.becomePreCandidate();
      if (role === 'candidate' || role === 'leader') raft.becomeCandidate();
      if (role === 'leader') raft.becomeLeader();
      const originalTerm = raft.term;
      const originalVote = raft.vote;
      raft.messages = [];
      raft.messagesAfterPersist = [];

      node.rawNode.step(
        makeMessage({ type, from: 2, to: 1, term: originalTerm + 1, logTerm: originalTerm + 1, index: 42 })
      );

      const responses = raft.messagesAfterPersist;
      expect(responses).toHaveLength(1);
      expect(responses[0]).toMatchObject({ type: `${type}Resp` as MessageType, to: 2, reject: false });
      if (type === 'vote') {
        expect([raft.role, raft.term, raft.vote]).toEqual(['follower', originalTerm + 1, 2]);
      } else {
        expect([raft.role, raft.term, raft.vote]).toEqual([role, originalTerm, originalVote]);
      }
    }
  );

  const stepdownCases: Array<[RaftRole, number]> = [
    ['follower', 0],
    ['preCandidate', 0],
    ['candidate', 0],
    ['leader', 1],
  ];
  it.each(stepdownCases)('every server steps down on a vote or append of a higher term (%s)', (role, lastIndex) => {
    for (const type of ['vote', 'app'] as const) {
      const node = newTestNode(1, { voters: [1, 2, 3] }, PLAIN);
      const raft = node.rawNode.raft;
      if (role === 'follower') raft.becomeFollower(1, NONE);
      if (role === 'preCandidate') raft.becomePreCandidate();
      if (role === 'candidate' || role === 'leader') raft.becomeCandidate();
      if (role === 'leader') raft.becomeLeader();

      node.rawNode.step(makeMessage({ type, from: 2, to: 1, term: 3, logTerm: 3 }));

      expect([raft.role, raft.term, raft.raftLog.lastIndex()]).toEqual(['follower', 3, lastIndex]);
      expect(raft.leader).toBe(type === 'vote' ? NONE : 2);
    }
  });

  it('dueling candidates: the one with the shorter log disrupts the term but loses (table)', () => {
    const net = new TestNetwork([1, 2, 3], PLAIN);
    net.cut(1, 3);
    net.campaign(1);
    net.campaign(3);
    expect(net.raw(1).raft.role).toBe('leader');
    expect(net.raw(3).raft.role).toBe('candidate'); // a vote from itself, a rejection from 2

    net.recover();
    net.campaign(3); // term 2: deposes 1, but its empty log loses against 1 and 2

    expect(summarize(net)).toEqual([
      { id: 1, role: 'follower', term: 2, lastIndex: 1 },
      { id: 2, role: 'follower', term: 2, lastIndex: 1 },
      { id: 3, role: 'follower', term: 2, lastIndex: 0 },
    ]);
  });

  it('dueling pre-candidates: with PreVote the stale node cannot disrupt the leader (table)', () => {
    const net = new TestNetwork([1, 2, 3], PRE_VOTE);
    net.cut(1, 3);
    net.campaign(1);
    net.campaign(3);
    expect(net.raw(1).raft.role).toBe('leader');
    expect(net.raw(3).raft.role).toBe('follower'); // its pre-vote was rejected

    net.recover();
    net.campaign(3);

    expect(summarize(net)).toEqual([
      { id: 1, role: 'leader', term: 1, lastIndex: 1 },
      { id: 2, role: 'follower', term: 1, lastIndex: 1 },
      { id: 3, role: 'follower', term: 1, lastIndex: 0 },
    ]);
  });

  it('a candidate concedes to a leader of its own term and takes its log', () => {
    const net = new TestNetwork([1, 2, 3], PLAIN);
    net.isolate(1);
    net.campaign(1);
    net.campaign(3);
    net.recover();

    net.tick(3); // heartbeat: node 1 learns of the leader of term 1
    net.propose(3, 'force follower');
    net.tick(3);

    expect(net.raw(1).raft.role).toBe('follower');
    expect(net.raw(1).raft.term).toBe(1);
    for (const node of net.nodes.values()) {
      expect(logPositions(node.rawNode.raft.raftLog.allEntries())).toEqual([
        [1, 1],
        [2, 1],
      ]);
    }
    expect(net.appliedData(1)).toEqual(['force follower']);
  });

  it.each([
    ['candidate', PLAIN],
    ['pre-candidate', PRE_VOTE],
  ] as const)('a single-node %s becomes leader at once', (_name, options) => {
    const net = new TestNetwork([1], options);
    net.campaign(1);
    expect(net.raw(1).raft.role).toBe('leader');
    expect(net.raw(1).raft.term).toBe(1);
  });

  it('an append from a deposed leader of an old term is ignored', () => {
    const net = new TestNetwork([1, 2, 3], PLAIN);
    net.campaign(1);
    net.campaign(2);
    net.campaign(1); // node 1 leads term 3

    net.send(makeMessage({ type: 'app', from: 2, to: 1, term: 2, entries: entriesWithTerms(3, 2) }));
    net.propose(1, 'somedata');

    for (const node of net.nodes.values()) {
      expect(logPositions(node.rawNode.raft.raftLog.allEntries())).toEqual([
        [1, 1],
        [2, 2],
        [3, 3],
        [4, 3],
      ]);
    }
  });

  it.each(['heartbeat', 'app'] as const)('a candidate of a higher term reverts to follower on a %s', (type) => {
    const net = new TestNetwork([1, 2, 3], PLAIN);
    net.campaign(1);
    net.isolate(3);
    net.campaign(2);
    net.campaign(1); // node 1 leads term 3
    setElectionTimeout(net, 3, ELECTION_TICKS);
    net.tick(3, ELECTION_TICKS); // isolated node 3 becomes a candidate of term 2
    expect(net.raw(3).raft.role).toBe('candidate');
    net.recover();

    net.send(makeMessage({ type, from: 1, to: 3, term: net.raw(1).raft.term }));

    expect(net.raw(3).raft.role).toBe('follower');
    expect(net.raw(3).raft.term).toBe(net.raw(1).raft.term);
  });
});

describe('self-votes and self-acks are counted only after the persist', () => {
  it.each([
    ['candidate', PLAIN],
    ['pre-candidate', PRE_VOTE],
  ] as const)('a %s that lost before persisting does not count its delayed self-vote', (_name, options) => {
    const node = newTestNode(1, { voters: [1, 2, 3] }, options);
    node.rawNode.campaign();
    const ready = node.rawNode.ready(); // the self-vote waits for advance()

    node.rawNode.step(makeMessage({ type: 'heartbeat', from: 2, to: 1, term: Math.max(1, node.rawNode.raft.term) }));
    expect(node.rawNode.raft.role).toBe('follower');
    node.storage.applyPersisted({ snapshot: ready.snapshot, entries: ready.entries, hardState: ready.hardState });
    node.rawNode.advance();

    expect(node.rawNode.raft.role).toBe('follower');
    expect(node.rawNode.raft.tracker.tallyVotes().granted).toBe(0);
  });

  it('a candidate does not count its delayed pre-candidate self-vote as a vote', () => {
    const node = newTestNode(1, { voters: [1, 2, 3] }, PRE_VOTE);
    node.rawNode.campaign();
    expect(node.rawNode.raft.role).toBe('preCandidate');
    const preVoteReady = node.rawNode.ready();

    // Both peers grant the pre-vote before our own pre-vote is durable: we become a candidate.
    node.rawNode.step(makeMessage({ type: 'preVoteResp', from: 2, to: 1, term: 1 }));
    node.rawNode.step(makeMessage({ type: 'preVoteResp', from: 3, to: 1, term: 1 }));
    expect(node.rawNode.raft.role).toBe('candidate');
    node.storage.applyPersisted({ snapshot: null, entries: [], hardState: preVoteReady.hardState });
    node.rawNode.advance(); // delivers the pre-vote self-vote: ignored by a candidate
    expect(node.rawNode.raft.role).toBe('candidate');
    expect(node.rawNode.raft.tracker.tallyVotes().granted).toBe(0);

    node.rawNode.step(makeMessage({ type: 'voteResp', from: 2, to: 1, term: 1 }));
    expect(node.rawNode.raft.role).toBe('candidate'); // one vote of three
    drainNode(node); // the real self-vote, once term 1 and the vote are durable
    expect(node.rawNode.raft.role).toBe('leader');
  });

  it('a leader that lost its term before persisting ignores its delayed self-ack', () => {
    const node = newTestNode(1, { voters: [1, 2, 3] }, PLAIN);
    node.rawNode.raft.becomeCandidate();
    node.rawNode.raft.becomeLeader();
    node.rawNode.propose(new TextEncoder().encode('somedata'));
    const ready = node.rawNode.ready();

    node.rawNode.step(makeMessage({ type: 'heartbeat', from: 2, to: 1, term: 2 }));
    expect(node.rawNode.raft.role).toBe('follower');
    node.storage.applyPersisted({ snapshot: ready.snapshot, entries: ready.entries, hardState: ready.hardState });
    node.rawNode.advance();

    expect(node.rawNode.raft.role).toBe('follower');
    expect(node.rawNode.raft.term).toBe(2);
    expect(node.rawNode.raft.raftLog.committed).toBe(0);
  });
});

describe('CheckQuorum', () => {
  it('an isolated leader steps down after an election timeout without hearing from a quorum', () => {
    const net = new TestNetwork([1, 2, 3], CHECK_QUORUM);
    net.campaign(1);
    net.isolate(1);

    // Its peers were active in the window of its election, so the first check may pass; the next cannot.
    tickEach(net, 1, 2 * ELECTION_TICKS);

    expect(net.raw(1).raft.role).toBe('follower');
    expect(net.raw(1).raft.leader).toBe(NONE);
    expect(net.raw(1).raft.term).toBe(1);
  });

  it('a leader that keeps hearing from a quorum stays leader', () => {
    const net = new TestNetwork([1, 2, 3], CHECK_QUORUM);
    net.campaign(1);
    net.isolate(3);

    tickEach(net, 1, 3 * ELECTION_TICKS);

    expect(net.raw(1).raft.role).toBe('leader');
    expect(net.raw(1).raft.term).toBe(1);
  });

  it('after the isolated leader steps down, the majority elects a new leader (table)', () => {
    const net = new TestNetwork([1, 2, 3], BOTH);
    net.campaign(1);
    net.propose(1, 'a');
    net.isolate(1);

    net.tickAll(4 * ELECTION_TICKS);

    const table = summarize(net);
    // The deposed leader keeps trying pre-elections in its minority, which never raise its term.
    expect(['follower', 'preCandidate']).toContain(table[0]?.role);
    expect(table[0]).toMatchObject({ id: 1, term: 1, lastIndex: 2 });
    const newLeader = table.find((row) => row.role === 'leader');
    expect(newLeader).toBeDefined();
    expect(newLeader?.term).toBe(2);
    expect(newLeader?.lastIndex).toBe(3);
  });

  it('followers within the lease ignore a higher-term vote; after an election timeout they grant it', () => {
    const net = new TestNetwork([1, 2, 3], CHECK_QUORUM);
    setElectionTimeout(net, 2, ELECTION_TICKS + 1);
    net.tick(2, ELECTION_TICKS);
    net.campaign(1);
    expect(net.raw(1).raft.role).toBe('leader');

    net.campaign(3);
    expect(net.raw(3).raft.role).toBe('candidate'); // node 2 heard from the leader recently
    setElectionTimeout(net, 2, ELECTION_TICKS + 1);
    net.tick(2, ELECTION_TICKS);
    net.campaign(3);

    expect(roles(net)).toEqual([
      [1, 'follower', 3],
      [2, 'follower', 3],
      [3, 'leader', 3],
    ]);
  });

  it('leader election with CheckQuorum: a node whose peers timed out can supersede the leader', () => {
    const net = new TestNetwork([1, 2, 3], CHECK_QUORUM);
    setElectionTimeout(net, 1, ELECTION_TICKS + 1);
    setElectionTimeout(net, 2, ELECTION_TICKS + 2);
    net.campaign(1); // votes are cast freely right after start
    expect(net.raw(1).raft.role).toBe('leader');

    net.dropType('heartbeat'); // the leader's ticks must not refresh node 2's lease
    net.tick(1, ELECTION_TICKS); // its CheckQuorum still passes: 2 and 3 answered its appends
    setElectionTimeout(net, 2, ELECTION_TICKS + 2);
    net.tick(2, ELECTION_TICKS);
    net.recover();
    net.campaign(3);

    expect(roles(net)).toEqual([
      [1, 'follower', 2],
      [2, 'follower', 2],
      [3, 'leader', 2],
    ]);
  });

  it('frees a stuck candidate with CheckQuorum: its higher term deposes the leader, then it wins', () => {
    const net = new TestNetwork([1, 2, 3], CHECK_QUORUM);
    setElectionTimeout(net, 2, ELECTION_TICKS + 1);
    net.tick(2, ELECTION_TICKS);
    net.campaign(1);
    net.isolate(1);

    net.campaign(3);
    expect([net.raw(2).raft.role, net.raw(3).raft.role]).toEqual(['follower', 'candidate']);
    expect(net.raw(3).raft.term).toBe(net.raw(2).raft.term + 1);
    net.campaign(3);
    expect(net.raw(3).raft.term).toBe(net.raw(2).raft.term + 2);

    net.recover();
    net.send(makeMessage({ type: 'heartbeat', from: 1, to: 3, term: net.raw(1).raft.term }));
    expect(net.raw(1).raft.role).toBe('follower');
    expect(net.raw(1).raft.term).toBe(net.raw(3).raft.term);

    net.campaign(3);
    expect(roles(net)).toEqual([
      [1, 'follower', 4],
      [2, 'follower', 4],
      [3, 'leader', 4],
    ]);
  });

  it('a voter missing from its own configuration never campaigns but follows the leader', () => {
    const net = new TestNetwork([], CHECK_QUORUM);
    net.addNode(1, newFixtureStorage({ voters: [1, 2] }), CHECK_QUORUM);
    net.addNode(2, newFixtureStorage({ voters: [1] }), CHECK_QUORUM);
    expect(net.raw(2).raft.promotable()).toBe(false);

    net.tick(2, 3 * ELECTION_TICKS);
    expect(net.raw(2).raft.term).toBe(0);
    net.campaign(1);

    expect(roles(net)).toEqual([
      [1, 'leader', 1],
      [2, 'follower', 1],
    ]);
    expect(net.raw(2).raft.leader).toBe(1);
  });

  it('a disruptive follower: without PreVote, its stale candidacy answered to a late heartbeat deposes the leader', () => {
    const net = networkAtTerm([1, 2, 3], 1, CHECK_QUORUM);
    net.campaign(1);
    setElectionTimeout(net, 3, ELECTION_TICKS + 2);
    for (let tick = 0; tick < ELECTION_TICKS + 2; tick++) net.raw(3).tick(); // its vote requests stay queued
    expect(roles(net)).toEqual([
      [1, 'leader', 2],
      [2, 'follower', 2],
      [3, 'candidate', 3],
    ]);

    net.send(makeMessage({ type: 'heartbeat', from: 1, to: 3, term: 2 }));

    expect(roles(net)).toEqual([
      [1, 'follower', 3],
      [2, 'follower', 2],
      [3, 'candidate', 3],
    ]);
  });

  it('a disruptive follower with PreVote: a partitioned node rejoining does not disrupt the leader', () => {
    const net = networkAtTerm([1, 2, 3], 1, BOTH);
    net.campaign(1);
    net.isolate(3);
    for (const data of ['a', 'b', 'c']) net.propose(1, data);
    net.recover();

    net.campaign(3);
    expect(roles(net)).toEqual([
      [1, 'leader', 2],
      [2, 'follower', 2],
      [3, 'preCandidate', 2],
    ]);
    net.send(makeMessage({ type: 'heartbeat', from: 1, to: 3, term: 2 }));

    expect(summarize(net)).toEqual([
      { id: 1, role: 'leader', term: 2, lastIndex: 4 },
      { id: 2, role: 'follower', term: 2, lastIndex: 4 },
      { id: 3, role: 'follower', term: 2, lastIndex: 4 }, // the heartbeat response triggered its catch-up
    ]);
  });

  it('a partitioned node ticking for many election timeouts with PreVote keeps its term and rejoins quietly', () => {
    const net = new TestNetwork([1, 2, 3], BOTH);
    net.campaign(1);
    net.propose(1, 'before');
    net.isolate(3);
    net.propose(1, 'during');

    net.tickAll(10 * ELECTION_TICKS);
    expect(net.raw(3).raft.term).toBe(1); // pre-votes never raise the term
    net.recover();
    net.tickAll(3 * ELECTION_TICKS);

    expect(summarize(net)).toEqual([
      { id: 1, role: 'leader', term: 1, lastIndex: 3 },
      { id: 2, role: 'follower', term: 1, lastIndex: 3 },
      { id: 3, role: 'follower', term: 1, lastIndex: 3 },
    ]);
    expect(net.appliedData(3)).toEqual(['before', 'during']);
  });
});

describe('PreVote regressions', () => {
  it('a pre-candidate forgets its leader (etcd-io/etcd#9586 fix, etcd PR #8334)', () => {
    const net = networkAtTerm([1, 2, 3], 1, BOTH);
    net.campaign(1);
    net.isolate(1);
    net.raw(2).campaign();
    expect(net.raw(2).raft.role).toBe('preCandidate');
    expect(net.raw(2).raft.leader).toBe(NONE);
  });

  it('etcd-io/etcd#9586: with PreVote and CheckQuorum, followers of a lost leader can still elect one', () => {
    const net = networkAtTerm([1, 2, 3], 1, BOTH);
    net.campaign(1);
    net.isolate(1);

    net.campaign(2); // node 3 is within its lease and ignores the pre-vote
    expect(net.raw(2).raft.role).toBe('preCandidate');
    net.campaign(3); // node 2, a pre-candidate, no longer defends the old leader's lease

    expect(summarize(net)).toEqual([
      { id: 1, role: 'leader', term: 2, lastIndex: 1 },
      { id: 2, role: 'follower', term: 3, lastIndex: 2 },
      { id: 3, role: 'leader', term: 3, lastIndex: 2 },
    ]);
  });

  it('etcd-io/etcd#8243: a node with a smaller term can complete an election when the leader dies', () => {
    const net = networkAtTerm([1, 2, 3], 1, PRE_VOTE);
    net.cut(1, 3);
    net.cut(2, 3);
    net.campaign(1);
    net.campaign(3);
    expect(net.raw(3).raft.role).toBe('preCandidate');
    net.campaign(2);
    expect(roles(net)).toEqual([
      [1, 'follower', 3],
      [2, 'leader', 3],
      [3, 'preCandidate', 1],
    ]);

    // Node 3 comes back just as the leader, node 2, crashes.
    net.recover();
    net.cut(2, 1);
    net.cut(2, 3);
    net.campaign(3); // its pre-vote of term 2 is rejected with term 3: it learns the term
    net.campaign(1);

    expect(summarize(net)).toEqual([
      { id: 1, role: 'leader', term: 4, lastIndex: 3 },
      { id: 2, role: 'leader', term: 3, lastIndex: 2 },
      { id: 3, role: 'follower', term: 4, lastIndex: 3 },
    ]);
  });

  it('after a split pre-vote and vote, the next round elects a leader', () => {
    const net = networkAtTerm([1, 2, 3], 1, PRE_VOTE);
    net.campaign(1);
    net.isolate(1);
    net.raw(2).campaign();
    net.raw(3).campaign();
    net.stabilize();
    expect(roles(net).slice(1)).toEqual([
      [2, 'candidate', 3],
      [3, 'candidate', 3],
    ]);

    net.campaign(2);

    expect(roles(net).slice(1)).toEqual([
      [2, 'leader', 4],
      [3, 'follower', 4],
    ]);
  });

  /** A mixed cluster during a rolling upgrade: node 3 ran without PreVote and reached term 4 while partitioned. */
  function preVoteMigrationCluster(): TestNetwork {
    const net = new TestNetwork([], PRE_VOTE);
    for (const id of [1, 2, 3]) {
      const options = id === 3 ? PLAIN : PRE_VOTE;
      net.addNode(id, newFixtureStorage({ voters: [1, 2, 3], hardState: { term: 1, vote: NONE, commit: 0 } }), options);
    }
    net.campaign(1);
    net.isolate(3);
    net.propose(1, 'some data');
    net.campaign(3);
    net.campaign(3);
    expect(roles(net)).toEqual([
      [1, 'leader', 2],
      [2, 'follower', 2],
      [3, 'candidate', 4],
    ]);
    net.restart(3, PRE_VOTE); // the upgrade: node 3 restarts with PreVote enabled
    net.recover();
    return net;
  }

  it('PreVote migration: the cluster completes an election when the leader dies', () => {
    const net = preVoteMigrationCluster();
    net.isolate(1);

    net.campaign(3);
    net.campaign(2);
    expect([net.raw(2).raft.role, net.raw(3).raft.role]).toEqual(['follower', 'preCandidate']);
    net.campaign(3);
    net.campaign(2);

    expect(net.raw(2).raft.role).toBe('leader');
    expect(net.raw(3).raft.role).toBe('follower');
  });

  it('PreVote migration: a pre-candidate stuck at a higher term is freed by the leader’s heartbeat', () => {
    const net = preVoteMigrationCluster();

    net.campaign(3);
    net.campaign(3);
    expect(roles(net)).toEqual([
      [1, 'leader', 2],
      [2, 'follower', 2],
      [3, 'preCandidate', 4],
    ]);
    net.send(makeMessage({ type: 'heartbeat', from: 1, to: 3, term: 2 }));

    expect(net.raw(1).raft.role).toBe('follower');
    expect(net.raw(1).raft.term).toBe(net.raw(3).raft.term);
  });

  it('elects exactly one leader per term by ticking alone, with PreVote and CheckQuorum', () => {
    const net = new TestNetwork([1, 2, 3, 4, 5], BOTH);
    const leadersByTerm = new Map<number, Set<NodeId>>();
    for (let tick = 0; tick < 20 * ELECTION_TICKS; tick++) {
      net.tickAll(1);
      for (const node of net.nodes.values()) {
        if (node.rawNode.raft.role !== 'leader') continue;
        const leaders = leadersByTerm.get(node.rawNode.raft.term) ?? new Set<NodeId>();
        leaders.add(node.id);
        leadersByTerm.set(node.rawNode.raft.term, leaders);
      }
    }
    expect(leadersByTerm.size).toBeGreaterThan(0);
    for (const leaders of leadersByTerm.values()) expect(leaders.size).toBe(1);
    expect(net.leader()).toBeDefined();
  });
});
