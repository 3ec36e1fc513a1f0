/**
 * The node-wide Raft log writer (group commit). Every write to the node's log DB goes through one
 * {@link LogWriter}: the Ready ops of every group (`persist`) and each storage's own snapshot and compaction
 * writes. Writes queued while a batch is in flight, or within one turn of the event loop, are merged into ONE
 * atomic `sync: true` batch; each caller resolves only once the batch holding its write is durable. At most one
 * batch is in flight, so batches reach the disk in queue order.
 *
 * The writer tracks, per group, the bounds the disk will have once every queued write lands (the *written*
 * bounds), and converts each write to batch operations against them when it is queued. That is what lets a
 * write be queued before the previous one has been applied to the group's in-memory view, and what decides
 * which keys a truncation or compaction must delete.
 *
 * A failed batch is fatal: its callers are rejected with the LevelDB error, everything queued behind it is
 * rejected with {@link LogWriterFailedError}, and every later call too (the written bounds no longer match the
 * disk; the node must restart and reload). This file is at the I/O edge: it uses real timers.
 */
import { performance } from 'node:perf_hooks';
import type { GroupPersist, RaftLogWriter } from './storage/raftStorage.js';
import type { LogBatchOp, LogBatchTarget } from './storage/levelLogDb.js';
import { compactionToBatch, createdSnapshotToBatch, persistOpsToBatch } from './storage/levelRaftStorage.js';
import type { LogCompactionPoint, MemoryRaftStorage } from './storage/memoryRaftStorage.js';
import { invariant } from './core/errors.js';
import type { HardState, Snapshot } from './core/types.js';
import { hardStateEquals } from './core/types.js';

/** What one group's log on disk will look like once every queued write has landed. */
export interface GroupLogBounds {
  /** The dummy entry: the last discarded index and its term. Entries are stored from `compacted.index + 1`. */
  readonly compacted: LogCompactionPoint;
  /** The last stored entry's index (`compacted.index` when none is stored). */
  readonly lastIndex: number;
  /** The latest snapshot's index (0 = none). */
  readonly snapshotIndex: number;
  /** How many data chunks the latest snapshot has (to delete the surplus when a smaller one replaces it). */
  readonly snapshotChunkCount: number;
  readonly hardState: HardState;
}

function groupLogBoundsEqual(a: GroupLogBounds, b: GroupLogBounds): boolean {
  return (
    a.compacted.index === b.compacted.index &&
    a.compacted.term === b.compacted.term &&
    a.lastIndex === b.lastIndex &&
    a.snapshotIndex === b.snapshotIndex &&
    a.snapshotChunkCount === b.snapshotChunkCount &&
    hardStateEquals(a.hardState, b.hardState)
  );
}

export interface LogWriterOptions {
  /** Writes waiting for a batch (not yet in flight) beyond which callers get {@link LogWriterBackpressureError}. */
  readonly queuedWritesMax?: number;
  /** A batch takes queued writes until their bytes reach this (always at least one write). */
  readonly batchBytesMax?: number;
  /** Snapshot data is stored in values of at most this many bytes. */
  readonly snapshotChunkBytes?: number;
  /** A monotonic clock for the sync latency figures. */
  readonly nowMs?: () => number;
}

export const LOG_WRITER_DEFAULTS = {
  queuedWritesMax: 4096,
  batchBytesMax: 64 * 1024 * 1024,
  snapshotChunkBytes: 1024 * 1024,
} as const;

/** The queue of writes waiting for a batch is full: the caller should back off (RESOURCE_EXHAUSTED). */
export class LogWriterBackpressureError extends Error {
  override readonly name = 'LogWriterBackpressureError';
  constructor(readonly queuedWritesMax: number) {
    super(`raft log writer queue is full (${queuedWritesMax} writes waiting)`);
  }
}

/** A previous batch failed, so this writer accepts nothing more; `cause` is the original failure. */
export class LogWriterFailedError extends Error {
  override readonly name = 'LogWriterFailedError';
  constructor(override readonly cause: unknown) {
    super(`raft log writer stopped after a failed batch: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

/** Counters since the writer was created. A batch is one fsync. */
export interface LogWriterStats {
  readonly batches: number;
  /** Caller writes made durable (persist, snapshot and compaction calls). */
  readonly writes: number;
  /** Sum over batches of the distinct groups each batch wrote. */
  readonly groups: number;
  /** Log entries written. */
  readonly entries: number;
  /** Key and value bytes written. */
  readonly bytes: number;
  readonly batchWritesMax: number;
  readonly batchGroupsMax: number;
  readonly batchEntriesMax: number;
  readonly syncMsTotal: number;
  readonly syncMsMax: number;
  readonly syncMsLast: number;
  /** Writes waiting for a batch now. */
  readonly queuedWrites: number;
  /** Writes in the batch in flight now. */
  readonly inflightWrites: number;
}

interface QueuedWrite {
  readonly batchOps: readonly LogBatchOp[];
  readonly groupIds: readonly number[];
  readonly entryCount: number;
  readonly byteCount: number;
  /** Runs when the batch is durable, before the caller resolves, in queue order (storage view updates). */
  readonly onDurable: (() => void) | null;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

type MutableStats = { -readonly [K in keyof LogWriterStats]: LogWriterStats[K] };

/** The node-wide group-commit writer of the Raft log DB; see the file comment. */
export class LogWriter implements RaftLogWriter {
  private readonly queuedWritesMax: number;
  private readonly batchBytesMax: number;
  private readonly snapshotChunkBytes: number;
  private readonly nowMs: () => number;
  /** Per group, the bounds once every queued write lands; set by registerGroup, advanced when a write queues. */
  private readonly writtenBounds = new Map<number, GroupLogBounds>();
  private queue: QueuedWrite[] = [];
  private inflight: readonly QueuedWrite[] | null = null;
  private flushScheduled = false;
  private failure: unknown = null;
  private drainWaiters: (() => void)[] = [];
  private readonly counters: MutableStats = {
    batches: 0,
    writes: 0,
    groups: 0,
    entries: 0,
    bytes: 0,
    batchWritesMax: 0,
    batchGroupsMax: 0,
    batchEntriesMax: 0,
    syncMsTotal: 0,
    syncMsMax: 0,
    syncMsLast: 0,
    queuedWrites: 0,
    inflightWrites: 0,
  };

  constructor(
    private readonly target: LogBatchTarget,
    options: LogWriterOptions = {}
  ) {
    this.queuedWritesMax = options.queuedWritesMax ?? LOG_WRITER_DEFAULTS.queuedWritesMax;
    this.batchBytesMax = options.batchBytesMax ?? LOG_WRITER_DEFAULTS.batchBytesMax;
    this.snapshotChunkBytes = options.snapshotChunkBytes ?? LOG_WRITER_DEFAULTS.snapshotChunkBytes;
    this.nowMs = options.nowMs ?? (() => performance.now());
    invariant(this.queuedWritesMax > 0, 'queuedWritesMax must be positive');
    invariant(this.batchBytesMax > 0, 'batchBytesMax must be positive');
    invariant(this.snapshotChunkBytes > 0, 'snapshotChunkBytes must be positive');
  }

  /**
   * Declares a group's durable bounds, as loaded by LevelRaftStorage.open. Reopening a group whose writes are
   * all durable gives the same bounds, which is checked.
   */
  registerGroup(groupId: number, bounds: GroupLogBounds): void {
    const known = this.writtenBounds.get(groupId);
    invariant(
      known === undefined || groupLogBoundsEqual(known, bounds),
      () => `group ${groupId} reopened with bounds ${JSON.stringify(bounds)}, the writer has ${JSON.stringify(known)}`
    );
    this.writtenBounds.set(groupId, bounds);
  }

  /** The bounds the group's log will have once every queued write lands (tests and pair assertions). */
  groupBounds(groupId: number): GroupLogBounds | undefined {
    return this.writtenBounds.get(groupId);
  }

  /** Persists the Ready ops of several groups as part of one batch. Rejects without writing on a bad op. */
  persist(writes: readonly GroupPersist[]): Promise<void> {
    const refusal = this.refusal();
    if (refusal !== null) return Promise.reject(refusal);
    // Convert against staged bounds first, so that a rejected write leaves the written bounds untouched.
    const staged = new Map<number, GroupLogBounds>();
    const batchOps: LogBatchOp[] = [];
    let entryCount = 0;
    try {
      for (const write of writes) {
        const before = staged.get(write.groupId) ?? this.boundsOf(write.groupId);
        staged.set(
          write.groupId,
          persistOpsToBatch(write.groupId, write.ops, before, this.snapshotChunkBytes, batchOps)
        );
        entryCount += write.ops.entries.length;
      }
    } catch (error) {
      return Promise.reject(error);
    }
    for (const [groupId, bounds] of staged) this.writtenBounds.set(groupId, bounds);
    return this.enqueue(batchOps, [...staged.keys()], entryCount, null);
  }

  /** Writes a snapshot made by createSnapshot; `onDurable` records it in the storage's view. */
  writeSnapshot(groupId: number, snapshot: Snapshot, onDurable: () => void): Promise<void> {
    return this.writeMaintenance(groupId, onDurable, (before, batchOps) =>
      createdSnapshotToBatch(groupId, snapshot, before, this.snapshotChunkBytes, batchOps)
    );
  }

  /** Deletes entries up to `compactIndex`; `onDurable` compacts the storage's view. */
  writeCompaction(groupId: number, compactIndex: number, compactTerm: number, onDurable: () => void): Promise<void> {
    return this.writeMaintenance(groupId, onDurable, (before, batchOps) =>
      compactionToBatch(groupId, compactIndex, compactTerm, before, batchOps)
    );
  }

  /** Resolves when nothing is queued or in flight (close waits for this). */
  drain(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  stats(): LogWriterStats {
    return { ...this.counters, queuedWrites: this.queue.length, inflightWrites: this.inflight?.length ?? 0 };
  }

  private writeMaintenance(
    groupId: number,
    onDurable: () => void,
    toBatch: (before: GroupLogBounds, batchOps: LogBatchOp[]) => GroupLogBounds
  ): Promise<void> {
    const refusal = this.refusal();
    if (refusal !== null) return Promise.reject(refusal);
    const batchOps: LogBatchOp[] = [];
    let bounds: GroupLogBounds;
    try {
      bounds = toBatch(this.boundsOf(groupId), batchOps);
    } catch (error) {
      return Promise.reject(error);
    }
    this.writtenBounds.set(groupId, bounds);
    return this.enqueue(batchOps, [groupId], 0, onDurable);
  }

  private boundsOf(groupId: number): GroupLogBounds {
    const bounds = this.writtenBounds.get(groupId);
    invariant(bounds !== undefined, () => `group ${groupId} was not opened with LevelRaftStorage.open on this writer`);
    return bounds;
  }

  /** Why a new write must be refused now, or null. */
  private refusal(): Error | null {
    if (this.failure !== null) return new LogWriterFailedError(this.failure);
    if (this.queue.length >= this.queuedWritesMax) return new LogWriterBackpressureError(this.queuedWritesMax);
    return null;
  }

  private enqueue(
    batchOps: readonly LogBatchOp[],
    groupIds: readonly number[],
    entryCount: number,
    onDurable: (() => void) | null
  ): Promise<void> {
    let byteCount = 0;
    for (const op of batchOps) byteCount += op.key.length + (op.type === 'put' ? op.value.length : 0);
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ batchOps, groupIds, entryCount, byteCount, onDurable, resolve, reject });
      this.scheduleFlush();
    });
  }

  /** Flushes after the current turn, so that every write queued in it joins the batch. */
  private scheduleFlush(): void {
    if (this.flushScheduled || this.inflight !== null) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  /** Starts one batch with the queued writes (up to batchBytesMax), unless one is in flight. */
  private flush(): void {
    if (this.inflight !== null || this.queue.length === 0) return;
    invariant(this.failure === null, 'flush after a failed batch');
    let takeCount = 0;
    let byteCount = 0;
    for (const write of this.queue) {
      if (takeCount > 0 && byteCount + write.byteCount > this.batchBytesMax) break;
      takeCount++;
      byteCount += write.byteCount;
    }
    const batch = this.queue.slice(0, takeCount);
    this.queue = this.queue.slice(takeCount);
    this.inflight = batch;
    const batchOps: LogBatchOp[] = [];
    for (const write of batch) for (const op of write.batchOps) batchOps.push(op);
    const startMs = this.nowMs();
    let written: Promise<void>;
    try {
      written = this.target.writeBatchSynced(batchOps);
    } catch (error) {
      // A target that throws instead of rejecting fails the batch the same way.
      written = Promise.reject(error);
    }
    void written.then(
      () => this.onBatchDurable(batch, byteCount, this.nowMs() - startMs),
      (error: unknown) => this.onBatchFailed(batch, error)
    );
  }

  private onBatchDurable(batch: readonly QueuedWrite[], byteCount: number, syncMs: number): void {
    invariant(this.inflight === batch, 'a batch completed that is not the one in flight');
    this.inflight = null;
    this.recordBatch(batch, byteCount, syncMs);
    for (const write of batch) {
      try {
        write.onDurable?.();
        write.resolve();
      } catch (error) {
        // Only an assertion can land here (the storage's view disagrees with what was written): fail the caller.
        write.reject(error);
      }
    }
    // Writes queued while this batch was in flight go out now, together, as the next batch.
    this.flush();
    this.notifyIfIdle();
  }

  private onBatchFailed(batch: readonly QueuedWrite[], error: unknown): void {
    this.failure = error;
    this.inflight = null;
    for (const write of batch) write.reject(error);
    const queued = this.queue;
    this.queue = [];
    for (const write of queued) write.reject(new LogWriterFailedError(error));
    this.notifyIfIdle();
  }

  private recordBatch(batch: readonly QueuedWrite[], byteCount: number, syncMs: number): void {
    const groupIds = new Set<number>();
    let entryCount = 0;
    for (const write of batch) {
      for (const groupId of write.groupIds) groupIds.add(groupId);
      entryCount += write.entryCount;
    }
    const counters = this.counters;
    counters.batches += 1;
    counters.writes += batch.length;
    counters.groups += groupIds.size;
    counters.entries += entryCount;
    counters.bytes += byteCount;
    counters.batchWritesMax = Math.max(counters.batchWritesMax, batch.length);
    counters.batchGroupsMax = Math.max(counters.batchGroupsMax, groupIds.size);
    counters.batchEntriesMax = Math.max(counters.batchEntriesMax, entryCount);
    counters.syncMsTotal += syncMs;
    counters.syncMsMax = Math.max(counters.syncMsMax, syncMs);
    counters.syncMsLast = syncMs;
  }

  private isIdle(): boolean {
    return this.inflight === null && this.queue.length === 0 && !this.flushScheduled;
  }

  private notifyIfIdle(): void {
    if (!this.isIdle()) return;
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

/** Figures of a {@link MemoryLogWriter}. */
export interface MemoryLogWriterStats {
  readonly batches: number;
  readonly writes: number;
  readonly groups: number;
  readonly entries: number;
}

/**
 * The in-memory twin of {@link LogWriter} for unit tests: calls made in the same synchronous turn form one
 * "batch", which resolves on a microtask. Nothing is written anywhere unless a group has a durable image
 * (`attachDurableImage`): a separate MemoryRaftStorage standing for the disk, to which each batch is applied, so
 * a test can model a restart from exactly what was made durable. Never attach the storage the driver itself
 * calls applyPersisted on: it would apply every write twice.
 */
export class MemoryLogWriter implements RaftLogWriter {
  /** Every batch made durable, in order (each one the GroupPersists of the calls it merged). */
  readonly batches: (readonly GroupPersist[])[] = [];
  private pending: { writes: readonly GroupPersist[]; resolve: () => void; reject: (error: unknown) => void }[] = [];
  private readonly durableImages = new Map<number, MemoryRaftStorage>();
  private nextBatchError: Error | null = null;
  private readonly counters = { batches: 0, writes: 0, groups: 0, entries: 0 };

  /** Makes `image` the durable state of `groupId`: every batch is applied to it. */
  attachDurableImage(groupId: number, image: MemoryRaftStorage): void {
    this.durableImages.set(groupId, image);
  }

  /** The next batch fails with `error` (and is not applied to any durable image). */
  failNextBatch(error: Error): void {
    this.nextBatchError = error;
  }

  persist(writes: readonly GroupPersist[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (this.pending.length === 0) queueMicrotask(() => this.flush());
      this.pending.push({ writes, resolve, reject });
    });
  }

  stats(): MemoryLogWriterStats {
    return { ...this.counters };
  }

  private flush(): void {
    const pending = this.pending;
    this.pending = [];
    const error = this.nextBatchError;
    this.nextBatchError = null;
    if (error !== null) {
      for (const call of pending) call.reject(error);
      return;
    }
    const merged = pending.flatMap((call) => call.writes);
    try {
      for (const write of merged) this.durableImages.get(write.groupId)?.applyPersisted(write.ops);
    } catch (applyError) {
      // A write the durable image refuses (an out-of-date snapshot, a broken invariant) fails its whole batch.
      for (const call of pending) call.reject(applyError);
      return;
    }
    this.batches.push(merged);
    this.counters.batches += 1;
    this.counters.writes += pending.length;
    this.counters.groups += new Set(merged.map((write) => write.groupId)).size;
    this.counters.entries += merged.reduce((total, write) => total + write.ops.entries.length, 0);
    for (const call of pending) call.resolve();
  }
}
