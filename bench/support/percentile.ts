/**
 * Latency bookkeeping for benchmarks: a growable sample buffer and nearest-rank percentiles. Every sample is
 * kept (a 20 s run at 20,000/s is 400,000 doubles, 3.2 MB), so percentiles are exact rather than estimated
 * from a histogram.
 */

/** The nearest-rank percentile (`fraction` in [0, 1]) of ascending `sorted`; NaN when there is no sample. */
export function percentileOfSorted(sorted: ArrayLike<number>, fraction: number): number {
  if (!(fraction >= 0 && fraction <= 1)) throw new RangeError(`percentile fraction ${fraction} is outside [0, 1]`);
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil(fraction * sorted.length));
  return sorted[rank - 1] as number;
}

/** A summary of latency samples in milliseconds. */
export interface LatencySummaryMs {
  readonly count: number;
  readonly meanMs: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  readonly p999Ms: number;
  readonly maxMs: number;
}

/** Collects samples (milliseconds) into a Float64Array that doubles when full. */
export class LatencyRecorder {
  private samples = new Float64Array(1024);
  private length = 0;

  /** Records one sample. */
  record(valueMs: number): void {
    if (this.length === this.samples.length) {
      const grown = new Float64Array(this.samples.length * 2);
      grown.set(this.samples);
      this.samples = grown;
    }
    this.samples[this.length++] = valueMs;
  }

  get count(): number {
    return this.length;
  }

  /** Forgets every sample (the warm-up ended). */
  reset(): void {
    this.length = 0;
  }

  summary(): LatencySummaryMs {
    const sorted = this.samples.slice(0, this.length).sort();
    let totalMs = 0;
    for (const value of sorted) totalMs += value;
    return {
      count: sorted.length,
      meanMs: sorted.length === 0 ? Number.NaN : totalMs / sorted.length,
      p50Ms: percentileOfSorted(sorted, 0.5),
      p90Ms: percentileOfSorted(sorted, 0.9),
      p99Ms: percentileOfSorted(sorted, 0.99),
      p999Ms: percentileOfSorted(sorted, 0.999),
      maxMs: sorted.length === 0 ? Number.NaN : (sorted[sorted.length - 1] as number),
    };
  }
}
