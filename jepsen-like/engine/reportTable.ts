/** A two-column human table for the scenario and bench reports: label on the left, value on the right. */

/** One row: a label and its value (numbers are printed with at most one decimal). */
export type ReportRow = readonly [label: string, value: string | number | undefined];

/** Formats `rows` under `title` as aligned text lines. */
export function formatReportTable(title: string, rows: readonly ReportRow[]): string {
  const width = Math.max(...rows.map(([label]) => label.length));
  const lines = rows.map(([label, value]) => `  ${label.padEnd(width)}  ${formatValue(value)}`);
  return [title, ...lines].join('\n');
}

function formatValue(value: string | number | undefined): string {
  if (value === undefined) return '-';
  if (typeof value === 'string') return value;
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}
