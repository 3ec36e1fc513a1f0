/**
 * The node-wide Raft driver: one loop for every group on the node (STYLE.md rule 3, etcd `RawNode` driven
 * by one goroutine per store as in CockroachDB/TiKV, never one timer or loop per group).
 *
 * Each cycle:
 * 1. collects the Ready of every group that has one;
 * 2. sends their `messages` at once (a leader's appends go out in parallel with its own write, thesis §10.2.1);
 * 3. persists every group's snapshot, entries and hard state in ONE call to the node-wide log writer, which
 *    group-commits them into one synced batch;
 * 4. after that write is durable: updates each group's storage view, sends `messagesAfterPersist` (vote and
 *    append acks), applies snapshots and committed entries, and calls `advance()`.
 * Cycles never overlap: while one waits on the disk, inputs accumulate and the next cycle batches them.
 *
 * Inputs (`step`, `tick`, `propose`, `readIndex`) only touch the in-memory RawNodes and schedule a cycle on a
 * microtask, so that all inputs of one event-loop turn share a cycle.
 */
import { ProposalDroppedError, StepPeerNotFoundError, invariant } from './core/errors.js';
import type { RawNode } from './core/rawNode.js';
import type { Entry, Message, ReadState, Ready, Snapshot, SoftState } from './core/types.js';
import type { GroupPersist, PersistableRaftStorage, RaftLogWriter } from './storage/raftStorage.js';

export interface RaftTransport {
  /** Hands messages of one group to the network. Must not throw and must not deliver synchronously. */
  send(groupId: number, messages: readonly Message[]): void;
}

/** What one group's application must apply after a cycle's write is durable. */
export interface GroupUpdate {
  readonly snapshot: Snapshot | null;
  readonly committedEntries: readonly Entry[];
  readonly readStates: readonly ReadState[];
  readonly softState: SoftState | null;
}

export interface GroupApplier {
  /** Applies `update` of `groupId`: the snapshot first, then committed entries in order. */
  apply(groupId: number, update: GroupUpdate): void | Promise<void>;
}

export interface MultiRaftOptions {
  readonly logWriter: RaftLogWriter;
  readonly transport: RaftTransport;
  readonly applier: GroupApplier;
  /**
   * Called once if the driver hits a fatal error (the log writer failed, an invariant broke). The node must
   * stop: continuing could acknowledge what is not durable. Defaults to rethrowing from the cycle promise.
   */
  readonly onFatal?: (error: unknown) => void;
  /**
   * Called when proposals queued with `enqueueProposal` were refused by their group at flush time (no leader,
   * transfer in progress, too many uncommitted bytes...). The proposer learns it will never apply them.
   */
  readonly onProposalsDropped?: (groupId: number, datas: readonly Uint8Array[], error: ProposalDroppedError) => void;
  /** Bound on proposals queued by `enqueueProposal` across all groups; past it, enqueueProposal throws. */
  readonly queuedProposalsMax?: number;
}

/** The default bound on queued proposals per node. */
export const QUEUED_PROPOSALS_MAX_DEFAULT = 65_536;

export interface MultiRaftStats {
  cycles: number;
  readiesProcessed: number;
  persistCalls: number;
  entriesPersisted: number;
  messagesSent: number;
  committedEntriesApplied: number;
  /** Messages for a group this node does not host, or responses from non-members: dropped. */
  messagesDropped: number;
}

interface GroupHandle {
  readonly rawNode: RawNode;
  readonly storage: PersistableRaftStorage;
}

interface CollectedReady {
  readonly groupId: number;
  readonly handle: GroupHandle;
  readonly ready: Ready;
}

export class MultiRaft {
  private readonly groups = new Map<number, GroupHandle>();
  /** Hosted group ids, ascending (deterministic order for ticks and cycles); rebuilt on add and remove. */
  private sortedGroupIds: number[] = [];
  /** Proposals queued this turn, per group, flushed as one batch per group at the start of a cycle. */
  private queuedProposals = new Map<number, Uint8Array[]>();
  private queuedProposalCount = 0;
  private running: Promise<void> | null = null;
  private scheduled = false;
  private fatalError: unknown = undefined;
  private stopped = false;
  readonly stats: MultiRaftStats = {
    cycles: 0,
    readiesProcessed: 0,
    persistCalls: 0,
    entriesPersisted: 0,
    messagesSent: 0,
    committedEntriesApplied: 0,
    messagesDropped: 0,
  };

  constructor(private readonly options: MultiRaftOptions) {}

  addGroup(groupId: number, rawNode: RawNode, storage: PersistableRaftStorage): void {
    invariant(!this.groups.has(groupId), () => `group ${groupId} is already hosted`);
    invariant(Number.isSafeInteger(groupId) && groupId >= 0, () => `bad group id ${groupId}`);
    this.groups.set(groupId, { rawNode, storage });
    this.sortedGroupIds = [...this.groups.keys()].sort((a, b) => a - b);
    this.schedule();
  }

  /** Stops driving a group. A cycle in flight still completes its persist for it. */
  removeGroup(groupId: number): void {
    this.groups.delete(groupId);
    this.sortedGroupIds = [...this.groups.keys()].sort((a, b) => a - b);
  }

  rawNode(groupId: number): RawNode | undefined {
    return this.groups.get(groupId)?.rawNode;
  }

  groupIds(): readonly number[] {
    return this.sortedGroupIds;
  }

  /** Advances every group's logical clock by one tick. */
  tick(): void {
    for (const groupId of this.groupIds()) this.groups.get(groupId)?.rawNode.tick();
    this.schedule();
  }

  /** Steps a message from the network. Messages for unknown groups or from non-members are dropped. */
  step(groupId: number, message: Message): void {
    const handle = this.groups.get(groupId);
    if (handle === undefined) {
      this.stats.messagesDropped++;
      return;
    }
    try {
      handle.rawNode.step(message);
    } catch (error) {
      if (!(error instanceof StepPeerNotFoundError)) throw error;
      this.stats.messagesDropped++;
    }
    this.schedule();
  }

  /** Proposes one entry to a group; throws ProposalDroppedError (also for an unknown group). */
  propose(groupId: number, data: Uint8Array): void {
    this.proposeBatch(groupId, [data]);
  }

  proposeBatch(groupId: number, datas: readonly Uint8Array[]): void {
    const handle = this.groups.get(groupId);
    if (handle === undefined) throw new ProposalDroppedError(`group ${groupId} is not hosted on this node`);
    handle.rawNode.proposeBatch(datas);
    this.schedule();
  }

  /**
   * Queues a proposal. Every proposal queued for a group before the next cycle starts goes out as one batch:
   * one append message per follower and one flow-control slot, instead of one per proposal (CockroachDB's
   * proposal buffer). Refusals arrive through `onProposalsDropped`. Throws ProposalDroppedError at once for an
   * unknown group or when the queue is full (backpressure).
   */
  enqueueProposal(groupId: number, data: Uint8Array): void {
    if (!this.groups.has(groupId)) throw new ProposalDroppedError(`group ${groupId} is not hosted on this node`);
    const queuedMax = this.options.queuedProposalsMax ?? QUEUED_PROPOSALS_MAX_DEFAULT;
    if (this.queuedProposalCount >= queuedMax) {
      throw new ProposalDroppedError(`too many queued proposals (queuedProposalsMax ${queuedMax})`);
    }
    let queue = this.queuedProposals.get(groupId);
    if (queue === undefined) {
      queue = [];
      this.queuedProposals.set(groupId, queue);
    }
    queue.push(data);
    this.queuedProposalCount++;
    this.schedule();
  }

  private flushQueuedProposals(): void {
    if (this.queuedProposalCount === 0) return;
    const queued = this.queuedProposals;
    this.queuedProposals = new Map();
    this.queuedProposalCount = 0;
    for (const [groupId, datas] of queued) {
      const handle = this.groups.get(groupId);
      try {
        if (handle === undefined) throw new ProposalDroppedError(`group ${groupId} is not hosted on this node`);
        handle.rawNode.proposeBatch(datas);
      } catch (error) {
        if (!(error instanceof ProposalDroppedError)) throw error;
        this.options.onProposalsDropped?.(groupId, datas, error);
      }
    }
  }

  readIndex(groupId: number, requestContext: Uint8Array): void {
    const handle = this.groups.get(groupId);
    if (handle === undefined) return;
    handle.rawNode.readIndex(requestContext);
    this.schedule();
  }

  /** Runs `action` on a group's RawNode (transfer, campaign, conf change...) and schedules a cycle. */
  withGroup<T>(groupId: number, action: (rawNode: RawNode) => T): T | undefined {
    const handle = this.groups.get(groupId);
    if (handle === undefined) return undefined;
    const result = action(handle.rawNode);
    this.schedule();
    return result;
  }

  /** Resolves once no cycle runs and no group has a Ready. Rejects with the fatal error if one occurred. */
  async idle(): Promise<void> {
    for (;;) {
      if (this.fatalError !== undefined) throw this.fatalError;
      if (this.running !== null) {
        await this.running;
        continue;
      }
      if (this.scheduled || this.anyReady()) {
        await Promise.resolve();
        if (!this.scheduled && this.running === null) this.schedule();
        continue;
      }
      return;
    }
  }

  /** Stops scheduling cycles (the node is shutting down or crashed in a simulation). */
  stop(): void {
    this.stopped = true;
  }

  private anyReady(): boolean {
    if (this.queuedProposalCount > 0) return true;
    for (const handle of this.groups.values()) if (handle.rawNode.hasReady()) return true;
    return false;
  }

  private schedule(): void {
    if (this.scheduled || this.running !== null || this.stopped || this.fatalError !== undefined) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      if (this.running === null && !this.stopped) this.running = this.runCycles();
    });
  }

  private async runCycles(): Promise<void> {
    // Yield once before looking for work: otherwise, with nothing ready, this async function would finish
    // synchronously and its `finally` would clear `running` before the caller assigned the promise to it,
    // leaving `running` set forever (found by bench/raft: no group ever elected a leader).
    await Promise.resolve();
    try {
      while (!this.stopped && this.anyReady()) await this.runOneCycle();
    } catch (error) {
      this.fatalError = error;
      this.stopped = true;
      if (this.options.onFatal !== undefined) this.options.onFatal(error);
      else throw error;
    } finally {
      this.running = null;
    }
  }

  private collectReadies(): CollectedReady[] {
    this.flushQueuedProposals();
    const collected: CollectedReady[] = [];
    for (const groupId of this.groupIds()) {
      const handle = this.groups.get(groupId) as GroupHandle;
      if (handle.rawNode.hasReady()) collected.push({ groupId, handle, ready: handle.rawNode.ready() });
    }
    return collected;
  }

  private async runOneCycle(): Promise<void> {
    this.stats.cycles++;
    const collected = this.collectReadies();
    const writes: GroupPersist[] = [];
    for (const { groupId, ready } of collected) {
      this.sendMessages(groupId, ready.messages);
      if (ready.snapshot !== null || ready.entries.length > 0 || ready.hardState !== null) {
        writes.push({ groupId, ops: { snapshot: ready.snapshot, entries: ready.entries, hardState: ready.hardState } });
        this.stats.entriesPersisted += ready.entries.length;
      }
    }
    if (writes.length > 0) {
      this.stats.persistCalls++;
      await this.options.logWriter.persist(writes);
    }
    if (this.stopped) return; // crashed or stopped while writing: nothing after the write may happen
    for (const write of writes) this.groups.get(write.groupId)?.storage.applyPersisted(write.ops);
    for (const { groupId, handle, ready } of collected) {
      this.sendMessages(groupId, ready.messagesAfterPersist);
      await this.options.applier.apply(groupId, {
        snapshot: ready.snapshot,
        committedEntries: ready.committedEntries,
        readStates: ready.readStates,
        softState: ready.softState,
      });
      this.stats.committedEntriesApplied += ready.committedEntries.length;
      handle.rawNode.advance();
      this.stats.readiesProcessed++;
    }
  }

  private sendMessages(groupId: number, messages: readonly Message[]): void {
    if (messages.length === 0) return;
    this.stats.messagesSent += messages.length;
    this.options.transport.send(groupId, messages);
  }
}
