/**
 * One simulated node: a real MultiRaft driving real RawNodes over MemoryRaftStorage, with the simulated disk
 * as its log writer, the simulated network as its transport (snapshots chunked), and a KV state machine per
 * group as its applier. Also the node's client-facing side: writes are proposed on the leader and answered
 * when applied; reads go through ReadIndex and are served once applied reaches the read index.
 *
 * Process model: `crash` loses everything volatile (Raft state, KV, pending requests, transfers) and the
 * disk's unsynced batches; `start` rebuilds every hosted group from the durable record, with applied = the
 * snapshot index and the KV restored from the snapshot, so committed entries are applied again. `pause`
 * stops ticking and processing; packets wait in an inbox and finished disk syncs wait for the process.
 */
import { decodeConfChange } from '../../src/raft/core/confChange.js';
import { ProposalDroppedError } from '../../src/raft/core/errors.js';
import type { RandomSource } from '../../src/raft/core/random.js';
import { RawNode } from '../../src/raft/core/rawNode.js';
import type { ConfChange, ConfState, Entry, Message, ReadState, Snapshot } from '../../src/raft/core/types.js';
import type { MemoryRaftStorage } from '../../src/raft/storage/memoryRaftStorage.js';
import { MultiRaft, type GroupUpdate } from '../../src/raft/multiRaft.js';
import type { AckAfterPersistChecker } from './checkers/ackAfterPersist.js';
import type { StateMachineSafetyChecker } from './checkers/stateMachineSafety.js';
import type { ViolationLog } from './checkers/violations.js';
import type { ClientRequest, ClientResponse } from './clientProtocol.js';
import type { EventQueue } from './eventQueue.js';
import { KvStateMachine, decodeCommand, encodeCommand, type KvCommand } from './kvStateMachine.js';
import { decodeMessage, encodeMessage } from './messageCodec.js';
import type { SimOptions } from './options.js';
import type { SimDisk } from './simDisk.js';
import type { Packet, SimNetwork } from './simNetwork.js';
import {
  SnapshotReassembler,
  SnapshotSender,
  type SnapshotChunk,
  type SnapshotChunkAck,
} from '../../src/raft/transport/snapshotTransfer.js';
import type { ReplicaSummary } from './trace.js';

/** What a node needs from the simulated world around it. */
export interface NodeWorld {
  readonly queue: EventQueue;
  readonly network: SimNetwork;
  readonly options: SimOptions;
  readonly violations: ViolationLog;
  readonly stateMachineSafety: StateMachineSafetyChecker;
  readonly ackAfterPersist: AckAfterPersistChecker;
  trace(nodeId: number, groupId: number | null, text: string): void;
  raftRandom(nodeId: number, groupId: number, incarnation: number): RandomSource;
  onConfChangeApplied(nodeId: number, groupId: number, change: ConfChange, confState: ConfState): void;
  onProbeApplied(nodeId: number, groupId: number, probeId: number): void;
  reply(nodeId: number, response: ClientResponse): void;
}

/** One group's replica on this node. */
export interface Replica {
  readonly groupId: number;
  readonly rawNode: RawNode;
  readonly storage: MemoryRaftStorage;
  readonly kv: KvStateMachine;
  applied: number;
  /** The configuration as of `applied`. */
  confState: ConfState;
  snapshotIndex: number;
  /** Reads whose ReadIndex is known, waiting for applied to reach it. */
  waitingReads: { index: number; request: Extract<ClientRequest, { kind: 'read' }> }[];
}

interface Transfer {
  readonly sender: SnapshotSender;
  readonly to: number;
  readonly groupId: number;
}

/** A short trace text for a received Raft message. */
function describeMessage(message: Message): string {
  const parts = [`recv ${message.type}<-n${message.from} t${message.term}`];
  if (message.type === 'app' || message.type === 'appResp') parts.push(`idx=${message.index}`);
  if (message.type === 'app') parts.push(`ents=${message.entries.length} commit=${message.commit}`);
  if (message.reject) parts.push(`reject hint=${message.rejectHint}`);
  return parts.join(' ');
}

const INBOX_PACKETS_MAX = 2000;
const FINISHED_TRANSFERS_MAX = 64;
const SNAPSHOT_WINDOW_CHUNKS = 16;
const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();

export class SimNode {
  incarnation = 0;
  status: 'up' | 'down' | 'paused' = 'down';
  /** Tick time of the last start or unpause (crash stability). */
  upSinceTicks = 0;
  readonly replicas = new Map<number, Replica>();
  private multiRaft: MultiRaft | null = null;
  /** Writes proposed here, answered when applied: `client/opSeq`. */
  private readonly pendingWrites = new Set<string>();
  /** Reads waiting for their ReadState, by request context. */
  private readonly pendingReads = new Map<string, Extract<ClientRequest, { kind: 'read' }>>();
  private inbox: { from: number; packet: Packet }[] = [];
  private readonly transfers = new Map<number, Transfer>();
  private readonly reassemblers = new Map<string, SnapshotReassembler>();
  private finishedTransfers: string[] = [];
  private transferIdNext = 1;
  /**
   * A deliberately broken read path for checker self-tests: answer reads from local state at once, on any
   * replica, without ReadIndex (the etcd 0.4 / Consul stale-read bug). Never set in swarm runs.
   */
  serveReadsLocally = false;
  snapshotsSent = 0;
  snapshotsReceived = 0;
  snapshotsTaken = 0;

  constructor(
    readonly id: number,
    readonly disk: SimDisk,
    private readonly world: NodeWorld
  ) {}

  /** Starts (or restarts) the process: every group on disk is reopened from its durable record. */
  start(): void {
    const incarnation = this.incarnation;
    this.status = 'up';
    this.upSinceTicks = this.world.queue.nowTicks;
    this.multiRaft = new MultiRaft({
      logWriter: this.disk.logWriter(),
      transport: { send: (groupId, messages) => this.transportSend(incarnation, groupId, messages) },
      applier: { apply: (groupId, update) => this.apply(incarnation, groupId, update) },
      onFatal: (error) => this.world.violations.report('driverFatal', `n${this.id}: ${String(error)}`),
    });
    this.world.network.attach(this.id, (from, packet) => this.receive(from, packet));
    for (const groupId of [...this.disk.groups.keys()].sort((a, b) => a - b)) this.openReplica(groupId);
  }

  /** Creates a new replica of `groupId` here: a founding member with the initial configuration, or a joiner (null). */
  createReplica(groupId: number, founding: ConfState | null): void {
    this.disk.createGroup(groupId, founding);
    if (this.status !== 'down') this.openReplica(groupId);
  }

  /** Destroys this node's replica of a group (it was removed from the group). */
  destroyReplica(groupId: number): void {
    this.multiRaft?.removeGroup(groupId);
    this.replicas.delete(groupId);
    this.disk.destroyGroup(groupId);
    for (const [transferId, transfer] of this.transfers)
      if (transfer.groupId === groupId) this.transfers.delete(transferId);
  }

  private openReplica(groupId: number): void {
    const storage = this.disk.reopenGroup(groupId);
    const snapshot = storage.snapshot();
    const kv = new KvStateMachine();
    kv.restore(snapshot.data);
    const raft = this.world.options.raft;
    const rawNode = new RawNode({
      id: this.id,
      storage,
      random: this.world.raftRandom(this.id, groupId, this.incarnation),
      applied: snapshot.metadata.index,
      electionTicks: raft.electionTicks,
      heartbeatTicks: raft.heartbeatTicks,
      maxSizePerMsgBytes: raft.maxSizePerMsgBytes,
      maxInflightMsgs: raft.maxInflightMsgs,
      checkQuorum: true,
      preVote: true,
      readOnlyOption: 'safe',
    });
    this.replicas.set(groupId, {
      groupId,
      rawNode,
      storage,
      kv,
      applied: snapshot.metadata.index,
      confState: snapshot.metadata.confState,
      snapshotIndex: snapshot.metadata.index,
      waitingReads: [],
    });
    (this.multiRaft as MultiRaft).addGroup(groupId, rawNode, storage);
  }

  /** Crash: the process dies; unsynced disk batches are lost (a fraction of them with the atlas). */
  crash(lossFraction: number): { lost: number; kept: number } {
    this.multiRaft?.stop();
    this.multiRaft = null;
    this.status = 'down';
    const result = this.disk.crash(lossFraction);
    this.incarnation++;
    this.replicas.clear();
    this.pendingWrites.clear();
    this.pendingReads.clear();
    this.inbox = [];
    this.transfers.clear();
    this.reassemblers.clear();
    this.finishedTransfers = [];
    return result;
  }

  pause(): void {
    if (this.status !== 'up') return;
    this.status = 'paused';
    this.disk.pause();
  }

  unpause(): void {
    if (this.status !== 'paused') return;
    this.status = 'up';
    this.upSinceTicks = this.world.queue.nowTicks;
    this.disk.unpause();
    const inbox = this.inbox;
    this.inbox = [];
    for (const { from, packet } of inbox) this.handlePacket(from, packet);
  }

  /** True when no driver cycle waits on the disk (safe to recreate a group id here). */
  get quiescent(): boolean {
    return this.disk.idle;
  }

  tick(): void {
    if (this.status !== 'up' || this.multiRaft === null) return;
    this.multiRaft.tick();
    for (const [transferId, transfer] of [...this.transfers]) {
      const result = transfer.sender.onTick();
      if (result.status === 'failed') {
        this.transfers.delete(transferId);
        this.world.trace(this.id, transfer.groupId, `$ snapshot transfer ${transferId} to n${transfer.to} failed`);
        this.reportSnapshot(transfer.groupId, transfer.to, 'failure');
        continue;
      }
      this.sendChunks(transfer, result.chunks);
    }
  }

  /** Runs an action on a group's RawNode and schedules a driver cycle (transfers, conf changes). */
  withRawNode<T>(groupId: number, action: (rawNode: RawNode) => T): T | undefined {
    if (this.status !== 'up' || this.multiRaft === null) return undefined;
    return this.multiRaft.withGroup(groupId, action);
  }

  /** Proposes a liveness probe entry; false if this node could not take it. */
  proposeProbe(groupId: number, probeId: number): boolean {
    if (this.status !== 'up' || this.multiRaft === null) return false;
    try {
      this.multiRaft.propose(groupId, encodeCommand({ kind: 'probe', probeId }));
      return true;
    } catch (error) {
      if (error instanceof ProposalDroppedError) return false;
      throw error;
    }
  }

  summary(groupId: number): ReplicaSummary | null {
    const replica = this.replicas.get(groupId);
    if (replica === undefined || this.status === 'down') return null;
    const raft = replica.rawNode.raft;
    return {
      role: raft.role,
      term: raft.term,
      commit: raft.raftLog.committed,
      applied: replica.applied,
      firstIndex: raft.raftLog.firstIndex(),
      lastIndex: raft.raftLog.lastIndex(),
    };
  }

  // ---- network ----

  private receive(from: number, packet: Packet): void {
    if (this.status === 'down') return;
    if (this.status === 'paused') {
      if (this.inbox.length < INBOX_PACKETS_MAX) this.inbox.push({ from, packet });
      return;
    }
    this.handlePacket(from, packet);
  }

  private handlePacket(from: number, packet: Packet): void {
    if (this.multiRaft === null) return;
    if (packet.kind === 'raft') {
      const message = packet.message;
      if (message.type !== 'heartbeat' && message.type !== 'heartbeatResp') {
        this.world.trace(this.id, packet.groupId, describeMessage(message));
      }
      this.multiRaft.step(packet.groupId, message);
    } else if (packet.kind === 'chunk') this.receiveChunk(from, packet.groupId, packet.chunk);
    else this.receiveChunkAck(from, packet.ack);
  }

  private transportSend(incarnation: number, groupId: number, messages: readonly Message[]): void {
    if (incarnation !== this.incarnation || this.status === 'down') return;
    for (const message of messages) {
      // A replica destroyed while its last cycle was in flight has no durable record left to check against.
      if (this.disk.groups.has(groupId)) this.world.ackAfterPersist.onSend(groupId, message, this.disk);
      if (message.type === 'snap') {
        this.startSnapshotTransfer(groupId, message);
        continue;
      }
      const outcome = this.world.network.send(this.id, message.to, { kind: 'raft', groupId, message });
      // A cut link looks like a failed connection: tell Raft, as a real transport would, on the next event.
      if (outcome === 'cut' && message.type === 'app') {
        this.world.queue.schedule(0, 'unreachable', () => {
          if (incarnation === this.incarnation)
            this.withRawNode(groupId, (rawNode) => rawNode.reportUnreachable(message.to));
        });
      }
    }
  }

  private startSnapshotTransfer(groupId: number, message: Message): void {
    const network = this.world.options.network;
    const transferId = this.transferIdNext++;
    const sender = new SnapshotSender(transferId, encodeMessage(message), {
      chunkBytes: network.snapshotChunkBytes,
      windowChunks: SNAPSHOT_WINDOW_CHUNKS,
      retransmitTicks: network.snapshotRetransmitTicks,
      transferTicksMax: network.snapshotTransferTicksMax,
    });
    const transfer: Transfer = { sender, to: message.to, groupId };
    this.transfers.set(transferId, transfer);
    this.snapshotsSent++;
    this.world.trace(
      this.id,
      groupId,
      `$ send snapshot@${message.snapshot?.metadata.index} to n${message.to} as ${sender.chunkCount} chunks (#${transferId})`
    );
    this.sendChunks(transfer, sender.start());
  }

  private sendChunks(transfer: Transfer, chunks: readonly SnapshotChunk[]): void {
    for (const chunk of chunks) {
      this.world.network.send(this.id, transfer.to, { kind: 'chunk', groupId: transfer.groupId, chunk });
    }
  }

  private receiveChunk(from: number, groupId: number, chunk: SnapshotChunk): void {
    const key = `${from}/${chunk.transferId}`;
    const ack = (ackedBytes: number, done: boolean): void => {
      const payload: SnapshotChunkAck = { transferId: chunk.transferId, ackedBytes, done };
      this.world.network.send(this.id, from, { kind: 'chunkAck', groupId, ack: payload });
    };
    if (this.finishedTransfers.includes(key)) return ack(chunk.totalBytes, true);
    let reassembler = this.reassemblers.get(key);
    if (reassembler === undefined) {
      reassembler = new SnapshotReassembler(chunk.transferId, chunk.totalBytes, chunk.checksum);
      this.reassemblers.set(key, reassembler);
    }
    const result = reassembler.accept(chunk);
    if (result.status === 'incomplete') return ack(result.ackedBytes, false);
    this.reassemblers.delete(key);
    if (result.status === 'rejected') {
      this.world.trace(this.id, groupId, `$ snapshot transfer ${key} rejected: ${result.reason}`);
      return;
    }
    if (!this.replicas.has(groupId) || this.multiRaft === null) return;
    this.multiRaft.step(groupId, decodeMessage(result.payload));
    this.finishedTransfers.push(key);
    if (this.finishedTransfers.length > FINISHED_TRANSFERS_MAX) this.finishedTransfers.shift();
    ack(chunk.totalBytes, true);
  }

  private receiveChunkAck(from: number, ack: SnapshotChunkAck): void {
    const transfer = this.transfers.get(ack.transferId);
    if (transfer === undefined || transfer.to !== from) return;
    const result = transfer.sender.onAck(ack);
    if (result === 'finish') {
      this.transfers.delete(ack.transferId);
      this.reportSnapshot(transfer.groupId, transfer.to, 'finish');
      return;
    }
    this.sendChunks(transfer, result);
  }

  private reportSnapshot(groupId: number, to: number, status: 'finish' | 'failure'): void {
    this.withRawNode(groupId, (rawNode) => rawNode.reportSnapshot(to, status));
  }

  // ---- apply ----

  private apply(incarnation: number, groupId: number, update: GroupUpdate): Promise<void> | undefined {
    if (incarnation !== this.incarnation) return undefined;
    const replica = this.replicas.get(groupId);
    if (replica === undefined) return undefined;
    if (update.softState !== null) {
      this.world.trace(this.id, groupId, `role ${update.softState.role} leader=n${update.softState.leader}`);
    }
    if (update.snapshot !== null) this.applySnapshot(replica, update.snapshot);
    let memberAdded = false;
    for (const entry of update.committedEntries) memberAdded = this.applyEntry(replica, entry) || memberAdded;
    for (const readState of update.readStates) this.takeReadState(replica, readState);
    this.serveWaitingReads(replica);
    // A follower refuses a snapshot whose configuration lacks it (etcd `restore`), so after adding a member
    // the snapshot a leader may send it must be at least as new as the addition: take one now.
    const due = replica.applied - replica.snapshotIndex >= this.world.options.raft.snapshotEveryEntries;
    if (!due && !(memberAdded && replica.applied > replica.snapshotIndex)) return undefined;
    return this.takeSnapshot(incarnation, replica);
  }

  private applySnapshot(replica: Replica, snapshot: Snapshot): void {
    replica.kv.restore(snapshot.data);
    replica.applied = snapshot.metadata.index;
    replica.snapshotIndex = snapshot.metadata.index;
    replica.confState = snapshot.metadata.confState;
    this.snapshotsReceived++;
    this.world.stateMachineSafety.recordSnapshotDigest(
      replica.groupId,
      this.id,
      snapshot.metadata.index,
      replica.kv.digest()
    );
    this.world.trace(this.id, replica.groupId, `$ applied received snapshot@${snapshot.metadata.index}`);
  }

  /** Applies one committed entry; returns true if it was a conf change that added a member. */
  private applyEntry(replica: Replica, entry: Entry): boolean {
    this.world.stateMachineSafety.recordApply(replica.groupId, this.id, replica.applied, entry);
    replica.applied = entry.index;
    if (entry.kind === 'confChange') {
      const change = decodeConfChange(entry.data);
      replica.confState = replica.rawNode.applyConfChange(change);
      this.world.onConfChangeApplied(this.id, replica.groupId, change, replica.confState);
      return change.kind !== 'removeNode';
    }
    if (entry.data.length === 0) return false;
    const command: KvCommand = decodeCommand(entry.data);
    const result = replica.kv.apply(command);
    if (command.kind === 'probe') {
      this.world.onProbeApplied(this.id, replica.groupId, command.probeId);
      return false;
    }
    const key = `${command.clientId}/${command.opSeq}`;
    if (result.kind === 'stale' || !this.pendingWrites.delete(key)) return false;
    const output = result.kind === 'put' ? { kind: 'put' as const } : { kind: 'cas' as const, swapped: result.swapped };
    this.world.reply(this.id, { kind: 'ok', clientId: command.clientId, opSeq: command.opSeq, output });
    return false;
  }

  private takeReadState(replica: Replica, readState: ReadState): void {
    const context = textDecoder.decode(readState.requestContext);
    const request = this.pendingReads.get(context);
    if (request === undefined) return;
    this.pendingReads.delete(context);
    replica.waitingReads.push({ index: readState.index, request });
  }

  private serveWaitingReads(replica: Replica): void {
    if (replica.waitingReads.length === 0) return;
    const ready = replica.waitingReads.filter((read) => read.index <= replica.applied);
    replica.waitingReads = replica.waitingReads.filter((read) => read.index > replica.applied);
    for (const { request } of ready) {
      const value = replica.kv.get(request.key);
      this.world.reply(this.id, {
        kind: 'ok',
        clientId: request.clientId,
        opSeq: request.opSeq,
        output: { kind: 'get', value },
      });
    }
  }

  private async takeSnapshot(incarnation: number, replica: Replica): Promise<void> {
    const index = replica.applied;
    const data = replica.kv.serialize();
    this.world.stateMachineSafety.recordSnapshotDigest(replica.groupId, this.id, index, replica.kv.digest());
    const snapshot = await replica.storage.createSnapshot(index, replica.confState, data);
    if (incarnation !== this.incarnation || this.replicas.get(replica.groupId) !== replica) return;
    this.disk.recordSnapshot(replica.groupId, snapshot);
    replica.snapshotIndex = index;
    this.snapshotsTaken++;
    const compactIndex = index - this.world.options.raft.compactionTailEntries;
    if (compactIndex >= replica.storage.firstIndex()) {
      await replica.storage.compact(compactIndex);
      if (incarnation !== this.incarnation) return;
      this.disk.recordCompaction(replica.groupId, compactIndex);
    }
    this.world.trace(this.id, replica.groupId, `$ snapshot@${index} compact<=${compactIndex}`);
  }

  // ---- clients ----

  /** A client request arrived. Requests to a down or paused node are lost (the client times out). */
  handleClientRequest(request: ClientRequest): void {
    if (this.status !== 'up' || this.multiRaft === null) return;
    const replica = this.replicas.get(request.groupId);
    const redirect = (leaderHint: number): void =>
      this.world.reply(this.id, { kind: 'redirect', clientId: request.clientId, opSeq: request.opSeq, leaderHint });
    if (replica === undefined) return redirect(0);
    if (request.kind === 'read' && this.serveReadsLocally) {
      const output = { kind: 'get' as const, value: replica.kv.get(request.key) };
      return this.world.reply(this.id, { kind: 'ok', clientId: request.clientId, opSeq: request.opSeq, output });
    }
    const raft = replica.rawNode.raft;
    if (raft.role !== 'leader') return redirect(raft.leader);
    if (request.kind === 'read') {
      const context = `${request.clientId}/${request.opSeq}/${request.attempt}`;
      this.pendingReads.set(context, request);
      this.multiRaft.readIndex(request.groupId, textEncoder.encode(context));
      return;
    }
    const command: KvCommand =
      request.cas === null
        ? { kind: 'put', clientId: request.clientId, opSeq: request.opSeq, key: request.key, value: request.value }
        : {
            kind: 'cas',
            clientId: request.clientId,
            opSeq: request.opSeq,
            key: request.key,
            expected: request.cas.expected,
            value: request.value,
          };
    try {
      this.multiRaft.propose(request.groupId, encodeCommand(command));
    } catch (error) {
      if (!(error instanceof ProposalDroppedError)) throw error;
      return redirect(0);
    }
    this.pendingWrites.add(`${request.clientId}/${request.opSeq}`);
  }
}
