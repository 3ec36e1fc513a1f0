/**
 * Goal: log replication (paper §5.3) as etcd-raft's raft_test.go exercises it: proposals reach every node and
 * commit, followers handle appends and heartbeats per Figure 2, a new leader commits earlier entries only
 * through an entry of its own term, proposals without a leader are dropped, and the leader repairs a divergent
 * follower with fast back-off (about one round trip per divergent term, not one per entry).
 *
 * Method: TestNetwork scenarios that end with a table of role, term and last index per node, plus single nodes
 * driven by hand through Ready/advance cycles for the message-level rules.
 */
import { describe, expect, it } from 'vitest';
import { ProposalDroppedError } from '../../src/raft/core/errors.js';
import type { Entry, Message, NodeId } from '../../src/raft/core/types.js';
import { NONE, makeMessage } from '../../src/raft/core/types.js';
import type { NodeOptions, TestNode } from './support/network.js';
import {
  TestNetwork,
  drainNode,
  entriesWithTerms,
  logPositions,
  newFixtureStorage,
  newTestNode,
  summarize,
  testSnapshot,
} from './support/network.js';

const PLAIN: NodeOptions = { preVote: false, checkQuorum: false };
const encoder = new TextEncoder();

function idsUpTo(size: number): NodeId[] {
  return Array.from({ length: size }, (_, offset) => offset + 1);
}

function only(messages: readonly Message[]): Message {
  expect(messages).toHaveLength(1);
  return messages[0] as Message;
}

/** A leader built by hand (etcd's becomeCandidate + becomeLeader), its first Ready already persisted. */
function handMadeLeader(voters: readonly NodeId[], entries: Entry[] = [], term = 0): TestNode {
  const node = newTestNode(1, { voters, entries, hardState: { term, vote: NONE, commit: 0 } }, PLAIN);
  node.rawNode.raft.becomeCandidate();
  node.rawNode.raft.becomeLeader();
  drainNode(node);
  return node;
}

describe('log replication', () => {
  it('a proposal at the leader commits on every node', () => {
    const net = new TestNetwork([1, 2, 3], PLAIN);
    net.campaign(1);
    net.propose(1, 'somedata');

    for (const node of net.nodes.values()) expect(node.rawNode.raft.raftLog.committed).toBe(2);
    for (const id of [1, 2, 3]) expect(net.appliedData(id)).toEqual(['somedata']);
  });

  it('proposals across a leader change commit in order on every node', () => {
    const net = new TestNetwork([1, 2, 3], PLAIN);
    net.campaign(1);
    net.propose(1, 'first');
    net.campaign(2);
    net.propose(2, 'second');

    for (const node of net.nodes.values()) expect(node.rawNode.raft.raftLog.committed).toBe(4);
    for (const id of [1, 2, 3]) expect(net.appliedData(id)).toEqual(['first', 'second']);
  });

  it('a learner receives the log and its match is tracked, but it is not needed to commit', () => {
    const net = new TestNetwork([1], PLAIN, [2]);
    net.campaign(1);
    net.propose(1, 'somedata');

    expect(net.raw(1).raft.raftLog.committed).toBe(2);
    expect(net.raw(2).raft.raftLog.committed).toBe(2);
    expect(net.raw(1).status().progress?.get(2)?.match).toBe(2);
    net.isolate(2);
    net.propose(1, 'alone');
    expect(net.raw(1).raft.raftLog.committed).toBe(3); // a single voter is a quorum
  });

  it('a single node commits its proposals alone', () => {
    const net = new TestNetwork([1], PLAIN);
    net.campaign(1);
    net.propose(1, 'a');
    net.propose(1, 'b');
    expect(net.raw(1).raft.raftLog.committed).toBe(3);
    expect(net.appliedData(1)).toEqual(['a', 'b']);
  });

  it('cannot commit earlier-term entries without an entry of the new term (no-op withheld)', () => {
    const net = new TestNetwork([1, 2, 3, 4, 5], PLAIN);
    net.campaign(1);
    for (const id of [3, 4, 5]) net.cut(1, id);
    net.propose(1, 'a');
    net.propose(1, 'b');
    expect(net.raw(1).raft.raftLog.committed).toBe(1);

    net.recover();
    net.dropType('app'); // keep the new leader's no-op from replicating
    net.campaign(2);
    expect(net.raw(2).raft.role).toBe('leader');
    expect(net.raw(2).raft.raftLog.committed).toBe(1); // entries 2 and 3 are on a majority, still not committed

    net.recover();
    net.tick(2); // heartbeat responses pull the log along
    net.propose(2, 'c');
    expect(net.raw(2).raft.raftLog.committed).toBe(5);
  });

  it('a new leader commits earlier-term entries through its no-op', () => {
    const net = new TestNetwork([1, 2, 3, 4, 5], PLAIN);
    net.campaign(1);
    for (const id of [3, 4, 5]) net.cut(1, id);
    net.propose(1, 'a');
    net.propose(1, 'b');
    net.recover();

    net.campaign(2);

    expect(net.raw(2).raft.raftLog.committed).toBe(4);
    expect(summarize(net)).toEqual(
      [1, 2, 3, 4, 5].map((id) => ({ id, role: id === 2 ? 'leader' : 'follower', term: 2, lastIndex: 4 }))
    );
  });

  const proposalCases: Array<[string, number, NodeId[], boolean]> = [
    ['all up', 3, [], true],
    ['one of three down', 3, [3], true],
    ['two of three down', 3, [2, 3], false],
    ['two of four down', 4, [2, 3], false],
    ['two of five down', 5, [2, 3], true],
  ];
  it.each(proposalCases)(
    'a proposal after an election (%s) commits only with a quorum',
    (_name, size, down, success) => {
      const net = new TestNetwork(idsUpTo(size), PLAIN);
      for (const id of down) net.isolate(id);
      net.campaign(1);

      if (success) net.propose(1, 'somedata');
      else expect(() => net.propose(1, 'somedata')).toThrow(ProposalDroppedError);

      for (const node of net.nodes.values()) {
        if (down.includes(node.id)) continue;
        expect(logPositions(node.rawNode.raft.raftLog.allEntries())).toEqual(
          success
            ? [
                [1, 1],
                [2, 1],
              ]
            : []
        );
      }
      expect(net.raw(1).raft.term).toBe(1);
    }
  );

  it.each([
    ['all up', []],
    ['one of three down', [3]],
  ] as Array<[string, NodeId[]]>)('a follower forwards a proposal to the leader (%s)', (_name, down) => {
    const net = new TestNetwork([1, 2, 3], PLAIN);
    for (const id of down) net.isolate(id);
    net.campaign(1);

    net.propose(2, 'somedata');

    for (const node of net.nodes.values()) {
      if (down.includes(node.id)) continue;
      expect(logPositions(node.rawNode.raft.raftLog.allEntries())).toEqual([
        [1, 1],
        [2, 1],
      ]);
    }
    expect(net.appliedData(1)).toEqual(['somedata']);
  });

  it('proposals without a leader are dropped with ProposalDroppedError', () => {
    const net = new TestNetwork([1, 2, 3], PLAIN);
    expect(() => net.raw(1).propose(encoder.encode('x'))).toThrow(ProposalDroppedError); // follower, no leader
    net.isolate(1);
    net.campaign(1);
    expect(net.raw(1).raft.role).toBe('candidate');
    expect(() => net.raw(1).propose(encoder.encode('x'))).toThrow(ProposalDroppedError);
    expect(net.raw(1).raft.raftLog.lastIndex()).toBe(0);
  });

  it('a follower with proposal forwarding disabled drops proposals', () => {
    const net = new TestNetwork([1, 2, 3], { ...PLAIN, disableProposalForwarding: true });
    net.campaign(1);
    expect(() => net.raw(2).propose(encoder.encode('x'))).toThrow(ProposalDroppedError);
    net.stabilize();
    expect(net.raw(1).raft.raftLog.lastIndex()).toBe(1);
  });

  it('keeps the logs identical under lossy links once they heal', () => {
    const net = new TestNetwork([1, 2, 3], PLAIN);
    net.campaign(1);
    net.drop(1, 2, 0.5);
    net.drop(3, 1, 0.5);
    for (let i = 0; i < 20; i++) {
      net.propose(1, `entry ${i}`);
      net.tickAll(1);
    }
    net.recover();
    net.tickAll(5);

    const expected = Array.from({ length: 20 }, (_, i) => `entry ${i}`);
    for (const id of [1, 2, 3]) expect(net.appliedData(id)).toEqual(expected);
    expect(summarize(net)).toEqual([
      { id: 1, role: 'leader', term: 1, lastIndex: 21 },
      { id: 2, role: 'follower', term: 1, lastIndex: 21 },
      { id: 3, role: 'follower', term: 1, lastIndex: 21 },
    ]);
  });
});

describe('append and heartbeat handling on a follower (Figure 2 receiver rules)', () => {
  const appendCases: Array<[string, Partial<Message>, number, number, boolean]> = [
    // Rule 2: reply false if the log does not contain an entry at prevLogIndex whose term matches prevLogTerm.
    ['previous entry mismatch', { term: 2, logTerm: 3, index: 2, commit: 3 }, 2, 0, true],
    ['previous entry missing', { term: 2, logTerm: 3, index: 3, commit: 3 }, 2, 0, true],
    // Rules 3–4: delete conflicting entries, append new ones.
    ['match entry 1', { term: 2, logTerm: 1, index: 1, commit: 1 }, 2, 1, false],
    ['replace from 1', { term: 2, logTerm: 0, index: 0, commit: 1, entries: entriesWithTerms(1, 2) }, 1, 1, false],
    ['append 3 and 4', { term: 2, logTerm: 2, index: 2, commit: 3, entries: entriesWithTerms(3, 2, 2) }, 4, 3, false],
    ['append 3', { term: 2, logTerm: 2, index: 2, commit: 4, entries: entriesWithTerms(3, 2) }, 3, 3, false],
    ['replace 2', { term: 2, logTerm: 1, index: 1, commit: 4, entries: entriesWithTerms(2, 2) }, 2, 2, false],
    // Rule 5: commit = min(leaderCommit, index of the last new entry).
    ['commit up to the last new entry 1', { term: 2, logTerm: 1, index: 1, commit: 3 }, 2, 1, false],
    [
      'commit up to the last new entry 2',
      { term: 2, logTerm: 1, index: 1, commit: 3, entries: entriesWithTerms(2, 2) },
      2,
      2,
      false,
    ],
    ['commit at the matched entry 2', { term: 2, logTerm: 2, index: 2, commit: 3 }, 2, 2, false],
    ['commit bounded by the log', { term: 2, logTerm: 2, index: 2, commit: 4 }, 2, 2, false],
  ];
  it.each(appendCases)('handles an append: %s', (_name, fields, lastIndex, commit, reject) => {
    const node = newTestNode(1, { voters: [1], entries: entriesWithTerms(1, 1, 2) }, PLAIN);
    node.rawNode.raft.becomeFollower(2, NONE);

    node.rawNode.step(makeMessage({ type: 'app', from: 2, to: 1, ...fields }));

    expect(node.rawNode.raft.raftLog.lastIndex()).toBe(lastIndex);
    expect(node.rawNode.raft.raftLog.committed).toBe(commit);
    expect(only(drainNode(node))).toMatchObject({ type: 'appResp', to: 2, reject });
  });

  it.each([
    [3, 3],
    [1, 2],
  ])('a heartbeat with commit %i moves the follower commit to %i, never backwards', (heartbeatCommit, expected) => {
    const node = newTestNode(1, {
      voters: [1, 2],
      entries: entriesWithTerms(1, 1, 2, 3),
      hardState: { term: 2, vote: NONE, commit: 2 },
    });
    node.rawNode.raft.becomeFollower(2, 2);

    node.rawNode.step(makeMessage({ type: 'heartbeat', from: 2, to: 1, term: 2, commit: heartbeatCommit, index: 7 }));

    expect(node.rawNode.raft.raftLog.committed).toBe(expected);
    // The response echoes the leader's tick so that the leader can date its lease.
    expect(only(drainNode(node))).toMatchObject({ type: 'heartbeatResp', to: 2, term: 2, index: 7 });
  });

  it('vote responses and append responses wait for the persist; heartbeat responses do not', () => {
    const node = newTestNode(1, { voters: [1, 2, 3] }, PLAIN);
    node.rawNode.step(makeMessage({ type: 'vote', from: 2, to: 1, term: 1 }));
    node.rawNode.step(makeMessage({ type: 'app', from: 2, to: 1, term: 1, entries: entriesWithTerms(1, 1) }));
    node.rawNode.step(makeMessage({ type: 'heartbeat', from: 2, to: 1, term: 1 }));

    const ready = node.rawNode.ready();

    expect(ready.messages.map((m) => m.type)).toEqual(['heartbeatResp']);
    expect(ready.messagesAfterPersist.map((m) => m.type)).toEqual(['voteResp', 'appResp']);
    expect(ready.mustSync).toBe(true);
  });
});

describe('append responses and flow on the leader', () => {
  // Leader log [1:1, 2:1] plus its no-op 3:1; node 2 starts probing at next = 3.
  const appRespCases: Array<[string, number, boolean, number, number, number, number, number]> = [
    // [name, index, reject, match, next, messages, message index, message commit]
    ['a stale rejection is ignored', 3, true, 0, 3, 0, 0, 0],
    ['a rejection moves next back and probes again', 2, true, 0, 2, 1, 1, 0],
    ['an ack commits and broadcasts the commit', 2, false, 2, 4, 2, 2, 2],
    ['an ack at the probe index switches to replicate and sends everything', 0, false, 0, 4, 1, 0, 0],
  ];
  it.each(appRespCases)('%s', (_name, index, reject, match, next, count, messageIndex, messageCommit) => {
    const node = handMadeLeader([1, 2, 3], entriesWithTerms(1, 1, 1));

    node.rawNode.step(makeMessage({ type: 'appResp', from: 2, to: 1, term: 1, index, reject, rejectHint: index }));

    const progress = node.rawNode.status().progress?.get(2);
    expect([progress?.match, progress?.next]).toEqual([match, next]);
    const sent = drainNode(node);
    expect(sent).toHaveLength(count);
    for (const message of sent)
      expect([message.type, message.index, message.commit]).toEqual(['app', messageIndex, messageCommit]);
  });

  it('a heartbeat carries commit = min(match, committed) per follower and no entries', () => {
    const node = newTestNode(1, {
      voters: [1, 2, 3],
      snapshot: testSnapshot(1000, 1, [1, 2, 3]),
      hardState: { term: 1, vote: NONE, commit: 1000 },
    });
    node.rawNode.raft.becomeCandidate();
    node.rawNode.raft.becomeLeader();
    for (let i = 0; i < 10; i++) node.rawNode.propose(encoder.encode(`e${i}`));
    drainNode(node);
    node.rawNode.step(makeMessage({ type: 'appResp', from: 3, to: 1, term: 2, index: 1011 }));
    node.rawNode.step(makeMessage({ type: 'appResp', from: 2, to: 1, term: 2, index: 1005 }));
    drainNode(node);

    node.rawNode.raft.step(makeMessage({ type: 'beat', from: 1, to: 1 }));

    const heartbeats = drainNode(node);
    expect(heartbeats.map((m) => [m.type, m.to, m.commit, m.logTerm, m.entries.length])).toEqual([
      ['heartbeat', 2, 1005, 0, 0],
      ['heartbeat', 3, 1011, 0, 0],
    ]);
  });

  it.each([
    ['leader', 2],
    ['candidate', 0],
    ['follower', 0],
  ] as const)('on a beat, a %s sends %i heartbeats', (role, count) => {
    const node = newTestNode(1, { voters: [1, 2, 3] }, PLAIN);
    const raft = node.rawNode.raft;
    if (role !== 'follower') raft.becomeCandidate();
    if (role === 'leader') raft.becomeLeader();
    drainNode(node);

    raft.step(makeMessage({ type: 'beat', from: 1, to: 1 }));

    expect(drainNode(node).filter((m) => m.type === 'heartbeat')).toHaveLength(count);
  });

  it.each([
    ['replicate', 6],
    ['probe', 2],
  ] as const)('in %s state, next advances optimistically only when replicating (next -> %i)', (state, expectedNext) => {
    const node = handMadeLeader([1, 2], entriesWithTerms(1, 1, 2, 3), 3);
    const progress = node.rawNode.raft.tracker.progress.get(2);
    if (progress === undefined) throw new Error('no progress for 2');
    progress.state = state;
    progress.next = 2;

    node.rawNode.propose(encoder.encode('somedata'));

    expect(progress.next).toBe(expectedNext);
  });

  it('a probing follower gets one append per heartbeat response, not one per proposal', () => {
    const node = handMadeLeader([1, 2]);
    const progress = node.rawNode.raft.tracker.progress.get(2);
    progress?.becomeProbe();
    node.rawNode.propose(encoder.encode('first'));
    expect(only(drainNode(node))).toMatchObject({ type: 'app', index: 0 });

    for (let round = 0; round < 3; round++) {
      expect(progress?.isPaused()).toBe(true);
      for (let i = 0; i < 10; i++) node.rawNode.propose(encoder.encode('more'));
      node.rawNode.raft.step(makeMessage({ type: 'beat', from: 1, to: 1 }));
      expect(drainNode(node).map((m) => m.type)).toEqual(['heartbeat']);
    }

    node.rawNode.step(makeMessage({ type: 'heartbeatResp', from: 2, to: 1, term: 1 }));
    const resent = only(drainNode(node));
    expect([resent.type, resent.index, resent.entries.length]).toEqual(['app', 0, 32]);
    expect(progress?.isPaused()).toBe(true);
  });

  it('a replicating follower gets one append per proposal; a follower receiving a snapshot gets none', () => {
    const node = handMadeLeader([1, 2, 3]);
    node.rawNode.raft.tracker.progress.get(2)?.becomeReplicate();
    node.rawNode.raft.tracker.progress.get(3)?.becomeSnapshot(10);
    for (let i = 0; i < 10; i++) {
      node.rawNode.propose(encoder.encode('somedata'));
      expect(drainNode(node).map((m) => [m.type, m.to])).toEqual([['app', 2]]);
    }
  });

  it('a heartbeat response resends appends to a lagging follower until it acknowledges them', () => {
    const node = handMadeLeader([1, 2], entriesWithTerms(1, 1, 2, 3), 3);

    node.rawNode.step(makeMessage({ type: 'heartbeatResp', from: 2, to: 1, term: 4 }));
    const first = only(drainNode(node));
    expect(first.type).toBe('app');
    node.rawNode.step(makeMessage({ type: 'heartbeatResp', from: 2, to: 1, term: 4 }));
    const second = only(drainNode(node));
    expect(second.type).toBe('app');

    node.rawNode.step(
      makeMessage({ type: 'appResp', from: 2, to: 1, term: 4, index: second.index + second.entries.length })
    );
    drainNode(node);
    node.rawNode.step(makeMessage({ type: 'heartbeatResp', from: 2, to: 1, term: 4 }));
    expect(drainNode(node)).toEqual([]);
  });

  it('a follower that has not answered yet waits while an answering one receives new entries', () => {
    const node = handMadeLeader([1, 2, 3]);
    node.rawNode.step(makeMessage({ type: 'appResp', from: 2, to: 1, term: 1, index: 1 }));
    expect(node.rawNode.raft.raftLog.committed).toBe(1);
    drainNode(node);

    node.rawNode.propose(new Uint8Array(0));
    const toTwo = only(drainNode(node));
    expect([toTwo.to, logPositions(toTwo.entries)]).toEqual([2, [[2, 1]]]);

    node.rawNode.step(makeMessage({ type: 'appResp', from: 3, to: 1, term: 1, index: 1 }));
    const toThree = only(drainNode(node));
    expect([toThree.to, logPositions(toThree.entries)]).toEqual([3, [[2, 1]]]);
  });

  it('an unreachable report moves a replicating follower back to probe from its match', () => {
    const node = handMadeLeader([1, 2], entriesWithTerms(1, 1, 2, 3), 3);
    const progress = node.rawNode.raft.tracker.progress.get(2);
    if (progress === undefined) throw new Error('no progress for 2');
    progress.match = 3;
    progress.becomeReplicate();
    progress.next = 6;

    node.rawNode.reportUnreachable(2);

    expect(progress.state).toBe('probe');
    expect(progress.next).toBe(4);
  });

  it('a reordered rejection does not move the probe below the match', () => {
    const leader = handMadeLeader([1, 2]);
    const follower = newTestNode(2, { voters: [1, 2] }, PLAIN);
    leader.rawNode.raft.tracker.progress.get(2)?.becomeReplicate();
    leader.rawNode.propose(encoder.encode('somedata'));
    const first = only(drainNode(leader));
    leader.rawNode.propose(encoder.encode('somedata'));
    const second = only(drainNode(leader));

    follower.rawNode.step(second); // arrives first
    const rejection = only(drainNode(follower));
    expect([rejection.reject, rejection.rejectHint, rejection.index]).toEqual([true, 0, 2]);
    follower.rawNode.step(first);
    const ack = only(drainNode(follower));
    expect([ack.reject, ack.index]).toEqual([false, 2]);
    leader.rawNode.step(ack);
    drainNode(leader);
    expect(leader.rawNode.status().progress?.get(2)?.match).toBe(2);

    leader.rawNode.reportUnreachable(2);
    expect(leader.rawNode.status().progress?.get(2)?.state).toBe('probe');
    leader.rawNode.step(rejection);

    const resent = only(drainNode(leader));
    expect(resent.index).toBe(2); // from the match, although the stale hint said 0
  });
});

describe('fast log back-off', () => {
  const rejectionCases: Array<[string, number[], number[], number, number, number, number]> = [
    // [name, leader terms, follower terms, hint term, hint index, next append term, next append index]
    ['leader finds the conflict quickly', [1, 2, 2, 4, 4, 4, 4], [1, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3], 3, 7, 2, 3],
    ['leader finds the conflict quickly (2)', [1, 2, 2, 3, 4, 4, 4, 5], [1, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3], 3, 8, 3, 4],
    ['follower finds the conflict quickly', [1, 1, 1, 1], [1, 2, 2, 4], 1, 1, 1, 1],
    ['leader has the longer uncommitted tail', [1, 1, 1, 1, 1, 1], [1, 2, 2, 4], 1, 1, 1, 1],
    ['follower has the longer uncommitted tail', [1, 1, 1, 1], [1, 2, 2, 4, 4, 4], 1, 1, 1, 1],
    ['no conflict, the follower is just behind', [1, 1, 1, 4, 5], [1, 1, 1, 4], 4, 4, 4, 4],
    ['example of the leader-side comment', [2, 5, 5, 5, 5, 5, 5, 5, 5], [2, 4, 4, 4, 4, 4], 4, 6, 2, 1],
    ['example of the follower-side comment', [2, 2, 2, 2, 2], [2, 4, 4, 4, 4, 4, 4, 4], 2, 1, 2, 1],
  ];
  it.each(rejectionCases)('%s', (_name, leaderTerms, followerTerms, hintTerm, hintIndex, nextTerm, nextIndex) => {
    const leaderLog = entriesWithTerms(1, ...leaderTerms);
    const last = leaderLog[leaderLog.length - 1] as Entry;
    const leader = newTestNode(1, {
      voters: [1, 2, 3],
      entries: leaderLog,
      hardState: { term: last.term - 1, vote: NONE, commit: last.index },
    });
    leader.rawNode.raft.becomeCandidate(); // term = last.term
    leader.rawNode.raft.becomeLeader();
    drainNode(leader);
    const follower = newTestNode(2, {
      voters: [1, 2, 3],
      entries: entriesWithTerms(1, ...followerTerms),
      hardState: { term: last.term, vote: 1, commit: 0 },
    });

    follower.rawNode.step(makeMessage({ type: 'heartbeat', from: 1, to: 2, term: last.term }));
    leader.rawNode.step(only(drainNode(follower)));
    const probe = only(drainNode(leader));
    expect(probe.type).toBe('app');
    follower.rawNode.step(probe);
    const rejection = only(drainNode(follower));
    expect([rejection.type, rejection.reject, rejection.logTerm, rejection.rejectHint]).toEqual([
      'appResp',
      true,
      hintTerm,
      hintIndex,
    ]);
    leader.rawNode.step(rejection);
    const next = drainNode(leader)[0];
    expect([next?.logTerm, next?.index]).toEqual([nextTerm, nextIndex]);
  });

  it('repairs a follower with a 300-entry divergent tail in about one round trip per divergent term', () => {
    // Common prefix 1..5 (term 1). The follower then has terms 2, 3 and 4, 100 entries each; the leader and
    // node 3 have 20 entries of term 5, a higher last term, so node 1 can win with node 3's vote.
    const prefix = Array.from({ length: 5 }, () => 1);
    const followerTerms = [...prefix, ...[2, 3, 4].flatMap((term) => Array.from({ length: 100 }, () => term))];
    const leaderTerms = [...prefix, ...Array.from({ length: 20 }, () => 5)];
    const net = new TestNetwork([], PLAIN);
    const fixture = (terms: number[], term: number) =>
      newFixtureStorage({
        voters: [1, 2, 3],
        entries: entriesWithTerms(1, ...terms),
        hardState: { term, vote: NONE, commit: 5 },
      });
    net.addNode(1, fixture(leaderTerms, 5), PLAIN);
    net.addNode(2, fixture(followerTerms, 4), PLAIN);
    net.addNode(3, fixture(leaderTerms, 5), PLAIN);

    net.campaign(1);
    net.propose(1, 'after repair');

    const rejections = net.delivered.filter((m) => m.type === 'appResp' && m.from === 2 && m.reject);
    expect(rejections.length).toBeGreaterThanOrEqual(1);
    expect(rejections.length).toBeLessThanOrEqual(3); // three divergent terms, 300 divergent entries
    expect(logPositions(net.raw(2).raft.raftLog.allEntries())).toEqual(
      logPositions(net.raw(1).raft.raftLog.allEntries())
    );
    expect(summarize(net)).toEqual([
      { id: 1, role: 'leader', term: 6, lastIndex: 27 },
      { id: 2, role: 'follower', term: 6, lastIndex: 27 },
      { id: 3, role: 'follower', term: 6, lastIndex: 27 },
    ]);
    expect(net.appliedData(2)).toEqual(['after repair']);
  });

  it('repairs a follower whose divergent terms interleave with the leader’s in one round trip per term at most', () => {
    // Leader: 1..3 term 1, then terms 2, 4, 6 (10 entries each). Follower: 1..3 term 1, then terms 3, 5 (40 each).
    const leaderTerms = [1, 1, 1, ...[2, 4, 6].flatMap((term) => Array.from({ length: 10 }, () => term))];
    const followerTerms = [1, 1, 1, ...[3, 5].flatMap((term) => Array.from({ length: 40 }, () => term))];
    const net = new TestNetwork([], PLAIN);
    const fixture = (terms: number[], term: number) =>
      newFixtureStorage({
        voters: [1, 2, 3],
        entries: entriesWithTerms(1, ...terms),
        hardState: { term, vote: NONE, commit: 3 },
      });
    net.addNode(1, fixture(leaderTerms, 6), PLAIN);
    net.addNode(2, fixture(followerTerms, 6), PLAIN);
    net.addNode(3, fixture(leaderTerms, 6), PLAIN);

    net.campaign(1);

    const rejections = net.delivered.filter((m) => m.type === 'appResp' && m.from === 2 && m.reject);
    expect(rejections.length).toBeLessThanOrEqual(5);
    expect(logPositions(net.raw(2).raft.raftLog.allEntries())).toEqual(
      logPositions(net.raw(1).raft.raftLog.allEntries())
    );
    expect(net.raw(2).raft.raftLog.lastIndex()).toBe(34);
  });
});
