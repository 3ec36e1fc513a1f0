/**
 * The driver-facing wrapper of {@link Raft} (etcd-raft `rawnode.go`): thread-unsafe, synchronous, and
 * stateless about I/O. The driver loops: `ready()` → persist → send → apply → `advance()`.
 *
 * Between `ready()` and `advance()` the driver may keep stepping messages and ticking; what those produce
 * waits for the next Ready. Self-addressed acknowledgements (the leader's ack of its own appends, a
 * candidate's own vote) are held here and stepped in `advance()`, i.e. only after the write they confirm
 * is durable.
 */
import type { RaftConfigInput } from './config.js';
import { ProposalDroppedError, StepPeerNotFoundError, invariant } from './errors.js';
import { payloadBytes } from './log.js';
import type { ProgressState } from './progress.js';
import { Raft } from './raft.js';
import type { ConfChange, ConfState, Entry, HardState, Message, NodeId, Ready, SoftState } from './types.js';
import { hardStateEquals, isLocalMessage, isResponseMessage, makeMessage } from './types.js';
import { encodeConfChange } from './confChange.js';

export interface ProgressStatus {
  readonly match: number;
  readonly next: number;
  readonly state: ProgressState;
  readonly recentActive: boolean;
  readonly isLearner: boolean;
  readonly paused: boolean;
  readonly inflightMessages: number;
}

export interface RaftStatus {
  readonly id: NodeId;
  readonly hardState: HardState;
  readonly softState: SoftState;
  readonly applied: number;
  readonly commit: number;
  readonly firstIndex: number;
  readonly lastIndex: number;
  readonly leadTransferee: NodeId;
  readonly confState: ConfState;
  /** The leader's view of every member; null on non-leaders. */
  readonly progress: ReadonlyMap<NodeId, ProgressStatus> | null;
}

/** What the last Ready handed out, remembered until advance(). */
interface AcceptedReady {
  /** The entries handed out for persistence. */
  readonly entries: readonly Entry[];
  readonly snapshotIndex: number;
  readonly lastCommittedIndex: number;
  readonly stepsOnAdvance: readonly Message[];
}

export class RawNode {
  readonly raft: Raft;
  private previousSoftState: SoftState;
  private previousHardState: HardState;
  private accepted: AcceptedReady | null = null;

  constructor(config: RaftConfigInput) {
    this.raft = new Raft(config);
    this.previousSoftState = this.raft.softState();
    this.previousHardState = this.raft.hardState();
  }

  get id(): NodeId {
    return this.raft.id;
  }

  tick(): void {
    this.raft.tick();
  }

  /** Starts an election now (with a pre-vote if enabled). */
  campaign(): void {
    this.raft.step(makeMessage({ type: 'hup', from: this.raft.id }));
  }

  /** Proposes one entry; throws ProposalDroppedError if it cannot be accepted now. */
  propose(data: Uint8Array): void {
    this.proposeBatch([data]);
  }

  /** Proposes several entries in one message (one append, one flow-control slot). */
  proposeBatch(datas: readonly Uint8Array[]): void {
    invariant(datas.length > 0, 'proposeBatch needs at least one entry');
    const entries: Entry[] = datas.map((data) => ({ term: 0, index: 0, kind: 'normal', data }));
    this.raft.step(makeMessage({ type: 'prop', from: this.raft.id, entries }));
  }

  proposeConfChange(change: ConfChange): void {
    const entry: Entry = { term: 0, index: 0, kind: 'confChange', data: encodeConfChange(change) };
    this.raft.step(makeMessage({ type: 'prop', from: this.raft.id, entries: [entry] }));
  }

  /** Applies a committed conf change; call it when the entry is applied, in log order. */
  applyConfChange(change: ConfChange): ConfState {
    return this.raft.applyConfChange(change);
  }

  /**
   * Steps a message received from the network. Local-only message types are ignored (a peer must not be able
   * to inject them); a response from a node that is not a member throws StepPeerNotFoundError; a forwarded
   * proposal the leader cannot accept is dropped (its proposer retries).
   */
  step(message: Message): void {
    if (isLocalMessage(message.type)) return;
    if (isResponseMessage(message.type) && !this.raft.tracker.progress.has(message.from)) {
      throw new StepPeerNotFoundError(message.from);
    }
    try {
      this.raft.step(message);
    } catch (error) {
      if (error instanceof ProposalDroppedError && message.from !== this.raft.id) return;
      throw error;
    }
  }

  /** Requests a linearizable read point; the answer is a ReadState with `requestContext` in a later Ready. */
  readIndex(requestContext: Uint8Array): void {
    this.raft.step(makeMessage({ type: 'readIndex', context: requestContext }));
  }

  /** Asks the leader to hand leadership to `transferee` (thesis §3.10). */
  transferLeader(transferee: NodeId): void {
    this.raft.step(makeMessage({ type: 'transferLeader', from: transferee }));
  }

  /** The transport could not deliver to `id`: appends in flight to it were probably lost. */
  reportUnreachable(id: NodeId): void {
    this.raft.step(makeMessage({ type: 'unreachable', from: id }));
  }

  /** The transport finished (or failed) sending a snapshot to `id`. */
  reportSnapshot(id: NodeId, status: 'finish' | 'failure'): void {
    this.raft.step(makeMessage({ type: 'snapStatus', from: id, reject: status === 'failure' }));
  }

  hasReady(): boolean {
    const raft = this.raft;
    if (!softStateEquals(raft.softState(), this.previousSoftState)) return true;
    const hardState = raft.hardState();
    if (!hardStateEquals(hardState, this.previousHardState)) return true;
    if (raft.raftLog.nextUnstableSnapshot() !== null && this.accepted === null) return true;
    if (raft.messages.length > 0 || raft.messagesAfterPersist.length > 0) return true;
    if (this.accepted === null && raft.raftLog.hasNextUnstableEntries()) return true;
    if (raft.raftLog.hasNextCommittedEntries()) return true;
    return raft.readStates.length > 0;
  }

  /**
   * Hands out what must be persisted, sent and applied. Must be followed by `advance()` before the next
   * `ready()`.
   */
  ready(): Ready {
    invariant(this.accepted === null, 'ready() called again before advance()');
    const raft = this.raft;
    const softState = raft.softState();
    const hardState = raft.hardState();
    const entries = raft.raftLog.nextUnstableEntries().slice();
    const snapshot = raft.raftLog.nextUnstableSnapshot();
    const committedEntries = raft.raftLog.nextCommittedEntries();
    const stepsOnAdvance: Message[] = [];
    const messagesAfterPersist: Message[] = [];
    for (const message of raft.messagesAfterPersist) {
      if (message.to === raft.id) stepsOnAdvance.push(message);
      else messagesAfterPersist.push(message);
    }
    const hardStateChanged = !hardStateEquals(hardState, this.previousHardState);
    const ready: Ready = {
      softState: softStateEquals(softState, this.previousSoftState) ? null : softState,
      hardState: hardStateChanged ? hardState : null,
      readStates: raft.readStates,
      entries,
      snapshot,
      committedEntries,
      messages: raft.messages,
      messagesAfterPersist,
      mustSync:
        entries.length > 0 ||
        snapshot !== null ||
        (hardStateChanged && mustSyncHardState(hardState, this.previousHardState)),
    };
    this.assertReadyInvariants(ready);

    // Accept: from here on the driver owns these outputs.
    this.previousSoftState = softState;
    if (hardStateChanged) this.previousHardState = hardState;
    raft.messages = [];
    raft.messagesAfterPersist = [];
    raft.readStates = [];
    const lastCommitted = committedEntries[committedEntries.length - 1];
    if (lastCommitted !== undefined) {
      raft.raftLog.acceptApplying(lastCommitted.index);
      raft.reduceUncommittedBytes(payloadBytes(committedEntries));
    }
    this.accepted = {
      entries,
      snapshotIndex: snapshot?.metadata.index ?? 0,
      lastCommittedIndex: lastCommitted?.index ?? 0,
      stepsOnAdvance,
    };
    return ready;
  }

  private assertReadyInvariants(ready: Ready): void {
    assertContiguous(ready.entries, 'unstable entries');
    assertContiguous(ready.committedEntries, 'committed entries');
    const firstCommitted = ready.committedEntries[0];
    const lastCommitted = ready.committedEntries[ready.committedEntries.length - 1];
    if (firstCommitted !== undefined && lastCommitted !== undefined) {
      const raftLog = this.raft.raftLog;
      invariant(
        firstCommitted.index === raftLog.applying + 1 && lastCommitted.index <= raftLog.committed,
        () =>
          `committed entries [${firstCommitted.index}, ${lastCommitted.index}] must start after applying ` +
          `${raftLog.applying} and end at or before commit ${raftLog.committed}`
      );
    }
    const first = ready.entries[0];
    if (first !== undefined) {
      invariant(
        first.index > this.raft.raftLog.applying || ready.snapshot !== null,
        () => `unstable entry ${first.index} at or below applying ${this.raft.raftLog.applying}`
      );
    }
    for (const message of ready.messages) {
      invariant(message.to !== this.raft.id, () => `self-addressed ${message.type} in messages`);
    }
    if (ready.hardState !== null) {
      invariant(ready.hardState.term >= this.previousHardState.term, 'hard state term moved back');
      invariant(ready.hardState.commit >= this.previousHardState.commit, 'hard state commit moved back');
    }
  }

  /**
   * The last Ready was persisted, sent and applied: mark its entries stable and its committed entries applied,
   * then deliver the self-acknowledgements it held back.
   */
  advance(): void {
    const accepted = this.accepted;
    invariant(accepted !== null, 'advance() without a ready()');
    this.accepted = null;
    const raftLog = this.raft.raftLog;
    if (accepted.snapshotIndex > 0) {
      raftLog.stableSnapTo(accepted.snapshotIndex);
      raftLog.appliedTo(accepted.snapshotIndex);
    }
    this.markStable(accepted.entries);
    if (accepted.lastCommittedIndex > 0) raftLog.appliedTo(accepted.lastCommittedIndex);
    for (const message of accepted.stepsOnAdvance) this.raft.step(message);
  }

  /**
   * The handed-out entries are durable. If a conflicting append replaced a suffix of them meanwhile, the prefix
   * that still matches is durable all the same (Log Matching: same index and term means same entry): marking
   * only the last entry would leave the whole batch unstable, and the next Ready would hand committed entries
   * out for writing again (found by the simulator, seed 50563; test/raft/rawNode.test.ts).
   */
  private markStable(entries: readonly Entry[]): void {
    const unstable = this.raft.raftLog.unstable;
    for (let position = entries.length - 1; position >= 0; position--) {
      const entry = entries[position] as Entry;
      if (unstable.maybeTerm(entry.index) === entry.term) {
        this.raft.raftLog.stableTo(entry.index, entry.term);
        return;
      }
    }
  }

  status(): RaftStatus {
    const raft = this.raft;
    let progress: Map<NodeId, ProgressStatus> | null = null;
    if (raft.role === 'leader') {
      progress = new Map();
      raft.tracker.visit((id, p) => {
        progress?.set(id, {
          match: p.match,
          next: p.next,
          state: p.state,
          recentActive: p.recentActive,
          isLearner: p.isLearner,
          paused: p.isPaused(),
          inflightMessages: p.inflights.size(),
        });
      });
    }
    return {
      id: raft.id,
      hardState: raft.hardState(),
      softState: raft.softState(),
      applied: raft.raftLog.applied,
      commit: raft.raftLog.committed,
      firstIndex: raft.raftLog.firstIndex(),
      lastIndex: raft.raftLog.lastIndex(),
      leadTransferee: raft.leadTransferee,
      confState: raft.tracker.confState(),
      progress,
    };
  }
}

function assertContiguous(entries: readonly Entry[], what: string): void {
  for (let position = 1; position < entries.length; position++) {
    const previous = entries[position - 1] as Entry;
    const entry = entries[position] as Entry;
    invariant(
      entry.index === previous.index + 1 && entry.term >= previous.term,
      () => `${what} not contiguous: ${previous.index}@${previous.term} then ${entry.index}@${entry.term}`
    );
  }
}

function softStateEquals(a: SoftState, b: SoftState): boolean {
  return a.leader === b.leader && a.role === b.role;
}

/** Term and vote must be fsynced before anything depends on them; a commit-only change need not be. */
function mustSyncHardState(current: HardState, previous: HardState): boolean {
  return current.term !== previous.term || current.vote !== previous.vote;
}
