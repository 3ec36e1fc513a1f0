/**
 * One group's Raft storage over the node's log LevelDB: a {@link MemoryRaftStorage} holding the durable log from
 * the compaction point on (so the core's reads never wait on disk), loaded and verified at open, and kept equal to
 * the disk by the driver's `applyPersisted` after each durable write. Its own writes (`createSnapshot`,
 * `compact`) go through the node's {@link LogWriter}, which updates this view when they are durable.
 *
 * The second half of the file turns writes into LevelDB batch operations. The log writer calls these functions
 * when a write is queued, against the group's *written* bounds (what the disk will hold once every queued batch
 * lands), because a write may be queued before the previous one is applied to any in-memory view.
 */
import type { GroupLogBounds, LogWriter } from '../logWriter.js';
import type { LevelLogDb, LogBatchOp } from './levelLogDb.js';
import {
  LogKeyKind,
  compactionPointKey,
  entryKey,
  groupKeyRange,
  hardStateKey,
  snapshotChunkKey,
  snapshotMetaKey,
} from './logKeys.js';
import { decodeLogKey, describeLogKey } from './logKeys.js';
import {
  RaftLogCorruptionError,
  decodeCompactionPointValue,
  decodeEntryValue,
  decodeHardStateValue,
  decodeSnapshotChunkValue,
  decodeSnapshotMetaValue,
  encodeCompactionPointValue,
  encodeEntryValue,
  encodeHardStateValue,
  encodeSnapshotChunkValue,
  encodeSnapshotMetaValue,
  snapshotDataCrc,
} from './logCodec.js';
import type { StoredSnapshotMeta } from './logCodec.js';
import { MemoryRaftStorage, assertContiguousEntries, emptySnapshot } from './memoryRaftStorage.js';
import type { LogCompactionPoint, MemoryRaftStorageOptions } from './memoryRaftStorage.js';
import type { PersistableRaftStorage, RaftInitialState, RaftPersistOps } from './raftStorage.js';
import { CompactedError, SnapshotOutOfDateError, invariant } from '../core/errors.js';
import type { ConfState, Entry, HardState, Snapshot } from '../core/types.js';
import { EMPTY_HARD_STATE, NONE } from '../core/types.js';

/** One group's durable Raft storage in the node's log LevelDB; see the file comment. Open with {@link open}. */
export class LevelRaftStorage implements PersistableRaftStorage {
  private constructor(
    readonly groupId: number,
    /** The in-memory view of the durable log; written only by applyPersisted and the log writer's callbacks. */
    private readonly memory: MemoryRaftStorage,
    private readonly logWriter: LogWriter
  ) {}

  /**
   * Loads group `groupId` from `db` (its log, hard state and snapshot), verifying every checksum, the
   * contiguity of the log from the compaction point, and the agreement of snapshot, log and hard state.
   * Throws {@link RaftLogCorruptionError} if any check fails. Registers the group with `db.logWriter`.
   */
  static async open(db: LevelLogDb, groupId: number): Promise<LevelRaftStorage> {
    const loaded = await loadGroupLog(db, groupId);
    const memory = new MemoryRaftStorage(loaded.options);
    db.logWriter.registerGroup(groupId, loaded.bounds);
    return new LevelRaftStorage(groupId, memory, db.logWriter);
  }

  initialState(): RaftInitialState {
    return this.memory.initialState();
  }

  entries(lo: number, hi: number, maxBytes: number): Entry[] {
    return this.memory.entries(lo, hi, maxBytes);
  }

  term(index: number): number {
    return this.memory.term(index);
  }

  firstIndex(): number {
    return this.memory.firstIndex();
  }

  lastIndex(): number {
    return this.memory.lastIndex();
  }

  snapshot(): Snapshot {
    return this.memory.snapshot();
  }

  /** The durable hard state. */
  hardState(): HardState {
    return this.memory.hardState();
  }

  applyPersisted(ops: RaftPersistOps): void {
    this.memory.applyPersisted(ops);
  }

  /**
   * Validates against the durable view, writes the snapshot through the log writer and records it in memory once
   * durable. Rejects with SnapshotOutOfDateError if a newer snapshot was written meanwhile.
   */
  async createSnapshot(index: number, confState: ConfState, data: Uint8Array): Promise<Snapshot> {
    const snapshot = this.memory.prepareSnapshot(index, confState, data);
    await this.logWriter.writeSnapshot(this.groupId, snapshot, () => this.memory.recordSnapshot(snapshot));
    return snapshot;
  }

  /** Validates, deletes the entries through the log writer, and compacts memory once durable. */
  async compact(compactIndex: number): Promise<void> {
    const compactTerm = this.memory.compactionTerm(compactIndex);
    await this.logWriter.writeCompaction(this.groupId, compactIndex, compactTerm, () =>
      this.memory.compactNow(compactIndex)
    );
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Loading and verification.

/** Everything stored for one group, decoded and checksum-verified but not yet cross-checked. */
interface StoredGroupLog {
  hardState: HardState | null;
  compacted: LogCompactionPoint | null;
  snapshotMeta: StoredSnapshotMeta | null;
  snapshotChunks: { chunk: number; snapshotIndex: number; bytes: Uint8Array }[];
  entries: Entry[];
}

async function loadGroupLog(
  db: LevelLogDb,
  groupId: number
): Promise<{ options: MemoryRaftStorageOptions; bounds: GroupLogBounds }> {
  const stored = await readGroupLog(db, groupId);
  const compacted = stored.compacted ?? { index: 0, term: 0 };
  const hardState = stored.hardState ?? EMPTY_HARD_STATE;
  const snapshot = assembleSnapshot(groupId, stored);
  checkGroupLog(groupId, compacted, stored.entries, snapshot, hardState);
  const lastEntry = stored.entries[stored.entries.length - 1];
  return {
    options: { hardState, snapshot, compacted, entries: stored.entries },
    bounds: {
      compacted,
      lastIndex: lastEntry === undefined ? compacted.index : lastEntry.index,
      snapshotIndex: snapshot.metadata.index,
      snapshotChunkCount: stored.snapshotMeta?.chunkCount ?? 0,
      hardState,
    },
  };
}

/** Reads every key of the group in key order (hard state, compaction point, snapshot, chunks, entries). */
async function readGroupLog(db: LevelLogDb, groupId: number): Promise<StoredGroupLog> {
  const stored: StoredGroupLog = {
    hardState: null,
    compacted: null,
    snapshotMeta: null,
    snapshotChunks: [],
    entries: [],
  };
  for await (const [key, value] of db.iterate(groupKeyRange(groupId))) {
    const decoded = decodeLogKey(key);
    if (decoded === null || decoded.groupId !== groupId) {
      throw new RaftLogCorruptionError(groupId, describeLogKey(key), 'unknown key in the group range');
    }
    switch (decoded.kind) {
      case LogKeyKind.hardState:
        stored.hardState = decodeHardStateValue(groupId, key, value);
        break;
      case LogKeyKind.compactionPoint:
        stored.compacted = decodeCompactionPointValue(groupId, key, value);
        break;
      case LogKeyKind.snapshotMeta:
        stored.snapshotMeta = decodeSnapshotMetaValue(groupId, key, value);
        break;
      case LogKeyKind.snapshotChunk:
        stored.snapshotChunks.push({ chunk: decoded.index, ...decodeSnapshotChunkValue(groupId, key, value) });
        break;
      case LogKeyKind.entry:
        stored.entries.push(readEntry(groupId, key, decoded.index, value, stored));
        break;
      default: {
        const unreachable: never = decoded.kind;
        throw new RaftLogCorruptionError(groupId, describeLogKey(key), `unknown key kind ${String(unreachable)}`);
      }
    }
  }
  return stored;
}

/** Decodes one entry and checks it continues the log: contiguous from the compaction point, terms non-decreasing. */
function readEntry(groupId: number, key: Uint8Array, index: number, value: Uint8Array, stored: StoredGroupLog): Entry {
  const entry = decodeEntryValue(groupId, key, index, value);
  const previous: LogCompactionPoint = stored.entries[stored.entries.length - 1] ??
    stored.compacted ?? { index: 0, term: 0 };
  const fail = (reason: string): never => {
    throw new RaftLogCorruptionError(groupId, describeLogKey(key), reason);
  };
  if (index !== previous.index + 1) {
    fail(
      `log is not contiguous: entry ${index} follows ${previous.index} (compaction point ${stored.compacted?.index ?? 0})`
    );
  }
  if (entry.term < previous.term) fail(`term ${entry.term} is below the preceding term ${previous.term}`);
  return entry;
}

/** Reassembles the snapshot data from its chunks, checking each belongs to the metadata and the whole CRC. */
function assembleSnapshot(groupId: number, stored: StoredGroupLog): Snapshot {
  const meta = stored.snapshotMeta;
  const metaKey = describeLogKey(snapshotMetaKey(groupId));
  if (meta === null) {
    if (stored.snapshotChunks.length > 0) throw new RaftLogCorruptionError(groupId, metaKey, 'chunks without metadata');
    return emptySnapshot();
  }
  if (stored.snapshotChunks.length !== meta.chunkCount) {
    const reason = `${stored.snapshotChunks.length} chunks stored, metadata says ${meta.chunkCount}`;
    throw new RaftLogCorruptionError(groupId, metaKey, reason);
  }
  const data = new Uint8Array(meta.dataBytes);
  let offset = 0;
  stored.snapshotChunks.forEach((chunk, position) => {
    const chunkKey = describeLogKey(snapshotChunkKey(groupId, chunk.chunk));
    if (chunk.chunk !== position || chunk.snapshotIndex !== meta.index) {
      const reason = `chunk ${chunk.chunk} of snapshot ${chunk.snapshotIndex} at position ${position} of snapshot ${meta.index}`;
      throw new RaftLogCorruptionError(groupId, chunkKey, reason);
    }
    if (offset + chunk.bytes.length > data.length) {
      throw new RaftLogCorruptionError(groupId, chunkKey, `chunks exceed the ${meta.dataBytes} bytes of the metadata`);
    }
    data.set(chunk.bytes, offset);
    offset += chunk.bytes.length;
  });
  if (offset !== meta.dataBytes || snapshotDataCrc(data) !== meta.dataCrc) {
    const reason = `reassembled data is ${offset} bytes with crc 0x${snapshotDataCrc(data).toString(16)}, metadata says ${meta.dataBytes} bytes, crc 0x${meta.dataCrc.toString(16)}`;
    throw new RaftLogCorruptionError(groupId, metaKey, reason);
  }
  return { metadata: { index: meta.index, term: meta.term, confState: meta.confState }, data };
}

/** Cross-checks snapshot, log and hard state; the writer's assertions guarantee these on every write. */
function checkGroupLog(
  groupId: number,
  compacted: LogCompactionPoint,
  entries: readonly Entry[],
  snapshot: Snapshot,
  hardState: HardState
): void {
  const lastIndex = compacted.index + entries.length;
  const metadata = snapshot.metadata;
  const fail = (key: Uint8Array, reason: string): never => {
    throw new RaftLogCorruptionError(groupId, describeLogKey(key), reason);
  };
  if (metadata.index > lastIndex)
    fail(snapshotMetaKey(groupId), `snapshot ${metadata.index} is beyond the log end ${lastIndex}`);
  if (metadata.index >= compacted.index) {
    const termAtIndex =
      metadata.index === compacted.index
        ? compacted.term
        : (entries[metadata.index - compacted.index - 1] as Entry).term;
    if (termAtIndex !== metadata.term) {
      fail(
        snapshotMetaKey(groupId),
        `snapshot term ${metadata.term} at ${metadata.index}, log has term ${termAtIndex}`
      );
    }
  }
  if (hardState.commit > lastIndex)
    fail(hardStateKey(groupId), `commit ${hardState.commit} is beyond the log end ${lastIndex}`);
  if (hardState.commit < compacted.index) {
    fail(hardStateKey(groupId), `commit ${hardState.commit} is below the compaction point ${compacted.index}`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Writes as batch operations. Each function validates against the written bounds, appends its operations to
// `batchOps` and returns the bounds after the write.

/** Turns one Ready's ops for one group into batch operations, in the order snapshot, entries, hard state. */
export function persistOpsToBatch(
  groupId: number,
  ops: RaftPersistOps,
  before: GroupLogBounds,
  snapshotChunkBytes: number,
  batchOps: LogBatchOp[]
): GroupLogBounds {
  let bounds = before;
  if (ops.snapshot !== null)
    bounds = installSnapshotToBatch(groupId, ops.snapshot, bounds, snapshotChunkBytes, batchOps);
  if (ops.entries.length > 0) bounds = appendEntriesToBatch(groupId, ops.entries, bounds, batchOps);
  if (ops.hardState !== null) bounds = hardStateToBatch(groupId, ops.hardState, bounds, batchOps);
  // etcd refuses to restart with a commit index below the first index; never write such a state.
  invariant(
    bounds.hardState.commit >= bounds.compacted.index,
    () =>
      `group ${groupId}: commit ${bounds.hardState.commit} would be below the compaction point ${bounds.compacted.index}`
  );
  return bounds;
}

/** A snapshot from the leader replaces the whole log: every entry is deleted, the compaction point moves to it. */
function installSnapshotToBatch(
  groupId: number,
  snapshot: Snapshot,
  before: GroupLogBounds,
  snapshotChunkBytes: number,
  batchOps: LogBatchOp[]
): GroupLogBounds {
  const metadata = snapshot.metadata;
  const currentIndex = Math.max(before.snapshotIndex, before.compacted.index);
  if (metadata.index <= currentIndex) throw new SnapshotOutOfDateError(metadata.index, currentIndex);
  deleteEntriesToBatch(groupId, before.compacted.index + 1, before.lastIndex, batchOps);
  const compacted = { index: metadata.index, term: metadata.term };
  const compactKey = compactionPointKey(groupId);
  batchOps.push({ type: 'put', key: compactKey, value: encodeCompactionPointValue(compactKey, compacted) });
  const snapshotChunkCount = snapshotToBatch(
    groupId,
    snapshot,
    before.snapshotChunkCount,
    snapshotChunkBytes,
    batchOps
  );
  return { ...before, compacted, lastIndex: metadata.index, snapshotIndex: metadata.index, snapshotChunkCount };
}

/** Puts the entries and deletes the old suffix past the new last index (a shorter conflicting append). */
function appendEntriesToBatch(
  groupId: number,
  entries: readonly Entry[],
  before: GroupLogBounds,
  batchOps: LogBatchOp[]
): GroupLogBounds {
  assertContiguousEntries(entries, `group ${groupId} append`);
  const firstIndex = before.compacted.index + 1;
  const incomingFirst = (entries[0] as Entry).index;
  const fresh = incomingFirst < firstIndex ? entries.slice(firstIndex - incomingFirst) : entries;
  const freshFirst = fresh[0];
  if (freshFirst === undefined) return before;
  invariant(
    freshFirst.index <= before.lastIndex + 1,
    () => `group ${groupId}: gap, last index ${before.lastIndex}, append at ${freshFirst.index}`
  );
  invariant(
    freshFirst.index > before.lastIndex || freshFirst.index > before.hardState.commit,
    () =>
      `group ${groupId}: append at ${freshFirst.index} would rewrite entries at or below commit ${before.hardState.commit}`
  );
  for (const entry of fresh) {
    const key = entryKey(groupId, entry.index);
    batchOps.push({ type: 'put', key, value: encodeEntryValue(key, entry) });
  }
  const lastIndex = (fresh[fresh.length - 1] as Entry).index;
  deleteEntriesToBatch(groupId, lastIndex + 1, before.lastIndex, batchOps);
  return { ...before, lastIndex };
}

/** Puts the hard state, asserting Raft's rules for it: term and commit never decrease, one vote per term. */
function hardStateToBatch(
  groupId: number,
  hardState: HardState,
  before: GroupLogBounds,
  batchOps: LogBatchOp[]
): GroupLogBounds {
  const previous = before.hardState;
  invariant(hardState.term >= previous.term, () => `group ${groupId}: term ${previous.term} -> ${hardState.term}`);
  invariant(
    hardState.commit >= previous.commit,
    () => `group ${groupId}: commit ${previous.commit} -> ${hardState.commit}`
  );
  invariant(
    hardState.term !== previous.term || previous.vote === NONE || hardState.vote === previous.vote,
    () => `group ${groupId}: vote changed from ${previous.vote} to ${hardState.vote} in term ${hardState.term}`
  );
  invariant(
    hardState.commit <= before.lastIndex,
    () => `group ${groupId}: commit ${hardState.commit} is beyond the last index ${before.lastIndex}`
  );
  const key = hardStateKey(groupId);
  batchOps.push({ type: 'put', key, value: encodeHardStateValue(key, hardState) });
  return { ...before, hardState };
}

/** createSnapshot's write: the snapshot only; the log is untouched. */
export function createdSnapshotToBatch(
  groupId: number,
  snapshot: Snapshot,
  before: GroupLogBounds,
  snapshotChunkBytes: number,
  batchOps: LogBatchOp[]
): GroupLogBounds {
  const metadata = snapshot.metadata;
  if (metadata.index <= before.snapshotIndex) throw new SnapshotOutOfDateError(metadata.index, before.snapshotIndex);
  if (metadata.index < before.compacted.index) throw new CompactedError(metadata.index);
  invariant(
    metadata.index !== before.compacted.index || metadata.term === before.compacted.term,
    () =>
      `group ${groupId}: snapshot term ${metadata.term} differs from the compaction point's ${before.compacted.term}`
  );
  invariant(metadata.index <= before.lastIndex, () => `group ${groupId}: snapshot ${metadata.index} beyond the log`);
  invariant(
    metadata.index <= before.hardState.commit,
    () => `group ${groupId}: snapshot ${metadata.index} beyond commit ${before.hardState.commit}`
  );
  const snapshotChunkCount = snapshotToBatch(
    groupId,
    snapshot,
    before.snapshotChunkCount,
    snapshotChunkBytes,
    batchOps
  );
  return { ...before, snapshotIndex: metadata.index, snapshotChunkCount };
}

/** compact's write: deletes entries up to `compactIndex` and records its term as the compaction point. */
export function compactionToBatch(
  groupId: number,
  compactIndex: number,
  compactTerm: number,
  before: GroupLogBounds,
  batchOps: LogBatchOp[]
): GroupLogBounds {
  if (compactIndex <= before.compacted.index) throw new CompactedError(compactIndex);
  invariant(compactIndex <= before.lastIndex, () => `group ${groupId}: compact ${compactIndex} beyond the log`);
  invariant(
    compactIndex <= before.hardState.commit,
    () => `group ${groupId}: compact ${compactIndex} beyond commit ${before.hardState.commit}`
  );
  deleteEntriesToBatch(groupId, before.compacted.index + 1, compactIndex, batchOps);
  const compacted = { index: compactIndex, term: compactTerm };
  const key = compactionPointKey(groupId);
  batchOps.push({ type: 'put', key, value: encodeCompactionPointValue(key, compacted) });
  return { ...before, compacted };
}

/** Puts the snapshot metadata and data chunks, deleting chunks of the previous snapshot beyond the new count. */
function snapshotToBatch(
  groupId: number,
  snapshot: Snapshot,
  previousChunkCount: number,
  snapshotChunkBytes: number,
  batchOps: LogBatchOp[]
): number {
  invariant(snapshotChunkBytes > 0, 'snapshotChunkBytes must be positive');
  const { data, metadata } = snapshot;
  const chunkCount = Math.ceil(data.length / snapshotChunkBytes);
  for (let chunk = 0; chunk < chunkCount; chunk++) {
    const key = snapshotChunkKey(groupId, chunk);
    const bytes = data.subarray(chunk * snapshotChunkBytes, (chunk + 1) * snapshotChunkBytes);
    batchOps.push({ type: 'put', key, value: encodeSnapshotChunkValue(key, metadata.index, bytes) });
  }
  for (let chunk = chunkCount; chunk < previousChunkCount; chunk++) {
    batchOps.push({ type: 'del', key: snapshotChunkKey(groupId, chunk) });
  }
  const meta: StoredSnapshotMeta = {
    index: metadata.index,
    term: metadata.term,
    confState: metadata.confState,
    dataBytes: data.length,
    chunkCount,
    dataCrc: snapshotDataCrc(data),
  };
  const key = snapshotMetaKey(groupId);
  batchOps.push({ type: 'put', key, value: encodeSnapshotMetaValue(key, meta) });
  return chunkCount;
}

/** Deletes the entry keys in [from, to] (nothing when from > to). */
function deleteEntriesToBatch(groupId: number, from: number, to: number, batchOps: LogBatchOp[]): void {
  for (let index = from; index <= to; index++) batchOps.push({ type: 'del', key: entryKey(groupId, index) });
}
