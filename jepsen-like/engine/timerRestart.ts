/**
 * The timer scenario: W `sleeper(d)` workflows, d drawn from [1000, 5000] ms by the seed, all started; ~1 s later
 * the node is killed with SIGKILL and restarted at once. Every workflow must complete, and its timer must fire, never
 * before it was due (timerChecks.ts). Timers due while the node was down fire late by design: the report gives the
 * lateness of those and of the others separately.
 */
import type { WorkflowBundle } from '@temporalio/worker';
import { percentileOfSorted } from '../../bench/support/percentile.js';
import { SeededRandom } from '../../src/raft/core/random.js';
import type { History } from './historyFacts.js';
import { fetchHistories } from './historyFetch.js';
import { killAndRestart, killToReadyMs } from './nodeRestart.js';
import type { KillTimeline } from './nodeRestart.js';
import { withScenarioEnvironment } from './scenarioEnvironment.js';
import { checkSleeperHistory } from './timerChecks.js';
import type { TimerFiring } from './timerChecks.js';
import type { TransientTally } from './transientRetry.js';
import { awaitResultWithRetry, startWithRetry } from './workflowStarts.js';
import type { StartContext, WorkflowOutcome } from './workflowStarts.js';

/** Options of {@link runTimerRestart}. */
export interface TimerRunOptions {
  readonly workflows: number;
  readonly seed: number;
  readonly shards: number;
  /** How long after the last start the node is killed (default 1000 ms). */
  readonly killDelayMs?: number;
  readonly callDeadlineMs?: number;
  readonly keepWorkDir?: boolean;
  readonly workflowBundle?: WorkflowBundle;
  readonly progress?: (line: string) => void;
}

/** The figures and findings of one timer run (printed as one JSON line). */
export interface TimerSummary {
  readonly scenario: 'timers';
  readonly seed: number;
  readonly workflows: number;
  readonly shards: number;
  readonly started: number;
  readonly completed: number;
  readonly timersStarted: number;
  readonly timersFired: number;
  readonly timersDueWhileDown: number;
  /** Timers not yet due when the node was killed: they had to survive the restart. */
  readonly timersPendingAtKill: number;
  readonly latenessP50Ms: number | undefined;
  readonly latenessP99Ms: number | undefined;
  readonly latenessMaxMs: number | undefined;
  /** The max lateness of the timers that were due while the node was up (before the kill or after the restart). */
  readonly latenessMaxDueWhileUpMs: number | undefined;
  readonly transientRetries: Record<string, number>;
  /** The SDK worker's warnings during the run, by message (retries across the outage, stale completions). */
  readonly sdkWarnings: Record<string, number>;
  readonly killToReadyMs: number | undefined;
  readonly wallMs: number;
  readonly violationCount: number;
  readonly violations: readonly string[];
}

const durationMinMs = 1_000;
const durationMaxMs = 5_000;
const startConcurrency = 32;

/** Runs the timer scenario and returns its summary (violations included; throws only on harness failures). */
export async function runTimerRestart(options: TimerRunOptions): Promise<TimerSummary> {
  const wallStartMs = performance.now();
  return await withScenarioEnvironment(
    {
      label: 'timers',
      shards: options.shards,
      keepWorkDir: options.keepWorkDir,
      workflowBundle: options.workflowBundle,
    },
    async (environment) => {
      const tally: TransientTally = new Map();
      const context: StartContext = {
        client: environment.sdk.client,
        taskQueue: environment.taskQueue,
        deadlineMs: options.callDeadlineMs ?? 120_000,
        tally,
      };
      const random = new SeededRandom(options.seed);
      const outcomes = Array.from({ length: options.workflows }, (_, n): WorkflowOutcome => {
        const durationMs = random.intInclusive(durationMinMs, durationMaxMs);
        return { workflowId: `timers-${options.seed}-${n}`, input: durationMs, expectedResult: durationMs };
      });
      await startAll(context, outcomes);
      options.progress?.(`timers: ${outcomes.length} started; killing the node in ${options.killDelayMs ?? 1000} ms`);
      const results = outcomes.map((outcome) =>
        outcome.startedHow === undefined ? Promise.resolve() : awaitResultWithRetry(context, outcome)
      );
      const timeline: KillTimeline = {};
      await killAndRestart(environment.node, timeline, options.killDelayMs ?? 1_000);
      options.progress?.(`timers: node restarted; awaiting ${outcomes.length} results`);
      await Promise.all(results);
      const histories = await fetchHistories(context, outcomes);
      const violations = [...environment.node.unexpectedExits];
      const workerFailure = environment.sdk.workerFailure();
      if (workerFailure !== undefined) violations.push(workerFailure);
      const { timersStarted, firings } = checkAll(outcomes, histories, timeline, violations);
      if (violations.length > 0) environment.keepWorkDir();
      const wallMs = performance.now() - wallStartMs;
      const sdkWarnings = environment.sdkWarnings();
      return summarize(options, { outcomes, timersStarted, firings, timeline, tally, violations, wallMs, sdkWarnings });
    }
  );
}

async function startAll(context: StartContext, outcomes: WorkflowOutcome[]): Promise<void> {
  let next = 0;
  const starter = async (): Promise<void> => {
    for (let index = next++; index < outcomes.length; index = next++) {
      await startWithRetry(context, 'sleeper', outcomes[index] as WorkflowOutcome);
    }
  };
  await Promise.all(Array.from({ length: startConcurrency }, starter));
}

/** Checks outcomes and histories; appends violations; returns the timers started and every firing found. */
function checkAll(
  outcomes: readonly WorkflowOutcome[],
  histories: ReadonlyMap<string, History | string>,
  timeline: KillTimeline,
  violations: string[]
): { timersStarted: number; firings: TimerFiring[] } {
  if (timeline.error !== undefined) violations.push(timeline.error);
  if (timeline.killAtMs === undefined) violations.push('the node was never killed');
  const firings: TimerFiring[] = [];
  let timersStarted = 0;
  for (const outcome of outcomes) {
    if (outcome.error !== undefined) violations.push(`${outcome.workflowId}: ${outcome.error}`);
    else if (outcome.result !== outcome.expectedResult) {
      violations.push(`${outcome.workflowId}: result ${JSON.stringify(outcome.result)}, expected ${outcome.input}`);
    }
    const history = histories.get(outcome.workflowId);
    if (history === undefined) continue;
    if (typeof history === 'string') {
      violations.push(`${outcome.workflowId}: ${history}`);
      continue;
    }
    const check = checkSleeperHistory(outcome.workflowId, history, Number(outcome.input));
    violations.push(...check.violations);
    firings.push(...check.firings);
    timersStarted += check.timersStarted;
  }
  return { timersStarted, firings };
}

interface TimerFigures {
  readonly outcomes: readonly WorkflowOutcome[];
  readonly timersStarted: number;
  readonly firings: readonly TimerFiring[];
  readonly timeline: KillTimeline;
  readonly tally: TransientTally;
  readonly violations: readonly string[];
  readonly wallMs: number;
  readonly sdkWarnings: Record<string, number>;
}

function summarize(options: TimerRunOptions, figures: TimerFigures): TimerSummary {
  const { outcomes, firings, timeline, violations } = figures;
  const killAt = timeline.killAtWallMs ?? Number.POSITIVE_INFINITY;
  const readyAt = timeline.readyAtWallMs ?? Number.POSITIVE_INFINITY;
  const dueWhileDown = (firing: TimerFiring): boolean => firing.dueAtWallMs >= killAt && firing.dueAtWallMs < readyAt;
  const lateness = Float64Array.from(firings.map((firing) => firing.latenessMs)).sort();
  const latenessUp = firings.filter((firing) => !dueWhileDown(firing)).map((firing) => firing.latenessMs);
  const defined = (value: number): number | undefined => (Number.isNaN(value) ? undefined : value);
  return {
    scenario: 'timers',
    seed: options.seed,
    workflows: options.workflows,
    shards: options.shards,
    started: outcomes.filter((outcome) => outcome.startedHow !== undefined).length,
    completed: outcomes.filter((outcome) => outcome.result === outcome.expectedResult).length,
    timersStarted: figures.timersStarted,
    timersFired: firings.length,
    timersDueWhileDown: firings.filter(dueWhileDown).length,
    timersPendingAtKill: firings.filter((firing) => firing.dueAtWallMs >= killAt).length,
    latenessP50Ms: defined(percentileOfSorted(lateness, 0.5)),
    latenessP99Ms: defined(percentileOfSorted(lateness, 0.99)),
    latenessMaxMs: lateness.length === 0 ? undefined : lateness[lateness.length - 1],
    latenessMaxDueWhileUpMs: latenessUp.length === 0 ? undefined : Math.max(...latenessUp),
    transientRetries: Object.fromEntries(figures.tally),
    sdkWarnings: figures.sdkWarnings,
    killToReadyMs: killToReadyMs(timeline),
    wallMs: figures.wallMs,
    violationCount: violations.length,
    violations: violations.slice(0, 50),
  };
}
