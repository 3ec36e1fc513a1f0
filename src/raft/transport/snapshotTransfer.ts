/**
 * Chunked snapshot transfer, as a pure protocol with no I/O: the sender splits a serialized `snap` message into
 * chunks of `chunkBytes`, the receiver reassembles them (offset continuity, total size, CRC-32 checksum) and
 * hands back the whole payload only when it is complete and intact. Chunks may be lost, duplicated or
 * reordered; the receiver acknowledges its contiguous prefix, the sender retransmits from there after
 * `retransmitTicks` without progress, and gives up after `transferTicksMax` (the caller then reports the
 * snapshot as failed to Raft). The end-to-end `done` ack comes after the receiver has stepped the message.
 *
 * Used by the simulator's network today and by the peer transport of the multi-node cluster; it depends on
 * nothing but Uint8Array (docs/raft.md R6).
 */

/** One chunk on the wire. Every chunk repeats the transfer's size and checksum so any chunk can open it. */
export interface SnapshotChunk {
  readonly transferId: number;
  readonly offset: number;
  readonly totalBytes: number;
  /** CRC-32 of the whole payload. */
  readonly checksum: number;
  readonly data: Uint8Array;
}

/** The receiver's acknowledgement: its contiguous prefix, and `done` once the message was stepped. */
export interface SnapshotChunkAck {
  readonly transferId: number;
  readonly ackedBytes: number;
  readonly done: boolean;
}

const CRC_TABLE: Uint32Array = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (IEEE 802.3) of `bytes`. */
export function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) {
    crc = (CRC_TABLE[(crc ^ (bytes[i] as number)) & 0xff] as number) ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** Splits `payload` into chunks of at most `chunkBytes` (one empty chunk for an empty payload). */
export function splitIntoChunks(transferId: number, payload: Uint8Array, chunkBytes: number): SnapshotChunk[] {
  if (!(Number.isInteger(chunkBytes) && chunkBytes > 0)) throw new RangeError(`bad chunkBytes ${chunkBytes}`);
  const checksum = crc32(payload);
  const chunks: SnapshotChunk[] = [];
  for (let offset = 0; offset < payload.length || (offset === 0 && chunks.length === 0); offset += chunkBytes) {
    const data = payload.subarray(offset, Math.min(offset + chunkBytes, payload.length));
    chunks.push({ transferId, offset, totalBytes: payload.length, checksum, data });
    if (payload.length === 0) break;
  }
  return chunks;
}

export type ReassemblyResult =
  | { readonly status: 'incomplete'; readonly ackedBytes: number }
  | { readonly status: 'complete'; readonly payload: Uint8Array }
  | { readonly status: 'rejected'; readonly reason: string };

/** Reassembles one transfer. Out-of-order chunks wait in a buffer bounded by the transfer's size. */
export class SnapshotReassembler {
  private readonly buffer: Uint8Array;
  /** Contiguous bytes received from offset 0. */
  private receivedBytes = 0;
  /** Chunks that arrived ahead of `receivedBytes`, by offset. */
  private readonly pending = new Map<number, Uint8Array>();
  private finished = false;

  constructor(
    readonly transferId: number,
    readonly totalBytes: number,
    readonly checksum: number
  ) {
    if (!(Number.isSafeInteger(totalBytes) && totalBytes >= 0)) throw new RangeError(`bad totalBytes ${totalBytes}`);
    this.buffer = new Uint8Array(totalBytes);
  }

  get ackedBytes(): number {
    return this.receivedBytes;
  }

  /** Takes one chunk; duplicates are ignored; a chunk that contradicts the transfer rejects it. */
  accept(chunk: SnapshotChunk): ReassemblyResult {
    if (this.finished) return { status: 'rejected', reason: 'transfer already finished' };
    const mismatch = this.mismatch(chunk);
    if (mismatch !== null) return { status: 'rejected', reason: mismatch };
    if (chunk.offset > this.receivedBytes) {
      this.pending.set(chunk.offset, chunk.data);
    } else if (chunk.offset + chunk.data.length > this.receivedBytes) {
      this.take(chunk.offset, chunk.data);
    }
    for (
      let next = this.pending.get(this.receivedBytes);
      next !== undefined;
      next = this.pending.get(this.receivedBytes)
    ) {
      this.pending.delete(this.receivedBytes);
      this.take(this.receivedBytes, next);
    }
    if (this.receivedBytes < this.totalBytes) return { status: 'incomplete', ackedBytes: this.receivedBytes };
    this.finished = true;
    if (crc32(this.buffer) !== this.checksum) return { status: 'rejected', reason: 'checksum mismatch' };
    return { status: 'complete', payload: this.buffer };
  }

  private mismatch(chunk: SnapshotChunk): string | null {
    if (chunk.transferId !== this.transferId) return `transfer ${chunk.transferId} is not ${this.transferId}`;
    if (chunk.totalBytes !== this.totalBytes) return `total size ${chunk.totalBytes} is not ${this.totalBytes}`;
    if (chunk.checksum !== this.checksum) return 'checksum differs between chunks';
    if (chunk.offset < 0 || chunk.offset + chunk.data.length > this.totalBytes) return 'chunk outside the transfer';
    return null;
  }

  private take(offset: number, data: Uint8Array): void {
    const skip = this.receivedBytes - offset;
    this.buffer.set(data.subarray(skip), this.receivedBytes);
    this.receivedBytes += data.length - skip;
  }
}

export interface SnapshotSenderOptions {
  readonly chunkBytes: number;
  /** Chunks sent ahead of the receiver's acknowledged prefix. */
  readonly windowChunks: number;
  readonly retransmitTicks: number;
  readonly transferTicksMax: number;
}

export type SenderTickResult =
  { readonly status: 'sending'; readonly chunks: readonly SnapshotChunk[] } | { readonly status: 'failed' };

/** The sending side of one transfer: a sliding window over the chunks, driven by acks and ticks. */
export class SnapshotSender {
  private readonly chunks: readonly SnapshotChunk[];
  private ackedBytes = 0;
  /** Index of the first chunk not yet sent in the current window pass. */
  private sentUpToChunk = 0;
  private ticksElapsed = 0;
  private ticksSinceProgress = 0;
  private finished = false;

  constructor(
    readonly transferId: number,
    payload: Uint8Array,
    private readonly options: SnapshotSenderOptions
  ) {
    this.chunks = splitIntoChunks(transferId, payload, options.chunkBytes);
  }

  get chunkCount(): number {
    return this.chunks.length;
  }

  /** The first window of chunks. */
  start(): readonly SnapshotChunk[] {
    return this.fillWindow();
  }

  /** Takes an ack. Returns `finish` on the end-to-end ack, else the chunks the wider window now allows. */
  onAck(ack: SnapshotChunkAck): 'finish' | readonly SnapshotChunk[] {
    if (this.finished || ack.transferId !== this.transferId) return [];
    if (ack.done) {
      this.finished = true;
      return 'finish';
    }
    if (ack.ackedBytes > this.ackedBytes) {
      this.ackedBytes = ack.ackedBytes;
      this.ticksSinceProgress = 0;
    }
    return this.fillWindow();
  }

  /** Advances time: retransmits from the acked prefix after a quiet spell, fails after the budget. */
  onTick(): SenderTickResult {
    if (this.finished) return { status: 'sending', chunks: [] };
    this.ticksElapsed++;
    this.ticksSinceProgress++;
    if (this.ticksElapsed > this.options.transferTicksMax) {
      this.finished = true;
      return { status: 'failed' };
    }
    if (this.ticksSinceProgress < this.options.retransmitTicks) return { status: 'sending', chunks: [] };
    this.ticksSinceProgress = 0;
    this.sentUpToChunk = this.firstUnackedChunk();
    return { status: 'sending', chunks: this.fillWindow() };
  }

  get isFinished(): boolean {
    return this.finished;
  }

  private firstUnackedChunk(): number {
    const index = this.chunks.findIndex((chunk) => chunk.offset + chunk.data.length > this.ackedBytes);
    return index === -1 ? this.chunks.length - 1 : index;
  }

  private fillWindow(): readonly SnapshotChunk[] {
    const windowEnd = Math.min(this.chunks.length, this.firstUnackedChunk() + this.options.windowChunks);
    const from = Math.max(this.sentUpToChunk, 0);
    const out = this.chunks.slice(from, Math.max(from, windowEnd));
    this.sentUpToChunk = Math.max(this.sentUpToChunk, windowEnd);
    return out;
  }
}
