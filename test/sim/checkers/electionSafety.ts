/**
 * Election safety (Raft paper §5.2, invariant 1 of TESTING.md §5): at most one leader per (group, term). Fed
 * from every observation of a replica's role and term (status polled after each event, and softState in
 * Readys).
 */
import type { ViolationLog } from './violations.js';

export class ElectionSafetyChecker {
  /** `group/term` → the leader seen in that term. */
  private readonly leaders = new Map<string, number>();

  constructor(private readonly log: ViolationLog) {}

  /** Returns true the first time `nodeId` is seen leading `term` (a new leadership). */
  observeLeader(groupId: number, term: number, nodeId: number): boolean {
    const key = `${groupId}/${term}`;
    const known = this.leaders.get(key);
    if (known === undefined) {
      this.leaders.set(key, nodeId);
      return true;
    }
    if (known !== nodeId) {
      this.log.report('electionSafety', `g${groupId} term ${term} has two leaders: n${known} and n${nodeId}`);
    }
    return false;
  }

  /** Number of (group, term) pairs that had a leader. */
  get leadershipCount(): number {
    return this.leaders.size;
  }
}
