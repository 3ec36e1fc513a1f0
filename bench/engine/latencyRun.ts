/**
 * One closed-loop latency run: C clients, each executing `oneActivity(input)` (client.workflow.execute: start, then
 * await the result) until `workflows` have completed; every end-to-end latency is kept. The node's CPU and memory
 * come from /proc around the run.
 */
import type { Client } from '@temporalio/client';
import { LatencyRecorder } from '../support/percentile.js';
import type { LatencySummaryMs } from '../support/percentile.js';
import { clockTicksPerSecond, processCpuSeconds, processMemoryMiB } from './procStats.js';

/** What a run needs. */
export interface LatencyRunContext {
  readonly client: Client;
  readonly taskQueue: string;
  /** The node's pid (for /proc). */
  readonly nodePid: number;
  /** Distinguishes the workflow ids of successive runs. */
  readonly label: string;
}

/** The figures of one run. */
export interface LatencyRunResult {
  readonly concurrency: number;
  readonly workflows: number;
  readonly latency: LatencySummaryMs;
  readonly workflowsPerSecond: number;
  /** CPU of the node process, % of one core, over the run. */
  readonly nodeCpuPercent: number;
  /** CPU of this process (client + worker), % of one core. */
  readonly harnessCpuPercent: number;
  readonly nodeRssMiB: number;
  readonly nodePeakRssMiB: number;
  /** Results that differed from the input (a correct engine has 0). */
  readonly wrongResults: number;
}

/** Runs `workflows` one-activity workflows with `concurrency` clients. */
export async function runLatency(
  context: LatencyRunContext,
  workflows: number,
  concurrency: number
): Promise<LatencyRunResult> {
  const recorder = new LatencyRecorder();
  const ticksPerSecond = clockTicksPerSecond();
  let next = 0;
  let wrongResults = 0;
  const clientLoop = async (): Promise<void> => {
    for (let index = next++; index < workflows; index = next++) {
      const input = `${context.label}-${index}`;
      const startedAtMs = performance.now();
      const result = await context.client.workflow.execute('oneActivity', {
        taskQueue: context.taskQueue,
        workflowId: input,
        args: [input],
      });
      recorder.record(performance.now() - startedAtMs);
      if (result !== input) wrongResults += 1;
    }
  };
  const nodeCpuBefore = processCpuSeconds(context.nodePid, ticksPerSecond);
  const harnessCpuBefore = process.cpuUsage();
  const startedAtMs = performance.now();
  await Promise.all(Array.from({ length: concurrency }, clientLoop));
  const elapsedSeconds = (performance.now() - startedAtMs) / 1000;
  const nodeCpuSeconds = processCpuSeconds(context.nodePid, ticksPerSecond) - nodeCpuBefore;
  const harnessCpu = process.cpuUsage(harnessCpuBefore);
  const memory = processMemoryMiB(context.nodePid);
  return {
    concurrency,
    workflows,
    latency: recorder.summary(),
    workflowsPerSecond: workflows / elapsedSeconds,
    nodeCpuPercent: (nodeCpuSeconds / elapsedSeconds) * 100,
    harnessCpuPercent: ((harnessCpu.user + harnessCpu.system) / 1e6 / elapsedSeconds) * 100,
    nodeRssMiB: memory.rssMiB,
    nodePeakRssMiB: memory.peakRssMiB,
    wrongResults,
  };
}
