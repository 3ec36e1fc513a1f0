// Goal: the ListWorkflowExecutions and CountWorkflowExecutions handlers: page-size defaulting and clamping, the
// WorkflowExecutionInfo built from each row, the page token passed through and omitted on the last page, GROUP BY
// ExecutionStatus groups, and INVALID_ARGUMENT for bad queries and tokens before the engine is called.
// Method: the handlers called directly with a CallContext whose engine is a fake: it records its calls and answers
// from fixed rows with the real parser and matcher, so grouped counts are checked against a direct count.
import * as grpc from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import type { VisibilityRow } from '../../src/actors/runStore/runValues.js';
import { matchVisibility } from '../../src/actors/visibility/matchVisibility.js';
import { parseVisibilityQuery } from '../../src/actors/visibility/visibilityQuery.js';
import type { VisibilityPage, VisibilityQuery, WorkflowEngine } from '../../src/frontend/engine/workflowEngine.js';
import { encodeVisibilityPageToken } from '../../src/frontend/engine/visibilityScan.js';
import { InvalidArgumentError, NamespaceNotFoundError, UnimplementedError } from '../../src/frontend/errors.js';
import { countWorkflowExecutions } from '../../src/frontend/handlers/countWorkflowExecutions.js';
import type { CallContext } from '../../src/frontend/handlers/handlerTypes.js';
import { listWorkflowExecutions } from '../../src/frontend/handlers/listWorkflowExecutions.js';
import { decodeMessage, encodeMessage } from '../../src/frontend/proto/protoCodec.js';
import type { ProtoObject } from '../../src/frontend/proto/protoCodec.js';
import { temporalProtoRoot } from '../../src/frontend/proto/temporalRoot.js';
import {
  defaultNamespace,
  InMemoryNamespaceRegistry,
} from '../../src/frontend/namespaces/inMemoryNamespaceRegistry.js';
import { silentLogger } from './support/silentLogger.js';

const startMs = Date.UTC(2026, 0, 1);

function row(overrides: Partial<VisibilityRow>): VisibilityRow {
  return {
    formatVersion: 1,
    namespace: 'default',
    workflowId: 'wf',
    runId: 'run',
    workflowType: 'alpha',
    taskQueue: 'tq',
    status: 'running',
    startTimeMs: startMs,
    closeTimeMs: null,
    historyLength: 2,
    executionTimeMs: startMs,
    memo: null,
    searchAttributes: null,
    parentExecution: null,
    firstRunId: 'run',
    ...overrides,
  };
}

const rows: readonly VisibilityRow[] = [
  row({ runId: 'r1', workflowType: 'alpha' }),
  row({ runId: 'r2', workflowType: 'alpha', status: 'completed', closeTimeMs: startMs + 1_500 }),
  row({ runId: 'r3', workflowType: 'beta', status: 'failed', closeTimeMs: startMs + 10 }),
  row({ runId: 'r4', workflowType: 'beta', status: 'completed', closeTimeMs: startMs + 20 }),
];

/** The response encoded and decoded with the service's own message type: every field must exist in the proto. */
function roundTrip(responseType: string, response: ProtoObject): ProtoObject {
  const type = temporalProtoRoot().lookupType(`temporal.api.workflowservice.v1.${responseType}`);
  return decodeMessage(type, encodeMessage(type, response));
}

class FakeEngine {
  readonly listCalls: Array<{ query: VisibilityQuery; pageSize: number; token: Uint8Array }> = [];
  readonly countQueries: string[] = [];
  page: VisibilityPage = { rows, nextPageToken: new Uint8Array(0) };

  listWorkflowExecutions(query: VisibilityQuery, pageSize: number, token: Uint8Array): Promise<VisibilityPage> {
    this.listCalls.push({ query, pageSize, token });
    return Promise.resolve(this.page);
  }

  countWorkflowExecutions(query: VisibilityQuery): Promise<number> {
    this.countQueries.push(query.query);
    const where = parseVisibilityQuery(query.query).where;
    return Promise.resolve(rows.filter((candidate) => matchVisibility(where, candidate)).length);
  }
}

function callWith(engine: FakeEngine | undefined): CallContext {
  return {
    rpcName: 'temporal.api.workflowservice.v1.WorkflowService/ListWorkflowExecutions',
    metadata: new grpc.Metadata(),
    signal: new AbortController().signal,
    logger: silentLogger(),
    services: {
      namespaces: new InMemoryNamespaceRegistry(),
      serverVersion: 'test',
      ...(engine === undefined ? {} : { engine: engine as unknown as WorkflowEngine }),
    },
  };
}

describe('ListWorkflowExecutions handler', () => {
  it('defaults and clamps the page size and passes query and token through', async () => {
    const engine = new FakeEngine();
    await listWorkflowExecutions({ namespace: 'default', query: `WorkflowType = 'alpha'` }, callWith(engine));
    await listWorkflowExecutions({ namespace: 'default', pageSize: 5_000 }, callWith(engine));
    const token = Buffer.from(
      encodeVisibilityPageToken({ keyMs: 1, runId: 'r', workflowId: 'w' }, { attribute: 'StartTime', descending: true })
    );
    await listWorkflowExecutions({ namespace: 'default', pageSize: 7, nextPageToken: token }, callWith(engine));
    expect(engine.listCalls.map((call) => [call.query, call.pageSize, Buffer.from(call.token).toString()])).toEqual([
      [{ namespace: 'default', query: `WorkflowType = 'alpha'` }, 100, ''],
      [{ namespace: 'default', query: '' }, 1_000, ''],
      [{ namespace: 'default', query: '' }, 7, token.toString()],
    ]);
  });

  it('answers WorkflowExecutionInfo per row, and a token only when the engine gives one', async () => {
    const engine = new FakeEngine();
    const child = row({
      runId: 'child',
      status: 'completed',
      closeTimeMs: startMs + 1_500,
      historyLength: 9,
      memo: { note: { data: 'eA==' } },
      searchAttributes: { CustomKeywordField: { data: 'eQ==' } },
      parentExecution: { namespace: 'default', workflowId: 'parent', runId: 'p1' },
      firstRunId: 'first',
    });
    engine.page = { rows: [rows[0] as VisibilityRow, child], nextPageToken: Buffer.from('next') };
    const response = await listWorkflowExecutions({ namespace: 'default' }, callWith(engine));
    expect(response.nextPageToken).toEqual(Buffer.from('next'));
    expect(response.executions).toEqual([
      {
        execution: { workflowId: 'wf', runId: 'r1' },
        type: { name: 'alpha' },
        startTime: { seconds: String(startMs / 1000), nanos: 0 },
        executionTime: { seconds: String(startMs / 1000), nanos: 0 },
        status: 'WORKFLOW_EXECUTION_STATUS_RUNNING',
        historyLength: '2',
        taskQueue: 'tq',
        rootExecution: { workflowId: 'wf', runId: 'r1' },
        firstRunId: 'run',
      },
      {
        execution: { workflowId: 'wf', runId: 'child' },
        type: { name: 'alpha' },
        startTime: { seconds: String(startMs / 1000), nanos: 0 },
        executionTime: { seconds: String(startMs / 1000), nanos: 0 },
        closeTime: { seconds: String(startMs / 1000 + 1), nanos: 500_000_000 },
        executionDuration: { seconds: '1', nanos: 500_000_000 },
        status: 'WORKFLOW_EXECUTION_STATUS_COMPLETED',
        historyLength: '9',
        taskQueue: 'tq',
        memo: { fields: { note: { data: 'eA==' } } },
        searchAttributes: { indexedFields: { CustomKeywordField: { data: 'eQ==' } } },
        parentExecution: { workflowId: 'parent', runId: 'p1' },
        parentNamespaceId: defaultNamespace.id,
        firstRunId: 'first',
      },
    ]);
    const wire = roundTrip('ListWorkflowExecutionsResponse', response);
    expect(wire.executions).toMatchObject([
      { status: 'WORKFLOW_EXECUTION_STATUS_RUNNING', rootExecution: { runId: 'r1' }, firstRunId: 'run' },
      { historyLength: '9', parentExecution: { workflowId: 'parent' }, executionDuration: { seconds: '1' } },
    ]);
    engine.page = { rows: [], nextPageToken: new Uint8Array(0) };
    expect(await listWorkflowExecutions({ namespace: 'default' }, callWith(engine))).toEqual({ executions: [] });
  });

  it('refuses bad queries, tokens and GROUP BY with INVALID_ARGUMENT before calling the engine', async () => {
    const engine = new FakeEngine();
    const list = (request: Record<string, unknown>): Promise<unknown> =>
      listWorkflowExecutions({ namespace: 'default', ...request }, callWith(engine));
    await expect(list({ query: `Bogus = 'x'` })).rejects.toThrow(/unsupported attribute 'Bogus'/);
    await expect(list({ query: `WorkflowId = 'x' ORDER BY RunId` })).rejects.toThrow(InvalidArgumentError);
    await expect(list({ query: 'GROUP BY ExecutionStatus' })).rejects.toThrow(/only by CountWorkflowExecutions/);
    await expect(list({ nextPageToken: Buffer.from('garbage!') })).rejects.toThrow(/nextPageToken is malformed/);
    await expect(list({ pageSize: -1 })).rejects.toThrow(/pageSize must be a non-negative integer/);
    expect(engine.listCalls).toEqual([]);
    await expect(listWorkflowExecutions({ namespace: 'nope' }, callWith(engine))).rejects.toThrow(
      NamespaceNotFoundError
    );
    await expect(listWorkflowExecutions({ namespace: 'default' }, callWith(undefined))).rejects.toThrow(
      UnimplementedError
    );
  });
});

describe('CountWorkflowExecutions handler', () => {
  it('answers the count as an int64 string', async () => {
    const engine = new FakeEngine();
    expect(
      await countWorkflowExecutions({ namespace: 'default', query: `WorkflowType = 'beta'` }, callWith(engine))
    ).toEqual({
      count: '2',
    });
    expect(await countWorkflowExecutions({ namespace: 'default' }, callWith(engine))).toEqual({ count: '4' });
  });

  it('groups by ExecutionStatus: one json/plain group per non-empty status, count is their sum', async () => {
    const engine = new FakeEngine();
    const statusOf = (group: {
      groupValues: Array<{ data: Buffer; metadata: { encoding: Buffer; type: Buffer } }>;
    }): string => {
      const [payload] = group.groupValues;
      expect(payload?.metadata.encoding.toString()).toBe('json/plain');
      expect(payload?.metadata.type.toString()).toBe('Keyword');
      return JSON.parse(payload?.data.toString() ?? 'null') as string;
    };
    type Groups = Array<{
      groupValues: Array<{ data: Buffer; metadata: { encoding: Buffer; type: Buffer } }>;
      count: string;
    }>;
    const all = await countWorkflowExecutions(
      { namespace: 'default', query: 'GROUP BY ExecutionStatus' },
      callWith(engine)
    );
    expect(all.count).toBe('4');
    expect(roundTrip('CountWorkflowExecutionsResponse', all)).toEqual(all);
    expect((all.groups as Groups).map((group) => [statusOf(group), group.count])).toEqual([
      ['Running', '1'],
      ['Completed', '2'],
      ['Failed', '1'],
    ]);
    const filtered = await countWorkflowExecutions(
      { namespace: 'default', query: `WorkflowType = 'beta' OR RunId = 'r1' group by \`ExecutionStatus\`` },
      callWith(engine)
    );
    expect((filtered.groups as Groups).map((group) => [statusOf(group), group.count])).toEqual([
      ['Running', '1'],
      ['Completed', '1'],
      ['Failed', '1'],
    ]);
    expect(filtered.count).toBe('3');
    expect(engine.countQueries).toContain(`(WorkflowType = 'beta' OR RunId = 'r1') AND ExecutionStatus = 'Running'`);
  });

  it('refuses bad queries with INVALID_ARGUMENT before calling the engine', async () => {
    const engine = new FakeEngine();
    const count = (query: string): Promise<unknown> =>
      countWorkflowExecutions({ namespace: 'default', query }, callWith(engine));
    await expect(count(`ExecutionStatus = 'Asleep'`)).rejects.toThrow(/not an ExecutionStatus/);
    await expect(count('GROUP BY WorkflowType')).rejects.toThrow(/only GROUP BY ExecutionStatus/);
    expect(engine.countQueries).toEqual([]);
  });
});
