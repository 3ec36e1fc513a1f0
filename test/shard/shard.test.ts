// Goal: the Shard's contract (docs/shard.md §2–§3): the gate opens only after the leader's barrier is applied, a
// proposal resolves with the outcome of ITS entry, leadership loss closes the gate and fails in-flight proposals
// with a retryable NotLeaderError whose retry (same requestId) is answered by dedup, backpressure past
// pendingProposalsMax, linearizable reads, and close.
// Method: a real RawNode and MultiRaft over in-memory storages (test/shard/support/shardHarness.ts), ticked by
// hand, with a log writer the test can hold to freeze a proposal between append and commit. Leadership loss is
// caused by stepping a heartbeat of a higher term, as a newer leader's would arrive.
import { describe, expect, it } from 'vitest';
import { makeMessage } from '../../src/raft/core/types.js';
import { NotLeaderError, ShardBackpressureError, ShardClosedError } from '../../src/shard/errors.js';
import { ShardCommandFormatError } from '../../src/shard/errors.js';
import { bytesOf, command, put, requires, textOf } from './support/commands.js';
import { GROUP_ID, createShardHarness, tickUntilReady } from './support/shardHarness.js';
import type { ShardHarness } from './support/shardHarness.js';

/** A heartbeat from a (foreign) leader of a higher term: the node steps down at once. */
function stepDownByHigherTerm(harness: ShardHarness): number {
  const term = harness.rawNode.raft.term + 1;
  harness.multiRaft.step(GROUP_ID, makeMessage({ type: 'heartbeat', from: 2, to: 1, term }));
  return term;
}

describe('Shard', () => {
  it('opens the gate only after applying its barrier, and fires onReady with the term', async () => {
    const harness = createShardHarness();
    const readyTerms: number[] = [];
    harness.shard.onReady((term) => readyTerms.push(term));
    await expect(harness.shard.propose(command({}))).rejects.toBeInstanceOf(NotLeaderError);
    harness.multiRaft.withGroup(GROUP_ID, (node) => node.campaign());
    await harness.multiRaft.idle();
    expect(harness.shard.isReady).toBe(true);
    expect(readyTerms).toEqual([harness.rawNode.raft.term]);
    // Index 2 is Raft's own no-op, index 3 the barrier: the applied index is the barrier's.
    expect(harness.shard.applied).toEqual({ index: 3, term: harness.rawNode.raft.term });
  });

  it('resolves each proposal with the outcome of its own entry', async () => {
    const harness = createShardHarness();
    await tickUntilReady(harness);
    const first = harness.shard.propose(command({ writes: [put('k', 'v1')], outcome: 'one' }));
    const second = harness.shard.propose(
      command({ preconditions: [requires('k', 1)], writes: [put('k', 'v2')], outcome: 'two' })
    );
    const third = harness.shard.propose(command({ preconditions: [requires('k', 1)], outcome: 'three' }));
    const [a, b, c] = await Promise.all([first, second, third]);
    expect([a.outcome, textOf(a.result)]).toEqual(['applied', 'one']);
    expect([b.outcome, textOf(b.result)]).toEqual(['applied', 'two']);
    expect(c.outcome).toBe('conflict');
    expect(c.failedPrecondition?.actualVersion).toBe(2);
    expect([a.index + 1, a.index + 2]).toEqual([b.index, c.index]);
    const value = await harness.shard.read((view) => view.get(bytesOf('k')));
    expect([value?.version, textOf(value?.value)]).toEqual([2, 'v2']);
  });

  it('fails an in-flight proposal with NotLeaderError on a term change, and its retry is answered by dedup', async () => {
    const harness = createShardHarness();
    await tickUntilReady(harness);
    const lost: number[] = [];
    harness.shard.onLost((info) => lost.push(info.term));
    const readyTerms: number[] = [];
    harness.shard.onReady((term) => readyTerms.push(term));
    const oldTerm = harness.rawNode.raft.term;
    harness.writer.held = true;
    const inFlight = harness.shard.propose(command({ requestId: 'r1', writes: [put('a', '1')], outcome: 'first' }));
    // Let the driver's cycle start: it hands the entry to the (held) log writer.
    for (let turn = 0; turn < 100 && harness.writer.heldWrites === 0; turn++) await Promise.resolve();
    expect(harness.writer.heldWrites).toBe(1);
    stepDownByHigherTerm(harness);
    harness.writer.release();
    const error = await inFlight.then(
      () => null,
      (e: unknown) => e
    );
    expect(error).toBeInstanceOf(NotLeaderError);
    expect((error as NotLeaderError).retryable).toBe(true);
    expect((error as NotLeaderError).leaderHint).toBe(2);
    expect(harness.shard.isReady).toBe(false);
    expect(lost).toEqual([oldTerm]);
    await expect(harness.shard.propose(command({}))).rejects.toBeInstanceOf(NotLeaderError);
    // The node wins a later election; the entry, appended in the old term, is committed under the new leader.
    await tickUntilReady(harness);
    expect(readyTerms).toHaveLength(1);
    expect(readyTerms[0]).toBeGreaterThan(oldTerm);
    const retry = await harness.shard.propose(
      command({ requestId: 'r1', writes: [put('a', 'other')], outcome: 'second' })
    );
    expect([retry.outcome, textOf(retry.result)]).toEqual(['duplicate', 'first']);
    const value = await harness.shard.read((view) => view.get(bytesOf('a')));
    expect([value?.version, textOf(value?.value)]).toEqual([1, '1']);
  });

  it('refuses proposals past pendingProposalsMax with ShardBackpressureError', async () => {
    const harness = createShardHarness({ pendingProposalsMax: 2 });
    await tickUntilReady(harness);
    const accepted = [harness.shard.propose(command({})), harness.shard.propose(command({}))];
    await expect(harness.shard.propose(command({}))).rejects.toBeInstanceOf(ShardBackpressureError);
    expect((await Promise.all(accepted)).map((o) => o.outcome)).toEqual(['applied', 'applied']);
    await expect(harness.shard.propose(command({}))).resolves.toMatchObject({ outcome: 'applied' });
  });

  it('rejects a malformed command with ShardCommandFormatError and tracks nothing', async () => {
    const harness = createShardHarness();
    await tickUntilReady(harness);
    const bad = command({ writes: [put('x', '1'), put('x', '2')] });
    await expect(harness.shard.propose(bad)).rejects.toBeInstanceOf(ShardCommandFormatError);
    expect(harness.shard.pendingProposalCount).toBe(0);
  });

  it('a read issued after a write is acknowledged sees it (ReadIndex)', async () => {
    const harness = createShardHarness();
    await tickUntilReady(harness);
    const scanKeys = (view: Parameters<Parameters<typeof harness.shard.read>[0]>[0]) =>
      (async () => {
        const keys: string[] = [];
        for await (const entry of view.scan()) keys.push(textOf(entry.key) as string);
        return keys;
      })();
    await Promise.all(
      Array.from({ length: 5 }, (_, i) => harness.shard.propose(command({ writes: [put(`k${i}`, 'v')] })))
    );
    expect(await harness.shard.read(scanKeys)).toEqual(['k0', 'k1', 'k2', 'k3', 'k4']);
    // Reads see user keys only: the applied state and dedup records stay hidden.
    await harness.shard.propose(command({ requestId: 'req', writes: [put('z', 'v')] }));
    expect(await harness.shard.read(scanKeys)).toEqual(['k0', 'k1', 'k2', 'k3', 'k4', 'z']);
  });

  it('readLocal sees what was applied here without a ReadIndex round, and refuses while the gate is closed', async () => {
    const harness = createShardHarness();
    await expect(harness.shard.readLocal(() => 1)).rejects.toBeInstanceOf(NotLeaderError);
    await tickUntilReady(harness);
    await harness.shard.propose(command({ writes: [put('local', 'v1')] }));
    const value = await harness.shard.readLocal((view) => view.get(bytesOf('local')));
    expect(textOf(value?.value)).toBe('v1');
    expect(value?.version).toBe(1);
  });

  it('rejects reads with NotLeaderError when not ready, and everything in flight on close', async () => {
    const harness = createShardHarness();
    await expect(harness.shard.read(() => 1)).rejects.toBeInstanceOf(NotLeaderError);
    await tickUntilReady(harness);
    harness.writer.held = true;
    const inFlight = harness.shard.propose(command({}));
    harness.shard.close();
    await expect(inFlight).rejects.toBeInstanceOf(ShardClosedError);
    await expect(harness.shard.propose(command({}))).rejects.toBeInstanceOf(ShardClosedError);
    harness.writer.release();
    await harness.multiRaft.idle();
    expect(harness.fatal).toEqual([]);
  });

  it('applies a committed conf change to the Raft node in log order and advances the applied index', async () => {
    const harness = createShardHarness();
    await tickUntilReady(harness);
    const before = harness.shard.applied.index;
    harness.multiRaft.withGroup(GROUP_ID, (node) => node.proposeConfChange({ kind: 'addLearner', nodeId: 2 }));
    await harness.multiRaft.idle();
    expect(harness.rawNode.status().confState).toEqual({ voters: [1], learners: [2] });
    expect(harness.shard.applied.index).toBe(before + 1);
    // The leader now replicates to its learner, and keeps serving: a learner does not change the quorum.
    expect(harness.sent.some((message) => message.to === 2)).toBe(true);
    await expect(harness.shard.propose(command({ writes: [put('k', 'v')] }))).resolves.toMatchObject({
      outcome: 'applied',
    });
  });
});
