// Goal: matchVisibility evaluates parsed filters over visibility rows with SQL semantics (CloseTime of an open run
// is NULL and only IS NULL matches it), and compareCursors is a total order (key direction, NULLs last, ties by
// runId then workflowId).
// Method: truth tables over fixed rows; then a seeded fast-check property (seed printed in the test name and by
// fast-check on failure): random rows × random one- or two-predicate queries, written as query text, parsed and
// matched, must agree with a predicate computed directly from the row.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RunStatus } from '../../../src/actors/mutableState/mutableState.js';
import type { VisibilityRow } from '../../../src/actors/runStore/runValues.js';
import {
  compareCursors,
  cursorOf,
  executionStatusOfRunStatus,
  matchVisibility,
} from '../../../src/actors/visibility/matchVisibility.js';
import { parseVisibilityQuery } from '../../../src/actors/visibility/visibilityQuery.js';

const SEED = 20261125;

function row(overrides: Partial<VisibilityRow> = {}): VisibilityRow {
  return {
    formatVersion: 1,
    namespace: 'default',
    workflowId: 'order-1',
    runId: 'run-1',
    workflowType: 'processOrder',
    taskQueue: 'orders',
    status: 'running',
    startTimeMs: Date.UTC(2026, 0, 1),
    closeTimeMs: null,
    historyLength: 2,
    executionTimeMs: Date.UTC(2026, 0, 1),
    memo: null,
    searchAttributes: null,
    parentExecution: null,
    firstRunId: 'run-1',
    ...overrides,
  };
}

const matches = (query: string, target: VisibilityRow): boolean =>
  matchVisibility(parseVisibilityQuery(query).where, target);

describe('matchVisibility truth tables', () => {
  const open = row();
  const closed = row({ status: 'completed', closeTimeMs: Date.UTC(2026, 0, 2), runId: 'run-2' });
  const table: ReadonlyArray<readonly [string, boolean, boolean]> = [
    // query, matches open, matches closed
    ['', true, true],
    [`ExecutionStatus = 'Running'`, true, false],
    [`ExecutionStatus != 'Running'`, false, true],
    [`ExecutionStatus IN ('Completed', 'Failed')`, false, true],
    [`ExecutionStatus NOT IN ('Completed')`, true, false],
    [`WorkflowType = 'processOrder' AND ExecutionStatus = 'Running'`, true, false],
    [`WorkflowType = 'other' OR RunId = 'run-2'`, false, true],
    [`WorkflowId STARTS_WITH 'order-'`, true, true],
    [`WorkflowId NOT STARTS_WITH 'order-'`, false, false],
    [`TaskQueue = 'orders'`, true, true],
    [`CloseTime IS NULL`, true, false],
    [`CloseTime IS NOT NULL`, false, true],
    [`CloseTime > '2025-01-01T00:00:00Z'`, false, true],
    [`CloseTime != '2025-01-01T00:00:00Z'`, false, true],
    [`CloseTime NOT BETWEEN '2025-01-01T00:00:00Z' AND '2025-01-02T00:00:00Z'`, false, true],
    [`CloseTime BETWEEN '2026-01-02T00:00:00Z' AND '2026-01-02T00:00:00Z'`, false, true],
    [`StartTime >= '2026-01-01T00:00:00Z' AND StartTime < '2026-01-01T00:00:00.001Z'`, true, true],
    [`StartTime > '2026-01-01T00:00:00Z'`, false, false],
    [`ExecutionTime <= '2026-01-01T00:00:00Z'`, true, true],
    [`(RunId = 'run-1' OR RunId = 'run-2') AND ExecutionStatus = 'Completed'`, false, true],
    [`RunId = 'run-1' OR RunId = 'run-2' AND ExecutionStatus = 'Completed'`, true, true],
  ];
  it.each(table)('%s → open %s, closed %s', (query, openExpected, closedExpected) => {
    expect(matches(query, open)).toBe(openExpected);
    expect(matches(query, closed)).toBe(closedExpected);
  });
});

describe('compareCursors', () => {
  it('orders by key in the asked direction, NULL keys last, then runId and workflowId', () => {
    const byClose = { attribute: 'CloseTime', descending: true } as const;
    const rows = [
      row({ runId: 'b', closeTimeMs: null }),
      row({ runId: 'a', closeTimeMs: 5 }),
      row({ runId: 'a', closeTimeMs: null }),
      row({ runId: 'c', closeTimeMs: 9 }),
      row({ runId: 'a', workflowId: 'z', closeTimeMs: 5 }),
    ];
    const sorted = [...rows].sort((x, y) => compareCursors(cursorOf(x, byClose), cursorOf(y, byClose), byClose));
    expect(sorted.map((r) => [r.closeTimeMs, r.runId, r.workflowId])).toEqual([
      [9, 'c', 'order-1'],
      [5, 'a', 'order-1'],
      [5, 'a', 'z'],
      [null, 'a', 'order-1'],
      [null, 'b', 'order-1'],
    ]);
    const ascending = { attribute: 'CloseTime', descending: false } as const;
    expect(
      compareCursors({ keyMs: 5, runId: 'x', workflowId: '' }, { keyMs: 9, runId: 'a', workflowId: '' }, ascending)
    ).toBeLessThan(0);
    expect(
      compareCursors({ keyMs: null, runId: 'a', workflowId: '' }, { keyMs: 9, runId: 'a', workflowId: '' }, ascending)
    ).toBeGreaterThan(0);
  });
});

/** A predicate both as query text and as a direct function of the row. */
interface Predicate {
  readonly text: string;
  readonly holds: (target: VisibilityRow) => boolean;
}

const statuses: readonly RunStatus[] = ['running', 'completed', 'failed', 'canceled', 'terminated', 'timedOut'];
const ids = ['a', 'ab', 'abc', 'b', 'ba'];
const times = [1_000, 2_000, 3_000, 4_000];
const iso = (ms: number): string => new Date(ms).toISOString();

const rowArb: fc.Arbitrary<VisibilityRow> = fc
  .record({
    workflowId: fc.constantFrom(...ids),
    runId: fc.constantFrom(...ids),
    workflowType: fc.constantFrom(...ids),
    status: fc.constantFrom(...statuses),
    startTimeMs: fc.constantFrom(...times),
    closeOffsetMs: fc.constantFrom(0, 500, 1_000, 2_000),
  })
  .map(({ closeOffsetMs, ...fields }) =>
    row({
      ...fields,
      executionTimeMs: fields.startTimeMs,
      closeTimeMs: fields.status === 'running' ? null : fields.startTimeMs + closeOffsetMs,
    })
  );

const keywordPredicateArb: fc.Arbitrary<Predicate> = fc.oneof(
  fc
    .tuple(fc.constantFrom('WorkflowId', 'RunId', 'WorkflowType'), fc.constantFrom('=', '!='), fc.constantFrom(...ids))
    .map(([attribute, operator, value]) => ({
      text: `${attribute} ${operator} '${value}'`,
      holds: (target: VisibilityRow) => (keywordOf(target, attribute) === value) === (operator === '='),
    })),
  fc.tuple(fc.constantFrom('WorkflowId', 'RunId'), fc.constantFrom(...ids)).map(([attribute, prefix]) => ({
    text: `${attribute} STARTS_WITH "${prefix}"`,
    holds: (target: VisibilityRow) => keywordOf(target, attribute).startsWith(prefix),
  })),
  fc.subarray([...statuses], { minLength: 1 }).map((chosen) => ({
    text: `ExecutionStatus IN (${chosen.map((status) => `'${executionStatusOfRunStatus[status]}'`).join(', ')})`,
    holds: (target: VisibilityRow) => chosen.includes(target.status),
  }))
);

const timePredicateArb: fc.Arbitrary<Predicate> = fc.oneof(
  fc
    .tuple(
      fc.constantFrom('StartTime', 'CloseTime'),
      fc.constantFrom('<', '<=', '>', '>=', '=', '!='),
      fc.constantFrom(...times, 2_500)
    )
    .map(([attribute, operator, ms]) => ({
      text: `${attribute} ${operator} '${iso(ms)}'`,
      holds: (target: VisibilityRow) => {
        const value = attribute === 'StartTime' ? target.startTimeMs : target.closeTimeMs;
        return value !== null && compare(value, operator, ms);
      },
    })),
  fc.tuple(fc.constantFrom(...times), fc.constantFrom(0, 1_000, 2_500)).map(([low, width]) => ({
    text: `CloseTime BETWEEN '${iso(low)}' AND '${iso(low + width)}'`,
    holds: (target: VisibilityRow) =>
      target.closeTimeMs !== null && target.closeTimeMs >= low && target.closeTimeMs <= low + width,
  }))
);

const predicateArb = fc.oneof(keywordPredicateArb, timePredicateArb);
const queryArb: fc.Arbitrary<Predicate> = fc.oneof(
  predicateArb,
  fc.tuple(predicateArb, fc.constantFrom('AND', 'OR'), predicateArb).map(([left, junction, right]) => ({
    text: `${left.text} ${junction} (${right.text})`,
    holds: (target: VisibilityRow) =>
      junction === 'AND' ? left.holds(target) && right.holds(target) : left.holds(target) || right.holds(target),
  }))
);

function keywordOf(target: VisibilityRow, attribute: string): string {
  if (attribute === 'WorkflowId') return target.workflowId;
  if (attribute === 'RunId') return target.runId;
  return target.workflowType;
}

function compare(value: number, operator: string, operand: number): boolean {
  const outcomes: Record<string, boolean> = {
    '<': value < operand,
    '<=': value <= operand,
    '>': value > operand,
    '>=': value >= operand,
    '=': value === operand,
    '!=': value !== operand,
  };
  return outcomes[operator] as boolean;
}

describe('matchVisibility property', () => {
  it(`agrees with a direct predicate on random rows and queries (seed ${SEED})`, () => {
    fc.assert(
      fc.property(fc.array(rowArb, { minLength: 1, maxLength: 8 }), queryArb, (rows, query) => {
        const where = parseVisibilityQuery(query.text).where;
        for (const target of rows) expect(matchVisibility(where, target)).toBe(query.holds(target));
      }),
      { seed: SEED, numRuns: 500 }
    );
  });
});
