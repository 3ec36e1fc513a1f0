/**
 * The simulated disk of one node: the durable record of every group's Raft log, snapshot and hard state, and
 * a RaftLogWriter whose batches become durable only at a scheduled sync event, in FIFO order. Until then a
 * batch is unsynced; a crash loses all unsynced batches (or, with the storage fault atlas, a fraction of them,
 * most recent first: batches are atomic and the log is written in order, so a prefix survives). The record
 * outlives the node's process; a restarted node rebuilds its storage from it.
 *
 * The disk also checks what only it can see: a durable term never decreases, a durable vote never changes
 * within a term, and a durable commit never decreases.
 */
import type { ConfState, HardState, Snapshot } from '../../src/raft/core/types.js';
import { MemoryRaftStorage } from '../../src/raft/storage/memoryRaftStorage.js';
import type { GroupPersist, RaftLogWriter, RaftPersistOps } from '../../src/raft/storage/raftStorage.js';
import type { EventQueue } from './eventQueue.js';
import type { DiskOptions } from './options.js';
import type { SimRandom } from './prng.js';

/** Reports a broken invariant to the run (the simulator fails the seed). */
export type ViolationReporter = (invariantName: string, detail: string) => void;

interface PendingBatch {
  readonly writes: readonly GroupPersist[];
  readonly resolve: () => void;
  synced: boolean;
}

export class SimDisk {
  /**
   * The durable record, by group: a storage mirror that receives exactly the writes that reached the disk.
   * Survives crashes; a group's record is removed when its replica is destroyed.
   */
  readonly groups = new Map<number, MemoryRaftStorage>();
  private pending: PendingBatch[] = [];
  private lastSyncTicks = 0;
  /** While the node is paused, synced batches wait here: the process cannot run their continuations. */
  private heldResolutions: (() => void)[] | null = null;
  private incarnation = 0;
  syncedBatches = 0;
  lostBatches = 0;
  /**
   * A deliberately broken disk for checker self-tests: resolve each persist at once, before it is durable (the
   * bug class of NATS 2.12.1 and Redpanda). Never set in swarm runs.
   */
  acknowledgeBeforeSync = false;

  constructor(
    readonly nodeId: number,
    private readonly queue: EventQueue,
    private readonly random: SimRandom,
    private readonly options: DiskOptions,
    private readonly report: ViolationReporter
  ) {}

  /** A log writer for the current process incarnation; a crashed incarnation's writes go nowhere. */
  logWriter(): RaftLogWriter {
    const incarnation = this.incarnation;
    return {
      persist: (writes) => this.persist(incarnation, writes),
    };
  }

  /**
   * Creates a group's durable record. A founding member starts from a snapshot at index 1, term 1 holding the
   * initial configuration, so that the configuration is part of the replicated history: a node that joins
   * later starts empty and must receive that (or a later) snapshot, never entries from index 1 alone (which
   * would leave it believing the group has no voters but those it saw added; etcd bootstraps with ConfChange
   * entries for the same reason).
   */
  createGroup(groupId: number, founding: ConfState | null): MemoryRaftStorage {
    if (this.groups.has(groupId)) throw new Error(`n${this.nodeId}: group ${groupId} already on disk`);
    const record =
      founding === null
        ? new MemoryRaftStorage()
        : new MemoryRaftStorage({
            snapshot: { metadata: { index: 1, term: 1, confState: founding }, data: new Uint8Array(0) },
            hardState: { term: 1, vote: 0, commit: 1 },
          });
    this.groups.set(groupId, record);
    return record;
  }

  /** A fresh storage rebuilt from the durable record: what a restarted process reads back. */
  reopenGroup(groupId: number): MemoryRaftStorage {
    const record = this.groups.get(groupId);
    if (record === undefined) throw new Error(`n${this.nodeId}: group ${groupId} not on disk`);
    return new MemoryRaftStorage(record.toOptions());
  }

  /** Destroys a group's replica data (the group was removed from this node). */
  destroyGroup(groupId: number): void {
    this.groups.delete(groupId);
  }

  private persist(incarnation: number, writes: readonly GroupPersist[]): Promise<void> {
    if (incarnation !== this.incarnation) return new Promise<void>(() => undefined);
    return new Promise<void>((resolve) => {
      const batch: PendingBatch = { writes, resolve, synced: false };
      this.pending.push(batch);
      const delay = this.random.delay(this.options.syncDelayMinTicks, this.options.syncDelayMeanTicks);
      // FIFO: a batch never becomes durable before one written ahead of it.
      const syncTicks = Math.max(this.queue.nowTicks + delay, this.lastSyncTicks);
      this.lastSyncTicks = syncTicks;
      this.queue.schedule(syncTicks - this.queue.nowTicks, `n${this.nodeId} sync`, () => this.sync(incarnation, batch));
      if (this.acknowledgeBeforeSync) resolve();
    });
  }

  private sync(incarnation: number, batch: PendingBatch): void {
    if (incarnation !== this.incarnation || batch.synced) return;
    if (this.pending[0] !== batch) throw new Error(`n${this.nodeId}: disk batches synced out of order`);
    this.pending.shift();
    batch.synced = true;
    this.syncedBatches++;
    for (const write of batch.writes) this.applyOps(write.groupId, write.ops);
    if (this.heldResolutions !== null) this.heldResolutions.push(batch.resolve);
    else batch.resolve();
  }

  /** A crash: the oldest `1 - lossFraction` of the unsynced batches reach the disk, the rest are lost. */
  crash(lossFraction: number): { lost: number; kept: number } {
    const lostCount = Math.ceil(this.pending.length * lossFraction);
    const kept = this.pending.slice(0, this.pending.length - lostCount);
    for (const batch of kept) {
      for (const write of batch.writes) this.applyOps(write.groupId, write.ops);
    }
    this.lostBatches += lostCount;
    this.pending = [];
    this.heldResolutions = null;
    this.incarnation++;
    return { lost: lostCount, kept: kept.length };
  }

  /** True when no batch is unsynced and no synced batch waits for a paused process. */
  get idle(): boolean {
    return this.pending.length === 0 && (this.heldResolutions === null || this.heldResolutions.length === 0);
  }

  /** Pause: durable writes complete, but their continuations wait for the process. */
  pause(): void {
    this.heldResolutions ??= [];
  }

  unpause(): void {
    const held = this.heldResolutions ?? [];
    this.heldResolutions = null;
    for (const resolve of held) resolve();
  }

  /** Applies one group's ops to the durable record, in the storage contract's order. */
  applyOps(groupId: number, ops: RaftPersistOps): void {
    const record = this.groups.get(groupId);
    // The group was destroyed while the batch was in flight: its writes have nowhere to go.
    if (record === undefined) return;
    if (ops.hardState !== null) this.checkHardState(groupId, record.hardState(), ops.hardState);
    record.applyPersisted(ops);
  }

  /** Records a snapshot the applier created (durable once `createSnapshot` resolves). */
  recordSnapshot(groupId: number, snapshot: Snapshot): void {
    const record = this.groups.get(groupId);
    if (record === undefined || record.snapshot().metadata.index >= snapshot.metadata.index) return;
    record.recordSnapshot(snapshot);
  }

  /** Records a compaction: entries up to `compactIndex` are gone. */
  recordCompaction(groupId: number, compactIndex: number): void {
    const record = this.groups.get(groupId);
    if (record === undefined || compactIndex < record.firstIndex()) return;
    record.compactNow(compactIndex);
  }

  private checkHardState(groupId: number, previous: HardState, next: HardState): void {
    const where = `n${this.nodeId} g${groupId}`;
    if (next.term < previous.term)
      this.report('durable.termMonotonic', `${where}: term ${previous.term} -> ${next.term}`);
    if (next.term === previous.term && previous.vote !== 0 && next.vote !== previous.vote) {
      this.report('durable.voteStable', `${where}: vote in term ${next.term} changed ${previous.vote} -> ${next.vote}`);
    }
    if (next.commit < previous.commit) {
      this.report('durable.commitMonotonic', `${where}: commit ${previous.commit} -> ${next.commit}`);
    }
  }

  /** The durable last index of a group (entries or snapshot), or 0 if it has no record. */
  durableLastIndex(groupId: number): number {
    return this.groups.get(groupId)?.lastIndex() ?? 0;
  }

  /** The durable hard state of a group, or null if it has no record. */
  durableHardState(groupId: number): HardState | null {
    return this.groups.get(groupId)?.hardState() ?? null;
  }
}
