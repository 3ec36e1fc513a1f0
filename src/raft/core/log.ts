/**
 * The Raft log as the core sees it: durable entries in {@link RaftStorage} followed by the {@link UnstableLog},
 * plus the commit and apply cursors (etcd-raft `log.go`).
 *
 * Invariants (asserted):
 * - applied ≤ applying ≤ committed ≤ lastIndex;
 * - committed never decreases, and no entry at or below committed is ever replaced (Log Matching,
 *   Leader Completeness: paper §5.3–§5.4).
 */
import type { RaftStorage } from '../storage/raftStorage.js';
import { CompactedError, UnavailableError, invariant } from './errors.js';
import type { Entry, Snapshot } from './types.js';
import { entryPayloadBytes } from './types.js';
import { UnstableLog } from './unstableLog.js';

export class RaftLog {
  readonly storage: RaftStorage;
  readonly unstable: UnstableLog;
  /** Highest index known to be committed on a quorum. */
  committed: number;
  /** Highest index handed to the application in a Ready (not yet acknowledged by advance). */
  applying: number;
  /** Highest index the application has applied. */
  applied: number;
  /** Upper bound on the bytes of committed entries handed out in one Ready. */
  readonly maxApplyingBytes: number;

  constructor(storage: RaftStorage, maxApplyingBytes: number) {
    this.storage = storage;
    this.maxApplyingBytes = maxApplyingBytes;
    const firstIndex = storage.firstIndex();
    const lastIndex = storage.lastIndex();
    this.unstable = new UnstableLog(lastIndex + 1);
    // Everything before the first index is compacted into the snapshot, hence committed and applied.
    this.committed = firstIndex - 1;
    this.applying = firstIndex - 1;
    this.applied = firstIndex - 1;
  }

  firstIndex(): number {
    return this.unstable.maybeFirstIndex() ?? this.storage.firstIndex();
  }

  lastIndex(): number {
    return this.unstable.maybeLastIndex() ?? this.storage.lastIndex();
  }

  lastTerm(): number {
    return this.term(this.lastIndex());
  }

  /**
   * Term of `index`, or undefined when it is out of [firstIndex-1, lastIndex]. The non-throwing form: the
   * follower's append path asks for the term of every new entry, and allocating an error for each was the
   * largest single cost in bench/raft's profile.
   */
  maybeTerm(index: number): number | undefined {
    const unstableTerm = this.unstable.maybeTerm(index);
    if (unstableTerm !== undefined) return unstableTerm;
    if (index < this.firstIndex() - 1 || index > this.lastIndex()) return undefined;
    return this.storage.term(index);
  }

  /** Term of `index`; throws CompactedError or UnavailableError when out of [firstIndex-1, lastIndex]. */
  term(index: number): number {
    const unstableTerm = this.unstable.maybeTerm(index);
    if (unstableTerm !== undefined) return unstableTerm;
    // The valid range includes the dummy entry at firstIndex-1 (the snapshot's index).
    if (index < this.firstIndex() - 1) throw new CompactedError(index);
    if (index > this.lastIndex()) throw new UnavailableError(index);
    return this.storage.term(index);
  }

  /** Term of `index`, or 0 when it is compacted or beyond the log. */
  zeroTermOnOutOfBounds(index: number): number {
    return this.maybeTerm(index) ?? 0;
  }

  matchTerm(index: number, term: number): boolean {
    return this.maybeTerm(index) === term;
  }

  /** Paper §5.4.1: is a log ending at (lastIndex, lastTerm) at least as up to date as ours? */
  isUpToDate(lastIndex: number, lastTerm: number): boolean {
    const ourLastTerm = this.lastTerm();
    return lastTerm > ourLastTerm || (lastTerm === ourLastTerm && lastIndex >= this.lastIndex());
  }

  /**
   * AppendEntries receiver rules (paper Figure 2, steps 2–5). Returns the index of the last new entry, or
   * undefined if the log does not contain an entry at `prevIndex` with `prevTerm`.
   */
  maybeAppend(
    prevIndex: number,
    prevTerm: number,
    leaderCommit: number,
    entries: readonly Entry[]
  ): number | undefined {
    if (!this.matchTerm(prevIndex, prevTerm)) return undefined;
    const lastNewIndex = prevIndex + entries.length;
    const conflictIndex = this.findConflict(entries);
    if (conflictIndex !== 0) {
      invariant(
        conflictIndex > this.committed,
        () => `entry ${conflictIndex} conflicts with committed entry (committed ${this.committed})`
      );
      this.append(entries.slice(conflictIndex - (prevIndex + 1)));
    }
    this.commitTo(Math.min(leaderCommit, lastNewIndex));
    return lastNewIndex;
  }

  /** Appends entries (truncating a conflicting suffix) and returns the new last index. */
  append(entries: readonly Entry[]): number {
    const first = entries[0];
    if (first === undefined) return this.lastIndex();
    invariant(
      first.index - 1 >= this.committed,
      () => `append after ${first.index - 1} would overwrite committed entries (committed ${this.committed})`
    );
    this.unstable.truncateAndAppend(entries);
    return this.lastIndex();
  }

  /**
   * The index of the first entry that conflicts with the log (same index, different term), or of the first
   * new entry if there is no conflict, or 0 if all entries are already present.
   */
  findConflict(entries: readonly Entry[]): number {
    for (const entry of entries) {
      if (!this.matchTerm(entry.index, entry.term)) return entry.index;
    }
    return 0;
  }

  /**
   * Fast back-off (thesis §3.5 optimization, etcd's findConflictByTerm): the largest index ≤ `index` whose term
   * is ≤ `term`, with that term. Returns [index, 0] when the search reaches compacted or missing entries.
   */
  findConflictByTerm(index: number, term: number): [number, number] {
    for (let candidate = index; candidate > 0; candidate--) {
      let candidateTerm: number;
      try {
        candidateTerm = this.term(candidate);
      } catch (error) {
        if (error instanceof CompactedError || error instanceof UnavailableError) return [candidate, 0];
        throw error;
      }
      if (candidateTerm <= term) return [candidate, candidateTerm];
    }
    return [0, 0];
  }

  commitTo(toCommit: number): void {
    if (toCommit <= this.committed) return; // commit never moves back
    invariant(
      toCommit <= this.lastIndex(),
      () => `commit ${toCommit} is beyond the last index ${this.lastIndex()}: was the log truncated or lost?`
    );
    this.committed = toCommit;
  }

  /**
   * Paper §5.4.2: a leader commits only entries of its own term by counting replicas; earlier ones are
   * committed indirectly.
   */
  maybeCommit(index: number, term: number): boolean {
    if (index > this.committed && this.zeroTermOnOutOfBounds(index) === term) {
      this.commitTo(index);
      return true;
    }
    return false;
  }

  appliedTo(index: number): void {
    if (index === 0) return;
    invariant(
      index <= this.committed && index >= this.applied,
      () => `applied ${index} out of range [applied ${this.applied}, committed ${this.committed}]`
    );
    this.applied = index;
    this.applying = Math.max(this.applying, index);
  }

  acceptApplying(index: number): void {
    invariant(index <= this.committed, () => `applying ${index} beyond committed ${this.committed}`);
    this.applying = index;
  }

  stableTo(index: number, term: number): void {
    this.unstable.stableTo(index, term);
  }

  stableSnapTo(index: number): void {
    this.unstable.stableSnapTo(index);
  }

  /** Installs a snapshot: the log now starts after it and everything it covers is committed. */
  restore(snapshot: Snapshot): void {
    invariant(
      snapshot.metadata.index > this.committed,
      () => `restoring snapshot ${snapshot.metadata.index} at or below committed ${this.committed}`
    );
    this.committed = snapshot.metadata.index;
    this.unstable.restore(snapshot);
  }

  /** The snapshot the driver has not yet persisted, if any. */
  nextUnstableSnapshot(): Snapshot | null {
    return this.unstable.snapshot;
  }

  nextUnstableEntries(): readonly Entry[] {
    return this.unstable.entries;
  }

  hasNextUnstableEntries(): boolean {
    return this.unstable.entries.length > 0;
  }

  /** Committed entries not yet handed to the application, bounded by maxApplyingBytes (at least one). */
  nextCommittedEntries(): Entry[] {
    if (this.unstable.snapshot !== null) return []; // apply the snapshot first
    const lo = this.applying + 1;
    const hi = this.committed + 1;
    if (lo >= hi) return [];
    return this.slice(lo, hi, this.maxApplyingBytes);
  }

  hasNextCommittedEntries(): boolean {
    return this.unstable.snapshot === null && this.committed > this.applying;
  }

  /** The latest snapshot: the unstable one if any, else the storage's. */
  snapshot(): Snapshot {
    return this.unstable.snapshot ?? this.storage.snapshot();
  }

  /** Entries from `index` to the end, bounded by `maxBytes` (at least one). */
  entries(index: number, maxBytes: number): Entry[] {
    const last = this.lastIndex();
    if (index > last) return [];
    return this.slice(index, last + 1, maxBytes);
  }

  /** Entries [lo, hi), at most maxBytes of payload but at least one entry. */
  slice(lo: number, hi: number, maxBytes: number): Entry[] {
    this.checkOutOfBounds(lo, hi);
    if (lo === hi) return [];
    let result: Entry[] = [];
    if (lo < this.unstable.offset) {
      result = this.storage.entries(lo, Math.min(hi, this.unstable.offset), maxBytes);
      const storedHi = Math.min(hi, this.unstable.offset);
      // A short read from storage means the size limit was hit: stop there.
      if (result.length < storedHi - lo) return result;
    }
    if (hi > this.unstable.offset) {
      const unstableEntries = this.unstable.slice(Math.max(lo, this.unstable.offset), hi);
      result = result.length > 0 ? result.concat(unstableEntries) : unstableEntries;
    }
    return limitSize(result, maxBytes);
  }

  private checkOutOfBounds(lo: number, hi: number): void {
    invariant(lo <= hi, () => `invalid slice ${lo} > ${hi}`);
    const firstIndex = this.firstIndex();
    if (lo < firstIndex) throw new CompactedError(lo);
    const length = this.lastIndex() + 1 - firstIndex;
    if (hi > firstIndex + length) throw new UnavailableError(hi - 1);
  }

  /** Every entry from firstIndex on (tests and status only). */
  allEntries(): Entry[] {
    return this.entries(this.firstIndex(), Number.MAX_SAFE_INTEGER);
  }
}

/** Keeps the longest prefix whose payload is within `maxBytes`, but always at least one entry. */
export function limitSize(entries: Entry[], maxBytes: number): Entry[] {
  if (entries.length === 0) return entries;
  let size = entryPayloadBytes(entries[0] as Entry);
  let limit = 1;
  for (; limit < entries.length; limit++) {
    size += entryPayloadBytes(entries[limit] as Entry);
    if (size > maxBytes) break;
  }
  return limit === entries.length ? entries : entries.slice(0, limit);
}

/** Total payload bytes of entries (flow control and uncommitted-size accounting). */
export function payloadBytes(entries: readonly Entry[]): number {
  let total = 0;
  for (const entry of entries) total += entryPayloadBytes(entry);
  return total;
}
