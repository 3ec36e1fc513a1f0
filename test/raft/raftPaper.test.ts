/**
 * Goal: every rule of the Raft paper (Ongaro & Ousterhout, "In Search of an Understandable Consensus
 * Algorithm", §5) holds in the core, one test per rule, named after it; a port of etcd-raft's
 * raft_paper_test.go.
 *
 * Method: each test has three parts: set up a node (or a small TestNetwork) from a hand-built storage, act by
 * stepping messages or ticking, check the outgoing messages and the state. Nodes run without PreVote and
 * CheckQuorum, as in the paper. Self-acknowledgements (a candidate's own vote, a leader's ack of its own
 * append) only count after a Ready/advance cycle, so tests that depend on them run one (`drainNode`).
 */
import { describe, expect, it } from 'vitest';
import type { Entry, Message, NodeId } from '../../src/raft/core/types.js';
import { NONE, makeMessage } from '../../src/raft/core/types.js';
import type { NodeOptions, StorageFixture, TestNode } from './support/network.js';
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
const ELECTION_TICKS = 10;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

function idsUpTo(size: number): NodeId[] {
  return Array.from({ length: size }, (_, offset) => offset + 1);
}

function newNode(id: NodeId, fixture: StorageFixture, options: NodeOptions = {}): TestNode {
  return newTestNode(id, fixture, { ...PLAIN, ...options });
}

/** etcd's acceptAndReply: the follower's positive answer to an append. */
function acceptAndReply(append: Message): Message {
  expect(append.type).toBe('app');
  return makeMessage({
    type: 'appResp',
    from: append.to,
    to: append.from,
    term: append.term,
    index: append.index + append.entries.length,
  });
}

/** etcd's newTestRaft + becomeCandidate + becomeLeader + commitNoopEntry: a leader whose no-op is committed. */
function leaderWithCommittedNoop(voters: readonly NodeId[]): TestNode {
  const node = newNode(1, { voters });
  node.rawNode.raft.becomeCandidate();
  node.rawNode.raft.becomeLeader();
  node.rawNode.raft.bcastAppend();
  for (const sent of drainNode(node)) {
    if (sent.type === 'app') node.rawNode.step(acceptAndReply(sent));
  }
  drainNode(node); // the commit of the no-op goes out to the followers

  expect(node.rawNode.raft.raftLog.committed).toBe(1);
  return node;
}

function byTarget(messages: readonly Message[]): Message[] {
  return [...messages].sort((a, b) => a.to - b.to || a.type.localeCompare(b.type));
}

describe('Raft paper §5.1: terms', () => {
  it.each(['follower', 'candidate', 'leader'] as const)(
    '%s updates its term from a message with a higher term and becomes a follower',
    (role) => {
      const node = newNode(1, { voters: [1, 2, 3] });
      const raft = node.rawNode.raft;
      if (role === 'follower') raft.becomeFollower(1, 2);
      if (role !== 'follower') raft.becomeCandidate();
      if (role === 'leader') raft.becomeLeader();

      node.rawNode.step(makeMessage({ type: 'app', from: 2, to: 1, term: 2 }));

      expect(raft.term).toBe(2);
      expect(raft.role).toBe('follower');
      expect(raft.leader).toBe(2);
    }
  );

  it('rejects a stale-term message: no state change, no reply without CheckQuorum', () => {
    const node = newNode(1, { voters: [1, 2, 3], hardState: { term: 2, vote: NONE, commit: 0 } });
    const raft = node.rawNode.raft;

    node.rawNode.step(
      makeMessage({ type: 'app', from: 2, to: 1, term: 1, entries: entriesWithTerms(1, 1), commit: 1 })
    );
    node.rawNode.step(makeMessage({ type: 'vote', from: 3, to: 1, term: 1, index: 5, logTerm: 1 }));

    expect(raft.term).toBe(2);
    expect(raft.leader).toBe(NONE);
    expect(raft.vote).toBe(NONE);
    expect(raft.raftLog.lastIndex()).toBe(0);
    expect(raft.raftLog.committed).toBe(0);
    expect(drainNode(node)).toEqual([]);
  });

  it('answers a stale-term append with its own term when CheckQuorum is on, so the old leader steps down', () => {
    const node = newNode(
      1,
      { voters: [1, 2, 3], hardState: { term: 2, vote: NONE, commit: 0 } },
      { checkQuorum: true }
    );

    node.rawNode.step(makeMessage({ type: 'app', from: 2, to: 1, term: 1 }));

    const sent = drainNode(node);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ type: 'appResp', to: 2, term: 2, reject: false });
    expect(node.rawNode.raft.raftLog.lastIndex()).toBe(0);
  });
});

describe('Raft paper §5.2: leader election', () => {
  it('starts as a follower with no leader and no vote', () => {
    const node = newNode(1, { voters: [1, 2, 3] });
    const raft = node.rawNode.raft;
    expect(raft.role).toBe('follower');
    expect(raft.term).toBe(0);
    expect(raft.leader).toBe(NONE);
    expect(raft.vote).toBe(NONE);
  });

  it('leader sends heartbeats every heartbeat timeout, carrying commit = min(match, committed) and its tick', () => {
    const node = newNode(1, { voters: [1, 2, 3] }, { heartbeatTicks: 3 });
    const raft = node.rawNode.raft;
    raft.becomeCandidate();
    raft.becomeLeader();
    for (let i = 0; i < 10; i++) node.rawNode.propose(encoder.encode(`entry ${i}`));
    drainNode(node);

    node.rawNode.tick();
    node.rawNode.tick();
    expect(drainNode(node).filter((sent) => sent.type === 'heartbeat')).toEqual([]);
    node.rawNode.tick();

    const heartbeats = byTarget(drainNode(node)).filter((sent) => sent.type === 'heartbeat');
    expect(
      heartbeats.map((beat) => ({ to: beat.to, term: beat.term, commit: beat.commit, index: beat.index }))
    ).toEqual([
      { to: 2, term: 1, commit: 0, index: 3 },
      { to: 3, term: 1, commit: 0, index: 3 },
    ]);
  });

  it.each(['follower', 'candidate'] as const)(
    '%s starts an election after the election timeout: new term, votes for itself, asks every peer',
    (role) => {
      const node = newNode(1, { voters: [1, 2, 3] });
      const raft = node.rawNode.raft;
      if (role === 'follower') raft.becomeFollower(1, 2);
      else raft.becomeCandidate();

      for (let tick = 1; tick < 2 * ELECTION_TICKS; tick++) node.rawNode.tick();
      const sent = byTarget(drainNode(node));

      expect(raft.term).toBe(2);
      expect(raft.role).toBe('candidate');
      expect(raft.vote).toBe(1);
      expect(raft.tracker.votes.get(1)).toBe(true); // counted once persisted
      expect(node.storage.hardState()).toEqual({ term: 2, vote: 1, commit: 0 });
      expect(sent.map((m) => ({ type: m.type, to: m.to, term: m.term, index: m.index, logTerm: m.logTerm }))).toEqual([
        { type: 'vote', to: 2, term: 2, index: 0, logTerm: 0 },
        { type: 'vote', to: 3, term: 2, index: 0, logTerm: 0 },
      ]);
    }
  );

  const oneRoundCases: Array<[number, Record<number, boolean>, string]> = [
    [1, {}, 'leader'],
    [3, { 2: true, 3: true }, 'leader'],
    [3, { 2: true }, 'leader'],
    [5, { 2: true, 3: true, 4: true, 5: true }, 'leader'],
    [5, { 2: true, 3: true, 4: true }, 'leader'],
    [5, { 2: true, 3: true }, 'leader'],
    [3, { 2: false, 3: false }, 'follower'],
    [5, { 2: false, 3: false, 4: false, 5: false }, 'follower'],
    [5, { 2: true, 3: false, 4: false, 5: false }, 'follower'],
    [3, {}, 'candidate'],
    [5, { 2: true }, 'candidate'],
    [5, { 2: false, 3: false }, 'candidate'],
    [5, {}, 'candidate'],
  ];
  it.each(oneRoundCases)(
    'leader election in one round: %i voters, votes %j -> %s (won, lost, pending)',
    (size, votes, expectedRole) => {
      const node = newNode(1, { voters: idsUpTo(size) });
      node.rawNode.campaign();
      drainNode(node); // persists term and self-vote, then counts the self-vote

      for (const [id, granted] of Object.entries(votes)) {
        node.rawNode.step(makeMessage({ type: 'voteResp', from: Number(id), to: 1, term: 1, reject: !granted }));
      }

      expect(node.rawNode.raft.role).toBe(expectedRole);
      expect(node.rawNode.raft.term).toBe(1);
    }
  );

  const voteCases: Array<[NodeId, NodeId, boolean]> = [
    [NONE, 2, false],
    [NONE, 3, false],
    [2, 2, false],
    [3, 3, false],
    [2, 3, true],
    [3, 2, true],
  ];
  it.each(voteCases)(
    'follower votes once per term, first come first served (voted for %i, request from %i, reject=%s)',
    (votedFor, candidate, expectReject) => {
      const node = newNode(1, { voters: [1, 2, 3], hardState: { term: 1, vote: votedFor, commit: 0 } });

      node.rawNode.step(makeMessage({ type: 'vote', from: candidate, to: 1, term: 1 }));

      const ready = node.rawNode.ready();
      expect(ready.messages).toEqual([]); // a vote never leaves before the persist of the vote itself
      expect(ready.messagesAfterPersist).toHaveLength(1);
      expect(ready.messagesAfterPersist[0]).toMatchObject({
        type: 'voteResp',
        to: candidate,
        term: 1,
        reject: expectReject,
      });
      expect(node.rawNode.raft.vote).toBe(expectReject ? votedFor : candidate);
    }
  );

  it.each([1, 2])('candidate falls back to follower on an append from a valid leader of term %i', (term) => {
    const node = newNode(1, { voters: [1, 2, 3] });
    node.rawNode.campaign();
    expect(node.rawNode.raft.role).toBe('candidate');

    node.rawNode.step(makeMessage({ type: 'app', from: 2, to: 1, term }));

    expect(node.rawNode.raft.role).toBe('follower');
    expect(node.rawNode.raft.term).toBe(term);
    expect(node.rawNode.raft.leader).toBe(2);
  });

  it.each(['follower', 'candidate'] as const)(
    '%s election timeouts are randomized over [electionTicks, 2·electionTicks)',
    (role) => {
      const node = newNode(1, { voters: [1, 2, 3] });
      const raft = node.rawNode.raft;
      const timeouts = new Set<number>();
      for (let round = 0; round < 50 * ELECTION_TICKS; round++) {
        if (role === 'follower') raft.becomeFollower(raft.term + 1, 2);
        else raft.becomeCandidate();
        raft.messages = [];
        raft.messagesAfterPersist = [];
        let ticks = 0;
        while (raft.messages.length === 0) {
          raft.tick();
          ticks++;
        }
        timeouts.add(ticks);
      }
      const expected = Array.from({ length: ELECTION_TICKS }, (_, offset) => ELECTION_TICKS + offset);
      expect([...timeouts].sort((a, b) => a - b)).toEqual(expected);
    }
  );

  it.each(['follower', 'candidate'] as const)(
    '%s election timeouts of five nodes rarely collide (at most 30%% of rounds)',
    (role) => {
      const nodes = idsUpTo(5).map((id) => newNode(id, { voters: idsUpTo(5) }));
      let conflicts = 0;
      for (let round = 0; round < 1000; round++) {
        for (const node of nodes) {
          const raft = node.rawNode.raft;
          if (role === 'follower') raft.becomeFollower(raft.term + 1, NONE);
          else raft.becomeCandidate();
          raft.messages = [];
          raft.messagesAfterPersist = [];
        }
        let timedOut = 0;
        while (timedOut === 0) {
          for (const node of nodes) {
            node.rawNode.raft.tick();
            if (node.rawNode.raft.messages.length > 0) timedOut++;
          }
        }
        if (timedOut > 1) conflicts++;
      }
      expect(conflicts / 1000).toBeLessThanOrEqual(0.3);
    }
  );
});

describe('Raft paper §5.3: log replication', () => {
  it('leader starts replication: appends the entry to its log and sends AppendEntries to every follower', () => {
    const node = leaderWithCommittedNoop([1, 2, 3]);
    const lastIndex = node.rawNode.raft.raftLog.lastIndex();

    node.rawNode.propose(encoder.encode('some data'));
    const ready = node.rawNode.ready();

    expect(node.rawNode.raft.raftLog.lastIndex()).toBe(lastIndex + 1);
    expect(node.rawNode.raft.raftLog.committed).toBe(lastIndex);
    expect(logPositions(ready.entries)).toEqual([[lastIndex + 1, 1]]);
    const appends = byTarget(ready.messages);
    expect(
      appends.map((m) => ({
        type: m.type,
        to: m.to,
        term: m.term,
        index: m.index,
        logTerm: m.logTerm,
        commit: m.commit,
      }))
    ).toEqual([
      { type: 'app', to: 2, term: 1, index: lastIndex, logTerm: 1, commit: lastIndex },
      { type: 'app', to: 3, term: 1, index: lastIndex, logTerm: 1, commit: lastIndex },
    ]);
    for (const append of appends) {
      expect(logPositions(append.entries)).toEqual([[lastIndex + 1, 1]]);
      expect(decoder.decode(append.entries[0]?.data)).toBe('some data');
    }
    expect(ready.messagesAfterPersist).toEqual([]); // the self-ack is held back until advance()
  });

  it('leader commits an entry once a majority stored it, applies it, and tells followers the new commit', () => {
    const node = leaderWithCommittedNoop([1, 2, 3]);
    const lastIndex = node.rawNode.raft.raftLog.lastIndex();
    node.rawNode.propose(encoder.encode('some data'));

    for (const sent of drainNode(node)) if (sent.type === 'app') node.rawNode.step(acceptAndReply(sent));
    const ready = node.rawNode.ready();

    expect(node.rawNode.raft.raftLog.committed).toBe(lastIndex + 1);
    expect(logPositions(ready.committedEntries)).toEqual([[lastIndex + 1, 1]]);
    expect(decoder.decode(ready.committedEntries[0]?.data)).toBe('some data');
    const appends = byTarget(ready.messages);
    expect(appends.map((m) => [m.type, m.to, m.commit])).toEqual([
      ['app', 2, lastIndex + 1],
      ['app', 3, lastIndex + 1],
    ]);
  });

  const acknowledgeCases: Array<[number, NodeId[], boolean]> = [
    [1, [], true],
    [3, [], false],
    [3, [2], true],
    [3, [2, 3], true],
    [5, [], false],
    [5, [2], false],
    [5, [2, 3], true],
    [5, [2, 3, 4], true],
    [5, [2, 3, 4, 5], true],
  ];
  it.each(acknowledgeCases)(
    'leader acknowledges a commit once a majority (its own durable append included) has it: %i voters, acks from %j -> %s',
    (size, acceptors, expectCommitted) => {
      const node = leaderWithCommittedNoop(idsUpTo(size));
      const lastIndex = node.rawNode.raft.raftLog.lastIndex();
      node.rawNode.propose(encoder.encode('some data'));

      for (const sent of drainNode(node)) {
        if (sent.type === 'app' && acceptors.includes(sent.to)) node.rawNode.step(acceptAndReply(sent));
      }

      expect(node.rawNode.raft.raftLog.committed > lastIndex).toBe(expectCommitted);
    }
  );

  it('leader does not count its own append until the driver persisted it (self-ack in advance)', () => {
    const node = leaderWithCommittedNoop([1]);
    node.rawNode.propose(encoder.encode('x'));
    const lastIndex = node.rawNode.raft.raftLog.lastIndex();

    expect(node.rawNode.raft.raftLog.committed).toBe(lastIndex - 1);
    const ready = node.rawNode.ready();
    expect(logPositions(ready.entries)).toEqual([[lastIndex, 1]]);
    expect(node.rawNode.raft.raftLog.committed).toBe(lastIndex - 1); // handed out, not yet durable
    node.storage.applyPersisted({ snapshot: ready.snapshot, entries: ready.entries, hardState: ready.hardState });
    node.rawNode.advance();

    expect(node.rawNode.raft.raftLog.committed).toBe(lastIndex);
  });

  const precedingCases: Entry[][] = [[], entriesWithTerms(1, 2), entriesWithTerms(1, 1, 2), entriesWithTerms(1, 1)];
  it.each(precedingCases)(
    'leader commits preceding entries of earlier terms together with its own (log %#)',
    (...previous: Entry[]) => {
      const node = newNode(1, { voters: [1, 2, 3], entries: previous, hardState: { term: 2, vote: NONE, commit: 0 } });
      node.rawNode.raft.becomeCandidate();
      node.rawNode.raft.becomeLeader();
      node.rawNode.propose(encoder.encode('some data'));

      for (const sent of drainNode(node)) if (sent.type === 'app') node.rawNode.step(acceptAndReply(sent));
      drainNode(node);

      const lastPrevious = previous.length;
      expect(logPositions(node.applied)).toEqual([
        ...logPositions(previous),
        [lastPrevious + 1, 3],
        [lastPrevious + 2, 3],
      ]);
      expect(decoder.decode(node.applied[node.applied.length - 1]?.data)).toBe('some data');
    }
  );

  const followerCommitCases: Array<[string[], number]> = [
    [['some data'], 1],
    [['some data', 'some data2'], 2],
    [['some data2', 'some data'], 2],
    [['some data', 'some data2'], 1],
  ];
  it.each(followerCommitCases)('follower commits entries up to the leader commit (%j, commit %i)', (datas, commit) => {
    const node = newNode(1, { voters: [1, 2, 3] });
    node.rawNode.raft.becomeFollower(1, 2);
    const entries: Entry[] = datas.map((data, offset) => ({
      term: 1,
      index: offset + 1,
      kind: 'normal',
      data: encoder.encode(data),
    }));

    node.rawNode.step(makeMessage({ type: 'app', from: 2, to: 1, term: 1, entries, commit }));

    expect(node.rawNode.raft.raftLog.committed).toBe(commit);
    const ready = node.rawNode.ready();
    expect(ready.committedEntries.map((entry) => decoder.decode(entry.data))).toEqual(datas.slice(0, commit));
  });

  const consistencyCases: Array<[number, number, number, boolean, number, number]> = [
    // [logTerm, index, response index, reject, rejectHint, hint logTerm]
    [0, 0, 1, false, 0, 0], // below the commit index: answered with the commit index
    [1, 1, 1, false, 0, 0], // matches entry 1
    [2, 2, 2, false, 0, 0], // matches entry 2
    [1, 2, 2, true, 1, 1], // entry 2 has another term: hint the last entry with term ≤ 1
    [3, 3, 3, true, 2, 2], // entry 3 does not exist: hint our last entry
  ];
  it.each(consistencyCases)(
    'follower checks append consistency on (prevLogTerm %i, prevLogIndex %i) -> index %i reject=%s hint %i/%i',
    (logTerm, index, responseIndex, reject, rejectHint, hintTerm) => {
      const node = newNode(1, {
        voters: [1, 2, 3],
        entries: entriesWithTerms(1, 1, 2),
        hardState: { term: 2, vote: NONE, commit: 1 },
      });
      node.rawNode.raft.becomeFollower(2, 2);

      node.rawNode.step(makeMessage({ type: 'app', from: 2, to: 1, term: 2, logTerm, index }));

      const ready = node.rawNode.ready();
      expect(ready.messages).toEqual([]);
      expect(ready.messagesAfterPersist).toHaveLength(1);
      expect(ready.messagesAfterPersist[0]).toMatchObject({
        type: 'appResp',
        to: 2,
        term: 2,
        index: responseIndex,
        reject,
        rejectHint,
        logTerm: hintTerm,
      });
    }
  );

  const conflictCases: Array<[number, number, Entry[], Array<[number, number]>, Array<[number, number]>]> = [
    [
      2,
      2,
      entriesWithTerms(3, 3),
      [
        [1, 1],
        [2, 2],
        [3, 3],
      ],
      [[3, 3]],
    ],
    [
      1,
      1,
      entriesWithTerms(2, 3, 4),
      [
        [1, 1],
        [2, 3],
        [3, 4],
      ],
      [
        [2, 3],
        [3, 4],
      ],
    ],
    [
      0,
      0,
      entriesWithTerms(1, 1),
      [
        [1, 1],
        [2, 2],
      ],
      [],
    ],
    [0, 0, entriesWithTerms(1, 3), [[1, 3]], [[1, 3]]],
  ];
  it.each(conflictCases)(
    'follower appends new entries and deletes conflicting ones (prev %i/%i) %#',
    (index, logTerm, entries, expectedLog, expectedUnstable) => {
      const node = newNode(1, { voters: [1, 2, 3], entries: entriesWithTerms(1, 1, 2) });
      node.rawNode.raft.becomeFollower(2, 2);

      node.rawNode.step(makeMessage({ type: 'app', from: 2, to: 1, term: 2, logTerm, index, entries }));

      expect(logPositions(node.rawNode.raft.raftLog.allEntries())).toEqual(expectedLog);
      expect(logPositions(node.rawNode.raft.raftLog.nextUnstableEntries())).toEqual(expectedUnstable);
    }
  );

  // Figure 7: the leader's log and six follower logs (a)–(f) that it must repair.
  const figure7Leader = entriesWithTerms(1, 1, 1, 1, 4, 4, 5, 5, 6, 6, 6);
  const figure7Followers: Array<[string, Entry[]]> = [
    ['a', entriesWithTerms(1, 1, 1, 1, 4, 4, 5, 5, 6, 6)],
    ['b', entriesWithTerms(1, 1, 1, 1, 4)],
    ['c', entriesWithTerms(1, 1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6)],
    ['d', entriesWithTerms(1, 1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7)],
    ['e', entriesWithTerms(1, 1, 1, 1, 4, 4, 4, 4)],
    ['f', entriesWithTerms(1, 1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3)],
  ];
  it.each(figure7Followers)('leader syncs a follower log to its own (Figure 7 case %s)', (_name, followerLog) => {
    const term = 8;
    const net = new TestNetwork([], PLAIN);
    net.addNode(
      1,
      newFixtureStorage({ voters: [1, 2, 3], entries: figure7Leader, hardState: { term, vote: NONE, commit: 10 } }),
      PLAIN
    );
    net.addNode(
      2,
      newFixtureStorage({
        voters: [1, 2, 3],
        entries: followerLog,
        hardState: { term: term - 1, vote: NONE, commit: 0 },
      }),
      PLAIN
    );
    // Node 3 does not exist; it grants its vote by hand, as etcd's nopStepper does.

    net.campaign(1);
    net.send(makeMessage({ type: 'voteResp', from: 3, to: 1, term: term + 1 }));
    expect(net.raw(1).raft.role).toBe('leader');
    net.propose(1, '');

    const leaderLog = logPositions(net.raw(1).raft.raftLog.allEntries());
    expect(logPositions(net.raw(2).raft.raftLog.allEntries())).toEqual(leaderLog);
    expect(leaderLog.slice(-2)).toEqual([
      [11, term + 1],
      [12, term + 1],
    ]);
    expect(net.raw(1).raft.raftLog.committed).toBe(12);
  });
});

describe('Raft paper §5.4: safety', () => {
  it.each([
    [entriesWithTerms(1, 1), 2],
    [entriesWithTerms(1, 1, 2), 3],
  ] as Array<[Entry[], number]>)(
    'vote request includes the last log index and term (log %#)',
    (entries, campaignTerm) => {
      const node = newNode(1, { voters: [1, 2, 3] });
      node.rawNode.step(makeMessage({ type: 'app', from: 2, to: 1, term: campaignTerm - 1, entries }));
      drainNode(node);

      for (let tick = 1; tick < 2 * ELECTION_TICKS; tick++) node.rawNode.tick();

      const votes = byTarget(drainNode(node)).filter((sent) => sent.type === 'vote');
      const last = entries[entries.length - 1] as Entry;
      expect(votes.map((vote) => [vote.to, vote.term, vote.index, vote.logTerm])).toEqual([
        [2, campaignTerm, last.index, last.term],
        [3, campaignTerm, last.index, last.term],
      ]);
    }
  );

  const voterCases: Array<[Entry[], number, number, boolean]> = [
    // [voter log, candidate last term, candidate last index, reject]
    [entriesWithTerms(1, 1), 1, 1, false], // same last term, same index
    [entriesWithTerms(1, 1), 1, 2, false], // same last term, longer
    [entriesWithTerms(1, 1, 1), 1, 1, true], // same last term, shorter
    [entriesWithTerms(1, 1), 2, 1, false], // higher last term
    [entriesWithTerms(1, 1), 2, 2, false],
    [entriesWithTerms(1, 1, 1), 2, 1, false], // higher last term, shorter
    [entriesWithTerms(1, 2), 1, 1, true], // lower last term
    [entriesWithTerms(1, 2), 1, 2, true], // lower last term, longer
    [entriesWithTerms(1, 2, 2), 1, 1, true],
    [entriesWithTerms(1, 1, 1), 1, 1, true],
  ];
  it.each(voterCases)(
    'voter rejects a candidate whose log is older than its own (§5.4.1) %#',
    (entries, logTerm, index, expectReject) => {
      const node = newNode(1, { voters: [1, 2], entries });

      node.rawNode.step(makeMessage({ type: 'vote', from: 2, to: 1, term: 3, logTerm, index }));

      const sent = drainNode(node);
      expect(sent).toHaveLength(1);
      expect(sent[0]).toMatchObject({ type: 'voteResp', to: 2, term: 3, reject: expectReject });
    }
  );

  it.each([
    [1, 0],
    [2, 0],
    [3, 3],
  ])(
    'leader only commits entries of its own term by counting replicas (§5.4.2): ack of index %i -> commit %i',
    (ackedIndex, expectedCommit) => {
      const node = newNode(1, {
        voters: [1, 2],
        entries: entriesWithTerms(1, 1, 2),
        hardState: { term: 2, vote: NONE, commit: 0 },
      });
      node.rawNode.raft.becomeCandidate();
      node.rawNode.raft.becomeLeader();
      node.rawNode.propose(new Uint8Array(0));
      drainNode(node); // the leader's own match reaches index 4 once durable

      node.rawNode.step(makeMessage({ type: 'appResp', from: 2, to: 1, term: 3, index: ackedIndex }));

      expect(node.rawNode.raft.raftLog.committed).toBe(expectedCommit);
    }
  );

  /**
   * Figure 8 as a network: S1 (term 4) has replicated its term-2 entry at index 2 on a majority but not its
   * own term-4 entry. It must not count that majority as a commit, because S5 (log ends at term 3) can still
   * win an election and overwrite index 2 on everyone.
   */
  function figure8Network(): TestNetwork {
    const net = new TestNetwork([], PLAIN);
    const voters = [1, 2, 3, 4, 5];
    const hardState = { term: 3, vote: NONE, commit: 1 };
    const logs: Record<number, Entry[]> = {
      1: entriesWithTerms(1, 1, 2),
      2: entriesWithTerms(1, 1, 2),
      3: entriesWithTerms(1, 1),
      4: entriesWithTerms(1, 1),
      5: entriesWithTerms(1, 1, 3),
    };
    for (const id of voters) net.addNode(id, newFixtureStorage({ voters, entries: logs[id], hardState }), PLAIN);
    return net;
  }

  it('leader only commits by counting replicas in its own term (Figure 8 c–d): an older-term majority is overwritten safely', () => {
    const net = figure8Network();
    net.isolate(5); // S5 is down while S1 is elected in term 4
    // S1 gets its term-2 entry onto S3 and S4 but crashes before any term-4 entry leaves: strip those.
    net.msgHook = (sent) => {
      if (sent.from !== 1 || sent.type !== 'app' || !sent.entries.some((entry) => entry.term === 4)) return true;
      net.deliver({ ...sent, entries: sent.entries.filter((entry) => entry.term < 4) });
      return false;
    };
    net.campaign(1);
    expect(net.raw(1).raft.role).toBe('leader');
    expect(net.raw(1).raft.term).toBe(4);
    for (const id of [1, 2, 3, 4]) expect(net.raw(id).raft.raftLog.term(2)).toBe(2);
    expect(net.raw(1).raft.raftLog.committed).toBe(1); // a majority holds index 2, yet it is not committed

    net.msgHook = undefined;
    net.recover();
    net.isolate(1); // S1 crashes; S5 wins with S2, S3, S4 (its last term 3 beats their 2)
    net.campaign(5); // term 4: S2, S3 and S4 already voted for S1 in term 4
    expect(net.raw(5).raft.role).toBe('follower');
    net.campaign(5); // term 5
    net.propose(5, 'after');

    expect(summarize(net)).toEqual([
      { id: 1, role: 'leader', term: 4, lastIndex: 3 },
      { id: 2, role: 'follower', term: 5, lastIndex: 4 },
      { id: 3, role: 'follower', term: 5, lastIndex: 4 },
      { id: 4, role: 'follower', term: 5, lastIndex: 4 },
      { id: 5, role: 'leader', term: 5, lastIndex: 4 },
    ]);
    for (const id of [2, 3, 4, 5]) expect(net.raw(id).raft.raftLog.term(2)).toBe(3);
    for (const node of net.nodes.values()) {
      expect(node.applied.filter((entry) => entry.index === 2 && entry.term === 2)).toEqual([]);
    }
  });

  it('an entry of the current term on a majority commits the earlier ones and locks out stale candidates (Figure 8 e)', () => {
    const net = figure8Network();
    net.isolate(5);
    net.campaign(1);
    expect(net.raw(1).raft.raftLog.committed).toBe(3); // index 2 (term 2) committed through the term-4 no-op

    net.recover();
    net.isolate(1);
    net.campaign(5);

    expect(summarize(net).map((row) => [row.id, row.role])).toEqual([
      [1, 'leader'],
      [2, 'follower'],
      [3, 'follower'],
      [4, 'follower'],
      [5, 'follower'],
    ]);
    for (const id of [2, 3, 4])
      expect(logPositions(net.raw(id).raft.raftLog.allEntries())).toEqual([
        [1, 1],
        [2, 2],
        [3, 4],
      ]);
  });
});
