/**
 * Typed errors of the Raft library. Assertion failures are fail-stop: an {@link AssertionError} means a broken
 * invariant, and the process must exit rather than continue (STYLE.md rule 6).
 */

/** A broken invariant. Never caught except to log and exit. */
export class AssertionError extends Error {
  override readonly name = 'AssertionError';
}

/** Fail-stop assertion. `message` says which invariant broke and with what values. */
export function invariant(condition: unknown, message: string | (() => string)): asserts condition {
  if (!condition) {
    throw new AssertionError(typeof message === 'function' ? message() : message);
  }
}

/** Asserts that `value` is a safe non-negative integer (Raft indexes and terms, decoded sizes). */
export function assertSafeIndex(value: number, what: string): void {
  invariant(
    Number.isSafeInteger(value) && value >= 0,
    () => `${what} must be a safe non-negative integer, got ${value}`
  );
}

/** Requested entries are below the storage's first index: they were compacted into a snapshot. */
export class CompactedError extends Error {
  override readonly name = 'CompactedError';
  constructor(readonly requestedIndex: number) {
    super(`requested index ${requestedIndex} is unavailable due to compaction`);
  }
}

/** Requested entries are above the storage's last index. */
export class UnavailableError extends Error {
  override readonly name = 'UnavailableError';
  constructor(readonly requestedIndex: number) {
    super(`requested index ${requestedIndex} is unavailable (beyond the last index)`);
  }
}

/** The storage is creating a snapshot and cannot return one now; the leader retries later. */
export class SnapshotTemporarilyUnavailableError extends Error {
  override readonly name = 'SnapshotTemporarilyUnavailableError';
  constructor() {
    super('snapshot is temporarily unavailable');
  }
}

/** A snapshot older than the one the storage has was offered. */
export class SnapshotOutOfDateError extends Error {
  override readonly name = 'SnapshotOutOfDateError';
  constructor(
    readonly offeredIndex: number,
    readonly currentIndex: number
  ) {
    super(`snapshot at index ${offeredIndex} is older than the current one at ${currentIndex}`);
  }
}

/** A proposal was dropped (no leader, leader transfer in progress, uncommitted-bytes limit, pending conf change). */
export class ProposalDroppedError extends Error {
  override readonly name = 'ProposalDroppedError';
  constructor(readonly reason: string) {
    super(`raft proposal dropped: ${reason}`);
  }
}

/** `step` was given a message that the caller must not step locally (e.g. a response from an unknown peer). */
export class StepPeerNotFoundError extends Error {
  override readonly name = 'StepPeerNotFoundError';
  constructor(readonly from: number) {
    super(`raft: cannot step a response from unknown peer ${from}`);
  }
}
