/**
 * Goal: snapshots (paper §7) catch up followers whose entries the leader compacted, and the flow control
 * around them follows etcd-raft's raft_snap_test.go and raft_test.go: a snapshot is sent only to a recently
 * active follower, it pauses appends until it is acknowledged or reported, `reportSnapshot` failure returns the
 * follower to probing (and a later heartbeat response retries), success resumes after the snapshot; a follower
 * refuses older or redundant snapshots (fast-forwarding its commit when it already has the last entry) and
 * snapshots that leave it out, and never campaigns while an installed snapshot is not yet durable.
 *
 * Method: TestNetwork scenarios with the leader's MemoryRaftStorage snapshotted and compacted by hand, and a
 * hand-made leader started from a snapshot for the progress-level rules.
 */
import { describe, expect, it } from 'vitest';
import { SnapshotOutOfDateError } from '../../src/raft/core/errors.js';
import type { NodeId, Snapshot } from '../../src/raft/core/types.js';
import { NONE, makeMessage } from '../../src/raft/core/types.js';
import type { NodeOptions, TestNode } from './support/network.js';
import {
  TestNetwork,
  drainNode,
  entriesWithTerms,
  newFixtureStorage,
  newTestNode,
  summarize,
  testSnapshot,
} from './support/network.js';

const PLAIN: NodeOptions = { preVote: false, checkQuorum: false };
const SNAPSHOT_11 = testSnapshot(11, 11, [1, 2]);

/** Snapshots the leader's applied state and compacts its log there (what the application does periodically). */
function snapshotAndCompact(net: TestNetwork, id: NodeId): number {
  const node = net.node(id);
  const applied = node.rawNode.raft.raftLog.applied;
  const snapshot = node.storage.prepareSnapshot(applied, node.rawNode.raft.tracker.confState(), new Uint8Array([7]));
  node.storage.recordSnapshot(snapshot);
  node.storage.compactNow(applied);
  return applied;
}

/** A leader of term 12 whose log starts after SNAPSHOT_11 (etcd's restore(testingSnap) + becomeLeader). */
function leaderFromSnapshot(voters: readonly NodeId[] = [1, 2]): TestNode {
  const node = newTestNode(
    1,
    { voters, snapshot: testSnapshot(11, 11, voters), hardState: { term: 11, vote: NONE, commit: 11 } },
    PLAIN
  );
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

describe('catching up through snapshots', () => {
  it('a far-behind follower gets a snapshot after the leader compacted, then replicates normally (table)', () => {
    const net = new TestNetwork([1, 2, 3], PLAIN);
    net.campaign(1);
    net.isolate(3);
    for (let i = 0; i <= 100; i++) net.propose(1, '');
    const snapshotIndex = snapshotAndCompact(net, 1);
    net.recover();

    net.propose(1, 'trigger');
    net.propose(1, 'commit');

    const snaps = net.delivered.filter((message) => message.type === 'snap' && message.to === 3);
    expect(snaps.map((message) => message.snapshot?.metadata.index)).toEqual([snapshotIndex]);
    expect(net.node(3).storage.snapshot().metadata.index).toBe(snapshotIndex);
    expect(net.raw(3).raft.raftLog.committed).toBe(net.raw(1).raft.raftLog.committed);
    expect(net.appliedData(3)).toEqual(['trigger', 'commit']);
    expect(net.raw(1).status().progress?.get(3)).toMatchObject({ state: 'replicate', match: 104 });
    expect(summarize(net)).toEqual([
      { id: 1, role: 'leader', term: 1, lastIndex: 104 },
      { id: 2, role: 'follower', term: 1, lastIndex: 104 },
      { id: 3, role: 'follower', term: 1, lastIndex: 104 },
    ]);
  });

  it('after a failed snapshot report the follower probes again and a heartbeat response retries the snapshot', () => {
    const net = new TestNetwork([1, 2, 3], PLAIN);
    net.campaign(1);
    net.isolate(3);
    for (let i = 0; i < 5; i++) net.propose(1, `e${i}`);
    snapshotAndCompact(net, 1);
    net.recover();
    net.dropType('snap'); // the transport loses the snapshot
    net.propose(1, 'more');
    expect(net.raw(1).status().progress?.get(3)?.state).toBe('snapshot');

    net.raw(1).reportSnapshot(3, 'failure');
    const afterFailure = net.raw(1).status().progress?.get(3);
    expect(afterFailure).toMatchObject({ state: 'probe', match: 1, next: 2, paused: true });

    net.recover();
    net.tick(1);

    expect(net.delivered.filter((message) => message.type === 'snap' && message.to === 3)).toHaveLength(1);
    expect(net.raw(3).raft.raftLog.lastIndex()).toBe(net.raw(1).raft.raftLog.lastIndex());
    expect(net.appliedData(3)).toEqual(['more']);
  });

  it('a learner catches up through a snapshot', () => {
    const net = new TestNetwork([1], PLAIN, [2]);
    net.campaign(1);
    net.isolate(2);
    for (let i = 0; i < 5; i++) net.propose(1, `e${i}`);
    snapshotAndCompact(net, 1);
    net.recover();

    net.tick(1);

    expect(net.raw(2).raft.raftLog.committed).toBe(net.raw(1).raft.raftLog.committed);
    expect(net.node(2).storage.snapshot().metadata.confState).toEqual({ voters: [1], learners: [2] });
  });
});

describe('snapshot progress on the leader', () => {
  it('sending a snapshot records it as pending', () => {
    const node = leaderFromSnapshot();
    progressOf(node, 2).next = node.rawNode.raft.raftLog.firstIndex();

    node.rawNode.step(
      makeMessage({ type: 'appResp', from: 2, to: 1, term: 12, index: progressOf(node, 2).next - 1, reject: true })
    );

    expect(progressOf(node, 2).pendingSnapshot).toBe(11);
    const sent = drainNode(node);
    expect(sent.map((message) => [message.type, message.to, message.snapshot?.metadata.index])).toEqual([
      ['snap', 2, 11],
    ]);
  });

  it('a pending snapshot pauses replication to that follower', () => {
    const node = leaderFromSnapshot();
    progressOf(node, 2).becomeSnapshot(11);

    node.rawNode.propose(new TextEncoder().encode('somedata'));

    expect(drainNode(node)).toEqual([]);
  });

  it('reportSnapshot failure forgets the pending snapshot and probes from the match, paused', () => {
    const node = leaderFromSnapshot();
    progressOf(node, 2).next = 1;
    progressOf(node, 2).becomeSnapshot(11);

    node.rawNode.reportSnapshot(2, 'failure');

    expect(progressOf(node, 2)).toMatchObject({ state: 'probe', pendingSnapshot: 0, next: 1, msgAppFlowPaused: true });
  });

  it('reportSnapshot success probes from after the snapshot, paused until the follower answers', () => {
    const node = leaderFromSnapshot();
    progressOf(node, 2).next = 1;
    progressOf(node, 2).becomeSnapshot(11);

    node.rawNode.reportSnapshot(2, 'finish');

    expect(progressOf(node, 2)).toMatchObject({ state: 'probe', pendingSnapshot: 0, next: 12, msgAppFlowPaused: true });
  });

  it('an append response at the snapshot index ends the snapshot state and resumes replication', () => {
    const node = leaderFromSnapshot();
    progressOf(node, 2).next = 1;
    progressOf(node, 2).becomeSnapshot(11);

    node.rawNode.step(makeMessage({ type: 'appResp', from: 2, to: 1, term: 12, index: 11 }));

    expect(progressOf(node, 2)).toMatchObject({ state: 'replicate', pendingSnapshot: 0, match: 11, next: 13 });
    expect(progressOf(node, 2).inflights.size()).toBe(1);
  });

  it('no snapshot goes to a follower that has not been heard from recently', () => {
    const node = leaderFromSnapshot();
    progressOf(node, 2).next = node.rawNode.raft.raftLog.firstIndex() - 1;
    progressOf(node, 2).recentActive = false;

    node.rawNode.propose(new TextEncoder().encode('somedata'));

    expect(drainNode(node)).toEqual([]);
    expect(progressOf(node, 2).state).toBe('probe');
  });
});

describe('restoring a snapshot on a follower', () => {
  it('installs a newer snapshot, adopts its configuration, refuses it a second time, and waits to campaign', () => {
    const node = newTestNode(1, { voters: [1, 2] }, PLAIN);
    const raft = node.rawNode.raft;
    const snapshot = testSnapshot(11, 11, [1, 2, 3]);

    expect(raft.restore(snapshot)).toBe(true);
    expect(raft.raftLog.lastIndex()).toBe(11);
    expect(raft.raftLog.term(11)).toBe(11);
    expect(raft.tracker.confState()).toEqual({ voters: [1, 2, 3], learners: [] });
    expect(raft.restore(snapshot)).toBe(false);

    for (let tick = 0; tick < 2 * raft.electionTicks; tick++) node.rawNode.tick();
    expect(raft.role).toBe('follower'); // not promotable until the snapshot is durable
    const ready = node.rawNode.ready();
    expect(ready.snapshot?.metadata.index).toBe(11);
    expect(ready.committedEntries).toEqual([]);
  });

  it('restores a snapshot with learners', () => {
    const node = newTestNode(3, { voters: [1, 2], learners: [3] }, PLAIN);
    const snapshot = testSnapshot(11, 11, [1, 2], [3]);

    expect(node.rawNode.raft.restore(snapshot)).toBe(true);
    expect(node.rawNode.raft.tracker.confState()).toEqual({ voters: [1, 2], learners: [3] });
    expect(node.rawNode.raft.isLearner).toBe(true);
    expect(node.rawNode.raft.restore(snapshot)).toBe(false);
  });

  it('a voter accepts a snapshot that demotes it to learner, and a learner one that promotes it', () => {
    const voter = newTestNode(3, { voters: [1, 2, 3] }, PLAIN);
    expect(voter.rawNode.raft.restore(testSnapshot(11, 11, [1, 2], [3]))).toBe(true);
    expect(voter.rawNode.raft.isLearner).toBe(true);

    const learner = newTestNode(3, { voters: [1, 2], learners: [3] }, PLAIN);
    expect(learner.rawNode.raft.restore(testSnapshot(11, 11, [1, 2, 3]))).toBe(true);
    expect(learner.rawNode.raft.isLearner).toBe(false);
  });

  it('refuses a snapshot whose configuration leaves it out', () => {
    const node = newTestNode(3, { voters: [1, 2, 3] }, PLAIN);
    expect(node.rawNode.raft.restore(testSnapshot(11, 11, [1, 2]))).toBe(false);
    expect(node.rawNode.raft.raftLog.lastIndex()).toBe(0);
  });

  it('ignores a snapshot at or below its commit, and fast-forwards the commit when it has the last entry', () => {
    const node = newTestNode(
      1,
      { voters: [1, 2], entries: entriesWithTerms(1, 1, 1, 1), hardState: { term: 1, vote: NONE, commit: 1 } },
      PLAIN
    );
    const raft = node.rawNode.raft;

    expect(raft.restore(testSnapshot(1, 1, [1, 2]))).toBe(false);
    expect(raft.raftLog.committed).toBe(1);

    expect(raft.restore(testSnapshot(2, 1, [1, 2]))).toBe(false);
    expect(raft.raftLog.committed).toBe(2);
    expect(raft.raftLog.lastIndex()).toBe(3); // the log after the snapshot is kept
  });

  it('answers an older snapshot from the leader with its commit index and keeps its log', () => {
    const entries = entriesWithTerms(1, ...Array.from({ length: 20 }, () => 2));
    const node = newTestNode(2, { voters: [1, 2], entries, hardState: { term: 2, vote: NONE, commit: 20 } }, PLAIN);

    node.rawNode.step(makeMessage({ type: 'snap', from: 1, to: 2, term: 2, snapshot: testSnapshot(11, 2, [1, 2]) }));

    const sent = drainNode(node);
    expect(sent.map((message) => [message.type, message.index, message.reject])).toEqual([['appResp', 20, false]]);
    expect(node.rawNode.raft.raftLog.lastIndex()).toBe(20);
    expect(node.storage.snapshot().metadata.index).toBe(0);
  });

  it('the storage refuses to install a snapshot older than the one it has', () => {
    const storage = newFixtureStorage({ voters: [1, 2], snapshot: SNAPSHOT_11 });
    const older: Snapshot = testSnapshot(5, 5, [1, 2]);
    expect(() => storage.applySnapshot(older)).toThrow(SnapshotOutOfDateError);
    expect(() => storage.applySnapshot(SNAPSHOT_11)).toThrow(SnapshotOutOfDateError);
    expect(storage.firstIndex()).toBe(12);
  });

  it('a snapshot from the leader of its term turns a candidate into a follower that installs it', () => {
    const node = newTestNode(2, { voters: [1, 2, 3] }, PLAIN);
    node.rawNode.campaign();
    expect(node.rawNode.raft.role).toBe('candidate');

    node.rawNode.step(makeMessage({ type: 'snap', from: 1, to: 2, term: 1, snapshot: testSnapshot(11, 1, [1, 2, 3]) }));

    expect([node.rawNode.raft.role, node.rawNode.raft.leader]).toEqual(['follower', 1]);
    const ready = node.rawNode.ready();
    expect(ready.snapshot?.metadata.index).toBe(11);
    expect(ready.messagesAfterPersist.map((message) => [message.type, message.index])).toContainEqual(['appResp', 11]);
  });
});
