/**
 * The configuration (voters, learners) plus one {@link Progress} per member and the votes of the current
 * election (etcd-raft `tracker/tracker.go`, single configuration only).
 */
import { invariant } from './errors.js';
import { Progress } from './progress.js';
import type { VoteResult } from './quorum.js';
import { majorityCommittedIndex, majorityVoteResult } from './quorum.js';
import type { ConfState, NodeId } from './types.js';

export class ProgressTracker {
  /** Sorted ascending. */
  voters: NodeId[] = [];
  /** Sorted ascending; disjoint from voters. */
  learners: NodeId[] = [];
  progress = new Map<NodeId, Progress>();
  votes = new Map<NodeId, boolean>();

  constructor(
    readonly maxInflightMsgs: number,
    readonly maxInflightBytes: number
  ) {}

  confState(): ConfState {
    return { voters: this.voters.slice(), learners: this.learners.slice() };
  }

  isSingleton(): boolean {
    return this.voters.length === 1;
  }

  isVoter(id: NodeId): boolean {
    return this.voters.includes(id);
  }

  /** The largest index committed by a majority of voters' match indexes. */
  committed(): number {
    return majorityCommittedIndex(this.voters, (id) => this.progress.get(id)?.match ?? 0);
  }

  /** Visits members in ascending id order, so that message order is deterministic. */
  visit(visitor: (id: NodeId, progress: Progress) => void): void {
    const ids = [...this.progress.keys()].sort((a, b) => a - b);
    for (const id of ids) visitor(id, this.progress.get(id) as Progress);
  }

  /** Whether a quorum of voters was active (heard from) since the last check; CheckQuorum. */
  quorumActive(): boolean {
    const votes = new Map<NodeId, boolean>();
    for (const id of this.voters) {
      const progress = this.progress.get(id);
      invariant(progress !== undefined, () => `voter ${id} has no progress`);
      votes.set(id, progress.recentActive);
    }
    return majorityVoteResult(this.voters, votes) === 'won';
  }

  resetVotes(): void {
    this.votes = new Map();
  }

  recordVote(id: NodeId, granted: boolean): void {
    if (!this.votes.has(id)) this.votes.set(id, granted);
  }

  tallyVotes(): { granted: number; rejected: number; result: VoteResult } {
    let granted = 0;
    let rejected = 0;
    for (const id of this.voters) {
      const vote = this.votes.get(id);
      if (vote === true) granted++;
      else if (vote === false) rejected++;
    }
    return { granted, rejected, result: majorityVoteResult(this.voters, this.votes) };
  }

  /** Asserts the structural invariants of the configuration. */
  assertValid(): void {
    for (const id of this.voters) {
      invariant(!this.learners.includes(id), () => `node ${id} is both voter and learner`);
      invariant(this.progress.get(id)?.isLearner === false, () => `voter ${id} progress is missing or learner`);
    }
    for (const id of this.learners) {
      invariant(this.progress.get(id)?.isLearner === true, () => `learner ${id} progress is missing or voter`);
    }
    invariant(
      this.progress.size === this.voters.length + this.learners.length,
      () => `progress has ${this.progress.size} members, config has ${this.voters.length + this.learners.length}`
    );
  }
}
