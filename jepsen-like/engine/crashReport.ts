/** The human table of a crash run (the JSON line carries the same figures). */
import type { CrashSummary } from './crashRun.js';
import { formatReportTable } from './reportTable.js';

/** Formats `summary` as a table, followed by the violations (if any). */
export function formatCrashReport(summary: CrashSummary): string {
  const retries = Object.entries(summary.transientRetries).map(([code, count]) => `${code} ${count}`);
  const table = formatReportTable(`crash run (seed ${summary.seed})`, [
    ['workflows / concurrency', `${summary.workflows} / ${summary.concurrency}`],
    ['shards', summary.shards],
    ['kill after fraction', `${summary.killAfterFraction} (${summary.resultsBeforeKill} results before the kill)`],
    ['started', `${summary.started} (${summary.startedByAlreadyStartedOnRetry} via AlreadyStarted on a retry)`],
    ['completed with the expected result', summary.completed],
    ['activity executions', summary.activityExecutions],
    ['activities run more than once', summary.activitiesRunMoreThanOnce],
    ['extra executions (beyond the first)', summary.extraActivityExecutions],
    ['most executions of one activity', summary.maxExecutionsOfOneActivity],
    ['transient client retries', retries.length === 0 ? 'none' : retries.join(', ')],
    ['SDK worker warnings', Object.values(summary.sdkWarnings).reduce((sum, count) => sum + count, 0)],
    ['first node start ms', summary.firstStartMs],
    ['kill -9 → all shards ready ms', summary.killToReadyMs],
    ['ready → first result ms', summary.readyToFirstResultMs],
    ['ready → last in-flight result ms', summary.readyToLastInFlightResultMs],
    ['wall time s', summary.wallMs / 1000],
    ['violations', summary.violationCount],
  ]);
  const slowest =
    summary.slowestInFlightTimeline === undefined
      ? []
      : [`  slowest in-flight workflow (times relative to the kill): ${summary.slowestInFlightTimeline}`];
  const examples = summary.duplicateExamples.map((example) => `  duplicate: ${example}`);
  const violations = summary.violations.map((violation) => `  VIOLATION ${violation}`);
  const warnings = Object.entries(summary.sdkWarnings).map(([message, count]) => `  sdk warning ×${count}: ${message}`);
  return [table, ...slowest, ...warnings, ...examples, ...violations].join('\n');
}
