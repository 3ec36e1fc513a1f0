/**
 * Seeded PRNG streams for the simulator. One run SEED fixes everything; each subsystem (options, network, disk,
 * faults, workload, and every Raft replica's election jitter) draws from its own stream so that adding a draw
 * in one subsystem does not shift the choices of another (TESTING.md §3).
 */
import { SeededRandom } from '../../src/raft/core/random.js';

/** The named streams a run derives from its seed. */
export type StreamName = 'options' | 'network' | 'disk' | 'faults' | 'workload' | 'raft' | 'snapshots';

const STREAM_SALTS: Readonly<Record<StreamName, number>> = {
  options: 0x6f707473,
  network: 0x6e657477,
  disk: 0x6469736b,
  faults: 0x66617574,
  workload: 0x776f726b,
  raft: 0x72616674,
  snapshots: 0x736e6170,
};

/** Mixes a seed and a salt into a new 53-bit seed (splitmix64-style avalanche on two 32-bit halves). */
export function mixSeed(seed: number, salt: number): number {
  let high = (Math.floor(seed / 0x100000000) ^ salt) >>> 0;
  let low = (seed >>> 0) ^ Math.imul(salt, 0x9e3779b9);
  high = Math.imul(high ^ (high >>> 16), 0x85ebca6b) >>> 0;
  low = Math.imul(low ^ (low >>> 13), 0xc2b2ae35) >>> 0;
  high = (high ^ low ^ (low >>> 16)) >>> 0;
  low = Math.imul(low ^ (high >>> 15), 0x27d4eb2f) >>> 0;
  return (high & 0x1fffff) * 0x100000000 + low;
}

/** The simulator's random source: the core's sfc32 plus a few helpers the simulator needs. */
export class SimRandom extends SeededRandom {
  /** True with probability `probability` (0..1). */
  chance(probability: number): boolean {
    return probability > 0 && this.float() < probability;
  }

  /** A uniformly chosen element; the array must not be empty. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty array');
    return items[this.intInclusive(0, items.length - 1)] as T;
  }

  /** Picks by weight; weights must not all be zero. */
  weighted<T extends string>(weights: Readonly<Record<T, number>>): T {
    const entries = Object.entries(weights) as [T, number][];
    const total = entries.reduce((sum, [, weight]) => sum + weight, 0);
    if (total <= 0) throw new RangeError('weights sum to zero');
    let point = this.float() * total;
    for (const [key, weight] of entries) {
      point -= weight;
      if (point < 0) return key;
    }
    return (entries[entries.length - 1] as [T, number])[0];
  }

  /** An integer delay with minimum `min` and mean about `mean` (min + exponential tail), capped at 8×mean. */
  delay(minTicks: number, meanTicks: number): number {
    if (meanTicks <= minTicks) return minTicks;
    const extra = -Math.log(1 - this.float()) * (meanTicks - minTicks);
    return minTicks + Math.min(Math.round(extra), 8 * meanTicks);
  }

  /** A Fisher–Yates shuffled copy. */
  shuffled<T>(items: readonly T[]): T[] {
    const copy = items.slice();
    for (let i = copy.length - 1; i > 0; i--) {
      const j = this.intInclusive(0, i);
      const held = copy[i] as T;
      copy[i] = copy[j] as T;
      copy[j] = held;
    }
    return copy;
  }
}

/** The stream `name` of the run with `seed`. Further keys (node id, group id, incarnation) derive sub-streams. */
export function stream(seed: number, name: StreamName, ...keys: number[]): SimRandom {
  let mixed = mixSeed(seed, STREAM_SALTS[name]);
  for (const key of keys) mixed = mixSeed(mixed, key + 1);
  return new SimRandom(mixed);
}
