/**
 * ReadIndex bookkeeping on the leader (thesis §6.4, after etcd-raft `read_only.go`): each read request waits for
 * a heartbeat round acknowledged by a quorum, which proves the leader was still leader when the request arrived;
 * then it is answered with the commit index recorded on arrival.
 *
 * Unlike etcd, heartbeats do not carry the client's request context but a **round id** the leader assigns
 * (its term and a counter). A client context may repeat: the network duplicates a request, or a client reuses
 * one. With contexts on the wire, a late acknowledgement of an earlier round carrying the same context would
 * confirm a request that arrived after that round, and reads queued behind it (a stale read; see
 * test/raft/raftReadIndex.test.ts, "a delayed heartbeat response and a duplicated request"). A round id names one
 * heartbeat broadcast, so an acknowledgement confirms exactly the requests queued up to that broadcast.
 */
import { invariant } from './errors.js';
import type { Message, NodeId } from './types.js';

export interface ReadIndexStatus {
  readonly request: Message;
  /** The commit index when the request arrived: the read point once confirmed. */
  readonly index: number;
  readonly round: number;
  readonly acks: Set<NodeId>;
}

/** Request contexts are compared by value; hex is a stable map key. */
export function contextKey(context: Uint8Array): string {
  return Buffer.from(context.buffer, context.byteOffset, context.byteLength).toString('hex');
}

const ROUND_CONTEXT_BYTES = 17;
const ROUND_CONTEXT_TAG = 0x52; // 'R'

/** Encodes (term, round) as the heartbeat context of one read round. */
export function encodeReadRound(term: number, round: number): Uint8Array {
  const bytes = new Uint8Array(ROUND_CONTEXT_BYTES);
  const view = new DataView(bytes.buffer);
  bytes[0] = ROUND_CONTEXT_TAG;
  view.setBigUint64(1, BigInt(term));
  view.setBigUint64(9, BigInt(round));
  return bytes;
}

/** Decodes a heartbeat context; undefined if it is not a read round (a peer's bytes are not trusted). */
export function decodeReadRound(context: Uint8Array): { term: number; round: number } | undefined {
  if (context.byteLength !== ROUND_CONTEXT_BYTES || context[0] !== ROUND_CONTEXT_TAG) return undefined;
  const view = new DataView(context.buffer, context.byteOffset, context.byteLength);
  const term = Number(view.getBigUint64(1));
  const round = Number(view.getBigUint64(9));
  if (!Number.isSafeInteger(term) || !Number.isSafeInteger(round)) return undefined;
  return { term, round };
}

export class ReadOnlyQueue {
  private readonly byRound = new Map<number, ReadIndexStatus>();
  /** Client contexts of queued requests: a duplicate of a queued request is answered by the first. */
  private readonly queuedContexts = new Set<string>();
  /** Rounds in arrival order. */
  private queue: number[] = [];
  private nextRound = 1;

  /**
   * @param pendingReadsMax bound on queued reads: past it, a read is dropped (the caller retries).
   * @param term the leader's term; round contexts of other terms are ignored.
   */
  constructor(
    readonly pendingReadsMax: number,
    readonly term: number
  ) {
    invariant(pendingReadsMax > 0, 'pendingReadsMax must be positive');
  }

  /**
   * Queues a read at commit index `index` in a new round and returns that round's heartbeat context, or null
   * if nothing was queued (a duplicate of a queued request, or the queue is full).
   */
  addRequest(index: number, request: Message): Uint8Array | null {
    const key = contextKey(request.context);
    if (this.queuedContexts.has(key)) return null;
    if (this.queue.length >= this.pendingReadsMax) return null;
    const round = this.nextRound++;
    this.byRound.set(round, { request, index, round, acks: new Set() });
    this.queuedContexts.add(key);
    this.queue.push(round);
    return encodeReadRound(this.term, round);
  }

  /** Records `id`'s acknowledgement of the round in `context`; returns who has acked it so far. */
  recvAck(id: NodeId, context: Uint8Array): ReadonlySet<NodeId> | undefined {
    const status = this.statusOf(context);
    if (status === undefined) return undefined;
    status.acks.add(id);
    return status.acks;
  }

  /**
   * Dequeues every request up to and including the round in `context` (a heartbeat round confirms all earlier
   * requests too) and returns them in arrival order.
   */
  advance(context: Uint8Array): ReadIndexStatus[] {
    const status = this.statusOf(context);
    if (status === undefined) return [];
    const position = this.queue.indexOf(status.round);
    invariant(position >= 0, () => `read round ${status.round} pending but not queued`);
    const done = this.queue.slice(0, position + 1);
    this.queue = this.queue.slice(position + 1);
    return done.map((round) => {
      const doneStatus = this.byRound.get(round);
      invariant(doneStatus !== undefined, () => `read round ${round} queued but not pending`);
      this.byRound.delete(round);
      this.queuedContexts.delete(contextKey(doneStatus.request.context));
      return doneStatus;
    });
  }

  /** The context of the newest queued round: periodic heartbeats carry it to confirm everything queued. */
  lastPendingContext(): Uint8Array | undefined {
    const round = this.queue[this.queue.length - 1];
    return round === undefined ? undefined : encodeReadRound(this.term, round);
  }

  size(): number {
    return this.queue.length;
  }

  private statusOf(context: Uint8Array): ReadIndexStatus | undefined {
    const decoded = decodeReadRound(context);
    if (decoded === undefined || decoded.term !== this.term) return undefined;
    return this.byRound.get(decoded.round);
  }
}
