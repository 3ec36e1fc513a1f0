/**
 * Goal: the node-wide driver keeps the Ready contract for every group: one log-writer call per cycle covering
 * all groups, `messagesAfterPersist` and applies only after that call resolves, inputs during a write batched
 * into the next cycle, a failed write is fatal.
 * Method: a MultiRaft over MemoryRaftStorage with a log writer whose promises the test resolves by hand, and a
 * transport that records what leaves and when.
 */
import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../src/raft/core/random.js';
import { RawNode } from '../../src/raft/core/rawNode.js';
import type { Message } from '../../src/raft/core/types.js';
import { makeMessage } from '../../src/raft/core/types.js';
import type { GroupUpdate } from '../../src/raft/multiRaft.js';
import { MultiRaft } from '../../src/raft/multiRaft.js';
import type { GroupPersist, RaftLogWriter } from '../../src/raft/storage/raftStorage.js';
import { MemoryRaftStorage } from '../../src/raft/storage/memoryRaftStorage.js';

class ManualLogWriter implements RaftLogWriter {
  readonly calls: { writes: readonly GroupPersist[]; resolve: () => void; reject: (error: Error) => void }[] = [];
  persist(writes: readonly GroupPersist[]): Promise<void> {
    return new Promise((resolve, reject) => this.calls.push({ writes, resolve, reject }));
  }
}

interface Harness {
  multiRaft: MultiRaft;
  writer: ManualLogWriter;
  sent: { groupId: number; message: Message; persistCallsResolved: number }[];
  applied: { groupId: number; update: GroupUpdate }[];
  resolved: number;
}

function makeHarness(groupIds: number[], voters: number[] = [1]): Harness {
  const writer = new ManualLogWriter();
  const harness: Harness = { multiRaft: undefined as unknown as MultiRaft, writer, sent: [], applied: [], resolved: 0 };
  harness.multiRaft = new MultiRaft({
    logWriter: {
      persist: async (writes) => {
        await writer.persist(writes);
        harness.resolved++;
      },
    },
    transport: {
      send: (groupId, messages) => {
        for (const message of messages) harness.sent.push({ groupId, message, persistCallsResolved: harness.resolved });
      },
    },
    applier: { apply: (groupId, update) => void harness.applied.push({ groupId, update }) },
  });
  for (const groupId of groupIds) {
    const storage = new MemoryRaftStorage({ confState: { voters, learners: [] } });
    const rawNode = new RawNode({ id: 1, storage, random: new SeededRandom(groupId) });
    harness.multiRaft.addGroup(groupId, rawNode, storage);
  }
  return harness;
}

async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

async function resolveAll(harness: Harness): Promise<void> {
  for (let round = 0; round < 50; round++) {
    await settle();
    const pending = harness.writer.calls.shift();
    if (pending === undefined) {
      await settle();
      if (harness.writer.calls.length === 0) return;
      continue;
    }
    pending.resolve();
  }
}

describe('MultiRaft driver', () => {
  it('persists every group of a cycle in one log-writer call', async () => {
    const harness = makeHarness([1, 2, 3, 4]);
    for (const groupId of [1, 2, 3, 4]) harness.multiRaft.withGroup(groupId, (raw) => raw.campaign());
    await settle();
    expect(harness.writer.calls).toHaveLength(1);
    expect(harness.writer.calls[0]?.writes.map((write) => write.groupId)).toEqual([1, 2, 3, 4]);
    await resolveAll(harness);
    for (const groupId of [1, 2, 3, 4]) expect(harness.multiRaft.rawNode(groupId)?.raft.role).toBe('leader');
  });

  it('applies committed entries only after the write that made them durable resolved', async () => {
    const harness = makeHarness([7]);
    harness.multiRaft.withGroup(7, (raw) => raw.campaign());
    await resolveAll(harness);
    const payload = new TextEncoder().encode('hello');
    harness.multiRaft.propose(7, payload);
    await settle();
    expect(harness.writer.calls).toHaveLength(1);
    const appliedBefore = harness.applied.flatMap((a) => a.update.committedEntries).filter((e) => e.data.length > 0);
    expect(appliedBefore).toHaveLength(0);
    await resolveAll(harness);
    const appliedAfter = harness.applied.flatMap((a) => a.update.committedEntries).filter((e) => e.data.length > 0);
    expect(appliedAfter.map((entry) => new TextDecoder().decode(entry.data))).toEqual(['hello']);
    await harness.multiRaft.idle();
  });

  it('batches proposals that arrive while a write is in flight into the next cycle', async () => {
    const harness = makeHarness([1]);
    harness.multiRaft.withGroup(1, (raw) => raw.campaign());
    await resolveAll(harness);
    harness.multiRaft.propose(1, new Uint8Array([1]));
    await settle();
    expect(harness.writer.calls).toHaveLength(1);
    for (let i = 0; i < 50; i++) harness.multiRaft.propose(1, new Uint8Array([2, i]));
    await settle();
    expect(harness.writer.calls).toHaveLength(1); // no second write while the first is in flight
    harness.writer.calls.shift()?.resolve();
    await settle();
    expect(harness.writer.calls).toHaveLength(1);
    expect(harness.writer.calls[0]?.writes[0]?.ops.entries).toHaveLength(50);
    await resolveAll(harness);
  });

  it('sends vote responses only after the persist of the vote', async () => {
    const harness = makeHarness([1], [1, 2, 3]);
    // A vote request from node 2 at a higher term: node 1 must persist (term, vote) before answering.
    harness.multiRaft.step(1, makeMessage({ type: 'vote', from: 2, to: 1, term: 5 }));
    await settle();
    expect(harness.sent.filter((s) => s.message.type === 'voteResp')).toHaveLength(0);
    expect(harness.writer.calls[0]?.writes[0]?.ops.hardState).toMatchObject({ term: 5, vote: 2 });
    await resolveAll(harness);
    const responses = harness.sent.filter((s) => s.message.type === 'voteResp');
    expect(responses).toHaveLength(1);
    expect(responses[0]?.persistCallsResolved).toBe(1);
    expect(responses[0]?.message.reject).toBe(false);
  });

  it('a failed write is fatal: the driver stops and idle() rejects', async () => {
    const fatal: unknown[] = [];
    const writer = new ManualLogWriter();
    const multiRaft = new MultiRaft({
      logWriter: writer,
      transport: { send: () => undefined },
      applier: { apply: () => undefined },
      onFatal: (error) => fatal.push(error),
    });
    const storage = new MemoryRaftStorage({ confState: { voters: [1], learners: [] } });
    multiRaft.addGroup(1, new RawNode({ id: 1, storage, random: new SeededRandom(1) }), storage);
    multiRaft.withGroup(1, (raw) => raw.campaign());
    await settle();
    writer.calls[0]?.reject(new Error('disk on fire'));
    await settle();
    expect(fatal).toHaveLength(1);
    await expect(multiRaft.idle()).rejects.toThrow('disk on fire');
  });

  it('keeps driving after a cycle found nothing to do (regression: `running` stuck after an empty cycle)', async () => {
    const harness = makeHarness([1]);
    await settle(); // addGroup scheduled a cycle that finds nothing ready
    harness.multiRaft.tick(); // and so does a tick that produces nothing
    await settle();
    harness.multiRaft.withGroup(1, (raw) => raw.campaign());
    await settle();
    expect(harness.writer.calls).toHaveLength(1);
    await resolveAll(harness);
    expect(harness.multiRaft.rawNode(1)?.raft.role).toBe('leader');
  });

  it('drops messages for groups it does not host and counts them', async () => {
    const harness = makeHarness([1]);
    harness.multiRaft.step(99, makeMessage({ type: 'heartbeat', from: 2, to: 1, term: 1 }));
    expect(harness.multiRaft.stats.messagesDropped).toBe(1);
    await resolveAll(harness);
  });
});

describe('MultiRaft proposal queue', () => {
  it('turns every proposal queued in one turn into one batch: one entry run, one persist', async () => {
    const harness = makeHarness([1]);
    harness.multiRaft.withGroup(1, (raw) => raw.campaign());
    await resolveAll(harness);
    for (let i = 0; i < 100; i++) harness.multiRaft.enqueueProposal(1, new Uint8Array([i]));
    await settle();
    expect(harness.writer.calls).toHaveLength(1);
    expect(harness.writer.calls[0]?.writes[0]?.ops.entries.map((entry) => entry.data[0])).toEqual(
      Array.from({ length: 100 }, (_, i) => i)
    );
    await resolveAll(harness);
    const applied = harness.applied.flatMap((a) => a.update.committedEntries).filter((e) => e.data.length > 0);
    expect(applied).toHaveLength(100);
  });

  it('reports refused batches through onProposalsDropped and bounds the queue', async () => {
    const dropped: { groupId: number; count: number; reason: string }[] = [];
    const writer = new ManualLogWriter();
    const multiRaft = new MultiRaft({
      logWriter: writer,
      transport: { send: () => undefined },
      applier: { apply: () => undefined },
      onProposalsDropped: (groupId, datas, error) =>
        dropped.push({ groupId, count: datas.length, reason: error.reason }),
      queuedProposalsMax: 3,
    });
    const storage = new MemoryRaftStorage({ confState: { voters: [1, 2, 3], learners: [] } });
    multiRaft.addGroup(1, new RawNode({ id: 1, storage, random: new SeededRandom(1) }), storage);
    multiRaft.enqueueProposal(1, new Uint8Array([1]));
    multiRaft.enqueueProposal(1, new Uint8Array([2]));
    multiRaft.enqueueProposal(1, new Uint8Array([3]));
    expect(() => multiRaft.enqueueProposal(1, new Uint8Array([4]))).toThrow(/queuedProposalsMax/);
    expect(() => multiRaft.enqueueProposal(9, new Uint8Array([4]))).toThrow(/not hosted/);
    await settle();
    expect(dropped).toEqual([{ groupId: 1, count: 3, reason: 'no leader' }]);
  });
});
