/**
 * Goal: each invariant checker fires on the violation it exists for (a checker that cannot fail is no test).
 * Method: feed the checkers hand-made observations that break their invariant and ones that keep it; and run a
 * simulated cluster whose disk acknowledges writes before they are durable, which the ack-after-persist checker
 * must catch.
 */
import { describe, expect, it } from 'vitest';
import { MemoryRaftStorage } from '../../../src/raft/storage/memoryRaftStorage.js';
import type { Entry } from '../../../src/raft/core/types.js';
import { Scenario } from '../scenarios/harness.js';
import { CommittedLogChecker } from './committedLog.js';
import { ElectionSafetyChecker } from './electionSafety.js';
import { ReplicaProgressChecker } from './replicaProgress.js';
import { StateMachineSafetyChecker } from './stateMachineSafety.js';
import { ViolationLog } from './violations.js';

const entry = (index: number, term: number, byte = index): Entry => ({
  index,
  term,
  kind: 'normal',
  data: new Uint8Array([byte]),
});

function storageWith(entries: Entry[], commit: number): MemoryRaftStorage {
  const storage = new MemoryRaftStorage({ confState: { voters: [1, 2, 3], learners: [] } });
  storage.applyPersisted({
    snapshot: null,
    entries,
    hardState: { term: entries[entries.length - 1]?.term ?? 0, vote: 0, commit },
  });
  return storage;
}

describe('invariant checkers', () => {
  it('election safety: two leaders in one term is a violation, one leader per term is not', () => {
    const log = new ViolationLog(() => 0);
    const checker = new ElectionSafetyChecker(log);
    expect(checker.observeLeader(0, 1, 1)).toBe(true);
    expect(checker.observeLeader(0, 1, 1)).toBe(false);
    checker.observeLeader(0, 2, 2);
    checker.observeLeader(1, 1, 3); // another group
    expect(log.failed).toBe(false);
    checker.observeLeader(0, 2, 3);
    expect(log.violations.map((violation) => violation.invariant)).toEqual(['electionSafety']);
  });

  it('log matching: replicas disagreeing inside their committed prefixes is a violation', () => {
    const log = new ViolationLog(() => 0);
    const checker = new CommittedLogChecker(log);
    checker.observeReplica(0, 1, storageWith([entry(1, 1), entry(2, 1)], 2));
    checker.observeReplica(0, 2, storageWith([entry(1, 1), entry(2, 2)], 1)); // index 2 not committed here
    expect(log.failed).toBe(false);
    checker.observeReplica(0, 3, storageWith([entry(1, 1), entry(2, 1, 99)], 2));
    expect(log.violations[0]?.invariant).toBe('logMatching');
  });

  it('leader completeness: a leader missing an entry committed in an earlier term is a violation', () => {
    const log = new ViolationLog(() => 0);
    const checker = new CommittedLogChecker(log);
    checker.observeReplica(0, 1, storageWith([entry(1, 1), entry(2, 1), entry(3, 1)], 3));
    checker.observeNewLeader(0, 2, 2, 3);
    expect(log.failed).toBe(false);
    checker.observeNewLeader(0, 3, 3, 2);
    expect(log.violations[0]?.invariant).toBe('leaderCompleteness');
  });

  it('state machine safety: a different entry applied at the same index is a violation', () => {
    const log = new ViolationLog(() => 0);
    const checker = new StateMachineSafetyChecker(log);
    checker.recordApply(0, 1, 0, entry(1, 1));
    checker.recordApply(0, 2, 0, entry(1, 1));
    expect(log.failed).toBe(false);
    checker.recordApply(0, 3, 0, entry(1, 2));
    checker.recordApply(0, 3, 1, entry(3, 2)); // gap
    expect(log.violations.map((violation) => violation.invariant)).toEqual(['stateMachineSafety', 'applyContiguous']);
  });

  it('replica progress: a term or commit moving back within an incarnation is a violation', () => {
    const log = new ViolationLog(() => 0);
    const checker = new ReplicaProgressChecker(log);
    const replica = {};
    checker.observe(replica, 0, 1, 3, 5, 6);
    checker.observe(replica, 0, 1, 3, 6, 6);
    checker.observe({}, 0, 1, 1, 0, 0); // a new incarnation starts over
    expect(log.failed).toBe(false);
    checker.observe(replica, 0, 1, 2, 4, 6);
    expect(log.violations.map((violation) => violation.invariant)).toEqual(['termMonotonic', 'commitMonotonic']);
  });

  it('ack after persist: a disk that acknowledges before syncing is caught', async () => {
    const t = Scenario.start({
      nodeCount: 3,
      replicasPerGroup: 3,
      disk: { syncDelayMinTicks: 3, syncDelayMeanTicks: 5 },
    });
    for (const node of t.cluster.nodes.values()) node.disk.acknowledgeBeforeSync = true;
    await t.ticks(200);
    expect(t.cluster.violations.violations.some((violation) => violation.invariant === 'ackAfterPersist')).toBe(true);
  });
});

describe('end-to-end checker self-tests', () => {
  it('linearizability: reads served from local state on a partitioned replica are caught as stale', async () => {
    const t = Scenario.start({ nodeCount: 3, replicasPerGroup: 3 });
    const oldLeader = await t.awaitLeader(0);
    await t.put(0, 'x', 1);
    await t.until(
      () => [1, 2, 3].every((id) => t.node(id).applied(0) === t.node(oldLeader).applied(0)),
      100,
      'x everywhere'
    );
    for (const node of t.cluster.nodes.values()) node.serveReadsLocally = true;
    t.node(oldLeader).dropAll({ direction: 'both' });
    await t.until(() => t.leaderId(0) !== null && t.leaderId(0) !== oldLeader, 400, 'new leader');
    await t.put(0, 'x', 2);
    expect(await t.readFrom(oldLeader, 0, 'x')).toBe(1); // the stale value
    expect(t.linearizability()).toMatchObject({ status: 'illegal', key: 'x' });
  });
});
