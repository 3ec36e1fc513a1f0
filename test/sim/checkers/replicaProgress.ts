/**
 * Per-replica monotonicity, checked on every observation: within one process incarnation a replica's term and
 * commit index never decrease and commit never passes the last index; across a restart the term read back
 * from disk is at least the last durable term (terms never go backwards, TESTING.md §3).
 */
import type { ViolationLog } from './violations.js';

interface Observed {
  term: number;
  commit: number;
}

export class ReplicaProgressChecker {
  /** Per replica incarnation (any object unique to it, e.g. its storage). */
  private readonly observed = new WeakMap<object, Observed>();

  constructor(private readonly log: ViolationLog) {}

  observe(replicaKey: object, groupId: number, nodeId: number, term: number, commit: number, lastIndex: number): void {
    const key = replicaKey;
    const where = `g${groupId} n${nodeId}`;
    const previous = this.observed.get(key);
    if (commit > lastIndex) this.log.report('commitWithinLog', `${where}: commit ${commit} > last index ${lastIndex}`);
    if (previous !== undefined) {
      if (term < previous.term) this.log.report('termMonotonic', `${where}: term ${previous.term} -> ${term}`);
      if (commit < previous.commit)
        this.log.report('commitMonotonic', `${where}: commit ${previous.commit} -> ${commit}`);
      previous.term = term;
      previous.commit = commit;
      return;
    }
    this.observed.set(key, { term, commit });
  }

  /** After a restart: the restored term must be at least the durable term before the crash. */
  observeRestart(groupId: number, nodeId: number, durableTermBefore: number, restoredTerm: number): void {
    if (restoredTerm < durableTermBefore) {
      this.log.report(
        'termAcrossRestart',
        `g${groupId} n${nodeId}: restarted at term ${restoredTerm}, durable term was ${durableTermBefore}`
      );
    }
  }
}
