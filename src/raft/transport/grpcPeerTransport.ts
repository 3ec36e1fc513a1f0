/**
 * Cairn's peer transport over gRPC (ARCHITECTURE.md §2, §6): a {@link RaftTransport} that routes each Raft message
 * to its destination node over one stream per peer ({@link PeerStream}), and a server that accepts the streams of
 * the other nodes and hands every received message to `onMessage`.
 *
 * Not yet here (issue 5): TLS and peer authentication, snapshots chunked over the stream, flow control beyond the
 * drop-oldest queue, heartbeat coalescing and quiescence.
 */
import * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { Message, NodeId } from '../core/types.js';
import type { RaftTransport } from '../multiRaft.js';
import { PeerCodecError, type PeerBatch } from './peerCodec.js';
import { PeerStream, emptyPeerStats, peerServiceDefinition, type PeerStats } from './peerStream.js';

/** Configuration of {@link GrpcPeerTransport.start}. */
export interface GrpcPeerTransportOptions {
  readonly nodeId: NodeId;
  /** `host:port` to listen on; port 0 picks a free port (see {@link GrpcPeerTransport.port}). */
  readonly listenAddress: string;
  /** `host:port` of every other node's transport server. */
  readonly peerAddresses: ReadonlyMap<NodeId, string>;
  /** Called once per received message, in the order the sending node queued them per group. Must not throw. */
  readonly onMessage: (groupId: number, message: Message) => void;
  /** Uniform in [0, 1): the jitter source of reconnect backoff (injected so tests and simulations can pin it). */
  readonly random: () => number;
  /** Per-peer queue bound, in messages. Default 4096. */
  readonly queuedMessagesMax?: number;
  /** Default 50. */
  readonly reconnectDelayMinMs?: number;
  /** Default 5000. */
  readonly reconnectDelayMaxMs?: number;
  /** Default 5000. */
  readonly connectTimeoutMs?: number;
  readonly logger?: Logger;
}

/** The listen address could not be bound. */
export class PeerTransportBindError extends Error {
  override readonly name = 'PeerTransportBindError';
}

/** Peer transport of one node. Start with {@link GrpcPeerTransport.start}; end with {@link GrpcPeerTransport.close}. */
export class GrpcPeerTransport implements RaftTransport {
  private readonly streams = new Map<NodeId, PeerStream>();
  private readonly peerStats = new Map<NodeId, PeerStats>();
  private readonly inboundCalls = new Set<grpc.ServerReadableStream<PeerBatch | PeerCodecError, unknown>>();
  private closed = false;
  /** Messages addressed to this node or to a node with no known address. */
  unroutableMessages = 0;

  private constructor(
    private readonly options: GrpcPeerTransportOptions,
    private readonly server: grpc.Server,
    /** The port the server listens on. */
    readonly port: number
  ) {
    for (const [peerNodeId, address] of options.peerAddresses) {
      const stats = this.statsOf(peerNodeId);
      this.streams.set(
        peerNodeId,
        new PeerStream({
          selfNodeId: options.nodeId,
          peerNodeId,
          address,
          queuedMessagesMax: options.queuedMessagesMax ?? 4096,
          reconnectDelayMinMs: options.reconnectDelayMinMs ?? 50,
          reconnectDelayMaxMs: options.reconnectDelayMaxMs ?? 5000,
          connectTimeoutMs: options.connectTimeoutMs ?? 5000,
          random: options.random,
          stats,
          logger: options.logger,
        })
      );
    }
  }

  /** Binds the server and returns the transport. Peer streams connect on the first message to each peer. */
  static async start(options: GrpcPeerTransportOptions): Promise<GrpcPeerTransport> {
    const server = new grpc.Server();
    const started: { transport?: GrpcPeerTransport } = {};
    server.addService(peerServiceDefinition, {
      Stream: (
        call: grpc.ServerReadableStream<PeerBatch | PeerCodecError, unknown>,
        callback: grpc.sendUnaryData<unknown>
      ) => {
        const transport = started.transport;
        if (transport === undefined) {
          callback({ code: grpc.status.UNAVAILABLE, details: 'peer transport is starting' });
          return;
        }
        transport.accept(call, callback);
      },
    });
    const port = await new Promise<number>((resolve, reject) => {
      server.bindAsync(options.listenAddress, grpc.ServerCredentials.createInsecure(), (error, boundPort) => {
        if (error !== null) {
          reject(new PeerTransportBindError(`cannot listen on ${options.listenAddress}: ${error.message}`));
        } else {
          resolve(boundPort);
        }
      });
    });
    started.transport = new GrpcPeerTransport(options, server, port);
    return started.transport;
  }

  /** Routes each message to its `to` node's stream. Never throws; delivery happens in a later turn, if at all. */
  send(groupId: number, messages: readonly Message[]): void {
    for (const message of messages) {
      const stream = this.streams.get(message.to);
      if (stream === undefined) {
        this.unroutableMessages += 1;
      } else {
        stream.enqueue(groupId, message);
      }
    }
  }

  /** Counters per peer node (a snapshot copy). */
  stats(): ReadonlyMap<NodeId, Readonly<PeerStats>> {
    return new Map([...this.peerStats].map(([nodeId, stats]) => [nodeId, { ...stats }]));
  }

  /** Ends every outbound stream, cancels reconnects and inbound streams, and shuts the server down. */
  async close(): Promise<void> {
    if (this.closed) {
      return;
    }
    this.closed = true;
    for (const stream of this.streams.values()) {
      stream.close();
    }
    for (const call of this.inboundCalls) {
      call.destroy();
    }
    this.inboundCalls.clear();
    await new Promise<void>((resolve) => {
      this.server.tryShutdown(() => resolve());
      // Streams from peers that are still open would hold tryShutdown forever; they are Raft traffic, safe to cut.
      this.server.forceShutdown();
    });
  }

  private statsOf(nodeId: NodeId): PeerStats {
    let stats = this.peerStats.get(nodeId);
    if (stats === undefined) {
      stats = emptyPeerStats();
      this.peerStats.set(nodeId, stats);
    }
    return stats;
  }

  private accept(
    call: grpc.ServerReadableStream<PeerBatch | PeerCodecError, unknown>,
    callback: grpc.sendUnaryData<unknown>
  ): void {
    if (this.closed) {
      callback({ code: grpc.status.UNAVAILABLE, details: 'peer transport is closed' });
      return;
    }
    this.inboundCalls.add(call);
    call.on('data', (batch: PeerBatch | PeerCodecError) => this.receive(batch));
    call.on('end', () => {
      this.inboundCalls.delete(call);
      callback(null, {});
    });
    call.on('error', () => this.inboundCalls.delete(call));
    call.on('close', () => this.inboundCalls.delete(call));
  }

  private receive(batch: PeerBatch | PeerCodecError): void {
    if (this.closed) {
      return;
    }
    if (batch instanceof PeerCodecError) {
      // The sender is not identifiable from a batch that did not decode; count it against node 0 (NONE).
      this.statsOf(0).malformedBatches += 1;
      this.options.logger?.warn({ err: batch.message }, 'dropped a malformed peer batch');
      return;
    }
    const stats = this.statsOf(batch.fromNodeId);
    for (const group of batch.groups) {
      for (const message of group.messages) {
        stats.received += 1;
        this.options.onMessage(group.groupId, message);
      }
    }
  }
}
