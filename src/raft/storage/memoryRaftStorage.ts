/**
 * The in-memory Raft storage, after etcd-raft's `MemoryStorage` (storage.go). It backs every core test, and
 * {@link LevelRaftStorage} keeps one as its in-memory view of the durable log, so the read logic and the
 * write-side rules exist once.
 *
 * Representation (as in etcd): `entries[0]` is a dummy entry at the compaction point — the index and term of
 * the last discarded entry (the snapshot's, unless the log was compacted past the snapshot) with no data —
 * and `entries[i].index === entries[0].index + i`. So firstIndex = entries[0].index + 1,
 * lastIndex = entries[0].index + entries.length - 1 and term(firstIndex - 1) is always known.
 *
 * Ownership: entries handed in are kept by reference and never mutated; arrays handed out are fresh copies.
 */
import type { PersistableRaftStorage, RaftInitialState, RaftPersistOps } from './raftStorage.js';
import {
  CompactedError,
  SnapshotOutOfDateError,
  UnavailableError,
  assertSafeIndex,
  invariant,
} from '../core/errors.js';
import type { ConfState, Entry, HardState, Snapshot } from '../core/types.js';
import { EMPTY_BYTES, EMPTY_CONF_STATE, EMPTY_HARD_STATE, entryPayloadBytes } from '../core/types.js';

/** The compaction point: the index and term of the last entry discarded from the log. */
export interface LogCompactionPoint {
  readonly index: number;
  readonly term: number;
}

/** The state a {@link MemoryRaftStorage} starts from (a restart, a test fixture, a reopened LevelDB group). */
export interface MemoryRaftStorageOptions {
  readonly hardState?: HardState;
  /** The latest snapshot. Defaults to an empty one at index 0 carrying `confState`. */
  readonly snapshot?: Snapshot;
  /** The configuration of the default empty snapshot (ignored when `snapshot` is given). */
  readonly confState?: ConfState;
  /** Defaults to the snapshot's index and term; may be beyond it when the log was compacted past the snapshot. */
  readonly compacted?: LogCompactionPoint;
  /** The log after the compaction point: `entries[0].index === compacted.index + 1`, contiguous. */
  readonly entries?: readonly Entry[];
}

/** The empty snapshot every storage starts with: index 0, term 0. */
export function emptySnapshot(confState: ConfState = EMPTY_CONF_STATE): Snapshot {
  return { metadata: { index: 0, term: 0, confState }, data: EMPTY_BYTES };
}

function dummyEntry(point: LogCompactionPoint): Entry {
  return { index: point.index, term: point.term, kind: 'normal', data: EMPTY_BYTES };
}

/** Keeps the longest prefix whose payload fits in `maxBytes`, but at least one entry (etcd `limitSize`). */
function limitEntriesBytes(entries: Entry[], maxBytes: number): Entry[] {
  if (entries.length === 0) return entries;
  let totalBytes = entryPayloadBytes(entries[0] as Entry);
  let limit = 1;
  for (; limit < entries.length; limit++) {
    totalBytes += entryPayloadBytes(entries[limit] as Entry);
    if (totalBytes > maxBytes) break;
  }
  return limit === entries.length ? entries : entries.slice(0, limit);
}

/** Asserts `entries` are contiguous with non-decreasing terms (Raft log terms never decrease). */
export function assertContiguousEntries(entries: readonly Entry[], what: string): void {
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i] as Entry;
    assertSafeIndex(entry.index, `${what}: entry index`);
    assertSafeIndex(entry.term, `${what}: entry term`);
    if (i === 0) continue;
    const previous = entries[i - 1] as Entry;
    invariant(entry.index === previous.index + 1, () => `${what}: gap between ${previous.index} and ${entry.index}`);
    invariant(
      entry.term >= previous.term,
      () => `${what}: term decreases from ${previous.term} to ${entry.term} at index ${entry.index}`
    );
  }
}

/** etcd's MemoryStorage: see the file comment. Reads and writes are synchronous; nothing is durable. */
export class MemoryRaftStorage implements PersistableRaftStorage {
  /** Durable hard state; replaced by setHardState. */
  private hardStateValue: HardState;
  /** The latest snapshot; replaced by applySnapshot and createSnapshot. */
  private snapshotValue: Snapshot;
  /** entries[0] is the dummy at the compaction point; see the file comment. Never empty. */
  private entriesValue: Entry[];

  constructor(options: MemoryRaftStorageOptions = {}) {
    this.hardStateValue = options.hardState ?? EMPTY_HARD_STATE;
    this.snapshotValue = options.snapshot ?? emptySnapshot(options.confState);
    const metadata = this.snapshotValue.metadata;
    const compacted = options.compacted ?? { index: metadata.index, term: metadata.term };
    assertSafeIndex(compacted.index, 'compaction point index');
    const entries = options.entries ?? [];
    assertContiguousEntries(entries, 'initial entries');
    invariant(
      entries.length === 0 || (entries[0] as Entry).index === compacted.index + 1,
      () => `initial entries must start at ${compacted.index + 1}, got ${entries[0]?.index}`
    );
    invariant(
      entries.length === 0 || (entries[0] as Entry).term >= compacted.term,
      () => `initial entries start with term ${entries[0]?.term}, below the compaction point's ${compacted.term}`
    );
    this.entriesValue = [dummyEntry(compacted), ...entries];
    // A snapshot at or after the compaction point must agree with the log (etcd's CreateSnapshot leaves the
    // log alone, so the snapshot may be ahead of the compaction point); one behind it was compacted past.
    invariant(
      metadata.index < compacted.index || metadata.index <= this.lastIndex(),
      () => `snapshot ${metadata.index} is beyond the last index ${this.lastIndex()}`
    );
    invariant(
      metadata.index < compacted.index || this.term(metadata.index) === metadata.term,
      () => `snapshot term ${metadata.term} at ${metadata.index} differs from the log`
    );
  }

  initialState(): RaftInitialState {
    return { hardState: this.hardStateValue, confState: this.snapshotValue.metadata.confState };
  }

  /** The durable hard state. */
  hardState(): HardState {
    return this.hardStateValue;
  }

  /** Entries [lo, hi), at most `maxBytes` of payload but at least one entry if the range is not empty. */
  entries(lo: number, hi: number, maxBytes: number): Entry[] {
    invariant(lo <= hi, () => `entries: lo ${lo} > hi ${hi}`);
    const offset = this.offset();
    if (lo <= offset) throw new CompactedError(lo);
    if (hi > this.lastIndex() + 1) throw new UnavailableError(hi - 1);
    const slice = this.entriesValue.slice(lo - offset, hi - offset);
    return limitEntriesBytes(slice, maxBytes);
  }

  term(index: number): number {
    const offset = this.offset();
    if (index < offset) throw new CompactedError(index);
    if (index > this.lastIndex()) throw new UnavailableError(index);
    return (this.entriesValue[index - offset] as Entry).term;
  }

  firstIndex(): number {
    return this.offset() + 1;
  }

  lastIndex(): number {
    return this.offset() + this.entriesValue.length - 1;
  }

  snapshot(): Snapshot {
    return this.snapshotValue;
  }

  /** The compaction point (the dummy entry's index and term). */
  compactionPoint(): LogCompactionPoint {
    const dummy = this.entriesValue[0] as Entry;
    return { index: dummy.index, term: dummy.term };
  }

  /** The whole state, to start an equal storage from (a simulated restart). */
  toOptions(): MemoryRaftStorageOptions {
    return {
      hardState: this.hardStateValue,
      snapshot: this.snapshotValue,
      compacted: this.compactionPoint(),
      entries: this.entriesValue.slice(1),
    };
  }

  /** Applies one Ready's durable writes in their order: snapshot, entries, hard state. */
  applyPersisted(ops: RaftPersistOps): void {
    if (ops.snapshot !== null) this.applySnapshot(ops.snapshot);
    if (ops.entries.length > 0) this.append(ops.entries);
    if (ops.hardState !== null) this.setHardState(ops.hardState);
  }

  setHardState(hardState: HardState): void {
    assertSafeIndex(hardState.term, 'hard state term');
    assertSafeIndex(hardState.commit, 'hard state commit');
    this.hardStateValue = hardState;
  }

  /**
   * Replaces the whole log by `snapshot` (a leader sent it). Throws SnapshotOutOfDateError unless it is newer
   * than both the current snapshot and the compaction point.
   */
  applySnapshot(snapshot: Snapshot): void {
    const metadata = snapshot.metadata;
    assertSafeIndex(metadata.index, 'snapshot index');
    assertSafeIndex(metadata.term, 'snapshot term');
    const currentIndex = Math.max(this.snapshotValue.metadata.index, this.offset());
    if (metadata.index <= currentIndex) throw new SnapshotOutOfDateError(metadata.index, currentIndex);
    this.snapshotValue = snapshot;
    this.entriesValue = [dummyEntry({ index: metadata.index, term: metadata.term })];
  }

  /**
   * Appends `entries`, replacing any suffix they conflict with (etcd `Append`). Entries at or below the
   * compaction point are ignored. A gap after the last index, or rewriting a committed entry, is a bug.
   */
  append(entries: readonly Entry[]): void {
    if (entries.length === 0) return;
    assertContiguousEntries(entries, 'append');
    const first = this.firstIndex();
    const incomingLast = (entries[entries.length - 1] as Entry).index;
    if (incomingLast < first) return;
    const fresh = first > (entries[0] as Entry).index ? entries.slice(first - (entries[0] as Entry).index) : entries;
    const freshFirst = fresh[0] as Entry;
    const lastIndex = this.lastIndex();
    invariant(
      freshFirst.index <= lastIndex + 1,
      () => `append: gap, last index ${lastIndex}, append at ${freshFirst.index}`
    );
    const commit = this.hardStateValue.commit;
    invariant(
      freshFirst.index > lastIndex || freshFirst.index > commit,
      () => `append: would rewrite committed entries from ${freshFirst.index} (commit ${commit}, last ${lastIndex})`
    );
    const previousTerm = (this.entriesValue[freshFirst.index - 1 - this.offset()] as Entry).term;
    invariant(
      freshFirst.term >= previousTerm,
      () => `append: term ${freshFirst.term} at ${freshFirst.index} is below the preceding term ${previousTerm}`
    );
    // Truncating in place is safe: entries(), the only reader that hands out entries, returns copies.
    this.entriesValue.length = freshFirst.index - this.offset();
    for (const entry of fresh) this.entriesValue.push(entry);
  }

  /**
   * Validates a snapshot at `index` and builds it without recording it. Throws SnapshotOutOfDateError when a
   * snapshot at or after `index` exists, CompactedError when the term of `index` is no longer known.
   */
  prepareSnapshot(index: number, confState: ConfState, data: Uint8Array): Snapshot {
    assertSafeIndex(index, 'snapshot index');
    const currentIndex = this.snapshotValue.metadata.index;
    if (index <= currentIndex) throw new SnapshotOutOfDateError(index, currentIndex);
    invariant(index <= this.lastIndex(), () => `snapshot ${index} is beyond the last index ${this.lastIndex()}`);
    // Not asserted here: index ≤ commit. etcd-style core tests move entries into a MemoryStorage without ever
    // setting a hard state; the log writer asserts it for LevelRaftStorage, whose driver persists hard state first.
    const term = this.term(index);
    return { metadata: { index, term, confState }, data };
  }

  /** Records a snapshot built by {@link prepareSnapshot}; the log is untouched. */
  recordSnapshot(snapshot: Snapshot): void {
    const metadata = snapshot.metadata;
    invariant(
      metadata.index > this.snapshotValue.metadata.index,
      () => `recordSnapshot: ${metadata.index} is not newer than ${this.snapshotValue.metadata.index}`
    );
    invariant(
      metadata.index < this.offset() || this.term(metadata.index) === metadata.term,
      () => `recordSnapshot: term ${metadata.term} at ${metadata.index} differs from the log`
    );
    this.snapshotValue = snapshot;
  }

  /** etcd `CreateSnapshot`: records a snapshot at `index` (≤ the applied index). Takes effect at once. */
  async createSnapshot(index: number, confState: ConfState, data: Uint8Array): Promise<Snapshot> {
    const snapshot = this.prepareSnapshot(index, confState, data);
    this.recordSnapshot(snapshot);
    return snapshot;
  }

  /**
   * Validates a compaction to `compactIndex` and returns the term the new compaction point will carry.
   * Throws CompactedError when the log is already compacted that far.
   */
  compactionTerm(compactIndex: number): number {
    assertSafeIndex(compactIndex, 'compact index');
    if (compactIndex <= this.offset()) throw new CompactedError(compactIndex);
    const lastIndex = this.lastIndex();
    invariant(compactIndex <= lastIndex, () => `compact ${compactIndex} is beyond the last index ${lastIndex}`);
    // compactIndex ≤ commit is asserted by the log writer only, for the reason given in prepareSnapshot.
    return this.term(compactIndex);
  }

  /** Discards entries up to and including `compactIndex`, keeping its term as the new dummy entry. */
  compactNow(compactIndex: number): void {
    const term = this.compactionTerm(compactIndex);
    const kept = this.entriesValue.slice(compactIndex - this.offset() + 1);
    this.entriesValue = [dummyEntry({ index: compactIndex, term }), ...kept];
    invariant(this.firstIndex() === compactIndex + 1, 'compactNow: first index must follow the compact index');
  }

  /** etcd `Compact`: discards entries before `compactIndex` (whose term stays known). Takes effect at once. */
  async compact(compactIndex: number): Promise<void> {
    this.compactNow(compactIndex);
  }

  /** The index of the dummy entry (firstIndex - 1). */
  private offset(): number {
    return (this.entriesValue[0] as Entry).index;
  }
}
