/**
 * ReadIndex bookkeeping of one shard (docs/shard.md §3): reads waiting for their read index, then reads waiting
 * until the shard has applied up to it.
 */
import type { ReadState } from '../raft/core/types.js';

interface Waiter<T> {
  readonly resolve: (value: T) => void;
  readonly reject: (error: unknown) => void;
}

const CONTEXT_BYTES = 8;

/** The request context of read `sequence`: its 8-byte big-endian number. */
export function readContext(sequence: number): Uint8Array {
  const context = new Uint8Array(CONTEXT_BYTES);
  const view = new DataView(context.buffer);
  view.setUint32(0, Math.floor(sequence / 2 ** 32));
  view.setUint32(4, sequence >>> 0);
  return context;
}

function sequenceOf(context: Uint8Array): number | null {
  if (context.length !== CONTEXT_BYTES) return null;
  const view = new DataView(context.buffer, context.byteOffset, context.byteLength);
  return view.getUint32(0) * 2 ** 32 + view.getUint32(4);
}

interface AwaitingIndex extends Waiter<number> {
  /** The tick count when the read was started. */
  readonly startedTick: number;
}

export class PendingReads {
  private nextSequence = 1;
  private ticks = 0;
  private readonly awaitingIndex = new Map<number, AwaitingIndex>();
  private awaitingApply: { readonly index: number; readonly waiter: Waiter<void> }[] = [];

  /** Registers a read; returns its request context and a promise of its read index. */
  start(): { context: Uint8Array; readIndex: Promise<number> } {
    const sequence = this.nextSequence++;
    const startedTick = this.ticks;
    const readIndex = new Promise<number>((resolve, reject) =>
      this.awaitingIndex.set(sequence, { resolve, reject, startedTick })
    );
    return { context: readContext(sequence), readIndex };
  }

  /** Rejects a read whose ReadIndex request could not even be made. */
  fail(context: Uint8Array, error: unknown): void {
    const sequence = sequenceOf(context);
    if (sequence === null) return;
    this.awaitingIndex.get(sequence)?.reject(error);
    this.awaitingIndex.delete(sequence);
  }

  /** Hands each ReadState to the read that asked for it (states of unknown contexts are ignored). */
  onReadStates(readStates: readonly ReadState[]): void {
    for (const state of readStates) {
      const sequence = sequenceOf(state.requestContext);
      if (sequence === null) continue;
      const waiter = this.awaitingIndex.get(sequence);
      this.awaitingIndex.delete(sequence);
      waiter?.resolve(state.index);
    }
  }

  /** Resolves once `appliedIndex()` ≥ `index` (immediately if it already is). */
  waitApplied(index: number, appliedIndex: number): Promise<void> {
    if (appliedIndex >= index) return Promise.resolve();
    return new Promise<void>((resolve, reject) => this.awaitingApply.push({ index, waiter: { resolve, reject } }));
  }

  /** The shard applied up to `appliedIndex`: release the reads waiting for it. */
  onApplied(appliedIndex: number): void {
    if (this.awaitingApply.length === 0) return;
    const ready = this.awaitingApply.filter((read) => read.index <= appliedIndex);
    this.awaitingApply = this.awaitingApply.filter((read) => read.index > appliedIndex);
    for (const read of ready) read.waiter.resolve();
  }

  /**
   * Counts one tick and rejects reads that have waited `timeoutTicks` ticks or more for their read index (Raft
   * may drop a ReadIndex request without an answer, e.g. when its queue is full): `makeError()` per read.
   */
  tick(timeoutTicks: number, makeError: () => Error): void {
    this.ticks++;
    for (const [sequence, waiter] of this.awaitingIndex) {
      if (this.ticks - waiter.startedTick < timeoutTicks) continue;
      this.awaitingIndex.delete(sequence);
      waiter.reject(makeError());
    }
  }

  /** Rejects reads still waiting for a read index (leadership was lost: the answer may never come). */
  rejectAwaitingIndex(error: unknown): void {
    const waiters = [...this.awaitingIndex.values()];
    this.awaitingIndex.clear();
    for (const waiter of waiters) waiter.reject(error);
  }

  rejectAll(error: unknown): void {
    this.rejectAwaitingIndex(error);
    const reads = this.awaitingApply;
    this.awaitingApply = [];
    for (const read of reads) read.waiter.reject(error);
  }
}
