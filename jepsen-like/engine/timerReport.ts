/** The human table of a timer run (the JSON line carries the same figures). */
import { formatReportTable } from './reportTable.js';
import type { TimerSummary } from './timerRestart.js';

/** Formats `summary` as a table, followed by the violations (if any). */
export function formatTimerReport(summary: TimerSummary): string {
  const retries = Object.entries(summary.transientRetries).map(([code, count]) => `${code} ${count}`);
  const table = formatReportTable(`timer restart run (seed ${summary.seed})`, [
    ['workflows / shards', `${summary.workflows} / ${summary.shards}`],
    ['started', summary.started],
    ['completed with the expected result', summary.completed],
    ['timers started / fired', `${summary.timersStarted} / ${summary.timersFired}`],
    ['timers pending at the kill', summary.timersPendingAtKill],
    ['timers due while the node was down', summary.timersDueWhileDown],
    [
      'lateness p50 / p99 / max ms',
      `${fixed(summary.latenessP50Ms)} / ${fixed(summary.latenessP99Ms)} / ${fixed(summary.latenessMaxMs)}`,
    ],
    ['max lateness of timers due while up ms', summary.latenessMaxDueWhileUpMs],
    ['transient client retries', retries.length === 0 ? 'none' : retries.join(', ')],
    ['SDK worker warnings', Object.values(summary.sdkWarnings).reduce((sum, count) => sum + count, 0)],
    ['kill -9 → all shards ready ms', summary.killToReadyMs],
    ['wall time s', summary.wallMs / 1000],
    ['violations', summary.violationCount],
  ]);
  const warnings = Object.entries(summary.sdkWarnings).map(([message, count]) => `  sdk warning ×${count}: ${message}`);
  return [table, ...warnings, ...summary.violations.map((violation) => `  VIOLATION ${violation}`)].join('\n');
}

function fixed(value: number | undefined): string {
  return value === undefined ? '-' : value.toFixed(1);
}
