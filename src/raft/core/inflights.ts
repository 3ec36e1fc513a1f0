/**
 * Flow control for one follower in the replicate state (etcd-raft `tracker/inflights.go`): the append messages
 * sent but not yet acknowledged, each remembered by its last index and payload size. A ring buffer bounded by
 * count (`maxInflightMsgs`) and bytes (`maxInflightBytes`, 0 = unbounded).
 */
import { invariant } from './errors.js';

export class Inflights {
  private start = 0;
  private count = 0;
  private bytes = 0;
  private readonly indexes: number[];
  private readonly sizes: number[];

  constructor(
    readonly maxCount: number,
    readonly maxBytes: number
  ) {
    invariant(maxCount > 0, 'inflights: maxCount must be positive');
    this.indexes = new Array<number>(maxCount).fill(0);
    this.sizes = new Array<number>(maxCount).fill(0);
  }

  /** Records an append message whose last entry is `index` carrying `bytes` of payload. */
  add(index: number, bytes: number): void {
    invariant(!this.full(), 'inflights: cannot add into a full inflights');
    const lastIndex = this.count === 0 ? -1 : (this.indexes[(this.start + this.count - 1) % this.maxCount] as number);
    invariant(index > lastIndex, () => `inflights: index ${index} not above last ${lastIndex}`);
    const slot = (this.start + this.count) % this.maxCount;
    this.indexes[slot] = index;
    this.sizes[slot] = bytes;
    this.count++;
    this.bytes += bytes;
  }

  /** Frees every message whose last index is ≤ `toIndex` (acknowledged). */
  freeLE(toIndex: number): void {
    let freed = 0;
    let freedBytes = 0;
    while (freed < this.count) {
      const slot = (this.start + freed) % this.maxCount;
      if ((this.indexes[slot] as number) > toIndex) break;
      freedBytes += this.sizes[slot] as number;
      freed++;
    }
    this.count -= freed;
    this.bytes -= freedBytes;
    this.start = this.count === 0 ? 0 : (this.start + freed) % this.maxCount;
  }

  full(): boolean {
    return this.count === this.maxCount || (this.maxBytes !== 0 && this.bytes >= this.maxBytes);
  }

  size(): number {
    return this.count;
  }

  sizeBytes(): number {
    return this.bytes;
  }

  reset(): void {
    this.start = 0;
    this.count = 0;
    this.bytes = 0;
  }
}
