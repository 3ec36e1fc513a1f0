/** The nemesis of the engine scenarios: `kill -9` the node, then start it again at once on the same dir and ports. */
import type { CairnProcess } from './cairnProcess.js';

/** When the node went down and came back (`performance.now()` ms, plus the kill's wall clock for event times). */
export interface KillTimeline {
  killAtMs?: number;
  killAtWallMs?: number;
  readyAtMs?: number;
  readyAtWallMs?: number;
  /** Why the kill or the restart failed. */
  error?: string;
}

/** Waits `delayMs`, kills the node with SIGKILL, restarts it and records the times in `timeline`; never throws. */
export async function killAndRestart(node: CairnProcess, timeline: KillTimeline, delayMs: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, delayMs));
  try {
    timeline.killAtMs = performance.now();
    timeline.killAtWallMs = Date.now();
    await node.kill9();
    await node.start();
    timeline.readyAtMs = performance.now();
    timeline.readyAtWallMs = Date.now();
  } catch (error) {
    timeline.error = `kill and restart failed: ${String(error)}`;
  }
}

/** Milliseconds from the kill until the restarted node was ready (undefined when either did not happen). */
export function killToReadyMs(timeline: KillTimeline): number | undefined {
  const { killAtMs, readyAtMs } = timeline;
  return killAtMs === undefined || readyAtMs === undefined ? undefined : readyAtMs - killAtMs;
}
