// Goal: listVisibilityRows / countVisibilityRows over a real ShardRuntime: filters select exactly the rows a direct
// predicate selects, namespaces are isolated (also one whose name is a prefix of another), rows come newest StartTime
// first with ties by runId (or as ORDER BY asks, open runs last under CloseTime), and paging with the returned token
// resumes exactly after the previous page (the pages concatenate to the one-page listing: no duplicates, no gaps).
// Bad queries and tokens are INVALID_ARGUMENT.
// Method: one two-shard runtime on a temp dir (openRuntime waits for readiness; no sleeps); runs are started with
// startWorkflowOnShard at chosen times and some are terminated through the pure transition plus a proposal.
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMutableState, runUpdateWrites } from '../../src/actors/runStore/runStore.js';
import type { VisibilityRow } from '../../src/actors/runStore/runValues.js';
import { startWorkflowOnShard } from '../../src/actors/start/startWorkflowOnShard.js';
import { terminateWorkflow } from '../../src/actors/workflowTask/terminateWorkflow.js';
import {
  countVisibilityRows,
  encodeVisibilityPageToken,
  listVisibilityRows,
} from '../../src/frontend/engine/visibilityScan.js';
import { InvalidArgumentError } from '../../src/frontend/errors.js';
import type { ShardRuntime } from '../../src/shard/runtime/shardRuntime.js';
import { openRuntime, tempDataDir } from '../shard/support/runtimeHelpers.js';

const baseMs = Date.UTC(2026, 0, 1);

interface Seed {
  readonly namespace: string;
  readonly workflowId: string;
  readonly runId: string;
  readonly workflowType: string;
  readonly startMs: number;
  /** Terminated this long after the start; null: left running. */
  readonly closeAfterMs: number | null;
}

// 14 runs in 'default' (two pairs share a start time), and runs in namespaces 'defaul' and 'other'.
const seeds: Seed[] = [
  ...Array.from({ length: 14 }, (_, index) => ({
    namespace: 'default',
    workflowId: `${index % 2 === 0 ? 'order' : 'invoice'}-${index}`,
    runId: `run-${String(index).padStart(2, '0')}`,
    workflowType: index % 3 === 0 ? 'alpha' : 'beta',
    startMs: baseMs + (index === 5 || index === 9 ? 4 : index) * 60_000,
    closeAfterMs: index % 4 === 0 ? 1_000 * index : null,
  })),
  {
    namespace: 'defaul',
    workflowId: 'order-0',
    runId: 'x-1',
    workflowType: 'alpha',
    startMs: baseMs,
    closeAfterMs: null,
  },
  { namespace: 'other', workflowId: 'order-1', runId: 'x-2', workflowType: 'alpha', startMs: baseMs, closeAfterMs: 5 },
];

let dir: string;
let runtime: ShardRuntime;

beforeAll(async () => {
  dir = await tempDataDir();
  ({ runtime } = await openRuntime(dir, { shards: 2 }));
  for (const seed of seeds) {
    const request = {
      namespace: seed.namespace,
      workflowId: seed.workflowId,
      workflowType: seed.workflowType,
      taskQueue: 'tq',
      requestId: `req-${seed.runId}`,
      identity: 'test',
      workflowTaskTimeoutMs: 10_000,
      workflowRunTimeoutMs: 0,
      workflowExecutionTimeoutMs: 0,
    };
    const started = await startWorkflowOnShard(runtime, request, {
      runId: seed.runId,
      nowMs: seed.startMs,
      taskIdFirst: 1,
    });
    expect(started).toMatchObject({ kind: 'started', runId: seed.runId });
    if (seed.closeAfterMs !== null) await terminate(seed, seed.startMs + seed.closeAfterMs);
  }
});

afterAll(async () => {
  await runtime.close();
  await rm(dir, { recursive: true, force: true });
});

async function terminate(seed: Seed, nowMs: number): Promise<void> {
  const run = { namespace: seed.namespace, workflowId: seed.workflowId, runId: seed.runId };
  const shard = runtime.shard(runtime.shardOf(seed.namespace, seed.workflowId));
  const read = await shard.read((view) => loadMutableState(view, run));
  if (read === null) throw new Error(`run ${seed.runId} not found`);
  const result = terminateWorkflow(read.value, { reason: 'test', identity: 'test' }, { nowMs, taskIdFirst: 100 });
  const writes = runUpdateWrites(result.state, result.events, read.version);
  const outcome = await shard.propose({
    formatVersion: 1,
    requestId: null,
    ...writes,
    outcome: new Uint8Array(0),
    actions: [],
  });
  expect(outcome.outcome).toBe('applied');
}

const defaultSeeds = seeds.filter((seed) => seed.namespace === 'default');
const newestFirst = (a: Seed, b: Seed): number => b.startMs - a.startMs || (a.runId < b.runId ? -1 : 1);
const runIdsOf = (rows: readonly VisibilityRow[]): string[] => rows.map((row) => row.runId);

async function listAll(query: string, pageSize: number): Promise<{ rows: VisibilityRow[]; pages: number }> {
  const rows: VisibilityRow[] = [];
  let token = new Uint8Array(0);
  let pages = 0;
  do {
    const page = await listVisibilityRows(runtime, { namespace: 'default', query }, pageSize, token);
    expect(page.rows.length).toBeLessThanOrEqual(pageSize);
    rows.push(...page.rows);
    token = new Uint8Array(page.nextPageToken);
    pages++;
    expect(pages).toBeLessThan(100);
  } while (token.length > 0);
  return { rows, pages };
}

describe('listVisibilityRows and countVisibilityRows', () => {
  it('lists every run of the namespace newest StartTime first, ties by runId, with full rows', async () => {
    const page = await listVisibilityRows(runtime, { namespace: 'default', query: '' }, 1_000, new Uint8Array(0));
    expect(runIdsOf(page.rows)).toEqual([...defaultSeeds].sort(newestFirst).map((seed) => seed.runId));
    expect(page.nextPageToken.length).toBe(0);
    expect(page.rows.find((row) => row.runId === 'run-00')).toMatchObject({
      namespace: 'default',
      workflowId: 'order-0',
      workflowType: 'alpha',
      taskQueue: 'tq',
      status: 'terminated',
      startTimeMs: baseMs,
      closeTimeMs: baseMs,
      historyLength: 3,
      executionTimeMs: baseMs,
      firstRunId: 'run-00',
      parentExecution: null,
    });
    expect(await countVisibilityRows(runtime, { namespace: 'default', query: '' })).toBe(defaultSeeds.length);
  });

  it('keeps namespaces apart, also when one name is a prefix of another', async () => {
    const empty = new Uint8Array(0);
    expect(runIdsOf((await listVisibilityRows(runtime, { namespace: 'defaul', query: '' }, 10, empty)).rows)).toEqual([
      'x-1',
    ]);
    expect(runIdsOf((await listVisibilityRows(runtime, { namespace: 'other', query: '' }, 10, empty)).rows)).toEqual([
      'x-2',
    ]);
    expect(await countVisibilityRows(runtime, { namespace: 'nobody', query: '' })).toBe(0);
  });

  const filters: ReadonlyArray<readonly [string, (seed: Seed) => boolean]> = [
    [`WorkflowType = 'alpha'`, (seed) => seed.workflowType === 'alpha'],
    [`ExecutionStatus = 'Running'`, (seed) => seed.closeAfterMs === null],
    [
      `ExecutionStatus IN ('Terminated') AND WorkflowType != 'beta'`,
      (s) => s.closeAfterMs !== null && s.workflowType !== 'beta',
    ],
    [`WorkflowId STARTS_WITH 'invoice-'`, (seed) => seed.workflowId.startsWith('invoice-')],
    [
      `StartTime >= '2026-01-01T00:04:00Z' AND StartTime < '2026-01-01T00:10:00Z'`,
      (seed) => seed.startMs >= baseMs + 240_000 && seed.startMs < baseMs + 600_000,
    ],
    [
      `CloseTime BETWEEN '2026-01-01T00:04:00Z' AND '2026-01-01T00:09:00Z'`,
      (s) =>
        s.closeAfterMs !== null &&
        s.startMs + s.closeAfterMs >= baseMs + 240_000 &&
        s.startMs + s.closeAfterMs <= baseMs + 540_000,
    ],
    [
      `RunId = 'run-03' OR WorkflowId = 'order-12'`,
      (seed) => seed.runId === 'run-03' || seed.workflowId === 'order-12',
    ],
  ];
  it.each(filters)('filters %s exactly, and counts the same rows', async (query, predicate) => {
    const expected = defaultSeeds
      .filter(predicate)
      .sort(newestFirst)
      .map((seed) => seed.runId);
    expect(expected.length).toBeGreaterThan(0);
    const page = await listVisibilityRows(runtime, { namespace: 'default', query }, 1_000, new Uint8Array(0));
    expect(runIdsOf(page.rows)).toEqual(expected);
    expect(await countVisibilityRows(runtime, { namespace: 'default', query })).toBe(expected.length);
  });

  it('honours ORDER BY StartTime ASC and CloseTime DESC (open runs last)', async () => {
    const ascending = await listVisibilityRows(
      runtime,
      { namespace: 'default', query: 'ORDER BY StartTime ASC' },
      100,
      new Uint8Array(0)
    );
    expect(runIdsOf(ascending.rows)).toEqual(
      [...defaultSeeds].sort((a, b) => a.startMs - b.startMs || (a.runId < b.runId ? -1 : 1)).map((seed) => seed.runId)
    );
    const byClose = await listVisibilityRows(
      runtime,
      { namespace: 'default', query: 'ORDER BY CloseTime DESC' },
      100,
      new Uint8Array(0)
    );
    const closeTimes = byClose.rows.map((row) => row.closeTimeMs);
    const closedCount = defaultSeeds.filter((seed) => seed.closeAfterMs !== null).length;
    expect(closeTimes.slice(closedCount).every((time) => time === null)).toBe(true);
    const closed = closeTimes.slice(0, closedCount) as number[];
    expect(closed).toEqual([...closed].sort((a, b) => b - a));
  });

  it.each([
    ['', 1],
    ['', 3],
    ['', 5],
    [`WorkflowType = 'beta'`, 2],
    ['ORDER BY CloseTime ASC', 4],
  ])('pages %j by %i: the pages concatenate to the one-page listing', async (query, pageSize) => {
    const whole = await listVisibilityRows(runtime, { namespace: 'default', query }, 1_000, new Uint8Array(0));
    const { rows, pages } = await listAll(query, pageSize);
    expect(runIdsOf(rows)).toEqual(runIdsOf(whole.rows));
    expect(new Set(runIdsOf(rows)).size).toBe(rows.length);
    expect(pages).toBe(Math.max(1, Math.ceil(whole.rows.length / pageSize)));
  });

  it('refuses malformed queries and tokens, and a token of another ordering, with INVALID_ARGUMENT', async () => {
    const list = (query: string, token: Uint8Array): Promise<unknown> =>
      listVisibilityRows(runtime, { namespace: 'default', query }, 10, token);
    await expect(list(`Foo = 'x'`, new Uint8Array(0))).rejects.toThrow(InvalidArgumentError);
    await expect(list(`GROUP BY ExecutionStatus`, new Uint8Array(0))).rejects.toThrow(
      /only by CountWorkflowExecutions/
    );
    await expect(countVisibilityRows(runtime, { namespace: 'default', query: `WorkflowId >` })).rejects.toThrow(
      InvalidArgumentError
    );
    await expect(list('', Buffer.from('not a token!'))).rejects.toThrow(/nextPageToken is malformed/);
    await expect(list('', Buffer.from(Buffer.from('{"v":2}').toString('base64')))).rejects.toThrow(/malformed/);
    const ascToken = encodeVisibilityPageToken(
      { keyMs: baseMs, runId: 'run-00', workflowId: 'order-0' },
      { attribute: 'StartTime', descending: false }
    );
    await expect(list('', ascToken)).rejects.toThrow(/issued for ORDER BY StartTime ASC/);
    const resumed = await listVisibilityRows(
      runtime,
      { namespace: 'default', query: 'ORDER BY StartTime ASC' },
      10,
      ascToken
    );
    expect(resumed.rows[0]?.runId).toBe('run-01');
  });
});
