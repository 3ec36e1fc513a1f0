/**
 * The outbound half of the peer transport: one long-lived client-streaming gRPC call to one peer node, carrying
 * batches of Raft messages of every group. Messages queue in a bounded per-peer queue (oldest dropped when full:
 * Raft retransmits) and everything queued in one event-loop turn leaves as one batch. A broken or refused
 * connection is retried with exponential backoff and jitter from an injected random source.
 */
import * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { Message, NodeId } from '../core/types.js';
import { PeerCodecError, decodePeerBatch, encodePeerBatch, type GroupMessages, type PeerBatch } from './peerCodec.js';

/** The single RPC of `cairn.peer.v1.PeerTransport`: a client stream of batches answered by an empty ack. */
export const peerStreamMethod: grpc.MethodDefinition<PeerBatch, Record<string, never>> = {
  path: '/cairn.peer.v1.PeerTransport/Stream',
  requestStream: true,
  responseStream: false,
  requestSerialize: encodePeerBatch,
  requestDeserialize: decodePeerBatch,
  // StreamAck has no fields: its encoding is empty, and any bytes decode to it.
  responseSerialize: () => Buffer.alloc(0),
  responseDeserialize: () => ({}),
  originalName: 'stream',
};

/** Server-side variant whose deserializer never throws: grpc-js would answer INTERNAL and drop the stream. */
export const peerServiceDefinition: grpc.ServiceDefinition = {
  Stream: {
    ...peerStreamMethod,
    requestDeserialize: (bytes: Buffer): PeerBatch | PeerCodecError => {
      try {
        return decodePeerBatch(bytes);
      } catch (error) {
        return error instanceof PeerCodecError ? error : new PeerCodecError(String(error));
      }
    },
  },
};

/** Counters of one peer, as seen from this node. */
export interface PeerStats {
  /** Messages written to the stream (handed to gRPC; not proof of delivery). */
  sent: number;
  /** Messages received from this peer on its stream to us. */
  received: number;
  /** Messages dropped because the queue was full (the oldest go first). */
  dropped: number;
  /** Batches written: one per flush. */
  batches: number;
  /** Connection attempts after a failure, each preceded by a backoff. */
  reconnects: number;
  /** The last backoff delay chosen, in milliseconds (0 until the first failure). */
  lastBackoffMs: number;
  /** Batches from this peer that did not decode. */
  malformedBatches: number;
}

/** Fresh counters, all zero. */
export function emptyPeerStats(): PeerStats {
  return { sent: 0, received: 0, dropped: 0, batches: 0, reconnects: 0, lastBackoffMs: 0, malformedBatches: 0 };
}

/** Reconnect delay bounds. */
export interface BackoffPolicy {
  readonly reconnectDelayMinMs: number;
  readonly reconnectDelayMaxMs: number;
}

/**
 * Delay before reconnect attempt number `failures` (0-based): min·2^failures capped at max, then jittered into
 * [half, full] of that by `random()` ∈ [0, 1), never below min. Jitter keeps nodes that lost a peer together from
 * redialing in lockstep.
 */
export function reconnectDelayMs(failures: number, random: () => number, policy: BackoffPolicy): number {
  const ceilingMs = Math.min(policy.reconnectDelayMaxMs, policy.reconnectDelayMinMs * 2 ** Math.min(failures, 30));
  const jitteredMs = ceilingMs * (0.5 + 0.5 * random());
  return Math.max(policy.reconnectDelayMinMs, Math.round(jitteredMs));
}

/** What one {@link PeerStream} needs: its peer, its bounds and the shared stats object it updates. */
export interface PeerStreamOptions extends BackoffPolicy {
  readonly selfNodeId: NodeId;
  readonly peerNodeId: NodeId;
  /** `host:port` of the peer's transport server. */
  readonly address: string;
  readonly queuedMessagesMax: number;
  /** How long one connection attempt may take before it counts as failed. */
  readonly connectTimeoutMs: number;
  readonly random: () => number;
  readonly stats: PeerStats;
  readonly logger?: Logger;
}

type StreamState = 'idle' | 'connecting' | 'open' | 'backoff' | 'closed';

interface QueuedMessage {
  readonly groupId: number;
  readonly message: Message;
}

/** Groups messages by group, keeping each group's order (the order across groups carries no meaning in Raft). */
function toBatch(fromNodeId: NodeId, queued: readonly QueuedMessage[]): PeerBatch {
  const byGroup = new Map<number, Message[]>();
  for (const { groupId, message } of queued) {
    const messages = byGroup.get(groupId);
    if (messages === undefined) {
      byGroup.set(groupId, [message]);
    } else {
      messages.push(message);
    }
  }
  const groups: GroupMessages[] = [...byGroup].map(([groupId, messages]) => ({ groupId, messages }));
  return { fromNodeId, groups };
}

/** One peer's outbound stream. Created and closed by the transport. */
export class PeerStream {
  private state: StreamState = 'idle';
  private queue: QueuedMessage[] = [];
  private flushScheduled = false;
  private awaitingDrain = false;
  private failures = 0;
  private client: grpc.Client | undefined;
  private call: grpc.ClientWritableStream<PeerBatch> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: PeerStreamOptions) {}

  /** Queues messages for the next batch. Never throws, never writes synchronously. */
  enqueue(groupId: number, message: Message): void {
    if (this.state === 'closed') {
      this.options.stats.dropped += 1;
      return;
    }
    this.queue.push({ groupId, message });
    const excess = this.queue.length - this.options.queuedMessagesMax;
    if (excess > 0) {
      this.queue.splice(0, excess);
      this.options.stats.dropped += excess;
    }
    if (this.state === 'idle') {
      this.connect();
    }
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Ends the stream and cancels any pending reconnect; queued messages are dropped. */
  close(): void {
    this.state = 'closed';
    clearTimeout(this.timer);
    this.queue = [];
    this.call?.end();
    this.client?.close();
    this.call = undefined;
    this.client = undefined;
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.state !== 'open' || this.awaitingDrain || this.queue.length === 0 || this.call === undefined) {
      return;
    }
    const queued = this.queue;
    this.queue = [];
    this.options.stats.batches += 1;
    this.options.stats.sent += queued.length;
    if (!this.call.write(toBatch(this.options.selfNodeId, queued))) {
      this.awaitingDrain = true;
    }
  }

  private connect(): void {
    this.state = 'connecting';
    const client = new grpc.Client(this.options.address, grpc.credentials.createInsecure());
    this.client = client;
    const deadline = Date.now() + this.options.connectTimeoutMs;
    const check = (error?: Error): void => {
      if (this.client !== client || this.state !== 'connecting') {
        return;
      }
      const connectivity = client.getChannel().getConnectivityState(true);
      if (connectivity === grpc.connectivityState.READY) {
        this.open(client);
      } else if (error !== undefined || connectivity === grpc.connectivityState.TRANSIENT_FAILURE) {
        this.fail(error ?? new Error(`peer ${this.options.peerNodeId} at ${this.options.address} unreachable`));
      } else {
        client.getChannel().watchConnectivityState(connectivity, deadline, check);
      }
    };
    check();
  }

  private open(client: grpc.Client): void {
    const call = client.makeClientStreamRequest(
      peerStreamMethod.path,
      peerStreamMethod.requestSerialize,
      peerStreamMethod.responseDeserialize,
      (error: grpc.ServiceError | null) => {
        if (this.call === call) {
          this.fail(error ?? new Error(`peer ${this.options.peerNodeId} ended the stream`));
        }
      }
    );
    // Failures arrive through the callback above; a listener keeps a stray 'error' event from crashing the process.
    call.on('error', () => {});
    call.on('drain', () => {
      this.awaitingDrain = false;
      this.flush();
    });
    this.call = call;
    this.state = 'open';
    this.failures = 0;
    this.flush();
  }

  private fail(error: Error): void {
    if (this.state === 'closed') {
      return;
    }
    this.call = undefined;
    this.awaitingDrain = false;
    this.client?.close();
    this.client = undefined;
    const delayMs = reconnectDelayMs(this.failures, this.options.random, this.options);
    this.failures += 1;
    this.options.stats.reconnects += 1;
    this.options.stats.lastBackoffMs = delayMs;
    this.options.logger?.debug(
      { peerNodeId: this.options.peerNodeId, delayMs, err: error.message },
      'peer stream failed; reconnecting after backoff'
    );
    this.state = 'backoff';
    this.timer = setTimeout(() => this.connect(), delayMs);
  }
}
