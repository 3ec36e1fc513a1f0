/**
 * The storage the Raft core reads from, after etcd-raft's `Storage`.
 *
 * Contract (checked by test/contract/raftStorage.contract.ts against every implementation):
 * - Reads are synchronous and see exactly what has been made durable through {@link RaftStorage.applyPersisted};
 *   entries not yet persisted live in the core's unstable log, never here.
 * - `entries(lo, hi, maxBytes)` returns entries [lo, hi) — at least one entry if any is in range, even if it
 *   exceeds `maxBytes` — and throws `CompactedError` if lo < firstIndex, `UnavailableError` if hi > lastIndex+1.
 *   The returned array and entries are owned by the caller and must not be mutated by either side.
 * - `term(i)` is defined for firstIndex-1 ≤ i ≤ lastIndex (firstIndex-1 is the snapshot's index), throws
 *   `CompactedError` below that and `UnavailableError` above.
 * - An empty storage has firstIndex 1, lastIndex 0 and term(0) = 0.
 */
import type { ConfState, Entry, HardState, Snapshot } from '../core/types.js';

export interface RaftInitialState {
  readonly hardState: HardState;
  readonly confState: ConfState;
}

export interface RaftStorage {
  /** The durable hard state and the configuration as of the latest snapshot plus applied conf changes. */
  initialState(): RaftInitialState;
  entries(lo: number, hi: number, maxBytes: number): Entry[];
  term(index: number): number;
  firstIndex(): number;
  lastIndex(): number;
  /** The most recent snapshot; may throw `SnapshotTemporarilyUnavailableError`. */
  snapshot(): Snapshot;
}

/**
 * One group's durable writes produced by one Ready, in the order they must be applied:
 * snapshot (if any), then entries (which truncate any conflicting suffix), then hard state.
 */
export interface RaftPersistOps {
  readonly snapshot: Snapshot | null;
  readonly entries: readonly Entry[];
  readonly hardState: HardState | null;
}

/**
 * A storage whose in-memory view the driver updates once writes are durable. Every implementation keeps the
 * group's log (from the last compaction point) in memory so that the core's synchronous reads never wait on
 * disk; compaction bounds that memory.
 */
export interface PersistableRaftStorage extends RaftStorage {
  /** Called by the driver after `ops` are durable (the log writer's batch resolved). Must not do I/O. */
  applyPersisted(ops: RaftPersistOps): void;
  /**
   * Records a snapshot of the application's state as of `index` (≤ the applied index) and makes it what
   * `snapshot()` returns. Resolves once the snapshot is durable.
   */
  createSnapshot(index: number, confState: ConfState, data: Uint8Array): Promise<Snapshot>;
  /**
   * Discards entries before `compactIndex` (which must be ≤ the latest snapshot's index... or, per etcd,
   * ≤ the applied index; the entry at compactIndex stays so that its term is known). Resolves once durable.
   */
  compact(compactIndex: number): Promise<void>;
}

/** One group's share of a node-wide log-writer batch. */
export interface GroupPersist {
  readonly groupId: number;
  readonly ops: RaftPersistOps;
}

/**
 * The node-wide log writer: every write to the Raft log DB goes through it. It merges what all groups hand it
 * within one loop turn into one `sync: true` batch (group commit) and resolves each caller only after that
 * batch is durable.
 */
export interface RaftLogWriter {
  persist(writes: readonly GroupPersist[]): Promise<void>;
}
