/**
 * Goal: the leader's flow control is bounded and self-healing (STYLE.md rule 7, etcd-raft
 * raft_flow_control_test.go): a replicating follower pauses at maxInflightMsgs or maxInflightBytes and resumes
 * as acknowledgements free the window; a heartbeat response unpauses it with one empty append; a probing follower
 * gets one append at a time; maxSizePerMsgBytes and maxCommittedSizePerReadyBytes bound messages and Readies;
 * maxUncommittedEntriesBytes drops proposals once exceeded but always admits a proposal onto an empty
 * uncommitted tail and always admits empty entries; the leader's own progress moves only after its persist.
 *
 * Method: hand-made leaders whose Ready cycles the test runs (drainNode) while it plays the followers, and
 * TestNetwork runs for convergence under message loss.
 */
import { describe, expect, it } from 'vitest';
import { ProposalDroppedError } from '../../src/raft/core/errors.js';
import type { Message, NodeId } from '../../src/raft/core/types.js';
import { makeMessage } from '../../src/raft/core/types.js';
import type { NodeOptions, TestNode } from './support/network.js';
import { TestNetwork, drainNode, newTestNode, runReadyCycle, summarize } from './support/network.js';

const PLAIN: NodeOptions = { preVote: false, checkQuorum: false };
const encoder = new TextEncoder();

function handMadeLeader(voters: readonly NodeId[], options: NodeOptions = {}): TestNode {
  const node = newTestNode(1, { voters }, { ...PLAIN, electionTicks: 5, ...options });
  node.rawNode.raft.becomeCandidate();
  node.rawNode.raft.becomeLeader();
  drainNode(node);
  return node;
}

function progressOf(node: TestNode, id: NodeId) {
  const progress = node.rawNode.raft.tracker.progress.get(id);
  if (progress === undefined) throw new Error(`no progress for ${id}`);
  return progress;
}

function propose(node: TestNode, data = 'somedata'): void {
  node.rawNode.propose(encoder.encode(data));
}

function appends(messages: readonly Message[]): Message[] {
  return messages.filter((message) => message.type === 'app');
}

describe('inflight window of a replicating follower', () => {
  const INFLIGHT_MAX = 8;

  function replicatingLeader(): TestNode {
    const node = handMadeLeader([1, 2], { maxInflightMsgs: INFLIGHT_MAX });
    progressOf(node, 2).becomeReplicate();
    return node;
  }

  it('pauses a replicating follower once maxInflightMsgs appends are unacknowledged', () => {
    const node = replicatingLeader();
    for (let i = 0; i < INFLIGHT_MAX; i++) {
      propose(node);
      expect(appends(drainNode(node))).toHaveLength(1);
    }
    expect(progressOf(node, 2).isPaused()).toBe(true);

    for (let i = 0; i < 10; i++) {
      propose(node);
      expect(drainNode(node)).toEqual([]);
    }
  });

  it('moves the window forward as acknowledgements free it; stale acks do not', () => {
    const node = replicatingLeader();
    for (let i = 0; i < INFLIGHT_MAX; i++) propose(node);
    drainNode(node);

    // Index 1 is the no-op, 2 the first proposal: each ack frees one slot for one new append.
    for (let acked = 2; acked < INFLIGHT_MAX; acked++) {
      node.rawNode.step(makeMessage({ type: 'appResp', from: 2, to: 1, term: 1, index: acked }));
      drainNode(node);
      propose(node);
      expect(appends(drainNode(node))).toHaveLength(1);
      expect(progressOf(node, 2).isPaused()).toBe(true);
      for (let stale = 0; stale < acked; stale++) {
        node.rawNode.step(makeMessage({ type: 'appResp', from: 2, to: 1, term: 1, index: stale }));
        expect(progressOf(node, 2).isPaused()).toBe(true);
      }
    }
  });

  it('a heartbeat response unpauses the follower with exactly one empty append, then it pauses again', () => {
    const node = replicatingLeader();
    for (let i = 0; i < INFLIGHT_MAX; i++) propose(node);
    drainNode(node);

    for (let round = 1; round < 5; round++) {
      for (let i = 0; i < round; i++) {
        expect(progressOf(node, 2).isPaused()).toBe(true);
        node.rawNode.step(makeMessage({ type: 'heartbeatResp', from: 2, to: 1, term: 1 }));
        const sent = drainNode(node);
        expect(sent.map((message) => [message.type, message.entries.length])).toEqual([['app', 0]]);
      }
      for (let i = 0; i < 10; i++) {
        expect(progressOf(node, 2).isPaused()).toBe(true);
        propose(node);
        expect(drainNode(node)).toEqual([]);
      }
      node.rawNode.step(makeMessage({ type: 'heartbeatResp', from: 2, to: 1, term: 1 }));
      drainNode(node);
    }
  });

  it('maxInflightBytes caps the bytes in flight as well as the message count', () => {
    const node = handMadeLeader([1, 2], { maxInflightMsgs: 3, maxSizePerMsgBytes: 2048, maxInflightBytes: 9000 });
    progressOf(node, 2).becomeProbe();
    const small = 'a'.repeat(1000);
    const large = 'b'.repeat(5000);
    for (let i = 0; i < 22; i++) propose(node, i >= 10 && i < 16 ? large : small);

    // Probing: one append with the no-op and the first proposal.
    const first = appends(drainNode(node));
    expect(first.map((message) => message.entries.map((entry) => entry.data.byteLength))).toEqual([[0, 1000]]);

    const ackAndVerify = (index: number, ...expectedEntryCounts: number[]): number => {
      node.rawNode.step(makeMessage({ type: 'appResp', from: 2, to: 1, term: 1, index }));
      const sent = appends(drainNode(node));
      expect(sent.map((message) => message.entries.length)).toEqual(expectedEntryCounts);
      const lastEntries = sent[sent.length - 1]?.entries ?? [];
      return lastEntries.length === 0 ? index : (lastEntries[lastEntries.length - 1]?.index ?? index);
    };
    let index = ackAndVerify(2, 2, 2, 2); // now replicating: three messages of two small entries
    index = ackAndVerify(index, 2, 1, 1); // the third message holds one large entry
    index = ackAndVerify(index, 1, 1); // two large entries exceed 9000 bytes: two messages only
    index = ackAndVerify(index, 1, 1);
    index = ackAndVerify(index, 1, 2, 2); // small entries again
    ackAndVerify(index, 2);
  });

  it('an unreachable report turns replication back into probing, one append at a time', () => {
    const node = replicatingLeader();
    propose(node);
    drainNode(node);
    node.rawNode.reportUnreachable(2);
    expect(progressOf(node, 2).state).toBe('probe');

    propose(node);
    propose(node);
    propose(node);
    expect(appends(drainNode(node))).toHaveLength(1);
  });
});

describe('probing and pausing', () => {
  it('a probing follower gets a single append for several proposals', () => {
    const node = handMadeLeader([1, 2]);
    for (let i = 0; i < 3; i++) propose(node);
    expect(appends(drainNode(node))).toHaveLength(1);
  });

  it('a beat does not unpause a follower; its heartbeat response does', () => {
    const node = handMadeLeader([1, 2]);
    progressOf(node, 2).msgAppFlowPaused = true;

    node.rawNode.raft.step(makeMessage({ type: 'beat', from: 1, to: 1 }));
    expect(progressOf(node, 2).msgAppFlowPaused).toBe(true);
    drainNode(node);

    progressOf(node, 2).becomeReplicate();
    expect(progressOf(node, 2).msgAppFlowPaused).toBe(false);
    progressOf(node, 2).msgAppFlowPaused = true;
    node.rawNode.step(makeMessage({ type: 'heartbeatResp', from: 2, to: 1, term: 1 }));
    expect(progressOf(node, 2).msgAppFlowPaused).toBe(false);
  });

  it("the leader's own progress advances only once its entries are persisted", () => {
    const node = handMadeLeader([1, 2]);
    progressOf(node, 2).becomeReplicate();
    const before = progressOf(node, 1).match;
    for (let i = 0; i < 5; i++) propose(node, 'foo');

    expect(progressOf(node, 1).match).toBe(before);
    const ready = node.rawNode.ready();
    expect(ready.entries.map((entry) => entry.index)).toEqual([2, 3, 4, 5, 6]);
    expect(progressOf(node, 1).match).toBe(before);
    node.storage.applyPersisted({ snapshot: null, entries: ready.entries, hardState: ready.hardState });
    node.rawNode.advance();

    expect(progressOf(node, 1).match).toBe(6);
    expect(progressOf(node, 1).next).toBe(7);
  });
});

describe('size limits', () => {
  it('maxSizePerMsgBytes bounds the entries of one append (at least one entry always goes)', () => {
    const node = handMadeLeader([1, 2], { maxSizePerMsgBytes: 250 });
    progressOf(node, 2).becomeProbe();
    node.rawNode.proposeBatch(Array.from({ length: 10 }, () => encoder.encode('x'.repeat(100))));
    const [probe] = appends(drainNode(node));
    expect(probe?.entries.map((entry) => entry.data.byteLength)).toEqual([0, 100, 100]);

    node.rawNode.proposeBatch([encoder.encode('y'.repeat(1000))]);
    node.rawNode.step(makeMessage({ type: 'appResp', from: 2, to: 1, term: 1, index: 11 }));
    const sent = appends(drainNode(node));
    expect(sent.map((message) => message.entries.map((entry) => entry.data.byteLength))).toContainEqual([1000]);
  });

  it('maxCommittedSizePerReadyBytes bounds the committed entries of one Ready', () => {
    const node = handMadeLeader([1], { maxCommittedSizePerReadyBytes: 100 });
    node.rawNode.proposeBatch(Array.from({ length: 10 }, () => encoder.encode('z'.repeat(40))));
    runReadyCycle(node); // persists them; the self-ack commits them

    const sizes: number[] = [];
    for (let ready = runReadyCycle(node); ready !== null; ready = runReadyCycle(node)) {
      const bytes = ready.committedEntries.reduce((total, entry) => total + entry.data.byteLength, 0);
      if (ready.committedEntries.length > 0) sizes.push(bytes);
    }
    expect(sizes).toEqual([80, 80, 80, 80, 80]);
    expect(node.applied.filter((entry) => entry.data.byteLength > 0)).toHaveLength(10);
  });
});

describe('uncommitted entry limit', () => {
  const ENTRIES_MAX = 1024;
  const payload = encoder.encode('testdata');
  const limitBytes = ENTRIES_MAX * payload.byteLength;

  function limitedLeader(): TestNode {
    const node = handMadeLeader([1, 2, 3], {
      maxUncommittedEntriesBytes: limitBytes,
      maxInflightMsgs: 2 * ENTRIES_MAX,
    });
    progressOf(node, 2).becomeReplicate();
    progressOf(node, 3).becomeReplicate();
    expect(node.rawNode.raft.uncommittedBytes).toBe(0);
    return node;
  }

  /** The followers acknowledge everything; the committed entries are handed out, which frees their bytes. */
  function commitAll(node: TestNode): void {
    const lastIndex = node.rawNode.raft.raftLog.lastIndex();
    for (const id of [2, 3])
      node.rawNode.step(makeMessage({ type: 'appResp', from: id, to: 1, term: 1, index: lastIndex }));
    drainNode(node);
  }

  it('drops proposals once the limit is reached, and admits them again after a commit', () => {
    const node = limitedLeader();
    for (let i = 0; i < ENTRIES_MAX; i++) node.rawNode.propose(payload);
    expect(() => node.rawNode.propose(payload)).toThrow(ProposalDroppedError);
    expect(appends(drainNode(node))).toHaveLength(2 * ENTRIES_MAX);
    expect(node.rawNode.raft.uncommittedBytes).toBe(limitBytes);

    commitAll(node);

    expect(node.rawNode.raft.uncommittedBytes).toBe(0);
    node.rawNode.propose(payload);
    expect(node.rawNode.raft.uncommittedBytes).toBe(payload.byteLength);
  });

  it('always admits a proposal onto an empty uncommitted tail, however large, and always admits empty entries', () => {
    const node = limitedLeader();
    const large = Array.from({ length: 2 * ENTRIES_MAX }, () => payload);

    node.rawNode.proposeBatch(large);
    expect(node.rawNode.raft.uncommittedBytes).toBe(2 * limitBytes);
    expect(() => node.rawNode.propose(payload)).toThrow(ProposalDroppedError);
    node.rawNode.propose(new Uint8Array(0));
    expect(appends(drainNode(node))).toHaveLength(4);

    commitAll(node);
    expect(node.rawNode.raft.uncommittedBytes).toBe(0);
  });
});

describe('convergence under loss', () => {
  it('a follower whose whole inflight window was lost is unblocked by heartbeats and catches up', () => {
    const net = new TestNetwork([1, 2, 3], { ...PLAIN, maxInflightMsgs: 2 });
    net.campaign(1);
    net.cutOneWay(1, 3);
    for (let i = 0; i < 10; i++) net.propose(1, `e${i}`);
    expect(net.raw(1).status().progress?.get(3)?.paused).toBe(true);

    net.recover();
    net.tickAll(3);

    expect(net.appliedData(3)).toEqual(Array.from({ length: 10 }, (_, i) => `e${i}`));
    expect(summarize(net).map((row) => row.lastIndex)).toEqual([11, 11, 11]);
  });
});
