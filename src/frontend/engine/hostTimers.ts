/**
 * The leader's server timers (ARCHITECTURE.md §5, TEMPORAL-API.md §8): every timer a run's committed state implies
 * (derived by the actors' `…TimersOf(state)` functions) sits in one min-heap ordered by fire time, with ONE armed
 * host timer for the earliest. Replacing a run's timers bumps the run's generation; heap entries of an older
 * generation are skipped when they surface (lazy deletion), and the heap is rebuilt when garbage dominates.
 *
 * Never early: the host timer is armed with `armDelayMs` (rounded up, clamped to 2^31−1 ms and re-armed), an
 * entry is handed out only when `clockMs() ≥ fireAtMs`, and the run's fire transition re-checks the time itself.
 */
import { armDelayMs } from '../../actors/timers/armDelay.js';
import type { DueTimer } from '../../actors/timers/timerKinds.js';

interface HeapEntry {
  readonly fireAtMs: number;
  readonly runKey: string;
  readonly generation: number;
  readonly due: DueTimer;
}

/** Called with the timers due now, grouped by run. */
export type FireTimers = (runKey: string, due: readonly DueTimer[]) => void;

/** One heap of server timers with a single armed host timer. */
export class HostTimers {
  private heap: HeapEntry[] = [];
  private readonly generations = new Map<string, { generation: number; count: number }>();
  private liveCount = 0;
  private armed: NodeJS.Timeout | null = null;
  private armedAtMs = Number.POSITIVE_INFINITY;
  private nextGeneration = 1;
  private closed = false;

  constructor(
    private readonly clockMs: () => number,
    private readonly fire: FireTimers
  ) {}

  /** Replaces every timer of `runKey` (an empty list removes the run). */
  replace(runKey: string, timers: readonly DueTimer[]): void {
    if (this.closed) return;
    const previous = this.generations.get(runKey);
    if (previous !== undefined) this.liveCount -= previous.count;
    if (timers.length === 0) {
      this.generations.delete(runKey);
    } else {
      const generation = this.nextGeneration++;
      this.generations.set(runKey, { generation, count: timers.length });
      this.liveCount += timers.length;
      for (const due of timers) this.push({ fireAtMs: due.fireAtMs, runKey, generation, due });
    }
    if (this.heap.length > 64 && this.heap.length > 4 * this.liveCount) this.compact();
    this.arm();
  }

  /** Drops every timer of runs whose key satisfies `predicate` (a shard lost its leadership). */
  dropWhere(predicate: (runKey: string) => boolean): void {
    for (const runKey of [...this.generations.keys()]) if (predicate(runKey)) this.replace(runKey, []);
  }

  /** Timers held (live, not garbage). */
  get size(): number {
    return this.liveCount;
  }

  /** Stops the host timer; later calls are ignored. */
  close(): void {
    this.closed = true;
    if (this.armed !== null) clearTimeout(this.armed);
    this.armed = null;
  }

  private isLive(entry: HeapEntry): boolean {
    return this.generations.get(entry.runKey)?.generation === entry.generation;
  }

  private arm(): void {
    while (this.heap.length > 0 && !this.isLive(this.heap[0] as HeapEntry)) this.pop();
    const head = this.heap[0];
    if (head === undefined) {
      if (this.armed !== null) clearTimeout(this.armed);
      this.armed = null;
      this.armedAtMs = Number.POSITIVE_INFINITY;
      return;
    }
    if (this.armed !== null && this.armedAtMs <= head.fireAtMs) return;
    if (this.armed !== null) clearTimeout(this.armed);
    this.armedAtMs = head.fireAtMs;
    this.armed = setTimeout(() => this.onHostTimer(), armDelayMs(head.fireAtMs, this.clockMs()));
    this.armed.unref?.();
  }

  private onHostTimer(): void {
    this.armed = null;
    this.armedAtMs = Number.POSITIVE_INFINITY;
    if (this.closed) return;
    const nowMs = this.clockMs();
    const dueByRun = new Map<string, DueTimer[]>();
    while (this.heap.length > 0) {
      const head = this.heap[0] as HeapEntry;
      if (!this.isLive(head)) {
        this.pop();
        continue;
      }
      if (head.fireAtMs > nowMs) break;
      this.pop();
      const list = dueByRun.get(head.runKey) ?? [];
      list.push(head.due);
      dueByRun.set(head.runKey, list);
    }
    for (const [runKey, due] of dueByRun) {
      // A fired timer stays "live" in its generation's count until the run's next replace re-derives its timers.
      this.fire(runKey, due);
    }
    this.arm();
  }

  private compact(): void {
    this.heap = this.heap.filter((entry) => this.isLive(entry));
    this.heap.sort((left, right) => left.fireAtMs - right.fireAtMs);
  }

  private push(entry: HeapEntry): void {
    const heap = this.heap;
    heap.push(entry);
    let index = heap.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if ((heap[parent] as HeapEntry).fireAtMs <= entry.fireAtMs) break;
      heap[index] = heap[parent] as HeapEntry;
      index = parent;
    }
    heap[index] = entry;
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop();
    if (last === undefined || heap.length === 0) return;
    let index = 0;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child =
        right < heap.length && (heap[right] as HeapEntry).fireAtMs < (heap[left] as HeapEntry).fireAtMs ? right : left;
      if ((heap[child] as HeapEntry).fireAtMs >= last.fireAtMs) break;
      heap[index] = heap[child] as HeapEntry;
      index = child;
    }
    heap[index] = last;
  }
}
