/**
 * One shard = one Raft group + its applier (docs/shard.md §1–§3). The node's {@link MultiRaft} hands each
 * group's committed entries to {@link Shard.apply}, in order, after they are durable in the Raft log; the shard
 * applies each with the pure apply (apply/apply.ts) and writes its batch to the state DB with `sync: false`.
 *
 * Leadership and the request gate:
 * - when this node becomes Raft leader in term T the shard proposes a barrier carrying T; once that barrier is
 *   applied, everything earlier leaders committed is applied here, the gate opens and `onReady(T)` fires;
 * - when leadership is lost or the term changes, the gate closes at once, in-flight proposals and pending reads
 *   fail with a retryable {@link NotLeaderError} ("outcome unknown": the client retries with the same
 *   requestId and dedup answers), and `onLost` fires if `onReady` had fired.
 * A proposal resolves only when the entry carrying its own (node, term, sequence) is applied.
 */
import type { Logger } from 'pino';
import { decodeConfChange } from '../raft/core/confChange.js';
import { ProposalDroppedError, invariant } from '../raft/core/errors.js';
import type { RawNode } from '../raft/core/rawNode.js';
import type { Entry, NodeId } from '../raft/core/types.js';
import { NONE } from '../raft/core/types.js';
import type { GroupUpdate, MultiRaft } from '../raft/multiRaft.js';
import { decodeCommittedEntry } from './apply/apply.js';
import type { ApplyResult, CommittedShardEntry } from './apply/apply.js';
import { decodeShardEntry, encodeShardEntry } from './apply/shardCommand.js';
import type { ProposalId, ShardCommand } from './apply/shardCommand.js';
import type { AppliedState } from './apply/stateLayout.js';
import { applyEntriesToStore } from './applyToStore.js';
import { NotLeaderError, ShardBackpressureError, ShardClosedError } from './errors.js';
import { PendingProposals } from './pendingProposals.js';
import type { ShardOutcome } from './pendingProposals.js';
import { PendingReads } from './pendingReads.js';
import { ShardDataView } from './shardDataView.js';
import type { ShardStore } from './stateStore.js';

/** Default ticks a read waits for its read index before failing with NotLeaderError (2 s at 100 ms ticks). */
export const READ_INDEX_TIMEOUT_TICKS_DEFAULT = 20;

/** Default bound on proposals in flight per shard; past it `propose` throws ShardBackpressureError. */
export const PENDING_PROPOSALS_MAX_DEFAULT = 10_000;

export interface ShardOptions {
  readonly shardId: number;
  /** The Raft group id of the shard. */
  readonly groupId: number;
  readonly nodeId: NodeId;
  readonly store: ShardStore;
  /** The node's driver; the group must be (or become) hosted in it. */
  readonly multiRaft: MultiRaft;
  /** What the state DB holds as applied (the group's restart point). */
  readonly applied: AppliedState;
  readonly pendingProposalsMax?: number;
  /** Ticks a read may wait for its read index (Raft can drop a ReadIndex request silently); default 20. */
  readonly readIndexTimeoutTicks?: number;
  readonly logger: Logger;
}

/** What `onLost` listeners learn. */
export interface ShardLeadershipLost {
  readonly term: number;
  readonly leaderHint: NodeId;
}

type Gate = 'closed' | 'awaitingBarrier' | 'open';

export class Shard {
  readonly shardId: number;
  readonly groupId: number;
  private appliedState: AppliedState;
  private gate: Gate = 'closed';
  /** The term this node leads in, as the shard has seen it; null when not leading. */
  private leaderTerm: number | null = null;
  private leaderHintId: NodeId = NONE;
  /** Sequence of the barrier in flight for `leaderTerm`, or null (none yet, or it was dropped: retry on tick). */
  private barrierSequence: number | null = null;
  private proposalSequence = 0;
  private readonly proposals: PendingProposals;
  private readonly reads = new PendingReads();
  private readonly dataView: ShardDataView;
  private readonly readyListeners = new Set<(term: number) => void>();
  private readonly lostListeners = new Set<(lost: ShardLeadershipLost) => void>();
  private closedError: Error | null = null;
  private readonly pendingProposalsMax: number;

  constructor(private readonly options: ShardOptions) {
    this.shardId = options.shardId;
    this.groupId = options.groupId;
    this.appliedState = options.applied;
    this.proposals = new PendingProposals(options.nodeId);
    this.dataView = new ShardDataView(options.store);
    this.pendingProposalsMax = options.pendingProposalsMax ?? PENDING_PROPOSALS_MAX_DEFAULT;
    invariant(this.pendingProposalsMax > 0, 'pendingProposalsMax must be positive');
  }

  /** The last applied Raft index and term (what the state DB holds, durable or not). */
  get applied(): AppliedState {
    return this.appliedState;
  }

  /** True while the gate is open: this node is the leader and has applied its barrier. */
  get isReady(): boolean {
    return this.gate === 'open';
  }

  get leaderHint(): NodeId {
    return this.leaderHintId;
  }

  get pendingProposalCount(): number {
    return this.proposals.size;
  }

  /** Calls `listener(term)` each time the gate opens. Returns an unsubscribe function. Must not throw. */
  onReady(listener: (term: number) => void): () => void {
    this.readyListeners.add(listener);
    return () => this.readyListeners.delete(listener);
  }

  /** Calls `listener` each time an open gate closes. Returns an unsubscribe function. Must not throw. */
  onLost(listener: (lost: ShardLeadershipLost) => void): () => void {
    this.lostListeners.add(listener);
    return () => this.lostListeners.delete(listener);
  }

  private rawNode(): RawNode {
    const rawNode = this.options.multiRaft.rawNode(this.groupId);
    invariant(rawNode !== undefined, () => `shard ${this.shardId}: group ${this.groupId} is not hosted`);
    return rawNode;
  }

  private notReady(): Error {
    if (this.closedError !== null) return this.closedError;
    const reason = this.gate === 'awaitingBarrier' ? 'leader, but its barrier is not applied yet' : 'not the leader';
    return new NotLeaderError(this.shardId, this.leaderHintId, reason);
  }

  /**
   * Proposes `command` and resolves with the outcome of ITS entry once applied. Rejects with NotLeaderError
   * (gate closed, or leadership lost before apply), ShardBackpressureError (`pendingProposalsMax`), or
   * ShardCommandFormatError (a malformed command).
   */
  async propose(command: ShardCommand): Promise<ShardOutcome> {
    const term = this.leaderTerm;
    if (this.gate !== 'open' || term === null) throw this.notReady();
    if (this.proposals.size >= this.pendingProposalsMax) {
      throw new ShardBackpressureError(this.shardId, `pendingProposalsMax ${this.pendingProposalsMax} reached`);
    }
    const proposal: ProposalId = { nodeId: this.options.nodeId, term, sequence: ++this.proposalSequence };
    const data = encodeShardEntry({ kind: 'command', proposal, command });
    return new Promise<ShardOutcome>((resolve, reject) => {
      this.proposals.add(proposal.sequence, term, resolve, reject);
      try {
        this.options.multiRaft.enqueueProposal(this.groupId, data);
      } catch (error) {
        if (!(error instanceof ProposalDroppedError)) throw error;
        this.proposals.reject(proposal, new ShardBackpressureError(this.shardId, error.reason));
      }
    });
  }

  /**
   * A linearizable read: obtains a read index (ReadIndex), waits until the shard applied up to it, then runs
   * `fn` on the shard's data. Rejects with NotLeaderError when the gate is closed or leadership is lost first.
   */
  async read<T>(fn: (view: ShardDataView) => Promise<T> | T): Promise<T> {
    if (this.gate !== 'open') throw this.notReady();
    const { context, readIndex } = this.reads.start();
    try {
      this.options.multiRaft.readIndex(this.groupId, context);
    } catch (error) {
      if (!(error instanceof ProposalDroppedError)) throw error;
      this.reads.fail(context, new NotLeaderError(this.shardId, this.leaderHintId, error.reason));
    }
    const index = await readIndex;
    await this.reads.waitApplied(index, this.appliedState.index);
    return fn(this.dataView);
  }

  /**
   * Reads this replica's APPLIED state without a ReadIndex round: for a leader's read-evaluate-propose cycle whose
   * proposal carries version preconditions on what it read (a stale read then fails at apply and is re-evaluated),
   * and for reading back what this node just committed and applied. Never for answering a client from a read alone
   * (use {@link read}: linearizable). NotLeaderError unless the gate is open.
   */
  async readLocal<T>(fn: (view: ShardDataView) => Promise<T> | T): Promise<T> {
    if (this.gate !== 'open') throw this.notReady();
    return fn(this.dataView);
  }

  /**
   * Applies one group update: its committed entries (in order, as one state batch: applyToStore.ts), then its
   * read states, then leadership changes. Proposals resolve once the batch holding their entry is written.
   */
  async apply(update: GroupUpdate): Promise<void> {
    invariant(
      update.snapshot === null,
      () => `shard ${this.shardId}: snapshot installation is not supported yet (single-voter groups only)`
    );
    const entries = update.committedEntries.map((entry) => this.decodeAndApplyConf(entry));
    const results = await applyEntriesToStore(this.options.store, entries);
    const last = entries[entries.length - 1];
    if (last !== undefined) this.appliedState = { index: last.index, term: last.term };
    entries.forEach((entry, position) => {
      const body = entry.body;
      const result = results[position] as ApplyResult;
      if (body.kind === 'barrier') this.onBarrierApplied(body.proposal);
      else if (body.kind === 'command') {
        this.proposals.resolve(body.proposal, {
          outcome: result.outcome,
          result: result.result,
          index: entry.index,
          failedPrecondition: result.failedPrecondition,
        });
      }
    });
    this.reads.onReadStates(update.readStates);
    this.reads.onApplied(this.appliedState.index);
    this.syncLeadership();
  }

  /** Decodes a committed entry; a conf change takes effect on the Raft node now, in log order. */
  private decodeAndApplyConf(entry: Entry): CommittedShardEntry {
    if (entry.kind === 'confChange') this.rawNode().applyConfChange(decodeConfChange(entry.data));
    return decodeCommittedEntry(entry);
  }

  private onBarrierApplied(proposal: ProposalId): void {
    if (this.gate !== 'awaitingBarrier' || this.leaderTerm === null) return;
    if (proposal.nodeId !== this.options.nodeId || proposal.term !== this.leaderTerm) return;
    const raft = this.rawNode().raft;
    if (raft.role !== 'leader' || raft.term !== this.leaderTerm) return; // syncLeadership closes the gate
    this.gate = 'open';
    this.barrierSequence = null;
    this.options.logger.info({ shardId: this.shardId, term: this.leaderTerm }, 'shard leader ready');
    for (const listener of this.readyListeners) listener(this.leaderTerm);
  }

  /** Compares what the shard believes with the Raft node's role and term, and acts on any change. */
  private syncLeadership(): void {
    const raft = this.rawNode().raft;
    this.leaderHintId = raft.leader;
    const leadingTerm = raft.role === 'leader' ? raft.term : null;
    if (this.leaderTerm !== null && this.leaderTerm !== leadingTerm) this.loseLeadership();
    if (leadingTerm !== null && this.leaderTerm === null && this.closedError === null) {
      this.leaderTerm = leadingTerm;
      this.gate = 'awaitingBarrier';
      this.proposeBarrier();
    }
  }

  private loseLeadership(): void {
    const term = this.leaderTerm;
    invariant(term !== null, 'loseLeadership without leadership');
    const wasOpen = this.gate === 'open';
    this.leaderTerm = null;
    this.gate = 'closed';
    this.barrierSequence = null;
    const error = new NotLeaderError(
      this.shardId,
      this.leaderHintId,
      `leadership of term ${term} lost: outcome unknown`
    );
    this.proposals.rejectAll(error);
    this.reads.rejectAwaitingIndex(error);
    this.options.logger.info({ shardId: this.shardId, term, leaderHint: this.leaderHintId }, 'shard leadership lost');
    if (wasOpen) for (const listener of this.lostListeners) listener({ term, leaderHint: this.leaderHintId });
  }

  private proposeBarrier(): void {
    const term = this.leaderTerm;
    invariant(term !== null && this.gate === 'awaitingBarrier', 'proposeBarrier outside awaitingBarrier');
    const sequence = ++this.proposalSequence;
    const data = encodeShardEntry({ kind: 'barrier', proposal: { nodeId: this.options.nodeId, term, sequence } });
    try {
      this.options.multiRaft.enqueueProposal(this.groupId, data);
      this.barrierSequence = sequence;
    } catch (error) {
      if (!(error instanceof ProposalDroppedError)) throw error;
      this.barrierSequence = null; // tick() proposes it again
    }
  }

  /** Called on every runtime tick: expires reads without a read index, re-proposes a dropped barrier. */
  tick(): void {
    const timeoutTicks = this.options.readIndexTimeoutTicks ?? READ_INDEX_TIMEOUT_TICKS_DEFAULT;
    this.reads.tick(
      timeoutTicks,
      () => new NotLeaderError(this.shardId, this.leaderHintId, `no read index within ${timeoutTicks} ticks`)
    );
    if (this.gate === 'awaitingBarrier' && this.barrierSequence === null && this.closedError === null) {
      this.proposeBarrier();
    }
  }

  /** The driver refused proposals of this group at flush time: fail them (or retry the barrier on tick). */
  onProposalsDropped(datas: readonly Uint8Array[], error: ProposalDroppedError): void {
    for (const data of datas) {
      const entry = decodeShardEntry(data); // our own encoding: a failure here is a bug and propagates
      if (entry.kind === 'barrier') {
        if (entry.proposal.sequence === this.barrierSequence) this.barrierSequence = null;
        continue;
      }
      this.proposals.reject(entry.proposal, new NotLeaderError(this.shardId, this.leaderHintId, error.reason));
    }
  }

  /**
   * Stops serving: closes the gate and rejects everything in flight with `error` (ShardClosedError by default;
   * the runtime passes its fatal error). Entries still committed afterwards are applied as usual.
   */
  close(error: Error = new ShardClosedError(this.shardId)): void {
    if (this.closedError !== null) return;
    this.closedError = error;
    this.gate = 'closed';
    this.leaderTerm = null;
    this.proposals.rejectAll(error);
    this.reads.rejectAll(error);
  }
}
