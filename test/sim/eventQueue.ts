/**
 * The simulator's one event queue, ordered by (tick time, sequence). Events scheduled for the same tick run in
 * the order they were scheduled, so the order of everything depends only on the seed.
 */

/** A scheduled action. `label` names it in traces. */
export interface SimEvent {
  readonly timeTicks: number;
  readonly sequence: number;
  readonly label: string;
  readonly run: () => void;
}

export class EventQueue {
  private readonly heap: SimEvent[] = [];
  private sequenceNext = 0;
  /** The time of the event being run (or last run). */
  nowTicks = 0;

  get size(): number {
    return this.heap.length;
  }

  /** Schedules `run` at `nowTicks + delayTicks` (delay ≥ 0). */
  schedule(delayTicks: number, label: string, run: () => void): void {
    if (!(Number.isInteger(delayTicks) && delayTicks >= 0)) throw new RangeError(`bad delay ${delayTicks}`);
    this.push({ timeTicks: this.nowTicks + delayTicks, sequence: this.sequenceNext++, label, run });
  }

  /** The time of the next event, or Infinity when empty. */
  peekTimeTicks(): number {
    return this.heap[0]?.timeTicks ?? Infinity;
  }

  /** Removes and returns the earliest event, advancing `nowTicks` to its time. */
  pop(): SimEvent | undefined {
    const top = this.heap[0];
    if (top === undefined) return undefined;
    const last = this.heap.pop() as SimEvent;
    if (this.heap.length > 0) {
      this.heap[0] = last;
      this.siftDown(0);
    }
    if (top.timeTicks < this.nowTicks) throw new Error(`event queue went back in time: ${top.timeTicks}`);
    this.nowTicks = top.timeTicks;
    return top;
  }

  private push(event: SimEvent): void {
    this.heap.push(event);
    let index = this.heap.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!before(this.heap[index] as SimEvent, this.heap[parent] as SimEvent)) break;
      this.swap(index, parent);
      index = parent;
    }
  }

  private siftDown(index: number): void {
    const length = this.heap.length;
    for (;;) {
      const left = 2 * index + 1;
      const right = left + 1;
      let smallest = index;
      if (left < length && before(this.heap[left] as SimEvent, this.heap[smallest] as SimEvent)) smallest = left;
      if (right < length && before(this.heap[right] as SimEvent, this.heap[smallest] as SimEvent)) smallest = right;
      if (smallest === index) return;
      this.swap(index, smallest);
      index = smallest;
    }
  }

  private swap(a: number, b: number): void {
    const held = this.heap[a] as SimEvent;
    this.heap[a] = this.heap[b] as SimEvent;
    this.heap[b] = held;
  }
}

function before(a: SimEvent, b: SimEvent): boolean {
  return a.timeTicks < b.timeTicks || (a.timeTicks === b.timeTicks && a.sequence < b.sequence);
}

/**
 * Lets every pending promise continuation run. The simulated world has no real I/O and no timers, so every
 * continuation is chained from a promise some event resolved; one `setImmediate` turn runs only after the
 * microtask queue is empty, i.e. after all of them. Their order is fixed by the code and the seed, never by
 * wall-clock time, so draining this way keeps runs deterministic. (A fixed count of `await Promise.resolve()`
 * would also be deterministic but could stop before a long chain settles.)
 */
export function drainMicrotasks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
