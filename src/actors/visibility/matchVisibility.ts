/**
 * Evaluates a parsed visibility filter (visibilityQuery.ts) against one visibility row, and orders rows as a query
 * asks. SQL semantics for absent values: CloseTime of an open run is NULL, and every comparison with NULL (including
 * the negated forms) is false; only `IS NULL` matches it.
 */
import type { RunStatus } from '../mutableState/mutableState.js';
import type { VisibilityRow } from '../runStore/runValues.js';
import type { ParsedVisibilityQuery, VisibilityAttribute, VisibilityExpr, VisibilityValue } from './visibilityQuery.js';

/** The ExecutionStatus spelling of each run status. */
export const executionStatusOfRunStatus: Readonly<Record<RunStatus, string>> = {
  running: 'Running',
  completed: 'Completed',
  failed: 'Failed',
  canceled: 'Canceled',
  terminated: 'Terminated',
  timedOut: 'TimedOut',
  continuedAsNew: 'ContinuedAsNew',
};

/** The value `attribute` has in `row`: a string, epoch ms, or null (CloseTime of an open run). */
export function attributeValueOf(row: VisibilityRow, attribute: VisibilityAttribute): VisibilityValue | null {
  switch (attribute) {
    case 'WorkflowId':
      return row.workflowId;
    case 'RunId':
      return row.runId;
    case 'WorkflowType':
      return row.workflowType;
    case 'TaskQueue':
      return row.taskQueue;
    case 'ExecutionStatus':
      return executionStatusOfRunStatus[row.status];
    case 'StartTime':
      return row.startTimeMs;
    case 'CloseTime':
      return row.closeTimeMs;
    case 'ExecutionTime':
      return row.executionTimeMs;
  }
}

/** True when `row` satisfies `expr` (null: no filter, every row matches). */
export function matchVisibility(expr: VisibilityExpr | null, row: VisibilityRow): boolean {
  if (expr === null) return true;
  switch (expr.kind) {
    case 'and':
      return matchVisibility(expr.left, row) && matchVisibility(expr.right, row);
    case 'or':
      return matchVisibility(expr.left, row) || matchVisibility(expr.right, row);
    case 'isNull':
      return (attributeValueOf(row, expr.attribute) === null) !== expr.negated;
    default:
      break;
  }
  const value = attributeValueOf(row, expr.attribute);
  if (value === null) return false;
  switch (expr.kind) {
    case 'compare':
      return compareMatches(value, expr.operator, expr.value);
    case 'in':
      return expr.values.includes(value) !== expr.negated;
    case 'between':
      return (value >= expr.low && value <= expr.high) !== expr.negated;
    case 'startsWith':
      return (typeof value === 'string' && value.startsWith(expr.prefix)) !== expr.negated;
  }
}

function compareMatches(value: VisibilityValue, operator: string, operand: VisibilityValue): boolean {
  switch (operator) {
    case '=':
      return value === operand;
    case '!=':
      return value !== operand;
    case '<':
      return value < operand;
    case '<=':
      return value <= operand;
    case '>':
      return value > operand;
    default:
      return value >= operand;
  }
}

/** The key a query orders rows by: the row's StartTime or CloseTime in ms (null for an open run's CloseTime). */
export function orderKeyOf(row: VisibilityRow, orderBy: ParsedVisibilityQuery['orderBy']): number | null {
  return orderBy.attribute === 'StartTime' ? row.startTimeMs : row.closeTimeMs;
}

/** A position in a row order: the order key, then runId and workflowId as tie-breakers (ascending). */
export interface VisibilityCursor {
  readonly keyMs: number | null;
  readonly runId: string;
  readonly workflowId: string;
}

/** The cursor of `row` under `orderBy`. */
export function cursorOf(row: VisibilityRow, orderBy: ParsedVisibilityQuery['orderBy']): VisibilityCursor {
  return { keyMs: orderKeyOf(row, orderBy), runId: row.runId, workflowId: row.workflowId };
}

/**
 * Negative when `a` comes before `b` in the order `orderBy` asks for. Null keys (open runs under CloseTime) come
 * last in both directions; ties break by runId, then workflowId, so the order is total over a namespace's rows.
 */
export function compareCursors(
  a: VisibilityCursor,
  b: VisibilityCursor,
  orderBy: ParsedVisibilityQuery['orderBy']
): number {
  if (a.keyMs !== b.keyMs) {
    if (a.keyMs === null) return 1;
    if (b.keyMs === null) return -1;
    return orderBy.descending ? b.keyMs - a.keyMs : a.keyMs - b.keyMs;
  }
  if (a.runId !== b.runId) return a.runId < b.runId ? -1 : 1;
  if (a.workflowId !== b.workflowId) return a.workflowId < b.workflowId ? -1 : 1;
  return 0;
}
