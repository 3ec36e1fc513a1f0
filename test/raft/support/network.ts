/**
 * A synchronous in-memory network of RawNodes for paper and table tests (etcd-raft's `network` in
 * raft_test.go): messages are delivered breadth-first; after every delivery each node's Ready is processed in
 * the order the driver must follow (persist → send → apply → advance), with persistence into MemoryRaftStorage.
 * Links can be cut, nodes isolated, and message types dropped per link.
 */
import type { RaftConfigInput } from '../../../src/raft/core/config.js';
import { decodeConfChange } from '../../../src/raft/core/confChange.js';
import { SeededRandom } from '../../../src/raft/core/random.js';
import { RawNode } from '../../../src/raft/core/rawNode.js';
import type {
  ConfState,
  Entry,
  HardState,
  Message,
  MessageType,
  NodeId,
  RaftRole,
  ReadState,
  Ready,
  Snapshot,
} from '../../../src/raft/core/types.js';
import { EMPTY_BYTES, makeMessage } from '../../../src/raft/core/types.js';
import { MemoryRaftStorage } from '../../../src/raft/storage/memoryRaftStorage.js';

export interface TestNode {
  readonly id: NodeId;
  rawNode: RawNode;
  storage: MemoryRaftStorage;
  /** Entries applied by this node, in order. */
  applied: Entry[];
  readStates: ReadState[];
}

export type NodeOptions = Partial<Omit<RaftConfigInput, 'id' | 'storage'>>;

export function newTestStorage(voters: readonly NodeId[], learners: readonly NodeId[] = []): MemoryRaftStorage {
  const confState: ConfState = { voters: [...voters], learners: [...learners] };
  return new MemoryRaftStorage({ confState });
}

export function newTestRawNode(id: NodeId, storage: MemoryRaftStorage, options: NodeOptions = {}, seed = id): RawNode {
  return new RawNode({
    id,
    storage,
    random: new SeededRandom(seed),
    electionTicks: 10,
    heartbeatTicks: 1,
    ...options,
  });
}

export class TestNetwork {
  readonly nodes = new Map<NodeId, TestNode>();
  private readonly cutLinks = new Set<string>();
  private readonly droppedTypes = new Set<MessageType>();
  /** Every message delivered, for assertions on traffic. */
  readonly delivered: Message[] = [];
  /** Called for every message that passes cuts and drops; return false to drop it (etcd's msgHook). */
  msgHook: ((message: Message) => boolean) | undefined = undefined;
  /** Per-link loss probabilities set by {@link drop}, drawn from a seeded stream. */
  private readonly lossFractions = new Map<string, number>();
  private readonly lossRandom = new SeededRandom(0x5eed);
  private readonly heldReady = new Set<NodeId>();

  constructor(ids: readonly NodeId[], options: NodeOptions = {}, learners: readonly NodeId[] = []) {
    for (const id of ids) this.addNode(id, newTestStorage(ids, learners), options);
    for (const id of learners) this.addNode(id, newTestStorage(ids, learners), options);
  }

  addNode(id: NodeId, storage: MemoryRaftStorage, options: NodeOptions = {}): TestNode {
    const node: TestNode = { id, rawNode: newTestRawNode(id, storage, options), storage, applied: [], readStates: [] };
    this.nodes.set(id, node);
    return node;
  }

  /**
   * Restarts a node from its durable storage with (possibly new) options: volatile state, the unstable log
   * and undelivered outputs are lost, and the state machine is rebuilt from scratch.
   */
  restart(id: NodeId, options: NodeOptions = {}): TestNode {
    const storage = this.node(id).storage;
    const node: TestNode = { id, rawNode: newTestRawNode(id, storage, options), storage, applied: [], readStates: [] };
    this.nodes.set(id, node);
    return node;
  }

  node(id: NodeId): TestNode {
    const node = this.nodes.get(id);
    if (node === undefined) throw new Error(`no node ${id}`);
    return node;
  }

  raw(id: NodeId): RawNode {
    return this.node(id).rawNode;
  }

  cut(a: NodeId, b: NodeId): void {
    this.cutLinks.add(`${a}-${b}`);
    this.cutLinks.add(`${b}-${a}`);
  }

  /** One-way cut: messages from `from` to `to` are lost. */
  cutOneWay(from: NodeId, to: NodeId): void {
    this.cutLinks.add(`${from}-${to}`);
  }

  isolate(id: NodeId): void {
    for (const other of this.nodes.keys()) if (other !== id) this.cut(id, other);
  }

  dropType(type: MessageType): void {
    this.droppedTypes.add(type);
  }

  /**
   * Stops running `id`'s Ready cycles (nothing persisted, sent or applied) while messages are still stepped
   * into it: a node whose driver is stalled. {@link releaseReady} resumes it.
   */
  holdReady(id: NodeId): void {
    this.heldReady.add(id);
  }

  releaseReady(id: NodeId): void {
    this.heldReady.delete(id);
  }

  /** Loses each message from `from` to `to` with probability `fraction` (seeded, so runs repeat). */
  drop(from: NodeId, to: NodeId, fraction: number): void {
    this.lossFractions.set(`${from}-${to}`, fraction);
  }

  recover(): void {
    this.cutLinks.clear();
    this.droppedTypes.clear();
    this.lossFractions.clear();
  }

  /** Processes one node's Ready: persist, apply, advance; returns the messages it emits. */
  processReady(node: TestNode): Message[] {
    return processNodeReady(node);
  }

  /** Drains every node's Ready and delivers messages until the network is quiet. */
  stabilize(maxRounds = 10_000): void {
    let queue: Message[] = [];
    for (let round = 0; round < maxRounds; round++) {
      const running = [...this.nodes.values()].filter((node) => !this.heldReady.has(node.id));
      for (const node of running.sort((a, b) => a.id - b.id)) queue.push(...this.processReady(node));
      if (queue.length === 0) {
        if (running.some((node) => node.rawNode.hasReady())) continue;
        return;
      }
      const batch = queue;
      queue = [];
      for (const message of batch) this.deliver(message);
    }
    throw new Error(`network did not stabilize within ${maxRounds} rounds`);
  }

  /** Delivers one message (subject to cuts and drops) without processing Readies. */
  deliver(message: Message): void {
    const link = `${message.from}-${message.to}`;
    if (this.cutLinks.has(link) || this.droppedTypes.has(message.type)) return;
    const lossFraction = this.lossFractions.get(link);
    if (lossFraction !== undefined && this.lossRandom.float() < lossFraction) return;
    if (this.msgHook !== undefined && !this.msgHook(message)) return;
    const target = this.nodes.get(message.to);
    if (target === undefined) return;
    this.delivered.push(message);
    try {
      target.rawNode.step(message);
    } catch (error) {
      if ((error as Error).name !== 'StepPeerNotFoundError') throw error;
    }
  }

  /** Sends messages then stabilizes. */
  send(...messages: Message[]): void {
    for (const message of messages) this.deliver(message);
    this.stabilize();
  }

  campaign(id: NodeId): void {
    this.raw(id).campaign();
    this.stabilize();
  }

  propose(id: NodeId, data: string): void {
    this.raw(id).propose(new TextEncoder().encode(data));
    this.stabilize();
  }

  tick(id: NodeId, ticks = 1): void {
    for (let i = 0; i < ticks; i++) this.raw(id).tick();
    this.stabilize();
  }

  tickAll(ticks = 1): void {
    for (let i = 0; i < ticks; i++) {
      for (const node of this.nodes.values()) node.rawNode.tick();
      this.stabilize();
    }
  }

  leader(): NodeId | undefined {
    for (const node of this.nodes.values()) if (node.rawNode.raft.role === 'leader') return node.id;
    return undefined;
  }

  appliedData(id: NodeId): string[] {
    return this.node(id)
      .applied.filter((entry) => entry.kind === 'normal' && entry.data.byteLength > 0)
      .map((entry) => new TextDecoder().decode(entry.data));
  }
}

export function message(fields: Partial<Message> & Pick<Message, 'type'>): Message {
  return makeMessage(fields);
}

// ---------------------------------------------------------------------------------------------------------------
// Helpers for paper-style tests that drive single nodes by hand (etcd-raft's newTestRaft, readMessages, index()).

/** One row of a network's end-of-test table: etcd's (state, term, lastIndex) per node. */
export interface NodeSummary {
  readonly id: NodeId;
  readonly role: RaftRole;
  readonly term: number;
  readonly lastIndex: number;
}

/** The role, term and last index of every node of `net`, by ascending id. */
export function summarize(net: TestNetwork): NodeSummary[] {
  return [...net.nodes.values()]
    .sort((a, b) => a.id - b.id)
    .map((node) => ({
      id: node.id,
      role: node.rawNode.raft.role,
      term: node.rawNode.raft.term,
      lastIndex: node.rawNode.raft.raftLog.lastIndex(),
    }));
}

/** What a storage for one test node starts with (a restart point, or a log built by hand). */
export interface StorageFixture {
  readonly voters: readonly NodeId[];
  readonly learners?: readonly NodeId[];
  readonly entries?: readonly Entry[];
  readonly hardState?: HardState;
  /** A snapshot the storage starts from; `entries` then follow its index. Its confState wins over voters. */
  readonly snapshot?: Snapshot;
}

export function newFixtureStorage(fixture: StorageFixture): MemoryRaftStorage {
  const confState: ConfState = { voters: [...fixture.voters], learners: [...(fixture.learners ?? [])] };
  return new MemoryRaftStorage({
    confState,
    ...(fixture.snapshot !== undefined ? { snapshot: fixture.snapshot } : {}),
    ...(fixture.entries !== undefined ? { entries: fixture.entries } : {}),
    ...(fixture.hardState !== undefined ? { hardState: fixture.hardState } : {}),
  });
}

/** A standalone node (not in any network) over a fixture storage. */
export function newTestNode(id: NodeId, fixture: StorageFixture, options: NodeOptions = {}): TestNode {
  const storage = newFixtureStorage(fixture);
  return { id, rawNode: newTestRawNode(id, storage, options), storage, applied: [], readStates: [] };
}

/** Entries at consecutive indexes from `firstIndex` with the given terms and no data (etcd's index(i).terms()). */
export function entriesWithTerms(firstIndex: number, ...terms: number[]): Entry[] {
  return terms.map((term, offset) => ({ term, index: firstIndex + offset, kind: 'normal', data: EMPTY_BYTES }));
}

/** A snapshot image for tests: no data, the given position and configuration. */
export function testSnapshot(
  index: number,
  term: number,
  voters: readonly NodeId[],
  learners: readonly NodeId[] = []
): Snapshot {
  return { metadata: { index, term, confState: { voters: [...voters], learners: [...learners] } }, data: EMPTY_BYTES };
}

/**
 * One Ready cycle in the driver's order: persist snapshot, entries and hard state; apply the committed entries
 * (conf changes included); advance, which steps the held-back self-acks. Returns the Ready for inspection, or
 * null when the node had none.
 */
export function runReadyCycle(node: TestNode): Ready | null {
  if (!node.rawNode.hasReady()) return null;
  const ready = node.rawNode.ready();
  node.storage.applyPersisted({ snapshot: ready.snapshot, entries: ready.entries, hardState: ready.hardState });
  for (const entry of ready.committedEntries) {
    node.applied.push(entry);
    if (entry.kind === 'confChange') node.rawNode.applyConfChange(decodeConfChange(entry.data));
  }
  node.readStates.push(...ready.readStates);
  node.rawNode.advance();
  return ready;
}

/** {@link runReadyCycle}, returning `messages` then `messagesAfterPersist` as the driver would send them. */
export function processNodeReady(node: TestNode): Message[] {
  const ready = runReadyCycle(node);
  return ready === null ? [] : [...ready.messages, ...ready.messagesAfterPersist];
}

/**
 * Runs Ready cycles until the node is quiet and returns everything it sent: etcd's readMessages() after
 * advanceMessagesAfterAppend(), but through the real persist-then-advance path.
 */
export function drainNode(node: TestNode, cyclesMax = 100): Message[] {
  const sent: Message[] = [];
  for (let cycle = 0; cycle < cyclesMax; cycle++) {
    if (!node.rawNode.hasReady()) return sent;
    sent.push(...processNodeReady(node));
  }
  throw new Error(`node ${node.id} still has a Ready after ${cyclesMax} cycles`);
}

/** The (index, term) pairs of a log, for comparing logs regardless of payload identity. */
export function logPositions(entries: readonly Entry[]): Array<[number, number]> {
  return entries.map((entry) => [entry.index, entry.term]);
}
