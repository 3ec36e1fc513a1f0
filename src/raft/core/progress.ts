/**
 * The leader's view of one follower (etcd-raft `tracker/progress.go`).
 *
 * States: `probe` sends at most one append per heartbeat interval until it learns the follower's match;
 * `replicate` streams appends optimistically under {@link Inflights}; `snapshot` waits for a snapshot to be
 * installed and sends no appends.
 *
 * Invariant: match < next.
 */
import { invariant } from './errors.js';
import { Inflights } from './inflights.js';

export type ProgressState = 'probe' | 'replicate' | 'snapshot';

export class Progress {
  /** Highest index known to be replicated on the follower. */
  match = 0;
  /** Index of the next entry to send. */
  next: number;
  /** Highest commit index sent to the follower (appends and heartbeats). */
  sentCommit = 0;
  state: ProgressState = 'probe';
  /** In `snapshot` state: the index of the snapshot being sent. */
  pendingSnapshot = 0;
  /** Heard from since the last CheckQuorum round (leader sets false each round). */
  recentActive = false;
  /** Appends are paused: a probe is outstanding, or the inflights are full. Cleared by a heartbeat response. */
  msgAppFlowPaused = false;
  readonly inflights: Inflights;
  isLearner: boolean;
  /** Leader tick at which the latest heartbeat this follower acknowledged was sent (lease reads). */
  heartbeatAckedAtTick = Number.MIN_SAFE_INTEGER;

  constructor(next: number, maxInflightMsgs: number, maxInflightBytes: number, isLearner: boolean) {
    this.next = next;
    this.inflights = new Inflights(maxInflightMsgs, maxInflightBytes);
    this.isLearner = isLearner;
  }

  private resetState(state: ProgressState): void {
    this.msgAppFlowPaused = false;
    this.pendingSnapshot = 0;
    this.state = state;
    this.inflights.reset();
  }

  becomeProbe(): void {
    // After a snapshot, probe from the snapshot index so as not to resend what it covers.
    if (this.state === 'snapshot') {
      const pendingSnapshot = this.pendingSnapshot;
      this.resetState('probe');
      this.next = Math.max(this.match + 1, pendingSnapshot + 1);
    } else {
      this.resetState('probe');
      this.next = this.match + 1;
    }
    this.sentCommit = Math.min(this.sentCommit, this.next - 1);
  }

  becomeReplicate(): void {
    this.resetState('replicate');
    this.next = this.match + 1;
  }

  becomeSnapshot(snapshotIndex: number): void {
    this.resetState('snapshot');
    this.pendingSnapshot = snapshotIndex;
    this.next = snapshotIndex + 1;
    this.sentCommit = snapshotIndex;
    this.assertMatchBelowNext();
  }

  /** Updates flow control after an append with `entryCount` entries and `bytes` payload was sent. */
  sentEntries(entryCount: number, bytes: number): void {
    if (this.state === 'replicate') {
      if (entryCount > 0) {
        this.next += entryCount;
        this.inflights.add(this.next - 1, bytes);
      }
      this.msgAppFlowPaused = this.inflights.full();
    } else {
      invariant(this.state === 'probe', () => `sentEntries in state ${this.state}`);
      if (entryCount > 0) this.msgAppFlowPaused = true;
    }
  }

  /** Whether sending `commit` would tell the follower something new that it can use. */
  canBumpCommit(commit: number): boolean {
    return commit > this.sentCommit && this.sentCommit < this.next - 1;
  }

  noteSentCommit(commit: number): void {
    this.sentCommit = commit;
  }

  /** The follower acknowledged `index`. Returns whether match moved. */
  maybeUpdate(index: number): boolean {
    if (index <= this.match) return false;
    this.match = index;
    this.next = Math.max(this.next, index + 1);
    this.msgAppFlowPaused = false;
    this.assertMatchBelowNext();
    return true;
  }

  /** match < next always: we never plan to send what the follower is known to have. */
  assertMatchBelowNext(): void {
    invariant(this.match < this.next, () => `progress: match ${this.match} must be below next ${this.next}`);
  }

  /**
   * The follower rejected an append at `rejected`; `matchHint` is where the logs may match. Returns false
   * for a stale rejection (one that does not correspond to our current probe).
   */
  maybeDecrTo(rejected: number, matchHint: number): boolean {
    if (this.state === 'replicate') {
      if (rejected <= this.match) return false; // stale
      this.next = this.match + 1;
      this.sentCommit = Math.min(this.sentCommit, this.next - 1);
      return true;
    }
    if (this.next - 1 !== rejected) return false; // stale: not our latest probe
    this.next = Math.max(Math.min(rejected, matchHint + 1), this.match + 1);
    this.sentCommit = Math.min(this.sentCommit, this.next - 1);
    this.msgAppFlowPaused = false;
    this.assertMatchBelowNext();
    return true;
  }

  isPaused(): boolean {
    switch (this.state) {
      case 'probe':
      case 'replicate':
        return this.msgAppFlowPaused;
      case 'snapshot':
        return true;
      default: {
        const exhaustive: never = this.state;
        throw new Error(`unknown progress state ${String(exhaustive)}`);
      }
    }
  }

  toString(): string {
    const parts = [`${this.state} match=${this.match} next=${this.next}`];
    if (this.isLearner) parts.push('learner');
    if (this.isPaused()) parts.push('paused');
    if (this.pendingSnapshot > 0) parts.push(`pendingSnap=${this.pendingSnapshot}`);
    if (!this.recentActive) parts.push('inactive');
    if (this.inflights.size() > 0) parts.push(`inflight=${this.inflights.size()}`);
    return parts.join(' ');
  }
}
