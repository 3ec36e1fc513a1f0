/**
 * List/Count workflow executions (ARCHITECTURE.md §5, Visibility) over a node's shards: every shard keeps one
 * visibility row per run under `0x13 | ns | workflowId | runId` (runKeys.ts), so a query fans out to all shards,
 * range-scans the namespace's rows in one read each, filters them (matchVisibility.ts), and merges.
 *
 * Pages follow a total order (the query's ORDER BY, default newest StartTime first, ties by runId then workflowId).
 * The page token is the cursor of the page's last row (base64 of JSON), so the next page resumes right after it:
 * no duplicates or gaps for rows that do not change between pages. Each shard keeps only its best `pageSize + 1`
 * matches while scanning, so memory is bounded by the page size, not by the namespace's run count.
 */
import { invariant } from '../../raft/core/errors.js';
import { visibilityKey } from '../../actors/runStore/runKeys.js';
import { decodeVersionedRunValue } from '../../actors/runStore/runValues.js';
import type { VisibilityRow } from '../../actors/runStore/runValues.js';
import type { RunReadView } from '../../actors/runStore/runStore.js';
import { compareCursors, cursorOf, matchVisibility } from '../../actors/visibility/matchVisibility.js';
import type { VisibilityCursor } from '../../actors/visibility/matchVisibility.js';
import { parseVisibilityQuery, VisibilityQueryError } from '../../actors/visibility/visibilityQuery.js';
import type { ParsedVisibilityQuery } from '../../actors/visibility/visibilityQuery.js';
import type { ShardRuntime } from '../../shard/runtime/shardRuntime.js';
import { InvalidArgumentError } from '../errors.js';
import type { VisibilityPage, VisibilityQuery } from './workflowEngine.js';

/** The part of a runtime a scan needs. */
export type VisibilityRuntime = Pick<ShardRuntime, 'shardCount' | 'shard'>;

/** Which RPC a query is for: only Count may GROUP BY. */
export type VisibilityRpc = 'list' | 'count';

/** Parses a List/Count query; a bad one is INVALID_ARGUMENT saying what is wrong and what is supported. */
export function parseVisibilityQueryFor(query: string, rpc: VisibilityRpc): ParsedVisibilityQuery {
  let parsed: ParsedVisibilityQuery;
  try {
    parsed = parseVisibilityQuery(query);
  } catch (error) {
    if (error instanceof VisibilityQueryError) throw new InvalidArgumentError(error.message);
    throw error;
  }
  if (rpc === 'list' && parsed.groupByExecutionStatus) {
    throw new InvalidArgumentError(
      'GROUP BY is supported only by CountWorkflowExecutions: remove it from the ListWorkflowExecutions query'
    );
  }
  return parsed;
}

/** One page of the namespace's runs matching `query`, in the query's order. */
export async function listVisibilityRows(
  runtime: VisibilityRuntime,
  query: VisibilityQuery,
  pageSize: number,
  pageToken: Uint8Array
): Promise<VisibilityPage> {
  invariant(Number.isSafeInteger(pageSize) && pageSize >= 1, () => `pageSize ${pageSize} is not an integer ≥ 1`);
  const parsed = parseVisibilityQueryFor(query.query, 'list');
  const after = pageToken.length === 0 ? null : decodeVisibilityPageToken(pageToken, parsed.orderBy);
  const perShard = await Promise.all(
    shardIds(runtime).map((shardId) =>
      runtime.shard(shardId).read((view) => bestRowsOfShard(view, query.namespace, parsed, after, pageSize + 1))
    )
  );
  const merged = perShard.flat().sort((a, b) => compareRows(a, b, parsed));
  const rows = merged.slice(0, pageSize);
  const last = rows[rows.length - 1];
  const nextPageToken =
    merged.length > pageSize && last !== undefined
      ? encodeVisibilityPageToken(cursorOf(last, parsed.orderBy), parsed.orderBy)
      : new Uint8Array(0);
  return { rows, nextPageToken };
}

/** How many of the namespace's runs match `query`. */
export async function countVisibilityRows(runtime: VisibilityRuntime, query: VisibilityQuery): Promise<number> {
  const parsed = parseVisibilityQueryFor(query.query, 'count');
  const counts = await Promise.all(
    shardIds(runtime).map((shardId) =>
      runtime.shard(shardId).read(async (view) => {
        let count = 0;
        for await (const row of namespaceRows(view, query.namespace)) {
          if (matchVisibility(parsed.where, row)) count++;
        }
        return count;
      })
    )
  );
  return counts.reduce((sum, count) => sum + count, 0);
}

function shardIds(runtime: VisibilityRuntime): number[] {
  return Array.from({ length: runtime.shardCount }, (_, shardId) => shardId);
}

function compareRows(a: VisibilityRow, b: VisibilityRow, parsed: ParsedVisibilityQuery): number {
  return compareCursors(cursorOf(a, parsed.orderBy), cursorOf(b, parsed.orderBy), parsed.orderBy);
}

/** The first `keepMax` matching rows of one shard that sort after `after` (null: from the first). */
async function bestRowsOfShard(
  view: RunReadView,
  namespace: string,
  parsed: ParsedVisibilityQuery,
  after: VisibilityCursor | null,
  keepMax: number
): Promise<VisibilityRow[]> {
  let kept: VisibilityRow[] = [];
  for await (const row of namespaceRows(view, namespace)) {
    if (after !== null && compareCursors(cursorOf(row, parsed.orderBy), after, parsed.orderBy) <= 0) continue;
    if (!matchVisibility(parsed.where, row)) continue;
    kept.push(row);
    // Trimming at twice the size keeps the sorts amortized O(log keepMax) per row.
    if (kept.length >= 2 * keepMax) kept = kept.sort((a, b) => compareRows(a, b, parsed)).slice(0, keepMax);
  }
  return kept.sort((a, b) => compareRows(a, b, parsed)).slice(0, keepMax);
}

/** Every visibility row of `namespace` in the shard, in key order. */
async function* namespaceRows(view: RunReadView, namespace: string): AsyncGenerator<VisibilityRow> {
  // The smallest visibility key of the namespace has empty ids; all of its keys share the part before them.
  const first = visibilityKey({ namespace, workflowId: '', runId: '' });
  const prefix = first.subarray(0, first.length - 4);
  for await (const entry of view.scan({ gte: first, lt: prefixEnd(prefix) })) {
    yield rowWithDefaults(decodeVersionedRunValue<VisibilityRow>(entry.value, 'visibility row'));
  }
}

/** The smallest key greater than every key starting with `prefix` (a namespace prefix never is all 0xff). */
function prefixEnd(prefix: Uint8Array): Uint8Array {
  let end = prefix.length;
  while (end > 0 && prefix[end - 1] === 0xff) end--;
  invariant(end > 0, () => 'visibility key prefix is all 0xff');
  const out = prefix.slice(0, end);
  out[end - 1] = (out[end - 1] as number) + 1;
  return out;
}

/** Rows written before the row carried its WorkflowExecutionInfo fields get neutral values for them. */
function rowWithDefaults(row: VisibilityRow): VisibilityRow {
  const stored: Partial<VisibilityRow> = row;
  return {
    ...row,
    historyLength: stored.historyLength ?? 0,
    executionTimeMs: stored.executionTimeMs ?? row.startTimeMs,
    memo: stored.memo ?? null,
    searchAttributes: stored.searchAttributes ?? null,
    parentExecution: stored.parentExecution ?? null,
    firstRunId: stored.firstRunId ?? row.runId,
  };
}

interface PageTokenJson {
  readonly v: 1;
  /** The order the token was issued under, e.g. `StartTime DESC`. */
  readonly o: string;
  readonly k: number | null;
  readonly r: string;
  readonly w: string;
}

function orderName(orderBy: ParsedVisibilityQuery['orderBy']): string {
  return `${orderBy.attribute} ${orderBy.descending ? 'DESC' : 'ASC'}`;
}

/** The page token resuming after `cursor`. */
export function encodeVisibilityPageToken(
  cursor: VisibilityCursor,
  orderBy: ParsedVisibilityQuery['orderBy']
): Uint8Array {
  const json: PageTokenJson = { v: 1, o: orderName(orderBy), k: cursor.keyMs, r: cursor.runId, w: cursor.workflowId };
  return Buffer.from(Buffer.from(JSON.stringify(json), 'utf8').toString('base64'), 'ascii');
}

/** The cursor a page token resumes after; INVALID_ARGUMENT if it is malformed or from a differently ordered query. */
export function decodeVisibilityPageToken(
  token: Uint8Array,
  orderBy: ParsedVisibilityQuery['orderBy']
): VisibilityCursor {
  const malformed = (): InvalidArgumentError =>
    new InvalidArgumentError(
      'nextPageToken is malformed: pass the nextPageToken of the previous ListWorkflowExecutions response unchanged'
    );
  let json: unknown;
  try {
    const text = Buffer.from(token).toString('ascii');
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) throw malformed();
    json = JSON.parse(Buffer.from(text, 'base64').toString('utf8'));
  } catch {
    throw malformed();
  }
  if (!isPageTokenJson(json)) throw malformed();
  if (json.o !== orderName(orderBy)) {
    throw new InvalidArgumentError(
      `nextPageToken was issued for ORDER BY ${json.o}, not ${orderName(orderBy)}: page with the same query`
    );
  }
  return { keyMs: json.k, runId: json.r, workflowId: json.w };
}

function isPageTokenJson(value: unknown): value is PageTokenJson {
  if (typeof value !== 'object' || value === null) return false;
  const json = value as Record<string, unknown>;
  return (
    json.v === 1 &&
    typeof json.o === 'string' &&
    (json.k === null || (typeof json.k === 'number' && Number.isSafeInteger(json.k))) &&
    typeof json.r === 'string' &&
    typeof json.w === 'string'
  );
}
