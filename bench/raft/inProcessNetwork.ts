/**
 * The benchmark's network: nodes in one process exchange Raft messages by reference (no serialization; entries
 * are immutable by contract), but delivery is asynchronous as on a real network. `send` only queues; each
 * destination's queue is delivered in one `setImmediate` callback, so everything a node sends in one event-loop
 * turn reaches the destination together (as one TCP read would) and no node ever runs inside another's call.
 */
import type { Message, NodeId } from '../../src/raft/core/types.js';
import type { RaftTransport } from '../../src/raft/multiRaft.js';

/** What a node does with a delivered message. */
export type MessageReceiver = (groupId: number, message: Message) => void;

interface QueuedMessage {
  readonly groupId: number;
  readonly message: Message;
}

/** Counters of the whole network since creation. */
export interface InProcessNetworkStats {
  messagesDelivered: number;
  /** setImmediate deliveries; messagesDelivered / deliveries is the batching achieved. */
  deliveries: number;
  /** Messages to a node that is not registered (dropped). */
  messagesDropped: number;
}

export class InProcessNetwork {
  private readonly receivers = new Map<NodeId, MessageReceiver>();
  private readonly queues = new Map<NodeId, QueuedMessage[]>();
  readonly stats: InProcessNetworkStats = { messagesDelivered: 0, deliveries: 0, messagesDropped: 0 };
  private closed = false;

  /** Makes `nodeId` reachable; its receiver is called for every message addressed to it. */
  register(nodeId: NodeId, receiver: MessageReceiver): void {
    if (this.receivers.has(nodeId)) throw new Error(`node ${nodeId} is already registered`);
    this.receivers.set(nodeId, receiver);
  }

  /** The transport node `sourceId` hands to its MultiRaft. */
  transportFor(sourceId: NodeId): RaftTransport {
    return {
      send: (groupId, messages) => {
        for (const message of messages) this.enqueue(sourceId, groupId, message);
      },
    };
  }

  /** Stops delivering: queued and later messages are dropped (the cluster is shutting down). */
  close(): void {
    this.closed = true;
    this.queues.clear();
  }

  private enqueue(sourceId: NodeId, groupId: number, message: Message): void {
    if (message.from !== sourceId) throw new Error(`node ${sourceId} sent a message from ${message.from}`);
    if (this.closed) return;
    let queue = this.queues.get(message.to);
    if (queue === undefined) {
      queue = [];
      this.queues.set(message.to, queue);
      const targetId = message.to;
      setImmediate(() => this.deliver(targetId));
    }
    queue.push({ groupId, message });
  }

  private deliver(targetId: NodeId): void {
    const queue = this.queues.get(targetId);
    this.queues.delete(targetId);
    if (queue === undefined || this.closed) return;
    const receiver = this.receivers.get(targetId);
    if (receiver === undefined) {
      this.stats.messagesDropped += queue.length;
      return;
    }
    this.stats.deliveries++;
    this.stats.messagesDelivered += queue.length;
    for (const { groupId, message } of queue) receiver(groupId, message);
  }
}
