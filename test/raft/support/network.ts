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
import type { ConfState, Entry, Message, MessageType, NodeId, ReadState } from '../../../src/raft/core/types.js';
import { makeMessage } from '../../../src/raft/core/types.js';
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

  constructor(ids: readonly NodeId[], options: NodeOptions = {}, learners: readonly NodeId[] = []) {
    for (const id of ids) this.addNode(id, newTestStorage(ids, learners), options);
    for (const id of learners) this.addNode(id, newTestStorage(ids, learners), options);
  }

  addNode(id: NodeId, storage: MemoryRaftStorage, options: NodeOptions = {}): TestNode {
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

  recover(): void {
    this.cutLinks.clear();
    this.droppedTypes.clear();
  }

  /** Processes one node's Ready: persist, apply, advance; returns the messages it emits. */
  processReady(node: TestNode): Message[] {
    if (!node.rawNode.hasReady()) return [];
    const ready = node.rawNode.ready();
    node.storage.applyPersisted({ snapshot: ready.snapshot, entries: ready.entries, hardState: ready.hardState });
    for (const entry of ready.committedEntries) {
      node.applied.push(entry);
      if (entry.kind === 'confChange') node.rawNode.applyConfChange(decodeConfChange(entry.data));
    }
    node.readStates.push(...ready.readStates);
    node.rawNode.advance();
    return [...ready.messages, ...ready.messagesAfterPersist];
  }

  /** Drains every node's Ready and delivers messages until the network is quiet. */
  stabilize(maxRounds = 10_000): void {
    let queue: Message[] = [];
    for (let round = 0; round < maxRounds; round++) {
      for (const node of [...this.nodes.values()].sort((a, b) => a.id - b.id)) queue.push(...this.processReady(node));
      if (queue.length === 0) {
        if ([...this.nodes.values()].some((node) => node.rawNode.hasReady())) continue;
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
    if (this.cutLinks.has(`${message.from}-${message.to}`) || this.droppedTypes.has(message.type)) return;
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
