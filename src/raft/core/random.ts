/**
 * A seeded pseudo-random source. The Raft core draws its randomized election timeouts from one of these, so
 * a seed fixes every choice it makes (STYLE.md rule 2). Production seeds it from the OS at the edge; the
 * simulator derives one stream per node and subsystem from the run's SEED.
 *
 * Algorithm: sfc32 (Chris Doty-Humphrey's Small Fast Counting generator), seeded through splitmix32. It passes
 * PractRand to 2^40+ bytes, has a 128-bit state and is four additions and shifts per draw.
 */
import { invariant } from './errors.js';

export interface RandomSource {
  /** A uniformly distributed integer in [min, max] (both inclusive). */
  intInclusive(min: number, max: number): number;
  /** A float in [0, 1). */
  float(): number;
}

export class SeededRandom implements RandomSource {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    invariant(Number.isSafeInteger(seed), () => `random seed must be a safe integer, got ${seed}`);
    let state = (seed ^ Math.floor(seed / 0x100000000)) >>> 0;
    const next = (): number => {
      state = (state + 0x9e3779b9) >>> 0;
      let z = state;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** The next 32 random bits as an unsigned integer. */
  nextUint32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  float(): number {
    return this.nextUint32() / 0x100000000;
  }

  intInclusive(min: number, max: number): number {
    invariant(Number.isSafeInteger(min) && Number.isSafeInteger(max) && min <= max, () => `bad range [${min}, ${max}]`);
    const span = max - min + 1;
    return min + Math.floor(this.float() * span);
  }

  /** A new independent stream, for handing one to each subsystem. */
  fork(): SeededRandom {
    return new SeededRandom(this.nextUint32() * 0x200000 + (this.nextUint32() >>> 11));
  }
}
