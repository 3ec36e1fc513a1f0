/**
 * Workflows of the engine fault scenarios and the engine latency bench, bundled by the SDK's webpack (this module
 * may import only @temporalio/workflow and types). Each returns a value the harness can predict from its input, so
 * a completed run proves which code path it took.
 */
import { proxyActivities, sleep } from '@temporalio/workflow';
import type { EngineActivities } from './activities.js';

const { first, second, echo } = proxyActivities<EngineActivities>({
  startToCloseTimeout: '10s',
});

/** Two sequential activities: `first(n)` → `a${n}`, then `second` → `a${n}-b`. */
export async function twoActivities(n: number): Promise<string> {
  const firstResult = await first(n);
  return await second(firstResult);
}

/** Sleeps `durationMs` on a server timer and returns it. */
export async function sleeper(durationMs: number): Promise<number> {
  await sleep(durationMs);
  return durationMs;
}

/** One activity that returns its input. */
export async function oneActivity(input: string): Promise<string> {
  return await echo(input);
}
