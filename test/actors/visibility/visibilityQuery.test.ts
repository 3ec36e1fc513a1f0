// Goal: the visibility query parser accepts Temporal's list-filter subset (=, !=, <>, <, <=, >, >=, IN, BETWEEN,
// STARTS_WITH, IS NULL, AND over OR precedence, parentheses, backquoted names, both quote styles, RFC 3339 times,
// ORDER BY StartTime/CloseTime, GROUP BY ExecutionStatus) into the expected AST, and refuses everything else with a
// VisibilityQueryError whose message names the problem and what is supported.
// Method: table-driven: exact ASTs for valid queries, message patterns for invalid ones.
import { describe, expect, it } from 'vitest';
import { parseVisibilityQuery, VisibilityQueryError } from '../../../src/actors/visibility/visibilityQuery.js';

const t2026 = Date.UTC(2026, 0, 1);

describe('parseVisibilityQuery: valid queries', () => {
  it('parses an empty query as no filter, newest StartTime first', () => {
    for (const query of ['', '   ']) {
      expect(parseVisibilityQuery(query)).toEqual({
        where: null,
        orderBy: { attribute: 'StartTime', descending: true },
        groupByExecutionStatus: false,
      });
    }
  });

  it('parses comparisons on keyword and time attributes', () => {
    expect(parseVisibilityQuery(`WorkflowType = 'x'`).where).toEqual({
      kind: 'compare',
      attribute: 'WorkflowType',
      operator: '=',
      value: 'x',
    });
    expect(parseVisibilityQuery(`\`WorkflowId\` <> "a'b"`).where).toEqual({
      kind: 'compare',
      attribute: 'WorkflowId',
      operator: '!=',
      value: "a'b",
    });
    expect(parseVisibilityQuery(`StartTime > '2026-01-01T00:00:00Z'`).where).toEqual({
      kind: 'compare',
      attribute: 'StartTime',
      operator: '>',
      value: t2026,
    });
    for (const operator of ['<', '<=', '>=', '=', '!='] as const) {
      expect(parseVisibilityQuery(`CloseTime ${operator} '2026-01-01T01:00:00+01:00'`).where).toMatchObject({
        operator,
        value: t2026,
      });
    }
  });

  it('reads quotes escaped by doubling or by backslash, and fractional RFC 3339 seconds', () => {
    expect(parseVisibilityQuery(`RunId = 'it''s'`).where).toMatchObject({ value: "it's" });
    expect(parseVisibilityQuery(`TaskQueue = 'a\\'b'`).where).toMatchObject({ value: "a'b" });
    expect(parseVisibilityQuery(`StartTime = '2026-01-01T00:00:00.123456789Z'`).where).toMatchObject({
      value: t2026 + 123,
    });
  });

  it('canonicalizes ExecutionStatus values and parses IN lists', () => {
    expect(parseVisibilityQuery(`ExecutionStatus = 'running'`).where).toMatchObject({ value: 'Running' });
    expect(parseVisibilityQuery(`ExecutionStatus IN ('Completed', "Failed")`).where).toEqual({
      kind: 'in',
      attribute: 'ExecutionStatus',
      values: ['Completed', 'Failed'],
      negated: false,
    });
    expect(parseVisibilityQuery(`WorkflowId not in ('a')`).where).toMatchObject({ kind: 'in', negated: true });
  });

  it('parses BETWEEN, STARTS_WITH and IS [NOT] NULL', () => {
    expect(parseVisibilityQuery(`CloseTime BETWEEN '2026-01-01T00:00:00Z' AND '2026-01-02T00:00:00Z'`).where).toEqual({
      kind: 'between',
      attribute: 'CloseTime',
      low: t2026,
      high: t2026 + 86_400_000,
      negated: false,
    });
    expect(parseVisibilityQuery(`WorkflowId STARTS_WITH 'pre'`).where).toEqual({
      kind: 'startsWith',
      attribute: 'WorkflowId',
      prefix: 'pre',
      negated: false,
    });
    expect(parseVisibilityQuery(`CloseTime IS NOT NULL`).where).toEqual({
      kind: 'isNull',
      attribute: 'CloseTime',
      negated: true,
    });
  });

  it('binds AND tighter than OR, left to right, and honours parentheses', () => {
    const a = { kind: 'compare', attribute: 'WorkflowId', operator: '=', value: 'a' };
    const b = { kind: 'compare', attribute: 'WorkflowId', operator: '=', value: 'b' };
    const c = { kind: 'compare', attribute: 'WorkflowId', operator: '=', value: 'c' };
    expect(parseVisibilityQuery(`WorkflowId='a' OR WorkflowId='b' AND WorkflowId='c'`).where).toEqual({
      kind: 'or',
      left: a,
      right: { kind: 'and', left: b, right: c },
    });
    expect(parseVisibilityQuery(`(WorkflowId='a' or WorkflowId='b') and WorkflowId='c'`).where).toEqual({
      kind: 'and',
      left: { kind: 'or', left: a, right: b },
      right: c,
    });
  });

  it('parses ORDER BY StartTime/CloseTime and GROUP BY ExecutionStatus', () => {
    expect(parseVisibilityQuery(`WorkflowType='x' ORDER BY CloseTime ASC`).orderBy).toEqual({
      attribute: 'CloseTime',
      descending: false,
    });
    expect(parseVisibilityQuery(`order by StartTime`).orderBy).toEqual({ attribute: 'StartTime', descending: true });
    const grouped = parseVisibilityQuery(`WorkflowType='x' GROUP BY ExecutionStatus`);
    expect(grouped.groupByExecutionStatus).toBe(true);
    expect(grouped.where).toMatchObject({ attribute: 'WorkflowType' });
  });
});

describe('parseVisibilityQuery: invalid queries', () => {
  const cases: ReadonlyArray<readonly [string, RegExp]> = [
    [`CustomKeywordField = 'x'`, /unsupported attribute 'CustomKeywordField'.*supports WorkflowId/],
    [`WorkflowId = 'x' AND`, /expected an attribute name but found the end/],
    [`WorkflowId 'x'`, /expected an operator after WorkflowId/],
    [`WorkflowId = x`, /expected a quoted string value for WorkflowId/],
    [`WorkflowId = 'x`, /unterminated string/],
    [`WorkflowId > 'x'`, /operator > is not supported for WorkflowId/],
    [`StartTime > 'yesterday'`, /not an RFC 3339 time/],
    [`StartTime IN ('2026-01-01T00:00:00Z')`, /IN applies to keyword attributes/],
    [`WorkflowId BETWEEN 'a' AND 'b'`, /BETWEEN applies to time attributes/],
    [`ExecutionStatus STARTS_WITH 'Run'`, /STARTS_WITH applies to WorkflowId/],
    [`ExecutionStatus = 'Sleeping'`, /not an ExecutionStatus: use one of Running/],
    [`(WorkflowId = 'x'`, /expected '\)'/],
    [`WorkflowId = 'x' ORDER BY WorkflowType`, /ORDER BY WorkflowType is not supported/],
    [`ORDER BY StartTime, CloseTime`, /ORDER BY takes one attribute/],
    [`GROUP BY WorkflowType`, /only GROUP BY ExecutionStatus/],
    [`WorkflowId = 'x' LIMIT 5`, /unexpected 'LIMIT'/],
    [`WorkflowId = 'x' ; DROP`, /unexpected character ';'/],
    [`WorkflowId IN ('a' 'b')`, /expected ',' or '\)' in the IN list/],
  ];
  it.each(cases)('refuses %s', (query, message) => {
    expect(() => parseVisibilityQuery(query)).toThrow(VisibilityQueryError);
    expect(() => parseVisibilityQuery(query)).toThrow(message);
  });
});
