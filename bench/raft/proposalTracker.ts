/**
 * Matches committed entries to the client proposals waiting for them. A proposal completes when the node that
 * proposed it (the leader) applies its entry: commit latency here is propose → applied on the leader, which
 * includes the leader's own fsync, one network round trip, a follower's fsync and the apply.
 *
 * One tracker serves the whole in-process cluster; each node's applier reports what it applies, and only the
 * proposing node's report completes a proposal (followers apply the same entry later, which is ignored).
 */
import { performance } from 'node:perf_hooks';
import type { NodeId } from '../../src/raft/core/types.js';
import type { GroupApplier, GroupUpdate } from '../../src/raft/multiRaft.js';
import { decodeProposalId } from './proposalPayload.js';

/** Called with the proposal's latency when its entry is applied on the proposing node. */
export type ProposalDone = (latencyMs: number) => void;

interface PendingProposal {
  readonly proposerId: NodeId;
  readonly groupId: number;
  readonly startMs: number;
  readonly done: ProposalDone;
}

export class ProposalTracker {
  private readonly pending = new Map<number, PendingProposal>();
  private nextProposalId = 1;
  /** Entries applied across all nodes, benchmark proposals or not. */
  entriesApplied = 0;

  /** Registers a new proposal to `groupId` made on `proposerId` now; returns its id (to embed in the payload). */
  register(proposerId: NodeId, groupId: number, done: ProposalDone): number {
    const proposalId = this.nextProposalId++;
    this.pending.set(proposalId, { proposerId, groupId, startMs: performance.now(), done });
    return proposalId;
  }

  /** Drops a proposal that will never complete (Raft refused it, or it was given up as lost). */
  forget(proposalId: number): void {
    this.pending.delete(proposalId);
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  /** Proposals waiting longer than `ageMs` (lost in a leadership change). */
  staleProposals(ageMs: number): { proposalId: number; groupId: number }[] {
    const cutoffMs = performance.now() - ageMs;
    const stale: { proposalId: number; groupId: number }[] = [];
    for (const [proposalId, proposal] of this.pending) {
      if (proposal.startMs < cutoffMs) stale.push({ proposalId, groupId: proposal.groupId });
    }
    return stale;
  }

  /** The applier node `nodeId` gives its MultiRaft. */
  applierFor(nodeId: NodeId): GroupApplier {
    return { apply: (_groupId: number, update: GroupUpdate) => this.onApplied(nodeId, update) };
  }

  private onApplied(nodeId: NodeId, update: GroupUpdate): void {
    const nowMs = performance.now();
    for (const entry of update.committedEntries) {
      this.entriesApplied++;
      if (entry.kind !== 'normal') continue;
      const proposalId = decodeProposalId(entry.data);
      if (proposalId === null) continue;
      const proposal = this.pending.get(proposalId);
      if (proposal === undefined || proposal.proposerId !== nodeId) continue;
      this.pending.delete(proposalId);
      proposal.done(nowMs - proposal.startMs);
    }
  }
}
