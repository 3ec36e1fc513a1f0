/**
 * ReadIndex bookkeeping on the leader (thesis §6.4, etcd-raft `read_only.go`): each read request waits for a
 * heartbeat round acknowledged by a quorum, which proves the leader was still leader when the request arrived;
 * then it is answered with the commit index recorded on arrival.
 */
import { invariant } from './errors.js';
import type { Message, NodeId } from './types.js';

export interface ReadIndexStatus {
  readonly request: Message;
  readonly index: number;
  readonly acks: Set<NodeId>;
}

/** Request contexts are compared by value; hex is a stable map key. */
export function contextKey(context: Uint8Array): string {
  return Buffer.from(context.buffer, context.byteOffset, context.byteLength).toString('hex');
}

export class ReadOnlyQueue {
  private readonly pending = new Map<string, ReadIndexStatus>();
  private queue: string[] = [];

  /** Bound on queued reads: past it, a read is dropped (the caller retries), never an unbounded queue. */
  constructor(readonly pendingReadsMax: number) {
    invariant(pendingReadsMax > 0, 'pendingReadsMax must be positive');
  }

  /** Queues a read at commit index `index`; returns false if it was dropped (duplicate context or full). */
  addRequest(index: number, request: Message): boolean {
    const key = contextKey(request.context);
    if (this.pending.has(key)) return true; // a retry of a queued request: it will be answered once
    if (this.queue.length >= this.pendingReadsMax) return false;
    this.pending.set(key, { request, index, acks: new Set() });
    this.queue.push(key);
    return true;
  }

  /** Records `id`'s acknowledgement of the heartbeat that carried `context`; returns who has acked it. */
  recvAck(id: NodeId, context: Uint8Array): ReadonlySet<NodeId> | undefined {
    const status = this.pending.get(contextKey(context));
    if (status === undefined) return undefined;
    status.acks.add(id);
    return status.acks;
  }

  /**
   * Dequeues every request up to and including the one with `context` (a heartbeat round confirms all earlier
   * requests too) and returns them in arrival order.
   */
  advance(context: Uint8Array): ReadIndexStatus[] {
    const key = contextKey(context);
    const position = this.queue.indexOf(key);
    if (position < 0) return [];
    const done = this.queue.slice(0, position + 1);
    this.queue = this.queue.slice(position + 1);
    return done.map((doneKey) => {
      const status = this.pending.get(doneKey);
      invariant(status !== undefined, () => `read index ${doneKey} queued but not pending`);
      this.pending.delete(doneKey);
      return status;
    });
  }

  lastPendingContext(): Uint8Array | undefined {
    const key = this.queue[this.queue.length - 1];
    return key === undefined ? undefined : this.pending.get(key)?.request.context;
  }

  size(): number {
    return this.queue.length;
  }
}
