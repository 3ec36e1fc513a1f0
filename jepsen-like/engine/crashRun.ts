/**
 * The crash scenario: N `twoActivities(n)` workflows through a real `cairn dev` process, started by a closed loop of
 * C clients; once the given fraction of results has arrived the node is killed with SIGKILL and restarted at once on
 * the same data dir and ports. Every workflow the client saw started must complete exactly once with `a${n}-b`
 * (by its result and by its history), and activities may run more than once only if they were in flight at the
 * kill (crashChecks.ts).
 */
import type { WorkflowBundle } from '@temporalio/worker';
import { SeededRandom } from '../../src/raft/core/random.js';
import type { CairnProcess } from './cairnProcess.js';
import { checkActivityExecutions, checkTwoActivitiesHistory } from './crashChecks.js';
import type { ExecutionCheck } from './crashChecks.js';
import { timelineOf } from './historyFacts.js';
import type { History } from './historyFacts.js';
import { fetchHistories } from './historyFetch.js';
import { killAndRestart, killToReadyMs } from './nodeRestart.js';
import type { KillTimeline } from './nodeRestart.js';
import { withScenarioEnvironment } from './scenarioEnvironment.js';
import type { ScenarioEnvironment } from './scenarioEnvironment.js';
import type { TransientTally } from './transientRetry.js';
import { awaitResultWithRetry, startWithRetry } from './workflowStarts.js';
import type { StartContext, WorkflowOutcome } from './workflowStarts.js';

/** Options of {@link runCrash}. */
export interface CrashRunOptions {
  readonly workflows: number;
  readonly concurrency: number;
  /** Kill once this fraction of the results arrived (0 kills before the first result, 1 after the last). */
  readonly killAfterFraction: number;
  readonly seed: number;
  readonly shards: number;
  /** Hang guard of each client call across the restart (default 120 s). */
  readonly callDeadlineMs?: number;
  readonly keepWorkDir?: boolean;
  readonly workflowBundle?: WorkflowBundle;
  /** Receives a progress line every few seconds. */
  readonly progress?: (line: string) => void;
}

/** The figures and findings of one crash run (printed as one JSON line). */
export interface CrashSummary {
  readonly scenario: 'crash';
  readonly seed: number;
  readonly workflows: number;
  readonly concurrency: number;
  readonly killAfterFraction: number;
  readonly shards: number;
  readonly started: number;
  readonly startedByAlreadyStartedOnRetry: number;
  readonly completed: number;
  readonly resultsBeforeKill: number;
  readonly activityExecutions: number;
  readonly activitiesRunMoreThanOnce: number;
  readonly extraActivityExecutions: number;
  readonly maxExecutionsOfOneActivity: number;
  readonly duplicateExamples: readonly string[];
  readonly transientRetries: Record<string, number>;
  /** The SDK worker's warnings during the run, by message (retries across the outage, stale completions). */
  readonly sdkWarnings: Record<string, number>;
  readonly firstStartMs: number;
  readonly killToReadyMs: number | undefined;
  readonly readyToFirstResultMs: number | undefined;
  readonly readyToLastInFlightResultMs: number | undefined;
  /** The history of the in-flight workflow whose result came last, event times relative to the kill. */
  readonly slowestInFlightTimeline: string | undefined;
  readonly wallMs: number;
  readonly violationCount: number;
  /** The first 50 violations. */
  readonly violations: readonly string[];
}

const defaultCallDeadlineMs = 120_000;

/** Runs the crash scenario and returns its summary (violations included; it throws only on harness failures). */
export async function runCrash(options: CrashRunOptions): Promise<CrashSummary> {
  const wallStartMs = performance.now();
  return await withScenarioEnvironment(
    {
      label: 'crash',
      shards: options.shards,
      keepWorkDir: options.keepWorkDir,
      workflowBundle: options.workflowBundle,
    },
    async (environment) => {
      const tally: TransientTally = new Map();
      const context: StartContext = {
        client: environment.sdk.client,
        taskQueue: environment.taskQueue,
        deadlineMs: options.callDeadlineMs ?? defaultCallDeadlineMs,
        tally,
      };
      const outcomes = Array.from({ length: options.workflows }, (_, n): WorkflowOutcome => {
        return { workflowId: `crash-${options.seed}-${n}`, input: n, expectedResult: `a${n}-b` };
      });
      const timeline = await runWorkload(environment.node, context, outcomes, options);
      const violations = outcomeViolations(outcomes, timeline);
      const histories = await fetchHistories(context, outcomes);
      const executionCheck = checkHistories(histories, outcomes, environment, timeline, violations);
      for (const problem of [...environment.node.unexpectedExits, environment.sdk.workerFailure()]) {
        if (problem !== undefined) violations.push(problem);
      }
      if (violations.length > 0) environment.keepWorkDir();
      const figures = {
        outcomes,
        histories,
        timeline,
        executionCheck,
        tally,
        violations,
        wallMs: performance.now() - wallStartMs,
      };
      return summarize(options, environment, figures);
    }
  );
}

/** The closed loop of `concurrency` clients, and the kill once enough results arrived. */
async function runWorkload(
  node: CairnProcess,
  context: StartContext,
  outcomes: WorkflowOutcome[],
  options: CrashRunOptions
): Promise<KillTimeline> {
  const killAfterResults = Math.ceil(outcomes.length * options.killAfterFraction);
  const killDelayMs = new SeededRandom(options.seed).intInclusive(0, 100);
  const timeline: KillTimeline = {};
  let results = 0;
  let next = 0;
  let killing: Promise<void> | undefined;
  const maybeKill = (): void => {
    if (killing === undefined && results >= killAfterResults) killing = killAndRestart(node, timeline, killDelayMs);
  };
  const progress = setInterval(() => {
    const down = timeline.killAtMs !== undefined && timeline.readyAtMs === undefined ? ' (node down)' : '';
    options.progress?.(
      `crash: ${Math.min(next, outcomes.length)} started, ${results} results of ${outcomes.length}${down}`
    );
  }, 5_000);
  const client = async (): Promise<void> => {
    for (let n = next++; n < outcomes.length; n = next++) {
      const outcome = outcomes[n] as WorkflowOutcome;
      await startWithRetry(context, 'twoActivities', outcome);
      if (outcome.startedHow !== undefined) await awaitResultWithRetry(context, outcome);
      if (outcome.resultAtMs !== undefined) results += 1;
      maybeKill();
    }
  };
  try {
    maybeKill();
    await Promise.all(Array.from({ length: options.concurrency }, client));
    await killing;
  } finally {
    clearInterval(progress);
  }
  return timeline;
}

/** Violations visible from the client alone: failed starts and results, wrong results, a kill that never happened. */
function outcomeViolations(outcomes: readonly WorkflowOutcome[], timeline: KillTimeline): string[] {
  const violations: string[] = [];
  if (timeline.error !== undefined) violations.push(timeline.error);
  if (timeline.killAtMs === undefined) violations.push('the node was never killed');
  for (const outcome of outcomes) {
    if (outcome.error !== undefined) violations.push(`${outcome.workflowId}: ${outcome.error}`);
    else if (outcome.startedHow !== undefined && outcome.result !== outcome.expectedResult) {
      const got = JSON.stringify(outcome.result);
      violations.push(`${outcome.workflowId}: result ${got}, expected ${JSON.stringify(outcome.expectedResult)}`);
    }
  }
  return violations;
}

/** Checks every history and then the activity executions against the completion times the histories hold. */
function checkHistories(
  histories: ReadonlyMap<string, History | string>,
  outcomes: readonly WorkflowOutcome[],
  environment: ScenarioEnvironment,
  timeline: KillTimeline,
  violations: string[]
): ExecutionCheck {
  const completedAt = new Map<string, Map<string, number>>();
  for (const outcome of outcomes) {
    const history = histories.get(outcome.workflowId);
    if (history === undefined) continue;
    if (typeof history === 'string') {
      violations.push(`${outcome.workflowId}: ${history}`);
      continue;
    }
    const check = checkTwoActivitiesHistory(outcome.workflowId, history, String(outcome.expectedResult));
    violations.push(...check.violations);
    completedAt.set(outcome.workflowId, check.completedAtWallMs);
  }
  // Without a kill no activity was in flight at one: every repeated execution is then a violation.
  const killAtWallMs = timeline.killAtWallMs ?? Number.NEGATIVE_INFINITY;
  const executionCheck = checkActivityExecutions(environment.executions, completedAt, killAtWallMs);
  violations.push(...executionCheck.violations);
  return executionCheck;
}

interface CrashFigures {
  readonly outcomes: readonly WorkflowOutcome[];
  readonly histories: ReadonlyMap<string, History | string>;
  readonly timeline: KillTimeline;
  readonly executionCheck: ExecutionCheck;
  readonly tally: TransientTally;
  readonly violations: readonly string[];
  readonly wallMs: number;
}

/** How fast the run recovered from the kill, and where the slowest in-flight workflow spent its time. */
function recoveryFigures(figures: CrashFigures) {
  const { killAtMs, killAtWallMs, readyAtMs } = figures.timeline;
  if (killAtMs === undefined || killAtWallMs === undefined || readyAtMs === undefined) return {};
  const resultTimes = figures.outcomes.flatMap((outcome) =>
    outcome.resultAtMs === undefined ? [] : [outcome.resultAtMs]
  );
  const afterReady = resultTimes.filter((atMs) => atMs >= readyAtMs);
  const inFlightAtKill = figures.outcomes.filter(
    (outcome) =>
      (outcome.firstStartAttemptAtWallMs ?? Number.POSITIVE_INFINITY) < killAtWallMs &&
      outcome.resultAtMs !== undefined &&
      outcome.resultAtMs > killAtMs
  );
  const slowest = inFlightAtKill.reduce<WorkflowOutcome | undefined>(
    (latest, outcome) => ((latest?.resultAtMs ?? 0) > (outcome.resultAtMs ?? 0) ? latest : outcome),
    undefined
  );
  const slowestHistory = slowest === undefined ? undefined : figures.histories.get(slowest.workflowId);
  return {
    readyToFirstResultMs: afterReady.length === 0 ? undefined : Math.min(...afterReady) - readyAtMs,
    readyToLastInFlightResultMs: slowest?.resultAtMs === undefined ? undefined : slowest.resultAtMs - readyAtMs,
    slowestInFlightTimeline:
      slowest === undefined || slowestHistory === undefined || typeof slowestHistory === 'string'
        ? undefined
        : `${slowest.workflowId}: ${timelineOf(slowestHistory, killAtWallMs)}`,
  };
}

function summarize(options: CrashRunOptions, environment: ScenarioEnvironment, figures: CrashFigures): CrashSummary {
  const { outcomes, timeline, executionCheck, violations } = figures;
  const { killAtMs } = timeline;
  const resultTimes = outcomes.flatMap((outcome) => (outcome.resultAtMs === undefined ? [] : [outcome.resultAtMs]));
  const recovery = recoveryFigures(figures);
  return {
    scenario: 'crash',
    seed: options.seed,
    workflows: options.workflows,
    concurrency: options.concurrency,
    killAfterFraction: options.killAfterFraction,
    shards: options.shards,
    started: outcomes.filter((outcome) => outcome.startedHow !== undefined).length,
    startedByAlreadyStartedOnRetry: outcomes.filter((outcome) => outcome.startedHow === 'alreadyStartedOnRetry').length,
    completed: outcomes.filter((outcome) => outcome.result === outcome.expectedResult).length,
    resultsBeforeKill: resultTimes.filter((atMs) => killAtMs === undefined || atMs < killAtMs).length,
    activityExecutions: executionCheck.totalExecutions,
    activitiesRunMoreThanOnce: executionCheck.duplicatedActivities,
    extraActivityExecutions: executionCheck.extraExecutions,
    maxExecutionsOfOneActivity: executionCheck.maxExecutionsOfOneActivity,
    duplicateExamples: executionCheck.duplicateExamples,
    transientRetries: Object.fromEntries(figures.tally),
    sdkWarnings: environment.sdkWarnings(),
    firstStartMs: environment.firstStartMs,
    killToReadyMs: killToReadyMs(timeline),
    readyToFirstResultMs: recovery.readyToFirstResultMs,
    readyToLastInFlightResultMs: recovery.readyToLastInFlightResultMs,
    slowestInFlightTimeline: recovery.slowestInFlightTimeline,
    wallMs: figures.wallMs,
    violationCount: violations.length,
    violations: violations.slice(0, 50),
  };
}
