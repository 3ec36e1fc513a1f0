/**
 * The proposals a shard has in flight, keyed by the proposal sequence carried in their entry (docs/shard.md §2):
 * an applied entry resolves a proposal only if its (node, term, sequence) is exactly the proposal's.
 */
import type { ProposalId } from './apply/shardCommand.js';
import type { FailedPrecondition } from './apply/apply.js';

/** What `Shard.propose` resolves with once the command's own entry is applied. */
export interface ShardOutcome {
  readonly outcome: 'applied' | 'conflict' | 'duplicate';
  /** `applied`: the command's outcome bytes; `duplicate`: the first applied outcome's; `conflict`: empty. */
  readonly result: Uint8Array;
  /** The Raft index of the entry. */
  readonly index: number;
  readonly failedPrecondition: FailedPrecondition | null;
}

interface PendingProposal {
  readonly term: number;
  readonly resolve: (outcome: ShardOutcome) => void;
  readonly reject: (error: unknown) => void;
}

export class PendingProposals {
  private readonly bySequence = new Map<number, PendingProposal>();

  constructor(private readonly nodeId: number) {}

  get size(): number {
    return this.bySequence.size;
  }

  add(sequence: number, term: number, resolve: PendingProposal['resolve'], reject: PendingProposal['reject']): void {
    this.bySequence.set(sequence, { term, resolve, reject });
  }

  /** Resolves the proposal `proposal` names, if it is this node's and still pending; returns whether it did. */
  resolve(proposal: ProposalId, outcome: ShardOutcome): boolean {
    if (proposal.nodeId !== this.nodeId) return false;
    const pending = this.bySequence.get(proposal.sequence);
    if (pending === undefined || pending.term !== proposal.term) return false;
    this.bySequence.delete(proposal.sequence);
    pending.resolve(outcome);
    return true;
  }

  /** Rejects one pending proposal (its entry was dropped before reaching the log). */
  reject(proposal: ProposalId, error: unknown): void {
    if (proposal.nodeId !== this.nodeId) return;
    const pending = this.bySequence.get(proposal.sequence);
    if (pending === undefined || pending.term !== proposal.term) return;
    this.bySequence.delete(proposal.sequence);
    pending.reject(error);
  }

  rejectAll(error: unknown): void {
    const all = [...this.bySequence.values()];
    this.bySequence.clear();
    for (const pending of all) pending.reject(error);
  }
}
