// Goal: the engine's durability as the official Temporal SDK 1.24.0 sees it through a real `cairn dev` process
// (8 shards) that is killed with SIGKILL and restarted on the same data dir and ports. (1) Every twoActivities
// workflow the client saw started completes exactly once with `a${n}-b` — by handle.result() and by its history
// (one WorkflowExecutionCompleted, each activity scheduled and completed once) — and an activity runs more than once
// only if its first execution began before the kill, never after its completion was recorded. (2) Every sleeper
// workflow completes, its timer fires, and no timer fires before TimerStarted's time + its duration.
// Method: the scenarios of jepsen-like/engine at a small size (150 workflows at concurrency 32, killed after 40% of
// the results; 40 timers of 1–5 s, killed 1 s after the last start). The SDK worker and client run in this process;
// the seed (kill jitter, timer durations) is random unless ENGINE_CRASH_SEED is set, and every failure message
// carries it. Timeouts only guard against hangs: the assertions are invariants, never durations.
import { beforeAll, describe, expect, it } from 'vitest';
import type { WorkflowBundle } from '@temporalio/worker';
import { formatCrashReport } from '../../jepsen-like/engine/crashReport.js';
import { runCrash } from '../../jepsen-like/engine/crashRun.js';
import { bundleEngineWorkflows } from '../../jepsen-like/engine/sdkSession.js';
import { formatTimerReport } from '../../jepsen-like/engine/timerReport.js';
import { runTimerRestart } from '../../jepsen-like/engine/timerRestart.js';

const seed =
  process.env['ENGINE_CRASH_SEED'] === undefined ? Date.now() % 2 ** 31 : Number(process.env['ENGINE_CRASH_SEED']);
const scenarioTimeoutMs = 600_000;
let workflowBundle: WorkflowBundle;

beforeAll(async () => {
  workflowBundle = await bundleEngineWorkflows();
}, 120_000);

describe(`engine under kill -9 (seed ${seed}; rerun with ENGINE_CRASH_SEED=${seed})`, () => {
  it(
    'completes every started twoActivities workflow exactly once across a kill -9 and restart',
    async () => {
      const workflows = 150;
      const summary = await runCrash({
        workflows,
        concurrency: 32,
        killAfterFraction: 0.4,
        seed,
        shards: 8,
        workflowBundle,
      });
      const report = `seed ${seed}\n${formatCrashReport(summary)}`;
      expect(summary.violations, report).toEqual([]);
      expect(summary.violationCount, report).toBe(0);
      expect(summary.started, report).toBe(workflows);
      expect(summary.completed, report).toBe(workflows);
      // The kill waits 0–100 ms (seeded) after the threshold, so a few more results may arrive before it.
      expect(summary.resultsBeforeKill, report).toBeGreaterThanOrEqual(Math.ceil(workflows * 0.4));
      expect(summary.killToReadyMs, report).toBeDefined();
      expect(summary.activityExecutions, report).toBe(2 * workflows + summary.extraActivityExecutions);
    },
    scenarioTimeoutMs
  );

  it(
    'fires every timer, none early, across a kill -9 and restart',
    async () => {
      const workflows = 40;
      const summary = await runTimerRestart({ workflows, seed, shards: 8, workflowBundle });
      const report = `seed ${seed}\n${formatTimerReport(summary)}`;
      expect(summary.violations, report).toEqual([]);
      expect(summary.violationCount, report).toBe(0);
      expect(summary.started, report).toBe(workflows);
      expect(summary.completed, report).toBe(workflows);
      expect(summary.timersStarted, report).toBe(workflows);
      expect(summary.timersFired, report).toBe(workflows);
      expect(summary.killToReadyMs, report).toBeDefined();
    },
    scenarioTimeoutMs
  );
});
