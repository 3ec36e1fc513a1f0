// Prints the CI summary line `tests: N passed, N failed[, N skipped]` from a vitest JSON report and exits
// non-zero unless at least one test ran and none failed. A test file that failed outside any test (a syntax or
// import error, a failing hook) counts as one failed test, so that the line never reads "0 failed" for a
// broken run. Plain Node, no dependencies: CI runs it before anything else could be trusted.
import { existsSync, readFileSync } from 'node:fs';

const reportPath = process.argv[2];
if (reportPath === undefined) {
  console.error('usage: node .ci/summarize.mjs <vitest-json-report>');
  process.exit(2);
}

/** The counts of a report, or null when the report is missing or unreadable. */
function readCounts(path) {
  if (!existsSync(path)) return null;
  let report;
  try {
    report = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    console.error(`summarize: cannot parse ${path}: ${error instanceof Error ? error.message : String(error)}`);
    return null;
  }
  const files = Array.isArray(report.testResults) ? report.testResults : [];
  const brokenFiles = files.filter((file) => {
    const assertions = Array.isArray(file.assertionResults) ? file.assertionResults : [];
    return file.status === 'failed' && !assertions.some((assertion) => assertion.status === 'failed');
  });
  for (const file of brokenFiles) {
    console.error(`summarize: ${file.name} failed outside its tests: ${String(file.message ?? '').split('\n')[0]}`);
  }
  return {
    passed: Number(report.numPassedTests ?? 0),
    failed: Number(report.numFailedTests ?? 0) + brokenFiles.length,
    skipped: Number(report.numPendingTests ?? 0) + Number(report.numTodoTests ?? 0),
    success: report.success === true,
  };
}

const report = readCounts(reportPath);
const counts = report ?? { passed: 0, failed: 0, skipped: 0, success: false };
// Reasons first, so that the summary is the last line of the CI log.
const reasons = [];
if (report === null) reasons.push(`no readable vitest JSON report at ${reportPath} (did vitest start?)`);
if (counts.failed > 0) reasons.push(`${counts.failed} failed`);
if (report !== null && counts.failed === 0 && !counts.success)
  reasons.push('vitest reported the run as unsuccessful (see above)');
if (counts.passed === 0) reasons.push('no test passed, and an empty run is a failure');
for (const reason of reasons) console.error(`summarize: ${reason}`);

const skippedPart = counts.skipped > 0 ? `, ${counts.skipped} skipped` : '';
console.log(`tests: ${counts.passed} passed, ${counts.failed} failed${skippedPart}`);
process.exit(reasons.length > 0 ? 1 : 0);
