/**
 * The leader's in-memory window of the durable timer index (ARCHITECTURE.md §5): the earliest timers, ordered by
 * (fireAtMs, sequence), bounded in size. The durable index in `state/` holds every timer; this window holds a
 * prefix of it. When an add overflows the window, the latest timer is dropped and the window's `horizon` moves
 * down to the new last key: timers after the horizon live only in `state/` until the caller loads them back with
 * {@link TimerIndex.extend}. Pure: the clock reading is an argument; nothing here arms a host timer.
 */
import { invariant } from '../../raft/core/errors.js';
import type { TimerKind } from './timerKinds.js';

/** Default bound on timers held in memory per shard leader. */
export const TIMER_WINDOW_SIZE_MAX = 10_000;

/** A timer's position in the index: fire time first, then the durable sequence number that breaks ties. */
export interface TimerKey {
  fireAtMs: number;
  /** Unique per shard, assigned when the timer is written to `state/`. */
  sequence: number;
}

/** One timer of the window. */
export interface IndexedTimer extends TimerKey {
  timer: TimerKind;
}

/** Orders keys by fire time, then by sequence. */
export function compareTimerKeys(left: TimerKey, right: TimerKey): number {
  return left.fireAtMs !== right.fireAtMs ? left.fireAtMs - right.fireAtMs : left.sequence - right.sequence;
}

/** The outcome of {@link TimerIndex.add}. */
export type TimerAddResult =
  { added: true; evicted?: IndexedTimer } | { added: false; reason: 'beyondHorizon' | 'windowFull' };

/** A sorted window of timers. Sorted array: the window is bounded, and the common operation is popping the front. */
export class TimerIndex {
  /** Ascending by key; `sequence` values are unique. */
  private readonly timers: IndexedTimer[] = [];
  private readonly sequences = new Set<number>();
  /** Every durable timer with key ≤ horizon is in the window; `undefined` means every timer is. */
  private horizonKey: TimerKey | undefined = undefined;

  constructor(readonly sizeMax: number = TIMER_WINDOW_SIZE_MAX) {
    invariant(Number.isSafeInteger(sizeMax) && sizeMax >= 1, () => `timer window size must be ≥ 1, got ${sizeMax}`);
  }

  /** Timers held. */
  get size(): number {
    return this.timers.length;
  }

  /** The last key the window is complete up to, or `undefined` when it holds every timer. */
  get horizon(): TimerKey | undefined {
    return this.horizonKey;
  }

  /**
   * Adds a timer. A timer after the horizon is not held (it is in `state/` and will come back with `extend`). If
   * the window is full, the latest timer (the newcomer or the held last one, which is then returned as `evicted`)
   * stays out of the window and the horizon moves to the window's new last key.
   */
  add(entry: IndexedTimer): TimerAddResult {
    checkKey(entry);
    invariant(!this.sequences.has(entry.sequence), () => `timer sequence ${entry.sequence} is already indexed`);
    if (this.horizonKey !== undefined && compareTimerKeys(entry, this.horizonKey) > 0) {
      return { added: false, reason: 'beyondHorizon' };
    }
    const last = this.timers[this.timers.length - 1];
    if (this.timers.length >= this.sizeMax && last !== undefined && compareTimerKeys(entry, last) > 0) {
      // Full, and the newcomer is the latest: it stays in `state/` only, and the window now ends at `last`.
      this.horizonKey = keyOf(last);
      return { added: false, reason: 'windowFull' };
    }
    this.timers.splice(this.insertionPoint(entry), 0, entry);
    this.sequences.add(entry.sequence);
    if (this.timers.length <= this.sizeMax) return { added: true };
    const evicted = this.timers.pop();
    const newLast = this.timers[this.timers.length - 1];
    invariant(evicted !== undefined && newLast !== undefined, 'an overfull timer window has two timers or more');
    this.sequences.delete(evicted.sequence);
    this.horizonKey = keyOf(newLast);
    return { added: true, evicted };
  }

  /** Removes the timer with this key; false if it is not in the window (fired, never added, or beyond horizon). */
  cancel(key: TimerKey): boolean {
    if (!this.sequences.has(key.sequence)) return false;
    const position = this.insertionPoint(key);
    const found = this.timers[position];
    if (found === undefined || compareTimerKeys(found, key) !== 0) return false;
    this.timers.splice(position, 1);
    this.sequences.delete(key.sequence);
    return true;
  }

  /**
   * Removes and returns, in key order, the timers due at `nowMs` (fireAtMs ≤ nowMs), at most `countMax`. Never
   * returns a timer before its fire time.
   */
  popDue(nowMs: number, countMax: number = Number.POSITIVE_INFINITY): IndexedTimer[] {
    let count = 0;
    while (count < this.timers.length && count < countMax && (this.timers[count]?.fireAtMs ?? Infinity) <= nowMs) {
      count += 1;
    }
    const due = this.timers.splice(0, count);
    for (const entry of due) this.sequences.delete(entry.sequence);
    return due;
  }

  /** When the earliest held timer is due, or `undefined` if the window is empty. */
  nextFireAtMs(): number | undefined {
    return this.timers[0]?.fireAtMs;
  }

  /**
   * Loads timers from `state/` that lie after the current horizon, up to `newHorizon` (`undefined`: the load
   * reached the end of the durable index). The caller reads them in key order, at most `sizeMax − size` of them.
   */
  extend(entries: readonly IndexedTimer[], newHorizon: TimerKey | undefined): void {
    const oldHorizon = this.horizonKey;
    invariant(oldHorizon !== undefined, 'extend is only needed after the window dropped timers');
    invariant(this.timers.length + entries.length <= this.sizeMax, () => `extend overflows ${this.sizeMax}`);
    for (const entry of entries) {
      checkKey(entry);
      invariant(compareTimerKeys(entry, oldHorizon) > 0, () => `loaded timer ${entry.sequence} is not after horizon`);
      invariant(
        newHorizon === undefined || compareTimerKeys(entry, newHorizon) <= 0,
        () => `loaded timer ${entry.sequence} is after the new horizon`
      );
      invariant(!this.sequences.has(entry.sequence), () => `timer sequence ${entry.sequence} is already indexed`);
      this.timers.splice(this.insertionPoint(entry), 0, entry);
      this.sequences.add(entry.sequence);
    }
    this.horizonKey = newHorizon === undefined ? undefined : keyOf(newHorizon);
  }

  /** The first position whose key is ≥ `key` (binary search). */
  private insertionPoint(key: TimerKey): number {
    let low = 0;
    let high = this.timers.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const probe = this.timers[middle];
      invariant(probe !== undefined, 'binary search stays in bounds');
      if (compareTimerKeys(probe, key) < 0) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}

function keyOf(key: TimerKey): TimerKey {
  return { fireAtMs: key.fireAtMs, sequence: key.sequence };
}

/** Keys come from the engine's own state: a bad one is a broken invariant, not bad input. */
function checkKey(key: TimerKey): void {
  invariant(Number.isSafeInteger(key.fireAtMs) && key.fireAtMs >= 0, () => `bad timer fireAtMs ${key.fireAtMs}`);
  invariant(Number.isSafeInteger(key.sequence) && key.sequence >= 0, () => `bad timer sequence ${key.sequence}`);
}
