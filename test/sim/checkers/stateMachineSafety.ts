/**
 * State machine safety (Raft paper §5.4.3, invariant 1): the first entry applied at each (group, index) is
 * recorded as term + content hash, and every later apply at that index, on any replica and any incarnation,
 * must match. Also: applies are contiguous per replica, and a snapshot at (group, index) carries the same state
 * digest wherever it was made or received.
 */
import { hashEntry, type ViolationLog } from './violations.js';
import type { Entry } from '../../../src/raft/core/types.js';

export class StateMachineSafetyChecker {
  private readonly applied = new Map<string, { term: number; hash: number; nodeId: number }>();
  private readonly snapshotDigests = new Map<string, { digest: number; nodeId: number }>();
  appliedEntries = 0;

  constructor(private readonly log: ViolationLog) {}

  /** One applied entry; `previousApplied` is the replica's applied index before it. */
  recordApply(groupId: number, nodeId: number, previousApplied: number, entry: Entry): void {
    this.appliedEntries++;
    if (entry.index !== previousApplied + 1) {
      this.log.report(
        'applyContiguous',
        `g${groupId} n${nodeId}: applied ${previousApplied} then entry ${entry.index}`
      );
    }
    const key = `${groupId}/${entry.index}`;
    const hash = hashEntry(entry.term, entry.kind, entry.data);
    const first = this.applied.get(key);
    if (first === undefined) {
      this.applied.set(key, { term: entry.term, hash, nodeId });
      return;
    }
    if (first.term !== entry.term || first.hash !== hash) {
      this.log.report(
        'stateMachineSafety',
        `g${groupId} index ${entry.index}: n${nodeId} applied term ${entry.term} hash ${hash}, ` +
          `n${first.nodeId} applied term ${first.term} hash ${first.hash}`
      );
    }
  }

  /** The state digest of a snapshot at (group, index), made or received. */
  recordSnapshotDigest(groupId: number, nodeId: number, index: number, digest: number): void {
    const key = `${groupId}/${index}`;
    const first = this.snapshotDigests.get(key);
    if (first === undefined) {
      this.snapshotDigests.set(key, { digest, nodeId });
      return;
    }
    if (first.digest !== digest) {
      this.log.report(
        'snapshotConsistency',
        `g${groupId} snapshot at ${index}: n${nodeId} digest ${digest}, n${first.nodeId} digest ${first.digest}`
      );
    }
  }
}
