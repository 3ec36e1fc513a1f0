/**
 * CPU and memory of the benchmark process over a measurement window: `process.cpuUsage` deltas (user + system,
 * all threads, so LevelDB's libuv worker threads count too), event-loop utilization (how busy the one JS thread
 * was), and the resident set size sampled periodically (peak and end).
 */
import { performance } from 'node:perf_hooks';
import type { EventLoopUtilization } from 'node:perf_hooks';

export interface ResourceUsage {
  readonly wallMs: number;
  readonly cpuUserMs: number;
  readonly cpuSystemMs: number;
  /** (user + system) / wall: 100 = one core fully busy; may exceed 100 with worker threads. */
  readonly cpuPercentOfCore: number;
  /** Fraction of the window the JS thread was not idle in the event loop, 0..1. */
  readonly eventLoopUtilization: number;
  readonly rssMiBPeak: number;
  readonly rssMiBEnd: number;
  readonly heapUsedMiBEnd: number;
}

const MIB = 1024 * 1024;

/** Measures from `start()` to `stop()`; sampling RSS every `rssSampleIntervalMs`. */
export class ResourceSampler {
  private startWallMs = 0;
  private startCpu: NodeJS.CpuUsage | null = null;
  private startLoop: EventLoopUtilization | null = null;
  private rssBytesPeak = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly rssSampleIntervalMs = 250) {}

  start(): void {
    this.startWallMs = performance.now();
    this.startCpu = process.cpuUsage();
    this.startLoop = performance.eventLoopUtilization();
    this.rssBytesPeak = process.memoryUsage.rss();
    this.timer = setInterval(() => this.sampleRss(), this.rssSampleIntervalMs);
    // The sampler must never keep a finished benchmark alive.
    this.timer.unref();
  }

  stop(): ResourceUsage {
    if (this.startCpu === null || this.startLoop === null) throw new Error('ResourceSampler.stop before start');
    const wallMs = performance.now() - this.startWallMs;
    const cpu = process.cpuUsage(this.startCpu);
    const loop = performance.eventLoopUtilization(this.startLoop);
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.sampleRss();
    const memory = process.memoryUsage();
    const cpuUserMs = cpu.user / 1000;
    const cpuSystemMs = cpu.system / 1000;
    return {
      wallMs,
      cpuUserMs,
      cpuSystemMs,
      cpuPercentOfCore: wallMs > 0 ? ((cpuUserMs + cpuSystemMs) / wallMs) * 100 : Number.NaN,
      eventLoopUtilization: loop.utilization,
      rssMiBPeak: this.rssBytesPeak / MIB,
      rssMiBEnd: memory.rss / MIB,
      heapUsedMiBEnd: memory.heapUsed / MIB,
    };
  }

  private sampleRss(): void {
    this.rssBytesPeak = Math.max(this.rssBytesPeak, process.memoryUsage.rss());
  }
}
