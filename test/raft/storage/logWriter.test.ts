// Goal: the node-wide log writer group-commits — every write queued in one turn, or while a batch is in flight,
// goes out as ONE synced batch — resolves each caller only after its batch is durable, keeps writes in order,
// fails every caller of a failed batch (and stops), and pushes back past its queue limit.
// Method: a fake batch target that records batches, can hold a batch in flight (a gate) and can fail it; a real
// LevelDB for the group-commit figure; the in-memory twin MemoryLogWriter likewise.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AssertionError, SnapshotOutOfDateError } from '../../../src/raft/core/errors.js';
import { EMPTY_HARD_STATE } from '../../../src/raft/core/types.js';
import type { Entry } from '../../../src/raft/core/types.js';
import {
  LogWriter,
  LogWriterBackpressureError,
  LogWriterFailedError,
  MemoryLogWriter,
} from '../../../src/raft/logWriter.js';
import type { GroupLogBounds } from '../../../src/raft/logWriter.js';
import { LevelLogDb } from '../../../src/raft/storage/levelLogDb.js';
import type { LogBatchOp, LogBatchTarget } from '../../../src/raft/storage/levelLogDb.js';
import { LevelRaftStorage } from '../../../src/raft/storage/levelRaftStorage.js';
import { entryKey } from '../../../src/raft/storage/logKeys.js';
import { MemoryRaftStorage } from '../../../src/raft/storage/memoryRaftStorage.js';
import type { RaftPersistOps } from '../../../src/raft/storage/raftStorage.js';

const EMPTY_BOUNDS: GroupLogBounds = {
  compacted: { index: 0, term: 0 },
  lastIndex: 0,
  snapshotIndex: 0,
  snapshotChunkCount: 0,
  hardState: EMPTY_HARD_STATE,
};

function entry(index: number, term: number): Entry {
  return { index, term, kind: 'normal', data: new Uint8Array([index & 0xff]) };
}

function appendOps(from: number, to: number, term: number, commit = 0): RaftPersistOps {
  const entries: Entry[] = [];
  for (let index = from; index <= to; index++) entries.push(entry(index, term));
  return { snapshot: null, entries, hardState: { term, vote: 0, commit } };
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

/** Records batches and applies them to a key-value map; can hold a batch in flight and fail it. */
class FakeTarget implements LogBatchTarget {
  readonly batches: (readonly LogBatchOp[])[] = [];
  readonly store = new Map<string, Uint8Array>();
  readonly events: string[] = [];
  failure: Error | null = null;
  /** Called inside each write, e.g. to advance a fake clock. */
  duringWrite: () => void = () => {};
  private gate: Promise<void> | null = null;
  private openGate: () => void = () => {};

  hold(): void {
    this.gate = new Promise((resolve) => (this.openGate = resolve));
  }

  release(): void {
    this.gate = null;
    this.openGate();
  }

  async writeBatchSynced(ops: readonly LogBatchOp[]): Promise<void> {
    this.batches.push(ops);
    const batchNumber = this.batches.length;
    this.duringWrite();
    if (this.gate !== null) await this.gate;
    if (this.failure !== null) throw this.failure;
    for (const op of ops) {
      if (op.type === 'put') this.store.set(hex(op.key), op.value);
      else this.store.delete(hex(op.key));
    }
    this.events.push(`batch ${batchNumber} durable`);
  }
}

function writerWithGroups(groupIds: readonly number[], options = {}): { target: FakeTarget; writer: LogWriter } {
  const target = new FakeTarget();
  const writer = new LogWriter(target, options);
  for (const groupId of groupIds) writer.registerGroup(groupId, EMPTY_BOUNDS);
  return { target, writer };
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function range(count: number): number[] {
  return Array.from({ length: count }, (_, i) => i + 1);
}

describe('LogWriter group commit', () => {
  it('200 persist calls in one turn, one per group, become one batch', async () => {
    const groupIds = range(200);
    const { target, writer } = writerWithGroups(groupIds);
    await Promise.all(groupIds.map((groupId) => writer.persist([{ groupId, ops: appendOps(1, 3, 1) }])));
    expect(target.batches).toHaveLength(1);
    const stats = writer.stats();
    expect([stats.batches, stats.writes, stats.groups, stats.entries]).toEqual([1, 200, 200, 600]);
    expect(stats.batchWritesMax).toBe(200);
    // 3 entries and a hard state per group, all in the one batch.
    expect(target.batches[0]).toHaveLength(200 * 4);
  });

  it('200 persist calls awaited one by one take 200 batches (the contrast)', async () => {
    const { target, writer } = writerWithGroups([1]);
    for (const index of range(200)) await writer.persist([{ groupId: 1, ops: appendOps(index, index, 1) }]);
    expect(target.batches).toHaveLength(200);
    expect(writer.stats().batches).toBe(200);
  });

  it('writes that arrive while a batch is in flight all go out together in the next batch', async () => {
    const groupIds = range(51);
    const { target, writer } = writerWithGroups(groupIds);
    target.hold();
    let firstDone = false;
    const first = writer.persist([{ groupId: 1, ops: appendOps(1, 1, 1) }]).then(() => (firstDone = true));
    await nextTurn();
    expect(target.batches).toHaveLength(1);
    const later = groupIds.slice(1).map((groupId) => writer.persist([{ groupId, ops: appendOps(1, 1, 1) }]));
    await nextTurn();
    await nextTurn();
    // Still in flight: nobody resolved, nothing else was sent.
    expect(firstDone).toBe(false);
    expect(target.batches).toHaveLength(1);
    expect(writer.stats().queuedWrites).toBe(50);
    target.release();
    await Promise.all([first, ...later]);
    expect(target.batches).toHaveLength(2);
    expect(writer.stats().batchWritesMax).toBe(50);
  });

  it('each caller resolves only after the batch holding its write is durable', async () => {
    const { target, writer } = writerWithGroups([1, 2]);
    const track = (name: string, promise: Promise<void>) => promise.then(() => target.events.push(`${name} resolved`));
    const a = track('a', writer.persist([{ groupId: 1, ops: appendOps(1, 1, 1) }]));
    await nextTurn();
    const b = track('b', writer.persist([{ groupId: 2, ops: appendOps(1, 1, 1) }]));
    const c = track('c', writer.persist([{ groupId: 1, ops: appendOps(2, 2, 1) }]));
    await Promise.all([a, b, c]);
    expect(target.events).toEqual(['batch 1 durable', 'a resolved', 'batch 2 durable', 'b resolved', 'c resolved']);
  });

  it('keeps one group’s writes in order across batches (append, truncating append, hard state)', async () => {
    const { target, writer } = writerWithGroups([1]);
    target.hold();
    const first = writer.persist([{ groupId: 1, ops: appendOps(1, 5, 1) }]);
    await nextTurn();
    // While the first batch is in flight: truncate at 3 with a new term, then commit 4.
    const second = writer.persist([{ groupId: 1, ops: appendOps(3, 4, 2) }]);
    const third = writer.persist([
      { groupId: 1, ops: { snapshot: null, entries: [], hardState: { term: 2, vote: 0, commit: 4 } } },
    ]);
    target.release();
    await Promise.all([first, second, third]);
    expect(target.batches).toHaveLength(2);
    const storedIndexes = range(6).filter((index) => target.store.has(hex(entryKey(1, index))));
    expect(storedIndexes).toEqual([1, 2, 3, 4]);
    expect(writer.groupBounds(1)).toMatchObject({ lastIndex: 4, hardState: { term: 2, commit: 4 } });
    // The second batch deletes entry 5 before the third write's hard state: operation order is queue order.
    const secondBatch = (target.batches[1] ?? []).map((op) => `${op.type} ${hex(op.key)}`);
    expect(secondBatch.indexOf(`del ${hex(entryKey(1, 5))}`)).toBeGreaterThan(
      secondBatch.indexOf(`put ${hex(entryKey(1, 4))}`)
    );
  });

  it('a failed batch rejects its callers with the error, queued callers and later calls with LogWriterFailedError', async () => {
    const { target, writer } = writerWithGroups([1, 2, 3]);
    target.hold();
    const diskError = new Error('EIO: simulated');
    const inBatch = [1, 2].map((groupId) => writer.persist([{ groupId, ops: appendOps(1, 1, 1) }]));
    await nextTurn();
    const queued = writer.persist([{ groupId: 3, ops: appendOps(1, 1, 1) }]);
    target.failure = diskError;
    target.release();
    for (const promise of inBatch) await expect(promise).rejects.toBe(diskError);
    await expect(queued).rejects.toBeInstanceOf(LogWriterFailedError);
    const later = writer.persist([{ groupId: 3, ops: appendOps(1, 1, 1) }]);
    await expect(later).rejects.toMatchObject({ name: 'LogWriterFailedError', cause: diskError });
    await writer.drain();
    expect(target.batches).toHaveLength(1);
  });

  it('past queuedWritesMax waiting writes it rejects with LogWriterBackpressureError and writes nothing for it', async () => {
    const { target, writer } = writerWithGroups([1], { queuedWritesMax: 4 });
    const accepted = range(4).map((index) => writer.persist([{ groupId: 1, ops: appendOps(index, index, 1) }]));
    const refused = writer.persist([{ groupId: 1, ops: appendOps(5, 5, 1) }]);
    await expect(refused).rejects.toBeInstanceOf(LogWriterBackpressureError);
    await Promise.all(accepted);
    expect(writer.groupBounds(1)?.lastIndex).toBe(4);
    // The refused write left no trace: index 5 is still the next one, and is accepted now that the queue drained.
    await writer.persist([{ groupId: 1, ops: appendOps(5, 5, 1) }]);
    expect(target.store.has(hex(entryKey(1, 5)))).toBe(true);
    expect(writer.stats().batches).toBe(2);
  });

  it('refuses a bad write (gap, out-of-date snapshot, unknown group) before writing anything', async () => {
    const { target, writer } = writerWithGroups([1, 2]);
    await writer.persist([{ groupId: 1, ops: appendOps(1, 3, 1, 2) }]);
    const gap = writer.persist([
      { groupId: 1, ops: appendOps(4, 4, 1) },
      { groupId: 2, ops: appendOps(2, 2, 1) },
    ]);
    await expect(gap).rejects.toBeInstanceOf(AssertionError);
    // The valid half of the rejected call was not applied to the written bounds either.
    expect(writer.groupBounds(1)?.lastIndex).toBe(3);
    const snapshot = {
      metadata: { index: 0, term: 0, confState: { voters: [1], learners: [] } },
      data: new Uint8Array(),
    };
    await expect(
      writer.persist([{ groupId: 1, ops: { snapshot, entries: [], hardState: null } }])
    ).rejects.toBeInstanceOf(SnapshotOutOfDateError);
    await expect(writer.persist([{ groupId: 9, ops: appendOps(1, 1, 1) }])).rejects.toBeInstanceOf(AssertionError);
    expect(target.batches).toHaveLength(1);
  });

  it('batchBytesMax splits a long queue into several batches but never splits one write', async () => {
    const { target, writer } = writerWithGroups([1], { batchBytesMax: 200 });
    target.hold();
    const writes = range(10).map((index) => writer.persist([{ groupId: 1, ops: appendOps(index, index, 1) }]));
    target.release();
    await Promise.all(writes);
    // Each write is one entry put (14-byte key, 15-byte value) and a hard state put (6 + 29): 64 bytes.
    expect(writer.stats().bytes).toBe(640);
    expect(target.batches.map((batch) => batch.length)).toEqual([6, 6, 6, 2]);
  });

  it('reports sync latency from the injected clock, and bytes and entries per batch', async () => {
    let clockMs = 1000;
    const target = new FakeTarget();
    target.duringWrite = () => (clockMs += 7);
    const writer = new LogWriter(target, { nowMs: () => clockMs });
    writer.registerGroup(1, EMPTY_BOUNDS);
    await writer.persist([{ groupId: 1, ops: appendOps(1, 10, 1) }]);
    await writer.persist([{ groupId: 1, ops: appendOps(11, 12, 1) }]);
    const stats = writer.stats();
    expect([stats.batches, stats.syncMsTotal, stats.syncMsMax, stats.syncMsLast]).toEqual([2, 14, 7, 7]);
    expect([stats.entries, stats.batchEntriesMax]).toEqual([12, 10]);
  });

  it('on a real LevelDB, 300 concurrent persists of 3 groups take one fsync', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'cairn-log-writer-'));
    const db = await LevelLogDb.open(dataDir);
    try {
      const storages = await Promise.all([1, 2, 3].map((groupId) => LevelRaftStorage.open(db, groupId)));
      const writes = range(100).flatMap((index) =>
        storages.map((storage) => db.logWriter.persist([{ groupId: storage.groupId, ops: appendOps(index, index, 1) }]))
      );
      await Promise.all(writes);
      const stats = db.logWriter.stats();
      expect([stats.batches, stats.writes, stats.groups, stats.entries]).toEqual([1, 300, 3, 300]);
      console.log(
        `real LevelDB: 300 concurrent persists -> ${stats.batches} batch, sync ${stats.syncMsTotal.toFixed(2)} ms`
      );
    } finally {
      await db.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('MemoryLogWriter', () => {
  it('merges the calls of one turn into one batch and applies them to the durable images', async () => {
    const writer = new MemoryLogWriter();
    const image = new MemoryRaftStorage();
    writer.attachDurableImage(1, image);
    const calls = range(5).map((index) => writer.persist([{ groupId: 1, ops: appendOps(index, index, 1) }]));
    expect(image.lastIndex()).toBe(0);
    await Promise.all(calls);
    expect(image.lastIndex()).toBe(5);
    expect(writer.stats()).toEqual({ batches: 1, writes: 5, groups: 1, entries: 5 });
    await writer.persist([{ groupId: 2, ops: appendOps(1, 1, 1) }]);
    expect(writer.batches).toHaveLength(2);
  });

  it('failNextBatch rejects every call of the next batch and applies none of it', async () => {
    const writer = new MemoryLogWriter();
    const image = new MemoryRaftStorage();
    writer.attachDurableImage(1, image);
    const failure = new Error('simulated');
    writer.failNextBatch(failure);
    const calls = [writer.persist([{ groupId: 1, ops: appendOps(1, 1, 1) }]), writer.persist([])];
    for (const call of calls) await expect(call).rejects.toBe(failure);
    expect(image.lastIndex()).toBe(0);
    await writer.persist([{ groupId: 1, ops: appendOps(1, 1, 1) }]);
    expect(image.lastIndex()).toBe(1);
  });
});
