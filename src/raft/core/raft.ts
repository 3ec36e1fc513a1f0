/**
 * The Raft state machine (Ongaro's thesis and the Raft paper, structured after etcd-raft's `raft.go`).
 *
 * Pure and synchronous: no I/O, no clock, no randomness of its own. Inputs are `step(message)` and `tick()`;
 * outputs accumulate in `messages` (may leave at once), `messagesAfterPersist` (must wait for the durable
 * write of the state they confirm, thesis §3.8), the log's unstable part and `readStates`, and are handed to
 * the driver by {@link RawNode.ready}.
 *
 * Per-role behaviour is a swapped function (`stepByRole`, `tickByRole`), as in etcd.
 *
 * Beyond the paper: PreVote (thesis §9.6), CheckQuorum (§6.2) with the fix of etcd-io/etcd#8243/#9586
 * (a pre-candidate forgets its leader so that its own lease check does not block the election), leadership
 * transfer (§3.10), ReadIndex and lease reads (§6.4), flow control, and the leader's self-acknowledgement of
 * its own appends only after they are durable (§10.2.1), so that commitment never counts unsynced writes.
 */
import type { RaftConfig, RaftConfigInput, ReadOnlyOption } from './config.js';
import { resolveRaftConfig } from './config.js';
import {
  applyConfChangeToTracker,
  confChangeRefusal,
  decodeConfChange,
  ConfChangeDecodeError,
  restoreConfState,
} from './confChange.js';
import { CompactedError, ProposalDroppedError, SnapshotTemporarilyUnavailableError, invariant } from './errors.js';
import { RaftLog, payloadBytes } from './log.js';
import type { Progress } from './progress.js';
import { ProgressTracker } from './progressTracker.js';
import { ReadOnlyQueue } from './readOnly.js';
import type { RandomSource } from './random.js';
import type {
  ConfChange,
  ConfState,
  Entry,
  HardState,
  Message,
  MessageType,
  NodeId,
  RaftRole,
  ReadState,
  Snapshot,
  SoftState,
} from './types.js';
import { EMPTY_BYTES, NONE, makeMessage } from './types.js';

/** The `context` of a vote sent because of a leadership transfer: it may disrupt a leader lease. */
/** "Never acknowledged a heartbeat": far below any lease window. */
const NO_LEASE_ACK_TICK = Number.MIN_SAFE_INTEGER;

export const CAMPAIGN_TRANSFER_CONTEXT: Uint8Array = new TextEncoder().encode('CampaignTransfer');

type CampaignKind = 'preElection' | 'election' | 'transfer';

type StepFunction = (this: Raft, message: Message) => void;

/** Mutable message under construction; `send` fills in `from` and `term`. */
type Outgoing = Partial<Message> & Pick<Message, 'type' | 'to'>;

export class Raft {
  readonly id: NodeId;
  /** Persistent state (Figure 2): the latest term seen. Never decreases. */
  term = 0;
  /** Persistent state: whom we voted for in `term`. */
  vote: NodeId = NONE;
  readonly raftLog: RaftLog;
  readonly tracker: ProgressTracker;
  role: RaftRole = 'follower';
  /** The leader of `term` as far as we know, or NONE. */
  leader: NodeId = NONE;
  /** A leadership transfer in progress: the target. */
  leadTransferee: NodeId = NONE;
  /**
   * The index of the latest conf change entry the leader appended. Proposing another conf change is refused
   * until the log is applied up to it: one change in flight at a time (thesis §4.1).
   */
  pendingConfIndex = 0;
  /** Whether this node is a learner in the current configuration (learners never campaign). */
  isLearner = false;
  /** Payload bytes of uncommitted entries appended by this leader (bounded by maxUncommittedEntriesBytes). */
  uncommittedBytes = 0;

  /** Outbox that may leave at once. Drained by RawNode.ready. */
  messages: Message[] = [];
  /** Outbox that may leave only after the current unstable state is durable (votes and append acks). */
  messagesAfterPersist: Message[] = [];
  readStates: ReadState[] = [];
  /** ReadIndex requests received before this leader committed an entry of its term. */
  private pendingReadIndexMessages: Message[] = [];
  private readOnly: ReadOnlyQueue;

  /** Ticks since the last reset (election timer for followers/candidates, CheckQuorum round for leaders). */
  electionElapsed = 0;
  heartbeatElapsed = 0;
  /** Ticks since this Raft object was created (capped); guards lease reads across restarts. */
  private ticksSinceStart = 0;
  /** Ticks counted while leader; the clock of lease reads. */
  private leaderTicks = 0;
  /** The index of this leader's no-op; an ack at or above it proves receipt of an append sent at tick ≥ 0. */
  private leaderTermStartIndex = 0;
  /**
   * Set once this leader has sent TimeoutNow in its term: the transferee may win an election at any later
   * moment (a delayed TimeoutNow bypasses follower leases), so the lease is never trusted again in this term.
   */
  private leaseRevoked = false;
  /** Drawn from [electionTicks, 2·electionTicks) at every reset (paper §5.2). */
  randomizedElectionTimeout = 0;

  readonly electionTicks: number;
  readonly heartbeatTicks: number;
  readonly leaseTicks: number;
  readonly checkQuorum: boolean;
  readonly preVote: boolean;
  readonly readOnlyOption: ReadOnlyOption;
  readonly maxSizePerMsgBytes: number;
  readonly maxUncommittedEntriesBytes: number;
  readonly disableProposalForwarding: boolean;
  private readonly pendingReadsMax: number;
  private readonly random: RandomSource;

  private stepByRole: StepFunction = stepFollower;
  private tickByRole: () => void = () => this.tickElection();

  constructor(input: RaftConfigInput) {
    const config: RaftConfig = resolveRaftConfig(input);
    this.id = config.id;
    this.electionTicks = config.electionTicks;
    this.heartbeatTicks = config.heartbeatTicks;
    this.leaseTicks = config.leaseTicks;
    this.checkQuorum = config.checkQuorum;
    this.preVote = config.preVote;
    this.readOnlyOption = config.readOnlyOption;
    this.maxSizePerMsgBytes = config.maxSizePerMsgBytes;
    this.maxUncommittedEntriesBytes = config.maxUncommittedEntriesBytes;
    this.disableProposalForwarding = config.disableProposalForwarding;
    this.pendingReadsMax = config.pendingReadsMax;
    this.random = config.random;
    this.readOnly = new ReadOnlyQueue(this.pendingReadsMax, this.term);
    this.raftLog = new RaftLog(config.storage, config.maxCommittedSizePerReadyBytes);
    this.tracker = new ProgressTracker(config.maxInflightMsgs, config.maxInflightBytes);

    const { hardState, confState } = config.storage.initialState();
    restoreConfState(this.tracker, confState, this.raftLog.lastIndex());
    this.isLearner = this.tracker.progress.get(this.id)?.isLearner === true;
    if (hardState.term !== 0 || hardState.vote !== NONE || hardState.commit !== 0) this.loadHardState(hardState);
    if (config.applied > 0) this.raftLog.appliedTo(config.applied);
    this.becomeFollower(this.term, NONE);
  }

  private loadHardState(hardState: HardState): void {
    invariant(
      hardState.commit >= this.raftLog.committed && hardState.commit <= this.raftLog.lastIndex(),
      () =>
        `hard state commit ${hardState.commit} is out of range [${this.raftLog.committed}, ${this.raftLog.lastIndex()}]`
    );
    this.raftLog.committed = hardState.commit;
    this.term = hardState.term;
    this.vote = hardState.vote;
  }

  hardState(): HardState {
    return { term: this.term, vote: this.vote, commit: this.raftLog.committed };
  }

  softState(): SoftState {
    return { leader: this.leader, role: this.role };
  }

  // ---------------------------------------------------------------------------------------------------------
  // Sending.

  /**
   * Queues a message. Vote requests and responses carry an explicit term (a pre-vote's term is in the future);
   * every other message gets the current term, except proposals and read requests forwarded to the leader,
   * which are "local" to the leader (term 0).
   */
  send(outgoing: Outgoing): void {
    const type = outgoing.type;
    let term = outgoing.term ?? 0;
    if (type === 'vote' || type === 'voteResp' || type === 'preVote' || type === 'preVoteResp') {
      invariant(term !== 0, () => `term must be set when sending ${type}`);
    } else {
      invariant(term === 0, () => `term must not be set when sending ${type} (got ${term})`);
      if (type !== 'prop' && type !== 'readIndex') term = this.term;
    }
    // A message without a sender (a local read request being forwarded, say) is sent as ours.
    const from = outgoing.from === undefined || outgoing.from === NONE ? this.id : outgoing.from;
    const message = makeMessage({ ...outgoing, from, term });
    if (type === 'appResp' || type === 'voteResp' || type === 'preVoteResp') {
      // Thesis §3.8: a node must not acknowledge an append or grant a vote before the state it confirms is
      // durable. Self-addressed ones are the leader's and candidate's own acknowledgements (§10.2.1).
      this.messagesAfterPersist.push(message);
    } else {
      invariant(message.to !== this.id, () => `message ${type} must not be self-addressed`);
      this.messages.push(message);
    }
  }

  /** Sends an append (or a snapshot) to `to` if flow control allows; `sendIfEmpty` also sends a bare commit. */
  maybeSendAppend(to: NodeId, sendIfEmpty: boolean): boolean {
    const progress = this.tracker.progress.get(to);
    invariant(progress !== undefined, () => `no progress for ${to}`);
    if (progress.isPaused()) return false;
    const prevIndex = progress.next - 1;
    let prevTerm: number;
    try {
      prevTerm = this.raftLog.term(prevIndex);
    } catch (error) {
      // The entries the follower needs are compacted: it must catch up from a snapshot.
      if (error instanceof CompactedError) return this.maybeSendSnapshot(to, progress);
      throw error;
    }
    let entries: Entry[] = [];
    // A throttled replicate stream sends only empty appends, so that lost messages cannot stall it forever.
    if (progress.state !== 'replicate' || !progress.inflights.full()) {
      try {
        entries = this.raftLog.entries(progress.next, this.maxSizePerMsgBytes);
      } catch (error) {
        if (error instanceof CompactedError) return this.maybeSendSnapshot(to, progress);
        throw error;
      }
    }
    if (entries.length === 0 && !sendIfEmpty) return false;
    const commit = this.raftLog.committed;
    this.send({ type: 'app', to, index: prevIndex, logTerm: prevTerm, entries, commit });
    progress.sentEntries(entries.length, payloadBytes(entries));
    progress.noteSentCommit(commit);
    return true;
  }

  sendAppend(to: NodeId): void {
    this.maybeSendAppend(to, true);
  }

  private maybeSendSnapshot(to: NodeId, progress: Progress): boolean {
    if (!progress.recentActive) return false; // do not stream a snapshot to a node that may be down
    let snapshot: Snapshot;
    try {
      snapshot = this.raftLog.snapshot();
    } catch (error) {
      if (error instanceof SnapshotTemporarilyUnavailableError) return false;
      throw error;
    }
    invariant(snapshot.metadata.index > 0, 'need a non-empty snapshot to catch up a follower');
    progress.becomeSnapshot(snapshot.metadata.index);
    this.send({ type: 'snap', to, snapshot });
    return true;
  }

  private sendHeartbeat(to: NodeId, context: Uint8Array): void {
    const progress = this.tracker.progress.get(to);
    invariant(progress !== undefined, () => `no progress for ${to}`);
    // The follower may not have the leader's log up to its commit: send only what it is known to hold.
    const commit = Math.min(progress.match, this.raftLog.committed);
    // `index` carries the leader's tick so that the response proves a recent round (lease reads).
    this.send({ type: 'heartbeat', to, commit, context, index: this.leaderTicks });
    progress.noteSentCommit(commit);
  }

  bcastAppend(): void {
    this.tracker.visit((id) => {
      if (id !== this.id) this.sendAppend(id);
    });
  }

  bcastHeartbeat(): void {
    this.bcastHeartbeatWithContext(this.readOnly.lastPendingContext() ?? EMPTY_BYTES);
  }

  private bcastHeartbeatWithContext(context: Uint8Array): void {
    this.tracker.visit((id) => {
      if (id !== this.id) this.sendHeartbeat(id, context);
    });
  }

  // ---------------------------------------------------------------------------------------------------------
  // Commitment and appending.

  /** Advances the commit index to what a quorum has durably acknowledged, for entries of this term only. */
  maybeCommit(): boolean {
    return this.raftLog.maybeCommit(this.tracker.committed(), this.term);
  }

  /** Appends entries at the leader's term; false if the uncommitted-bytes limit drops them. */
  private appendEntries(entries: readonly Entry[]): boolean {
    const lastIndex = this.raftLog.lastIndex();
    const stamped = entries.map((entry, offset) => ({ ...entry, term: this.term, index: lastIndex + 1 + offset }));
    if (!this.increaseUncommittedBytes(stamped)) return false;
    const newLastIndex = this.raftLog.append(stamped);
    // Self-ack only once durable (§10.2.1): delivered back by RawNode.advance after the persist.
    this.send({ type: 'appResp', to: this.id, index: newLastIndex });
    return true;
  }

  private increaseUncommittedBytes(entries: readonly Entry[]): boolean {
    const bytes = payloadBytes(entries);
    // An empty uncommitted tail admits any proposal, and empty entries (the leader's no-op) always pass.
    if (
      this.maxUncommittedEntriesBytes > 0 &&
      this.uncommittedBytes > 0 &&
      bytes > 0 &&
      this.uncommittedBytes + bytes > this.maxUncommittedEntriesBytes
    ) {
      return false;
    }
    this.uncommittedBytes += bytes;
    return true;
  }

  /** Committed entries were handed to the application: they no longer count as uncommitted. */
  reduceUncommittedBytes(bytes: number): void {
    // The estimate may undercount after a leader change but never overcounts: saturate at zero.
    this.uncommittedBytes = Math.max(0, this.uncommittedBytes - bytes);
  }

  committedEntryInCurrentTerm(): boolean {
    return this.raftLog.zeroTermOnOutOfBounds(this.raftLog.committed) === this.term;
  }

  // ---------------------------------------------------------------------------------------------------------
  // Role transitions.

  private reset(term: number): void {
    if (this.term !== term) {
      invariant(term > this.term, () => `term must never decrease: ${this.term} -> ${term}`);
      this.term = term;
      this.vote = NONE;
    }
    this.leader = NONE;
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    this.resetRandomizedElectionTimeout();
    this.abortLeaderTransfer();
    this.tracker.resetVotes();
    const lastIndex = this.raftLog.lastIndex();
    for (const progress of this.tracker.progress.values()) {
      const fresh = progress;
      fresh.match = 0;
      fresh.next = lastIndex + 1;
      fresh.sentCommit = 0;
      fresh.state = 'probe';
      fresh.pendingSnapshot = 0;
      fresh.recentActive = false;
      fresh.msgAppFlowPaused = false;
      fresh.heartbeatAckedAtTick = NO_LEASE_ACK_TICK;
      fresh.inflights.reset();
    }
    this.pendingConfIndex = 0;
    this.uncommittedBytes = 0;
    this.readOnly = new ReadOnlyQueue(this.pendingReadsMax, this.term);
    this.pendingReadIndexMessages = [];
    this.leaderTicks = 0;
    this.leaderTermStartIndex = 0;
    this.leaseRevoked = false;
  }

  becomeFollower(term: number, leader: NodeId): void {
    this.stepByRole = stepFollower;
    this.reset(term);
    this.tickByRole = () => this.tickElection();
    this.leader = leader;
    this.role = 'follower';
  }

  becomeCandidate(): void {
    invariant(this.role !== 'leader', 'invalid transition leader -> candidate');
    this.stepByRole = stepCandidate;
    this.reset(this.term + 1);
    this.tickByRole = () => this.tickElection();
    this.vote = this.id;
    this.role = 'candidate';
  }

  becomePreCandidate(): void {
    invariant(this.role !== 'leader', 'invalid transition leader -> preCandidate');
    // A pre-candidate keeps its term and vote (thesis §9.6) but forgets the leader: otherwise its own lease
    // check would reject other pre-votes and two partitioned pre-candidates could block each other forever
    // (etcd-io/etcd#8243, #9586).
    this.stepByRole = stepCandidate;
    this.tracker.resetVotes();
    this.tickByRole = () => this.tickElection();
    this.leader = NONE;
    this.role = 'preCandidate';
  }

  becomeLeader(): void {
    invariant(this.role !== 'follower', 'invalid transition follower -> leader');
    invariant(
      this.role === 'candidate' && this.vote === this.id,
      () => `a ${this.role} with vote ${this.vote} cannot lead`
    );
    this.stepByRole = stepLeader;
    this.reset(this.term);
    this.tickByRole = () => this.tickHeartbeat();
    this.leader = this.id;
    this.role = 'leader';
    const self = this.tracker.progress.get(this.id);
    invariant(self !== undefined, 'a leader must be in its own configuration');
    // Our own match is learned from the self-ack of durable entries; everything in our log before this term
    // was durable before we could win (the self-vote is counted only after the persist).
    self.match = this.raftLog.lastIndex();
    self.becomeReplicate();
    self.recentActive = true;
    // Conservatively treat every entry in the log as possibly a conf change (thesis §4.1): no new one until
    // all of them are applied.
    this.pendingConfIndex = this.raftLog.lastIndex();
    // The no-op of the new term (paper §8): commits earlier terms' entries and enables ReadIndex.
    const appended = this.appendEntries([{ term: 0, index: 0, kind: 'normal', data: EMPTY_BYTES }]);
    this.leaderTermStartIndex = this.raftLog.lastIndex();
    invariant(appended, 'the empty leader entry must never be dropped');
  }

  private resetRandomizedElectionTimeout(): void {
    this.randomizedElectionTimeout = this.random.intInclusive(this.electionTicks, 2 * this.electionTicks - 1);
  }

  abortLeaderTransfer(): void {
    this.leadTransferee = NONE;
  }

  /** Whether this node may campaign: a voter, not waiting to apply a snapshot. */
  promotable(): boolean {
    const self = this.tracker.progress.get(this.id);
    return self !== undefined && !self.isLearner && this.raftLog.nextUnstableSnapshot() === null;
  }

  // ---------------------------------------------------------------------------------------------------------
  // Ticks.

  tick(): void {
    if (this.ticksSinceStart < this.electionTicks) this.ticksSinceStart++;
    this.tickByRole();
  }

  private tickElection(): void {
    this.electionElapsed++;
    if (this.promotable() && this.electionElapsed >= this.randomizedElectionTimeout) {
      this.electionElapsed = 0;
      this.step(makeMessage({ type: 'hup', from: this.id }));
    }
  }

  private tickHeartbeat(): void {
    this.heartbeatElapsed++;
    this.electionElapsed++;
    this.leaderTicks++;
    if (this.electionElapsed >= this.electionTicks) {
      this.electionElapsed = 0;
      if (this.checkQuorum) this.step(makeMessage({ type: 'checkQuorum', from: this.id }));
      // A transfer that did not finish within an election timeout is abandoned; we stay leader.
      if (this.role === 'leader' && this.leadTransferee !== NONE) this.abortLeaderTransfer();
      if (this.isRemovedLeader()) this.transferAwayAsRemovedLeader();
    }
    if (this.role !== 'leader') return;
    if (this.heartbeatElapsed >= this.heartbeatTicks) {
      this.heartbeatElapsed = 0;
      this.step(makeMessage({ type: 'beat', from: this.id }));
    }
  }

  // ---------------------------------------------------------------------------------------------------------
  // Elections.

  private hasUnappliedConfChanges(): boolean {
    if (this.raftLog.applied >= this.raftLog.committed) return false;
    let lo = this.raftLog.applied + 1;
    const hi = this.raftLog.committed + 1;
    // Scan in pages so that a long unapplied tail is not loaded at once.
    while (lo < hi) {
      const page = this.raftLog.slice(lo, hi, this.raftLog.maxApplyingBytes);
      for (const entry of page) if (entry.kind === 'confChange') return true;
      lo += page.length;
    }
    return false;
  }

  hup(kind: CampaignKind): void {
    if (this.role === 'leader') return;
    if (!this.promotable()) return;
    // A conf change that is committed but not applied may remove us or change the quorum: campaigning now
    // could elect a leader under the wrong configuration.
    if (this.hasUnappliedConfChanges()) return;
    this.campaign(kind);
  }

  campaign(kind: CampaignKind): void {
    let term: number;
    let voteType: MessageType;
    if (kind === 'preElection') {
      this.becomePreCandidate();
      voteType = 'preVote';
      term = this.term + 1; // the term we would run for; our own term does not change
    } else {
      this.becomeCandidate();
      voteType = 'vote';
      term = this.term;
    }
    const lastIndex = this.raftLog.lastIndex();
    const lastTerm = this.raftLog.lastTerm();
    for (const id of this.tracker.voters) {
      if (id === this.id) {
        // Our own vote counts once the term and vote are durable: it goes through messagesAfterPersist.
        this.send({ type: voteResponseType(voteType), to: id, term });
        continue;
      }
      const context = kind === 'transfer' ? CAMPAIGN_TRANSFER_CONTEXT : EMPTY_BYTES;
      this.send({ type: voteType, to: id, term, index: lastIndex, logTerm: lastTerm, context });
    }
  }

  poll(from: NodeId, granted: boolean): ReturnType<ProgressTracker['tallyVotes']> {
    this.tracker.recordVote(from, granted);
    return this.tracker.tallyVotes();
  }

  // ---------------------------------------------------------------------------------------------------------
  // Step.

  /** Processes one message. Proposals that cannot be accepted throw ProposalDroppedError. */
  step(message: Message): void {
    if (message.term === 0) {
      // Local message, or a proposal/read forwarded by a follower.
    } else if (message.term > this.term) {
      if (!this.stepHigherTerm(message)) return;
    } else if (message.term < this.term) {
      this.stepLowerTerm(message);
      return;
    }

    switch (message.type) {
      case 'hup':
        this.hup(this.preVote ? 'preElection' : 'election');
        return;
      case 'vote':
      case 'preVote':
        this.stepVoteRequest(message);
        return;
      default:
        this.stepByRole.call(this, message);
    }
  }

  /** A message from a higher term. Returns false if it is to be ignored. */
  private stepHigherTerm(message: Message): boolean {
    if (message.type === 'vote' || message.type === 'preVote') {
      const forced = bytesEqual(message.context, CAMPAIGN_TRANSFER_CONTEXT);
      // Thesis §4.2.3: a node that heard from a leader within the minimum election timeout ignores votes, so
      // that a removed or partitioned node cannot depose a healthy leader. A node that just started does the
      // same when leases are in use, since it cannot know whom it heard from before the restart.
      const inLease =
        this.checkQuorum &&
        ((this.leader !== NONE && this.electionElapsed < this.electionTicks) ||
          (this.readOnlyOption === 'leaseBased' && this.ticksSinceStart < this.electionTicks));
      if (!forced && inLease) return false;
    }
    if (message.type === 'preVote') {
      // Never change our term in response to a pre-vote.
    } else if (message.type === 'preVoteResp' && !message.reject) {
      // A granted pre-vote carries the term we would run for; we take it when we win the pre-election.
    } else if (message.type === 'app' || message.type === 'heartbeat' || message.type === 'snap') {
      this.becomeFollower(message.term, message.from);
    } else {
      this.becomeFollower(message.term, NONE);
    }
    return true;
  }

  private stepLowerTerm(message: Message): void {
    if ((this.checkQuorum || this.preVote) && (message.type === 'heartbeat' || message.type === 'app')) {
      // A leader cut off by a partition keeps its old term. With CheckQuorum or PreVote we do not raise our
      // term on our own, so it may never hear a higher term from us: tell it, so that it steps down.
      this.send({ type: 'appResp', to: message.from });
    } else if (message.type === 'preVote') {
      // Rejecting with our term lets a lagging pre-candidate learn it (otherwise mixed-version clusters can
      // deadlock, etcd-io/etcd#8501).
      this.send({ type: 'preVoteResp', to: message.from, term: this.term, reject: true });
    }
    // Other stale messages are ignored.
  }

  private stepVoteRequest(message: Message): void {
    const canVote =
      this.vote === message.from ||
      (this.vote === NONE && this.leader === NONE) ||
      (message.type === 'preVote' && message.term > this.term);
    const responseType = voteResponseType(message.type);
    if (canVote && this.raftLog.isUpToDate(message.index, message.logTerm)) {
      // Grant with the request's term: a pre-candidate uses it to know the pre-vote is current.
      this.send({ type: responseType, to: message.from, term: message.term });
      if (message.type === 'vote') {
        this.electionElapsed = 0; // granting a vote resets our election timer (paper §5.2)
        this.vote = message.from;
      }
    } else {
      this.send({ type: responseType, to: message.from, term: this.term, reject: true });
    }
  }

  // ---------------------------------------------------------------------------------------------------------
  // Leader handlers.

  stepLeaderProposal(message: Message): void {
    invariant(message.entries.length > 0, 'a proposal must carry entries');
    if (this.isRemovedLeader()) {
      throw new ProposalDroppedError('this leader was removed or demoted: it is handing leadership over');
    }
    if (this.leadTransferee !== NONE) {
      throw new ProposalDroppedError(`leadership is being transferred to ${this.leadTransferee}`);
    }
    const entries = message.entries.map((entry, offset) => {
      if (entry.kind !== 'confChange') return entry;
      const refusal = this.confChangeProposalRefusal(entry);
      if (refusal !== undefined) throw new ProposalDroppedError(refusal);
      this.pendingConfIndex = this.raftLog.lastIndex() + offset + 1;
      return entry;
    });
    if (!this.appendEntries(entries)) {
      throw new ProposalDroppedError('too many uncommitted bytes (maxUncommittedEntriesBytes)');
    }
    this.bcastAppend();
  }

  private confChangeProposalRefusal(entry: Entry): string | undefined {
    if (this.pendingConfIndex > this.raftLog.applied) {
      return `a conf change at index ${this.pendingConfIndex} is not applied yet (applied ${this.raftLog.applied})`;
    }
    let change: ConfChange;
    try {
      change = decodeConfChange(entry.data);
    } catch (error) {
      if (error instanceof ConfChangeDecodeError) return error.message;
      throw error;
    }
    if (change.nodeId === this.id && change.kind !== 'addNode') {
      // A leader that removes or demotes itself could leave the group leaderless: it would step down before
      // the others learn that the change committed, and they would still need its vote under the old
      // configuration (found by the simulator). CockroachDB forbids it too: transfer leadership first.
      return `the leader cannot ${change.kind === 'removeNode' ? 'remove' : 'demote'} itself: transfer leadership first`;
    }
    return confChangeRefusal(this.tracker, change);
  }

  /** A leader that applied its own removal or demotion (committed under an earlier leader). */
  isRemovedLeader(): boolean {
    if (this.role !== 'leader') return false;
    const self = this.tracker.progress.get(this.id);
    return self === undefined || self.isLearner;
  }

  /**
   * A removed or demoted leader keeps leading, refusing proposals, until it has handed leadership to the most
   * up-to-date voter of the new configuration: stepping down at once could leave the others unaware that the
   * change committed and unable to elect anyone (see confChangeProposalRefusal). Retried every election
   * timeout until a new leader's higher term deposes us.
   */
  private transferAwayAsRemovedLeader(): void {
    let best: NodeId = NONE;
    let bestMatch = -1;
    for (const id of this.tracker.voters) {
      if (id === this.id) continue;
      const match = this.tracker.progress.get(id)?.match ?? 0;
      if (match > bestMatch) {
        best = id;
        bestMatch = match;
      }
    }
    if (best === NONE) return;
    this.abortLeaderTransfer();
    this.electionElapsed = 0;
    this.leadTransferee = best;
    const progress = this.tracker.progress.get(best);
    invariant(progress !== undefined, () => `voter ${best} has no progress`);
    if (progress.match === this.raftLog.lastIndex()) this.sendTimeoutNow(best);
    else this.sendAppend(best);
  }

  stepLeaderReadIndex(message: Message): void {
    if (this.tracker.isSingleton()) {
      this.respondToReadIndex(message, this.raftLog.committed);
      return;
    }
    // Thesis §6.4: the commit index is only known to be current once an entry of this term is committed.
    if (!this.committedEntryInCurrentTerm()) {
      if (this.pendingReadIndexMessages.length < this.pendingReadsMax) this.pendingReadIndexMessages.push(message);
      return;
    }
    this.serveReadIndex(message);
  }

  private serveReadIndex(message: Message): void {
    if (this.readOnlyOption === 'leaseBased' && this.leaseValid()) {
      this.respondToReadIndex(message, this.raftLog.committed);
      return;
    }
    // Safe path (also lease mode without a valid lease): confirm leadership with a heartbeat round.
    const roundContext = this.readOnly.addRequest(this.raftLog.committed, message);
    if (roundContext === null) return; // a duplicate of a queued read, or the queue is full: the caller retries
    this.readOnly.recvAck(this.id, roundContext);
    this.bcastHeartbeatWithContext(roundContext);
  }

  /**
   * Lease: a quorum acknowledged heartbeats sent within the last `leaseTicks` leader ticks, and no transfer is
   * under way (a transfer lets the transferee win an election inside our lease).
   */
  leaseValid(): boolean {
    if (this.role !== 'leader' || this.leadTransferee !== NONE || this.leaseRevoked || this.isRemovedLeader()) {
      return false;
    }
    const since = this.leaderTicks - this.leaseTicks;
    const votes = new Map<NodeId, boolean>();
    for (const id of this.tracker.voters) {
      const progress = this.tracker.progress.get(id);
      votes.set(id, id === this.id || (progress !== undefined && progress.heartbeatAckedAtTick >= since));
    }
    return this.tracker.voters.length > 0 && votesWin(this.tracker.voters, votes);
  }

  private respondToReadIndex(request: Message, readIndex: number): void {
    if (request.from === NONE || request.from === this.id) {
      this.readStates.push({ index: readIndex, requestContext: request.context });
      return;
    }
    this.send({ type: 'readIndexResp', to: request.from, index: readIndex, context: request.context });
  }

  releasePendingReadIndexMessages(): void {
    if (this.pendingReadIndexMessages.length === 0) return;
    invariant(this.committedEntryInCurrentTerm(), 'pending reads released before an entry of the term committed');
    const pending = this.pendingReadIndexMessages;
    this.pendingReadIndexMessages = [];
    for (const message of pending) this.serveReadIndex(message);
  }

  stepLeaderAppendResponse(message: Message, progress: Progress): void {
    progress.recentActive = true;
    if (message.reject) {
      this.handleAppendRejection(message, progress);
      return;
    }
    if (this.leaderTermStartIndex > 0 && message.index >= this.leaderTermStartIndex) {
      // Every append carrying our no-op or later entries was sent at leader tick ≥ 0.
      progress.heartbeatAckedAtTick = Math.max(progress.heartbeatAckedAtTick, 0);
    }
    const wasProbingAtMatch = progress.match === message.index && progress.state === 'probe';
    if (!progress.maybeUpdate(message.index) && !wasProbingAtMatch) return;
    if (progress.state === 'probe') {
      progress.becomeReplicate();
    } else if (progress.state === 'snapshot' && progress.match + 1 >= this.raftLog.firstIndex()) {
      // The follower can continue from the log, whatever snapshot it installed: resume via probe.
      progress.becomeProbe();
      progress.becomeReplicate();
    } else if (progress.state === 'replicate') {
      progress.inflights.freeLE(message.index);
    }
    if (this.maybeCommit()) {
      this.releasePendingReadIndexMessages();
      this.bcastAppend();
    } else if (message.from !== this.id && progress.canBumpCommit(this.raftLog.committed)) {
      this.sendAppend(message.from);
    }
    if (message.from !== this.id) {
      // Flow control may now allow several messages: send as many as it admits.
      while (this.maybeSendAppend(message.from, false)) {
        // keep sending
      }
    }
    if (message.from === this.leadTransferee && progress.match === this.raftLog.lastIndex()) {
      this.sendTimeoutNow(message.from);
    }
  }

  private handleAppendRejection(message: Message, progress: Progress): void {
    // Fast back-off: the follower's hint (its last index with term ≤ our term at the probe) lets us skip a
    // whole divergent term per round trip rather than one entry.
    let nextProbeIndex = message.rejectHint;
    if (message.logTerm > 0) nextProbeIndex = this.raftLog.findConflictByTerm(message.rejectHint, message.logTerm)[0];
    if (progress.maybeDecrTo(message.index, nextProbeIndex)) {
      if (progress.state === 'replicate') progress.becomeProbe();
      this.sendAppend(message.from);
    }
  }

  stepLeaderHeartbeatResponse(message: Message, progress: Progress): void {
    progress.recentActive = true;
    progress.msgAppFlowPaused = false;
    progress.heartbeatAckedAtTick = Math.max(progress.heartbeatAckedAtTick, message.index);
    // Also unblocks a follower whose inflight appends were all lost, and one caught up but still probing.
    if (progress.match < this.raftLog.lastIndex() || progress.state === 'probe') this.sendAppend(message.from);
    if (message.context.byteLength === 0) return;
    const acks = this.readOnly.recvAck(message.from, message.context);
    if (acks === undefined) return;
    const votes = new Map<NodeId, boolean>();
    for (const id of this.tracker.voters) votes.set(id, acks.has(id));
    if (!votesWin(this.tracker.voters, votes)) return;
    for (const status of this.readOnly.advance(message.context)) {
      this.respondToReadIndex(status.request, status.index);
    }
  }

  stepLeaderTransfer(message: Message, progress: Progress): void {
    if (progress.isLearner) return;
    const transferee = message.from;
    if (this.leadTransferee !== NONE) {
      if (this.leadTransferee === transferee) return; // already under way
      this.abortLeaderTransfer();
    }
    if (transferee === this.id) return;
    // The transfer must finish within one election timeout (thesis §3.10).
    this.electionElapsed = 0;
    this.leadTransferee = transferee;
    if (progress.match === this.raftLog.lastIndex()) this.sendTimeoutNow(transferee);
    else this.sendAppend(transferee);
  }

  private sendTimeoutNow(to: NodeId): void {
    this.leaseRevoked = true;
    this.send({ type: 'timeoutNow', to });
  }

  // ---------------------------------------------------------------------------------------------------------
  // Follower handlers.

  handleAppendEntries(message: Message): void {
    if (message.index < this.raftLog.committed) {
      // Everything up to our commit matches the leader's log: tell it where we are.
      this.send({ type: 'appResp', to: message.from, index: this.raftLog.committed });
      return;
    }
    const lastNewIndex = this.raftLog.maybeAppend(message.index, message.logTerm, message.commit, message.entries);
    if (lastNewIndex !== undefined) {
      invariant(lastNewIndex <= this.raftLog.lastIndex(), () => `acked ${lastNewIndex} beyond our log`);
      invariant(this.raftLog.committed <= this.raftLog.lastIndex(), 'commit beyond the log after an append');
      this.send({ type: 'appResp', to: message.from, index: lastNewIndex });
      return;
    }
    // Our log does not contain (index, logTerm). Hint the largest (index, term) with term ≤ logTerm at or
    // below the probe, skipping our whole divergent suffix at once.
    const searchFrom = Math.min(message.index, this.raftLog.lastIndex());
    const [hintIndex, hintTerm] = this.raftLog.findConflictByTerm(searchFrom, message.logTerm);
    this.send({
      type: 'appResp',
      to: message.from,
      index: message.index,
      reject: true,
      rejectHint: hintIndex,
      logTerm: hintTerm,
    });
  }

  handleHeartbeat(message: Message): void {
    this.raftLog.commitTo(message.commit);
    this.send({ type: 'heartbeatResp', to: message.from, context: message.context, index: message.index });
  }

  handleSnapshot(message: Message): void {
    const snapshot = message.snapshot;
    invariant(snapshot !== null, 'snap message without a snapshot');
    if (this.restore(snapshot)) {
      this.send({ type: 'appResp', to: message.from, index: this.raftLog.lastIndex() });
    } else {
      this.send({ type: 'appResp', to: message.from, index: this.raftLog.committed });
    }
  }

  /** Installs a snapshot from the leader; false if it is stale or redundant. */
  restore(snapshot: Snapshot): boolean {
    const { index, term, confState } = snapshot.metadata;
    if (index <= this.raftLog.committed) return false;
    if (this.role !== 'follower') {
      // Defense in depth: only followers install snapshots. Never expected; stepping down keeps us safe.
      this.becomeFollower(this.term + 1, NONE);
      return false;
    }
    // A snapshot whose configuration does not contain us would leave us without a progress of our own.
    if (!confState.voters.includes(this.id) && !confState.learners.includes(this.id)) return false;
    if (this.raftLog.matchTerm(index, term)) {
      // We already have the entry the snapshot ends at: just fast-forward the commit.
      this.raftLog.commitTo(index);
      return false;
    }
    this.raftLog.restore(snapshot);
    restoreConfState(this.tracker, confState, this.raftLog.lastIndex());
    this.isLearner = this.tracker.progress.get(this.id)?.isLearner === true;
    return true;
  }

  // ---------------------------------------------------------------------------------------------------------
  // Configuration.

  /** Applies a committed conf change (the application calls this when it applies the entry). */
  applyConfChange(change: ConfChange): ConfState {
    applyConfChangeToTracker(this.tracker, change, this.raftLog.lastIndex());
    const confState = this.tracker.confState();
    const self = this.tracker.progress.get(this.id);
    this.isLearner = self?.isLearner === true;
    if ((self === undefined || this.isLearner) && this.role === 'leader') {
      this.transferAwayAsRemovedLeader();
      return confState;
    }
    if (this.role !== 'leader' || confState.voters.length === 0) return confState;
    if (this.maybeCommit()) {
      // A smaller quorum may commit more at once.
      this.bcastAppend();
    } else {
      // Probe newly added members now rather than at the next heartbeat.
      this.tracker.visit((id) => {
        if (id !== this.id) this.maybeSendAppend(id, false);
      });
    }
    if (this.leadTransferee !== NONE && !this.tracker.isVoter(this.leadTransferee)) this.abortLeaderTransfer();
    return confState;
  }
}

// -------------------------------------------------------------------------------------------------------------
// Per-role step functions.

function stepLeader(this: Raft, message: Message): void {
  switch (message.type) {
    case 'beat':
      this.bcastHeartbeat();
      return;
    case 'checkQuorum':
      // A removed leader stays until it has handed over (it can neither accept proposals nor commit without
      // the new configuration's quorum), so that it can still tell the others the change committed.
      if (!this.tracker.quorumActive() && !this.isRemovedLeader()) this.becomeFollower(this.term, NONE);
      // Everyone but us must prove themselves active again before the next check.
      this.tracker.progress.forEach((progress, id) => {
        if (id !== this.id) progress.recentActive = false;
      });
      return;
    case 'prop':
      this.stepLeaderProposal(message);
      return;
    case 'readIndex':
      this.stepLeaderReadIndex(message);
      return;
    default:
      break;
  }
  // Everything else comes from a member; ignore strangers (e.g. a node removed meanwhile).
  const progress = this.tracker.progress.get(message.from);
  if (progress === undefined) return;
  switch (message.type) {
    case 'appResp':
      this.stepLeaderAppendResponse(message, progress);
      return;
    case 'heartbeatResp':
      this.stepLeaderHeartbeatResponse(message, progress);
      return;
    case 'snapStatus':
      if (progress.state !== 'snapshot') return;
      // On failure, forget the pending snapshot first so that probing does not start past it.
      if (message.reject) progress.pendingSnapshot = 0;
      progress.becomeProbe();
      // After success wait for the follower's append response; after failure wait a heartbeat before retrying.
      progress.msgAppFlowPaused = true;
      return;
    case 'unreachable':
      // Optimistic appends to an unreachable node were probably lost.
      if (progress.state === 'replicate') progress.becomeProbe();
      return;
    case 'transferLeader':
      this.stepLeaderTransfer(message, progress);
      return;
    default:
      return;
  }
}

function stepCandidate(this: Raft, message: Message): void {
  const ownVoteResponse: MessageType = this.role === 'preCandidate' ? 'preVoteResp' : 'voteResp';
  switch (message.type) {
    case 'prop':
      throw new ProposalDroppedError('no leader (election in progress)');
    case 'app':
      this.becomeFollower(message.term, message.from); // message.term === this.term here
      this.handleAppendEntries(message);
      return;
    case 'heartbeat':
      this.becomeFollower(message.term, message.from);
      this.handleHeartbeat(message);
      return;
    case 'snap':
      this.becomeFollower(message.term, message.from);
      this.handleSnapshot(message);
      return;
    case ownVoteResponse: {
      const { result } = this.poll(message.from, !message.reject);
      if (result === 'won') {
        if (this.role === 'preCandidate') {
          this.campaign('election');
        } else {
          this.becomeLeader();
          this.bcastAppend();
        }
      } else if (result === 'lost') {
        // A rejected pre-vote may carry a higher term; we stay at ours and wait.
        this.becomeFollower(this.term, NONE);
      }
      return;
    }
    default:
      return; // timeoutNow and others are ignored by candidates
  }
}

function stepFollower(this: Raft, message: Message): void {
  switch (message.type) {
    case 'prop':
      if (this.leader === NONE) throw new ProposalDroppedError('no leader');
      if (this.disableProposalForwarding) throw new ProposalDroppedError('proposal forwarding is disabled');
      this.send({ ...message, to: this.leader, term: 0 });
      return;
    case 'app':
      this.electionElapsed = 0;
      this.leader = message.from;
      this.handleAppendEntries(message);
      return;
    case 'heartbeat':
      this.electionElapsed = 0;
      this.leader = message.from;
      this.handleHeartbeat(message);
      return;
    case 'snap':
      this.electionElapsed = 0;
      this.leader = message.from;
      this.handleSnapshot(message);
      return;
    case 'transferLeader':
      if (this.leader === NONE) return;
      this.send({ ...message, to: this.leader, term: 0 });
      return;
    case 'timeoutNow':
      // Transfers skip the pre-vote: the leader asked, so no partition is being healed.
      this.hup('transfer');
      return;
    case 'readIndex':
      if (this.leader === NONE) return; // dropped; the caller retries
      this.send({ ...message, to: this.leader, term: 0 });
      return;
    case 'readIndexResp':
      this.readStates.push({ index: message.index, requestContext: message.context });
      return;
    default:
      return;
  }
}

function voteResponseType(type: MessageType): MessageType {
  switch (type) {
    case 'vote':
      return 'voteResp';
    case 'preVote':
      return 'preVoteResp';
    default:
      throw new Error(`not a vote message: ${type}`);
  }
}

function votesWin(voters: readonly NodeId[], votes: ReadonlyMap<NodeId, boolean>): boolean {
  let granted = 0;
  for (const id of voters) if (votes.get(id) === true) granted++;
  return granted >= Math.floor(voters.length / 2) + 1;
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}
