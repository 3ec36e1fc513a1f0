/**
 * The tail of the log that is not yet durable, plus an incoming snapshot that is not yet durable
 * (etcd-raft `log_unstable.go`).
 *
 * Invariants:
 * - `entries[i].index === offset + i` for every i;
 * - if `snapshot` is set, `offset === snapshot.metadata.index + 1` at the time it was restored (entries that
 *   follow the snapshot may be appended after it).
 * Owned by {@link RaftLog}; the driver learns of its contents only through Ready.
 */
import { invariant } from './errors.js';
import type { Entry, Snapshot } from './types.js';

export class UnstableLog {
  /** The incoming snapshot, until the driver reports it durable. */
  snapshot: Snapshot | null = null;
  /** Entries not yet durable; `entries[0].index === offset`. */
  entries: Entry[] = [];
  /** The index of `entries[0]` (or where it would be). */
  offset: number;

  constructor(offset: number) {
    invariant(offset >= 1, () => `unstable offset must be ≥ 1, got ${offset}`);
    this.offset = offset;
  }

  /** The first index of the log if it is determined by the unstable snapshot. */
  maybeFirstIndex(): number | undefined {
    return this.snapshot === null ? undefined : this.snapshot.metadata.index + 1;
  }

  /** The last index if the unstable part determines it. */
  maybeLastIndex(): number | undefined {
    if (this.entries.length > 0) return this.offset + this.entries.length - 1;
    return this.snapshot === null ? undefined : this.snapshot.metadata.index;
  }

  /** The term of index `index`, if the unstable part knows it. */
  maybeTerm(index: number): number | undefined {
    if (index < this.offset) {
      if (this.snapshot !== null && this.snapshot.metadata.index === index) return this.snapshot.metadata.term;
      return undefined;
    }
    const last = this.maybeLastIndex();
    if (last === undefined || index > last) return undefined;
    const entry = this.entries[index - this.offset];
    invariant(entry !== undefined && entry.index === index, () => `unstable entry ${index} missing`);
    return entry.term;
  }

  /**
   * Entries up to `index` (with term `term`) are durable: drop them. A mismatching term means the entry was
   * replaced after the driver started writing it; the newer one is still unstable, so nothing is dropped.
   */
  stableTo(index: number, term: number): void {
    const knownTerm = this.maybeTerm(index);
    if (knownTerm === undefined || knownTerm !== term || index < this.offset) return;
    this.entries = this.entries.slice(index + 1 - this.offset);
    this.offset = index + 1;
  }

  /** The snapshot at `index` is durable. */
  stableSnapTo(index: number): void {
    if (this.snapshot !== null && this.snapshot.metadata.index === index) this.snapshot = null;
  }

  /** Replaces everything with `snapshot`: the log now starts after it. */
  restore(snapshot: Snapshot): void {
    this.offset = snapshot.metadata.index + 1;
    this.entries = [];
    this.snapshot = snapshot;
  }

  /** Appends `entries`, truncating any existing suffix they conflict with. */
  truncateAndAppend(entries: readonly Entry[]): void {
    const first = entries[0];
    if (first === undefined) return;
    const fromIndex = first.index;
    if (fromIndex === this.offset + this.entries.length) {
      this.entries.push(...entries);
    } else if (fromIndex <= this.offset) {
      // Replaces the whole unstable tail; entries before `offset` are durable and will be overwritten on disk
      // by the next write (storage truncates the conflicting suffix).
      this.offset = fromIndex;
      this.entries = entries.slice();
    } else {
      this.entries = this.slice(this.offset, fromIndex).concat(entries);
    }
  }

  /** Entries [lo, hi); both must be within the unstable range. */
  slice(lo: number, hi: number): Entry[] {
    invariant(lo <= hi, () => `invalid unstable slice ${lo} > ${hi}`);
    const upper = this.offset + this.entries.length;
    invariant(lo >= this.offset && hi <= upper, () => `unstable slice [${lo},${hi}) out of [${this.offset},${upper})`);
    return this.entries.slice(lo - this.offset, hi - this.offset);
  }
}
