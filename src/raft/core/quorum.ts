/**
 * Majority quorum arithmetic (etcd-raft `quorum/majority.go`), for one configuration of voters. Cairn changes
 * membership one voter at a time (thesis §4.1), so joint quorums are never needed.
 */
import type { NodeId } from './types.js';

export type VoteResult = 'pending' | 'lost' | 'won';

/**
 * The largest index that a majority of voters have acknowledged. An empty configuration commits everything
 * (Infinity) so that it never blocks a joint decision; callers must not commit with it.
 */
export function majorityCommittedIndex(voters: readonly NodeId[], ackedIndex: (id: NodeId) => number): number {
  const count = voters.length;
  if (count === 0) return Number.POSITIVE_INFINITY;
  const acked = voters.map(ackedIndex).sort((a, b) => b - a);
  // With acked sorted descending, the entry at position ⌊n/2⌋ is acknowledged by ⌊n/2⌋+1 voters: a majority.
  return acked[Math.floor(count / 2)] as number;
}

/** Outcome of an election given the votes recorded so far (missing = not yet heard). */
export function majorityVoteResult(voters: readonly NodeId[], votes: ReadonlyMap<NodeId, boolean>): VoteResult {
  if (voters.length === 0) return 'won'; // by convention, as etcd: an empty config wins every vote
  let granted = 0;
  let missing = 0;
  for (const id of voters) {
    const vote = votes.get(id);
    if (vote === undefined) missing++;
    else if (vote) granted++;
  }
  const quorum = Math.floor(voters.length / 2) + 1;
  if (granted >= quorum) return 'won';
  if (granted + missing >= quorum) return 'pending';
  return 'lost';
}
