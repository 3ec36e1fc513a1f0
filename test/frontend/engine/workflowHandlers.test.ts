// Goal: StartWorkflowExecution, DescribeWorkflowExecution and GetWorkflowExecutionHistory over gRPC against the
// real engine: start/dedup/conflict outcomes and their status codes and details (TEMPORAL-API.md §9), Describe's
// fields (§3), history order and paging with an opaque token, refusals of what is not served, and taskIds that keep
// increasing across a restart.
// Method: an in-process DevNode (one shard, temp dir, ports 0) driven by a grpc-js client built from Cairn's own
// service definitions, so requests and responses have proto-loader shapes. Waits are for events, never for time.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statusDetailsTrailer } from '../../../src/frontend/errors.js';
import { decodeRpcStatus, unpackAny } from '../../../src/frontend/proto/anyCodec.js';
import type { ProtoObject } from '../../../src/frontend/proto/protoCodec.js';
import { workflowServiceName } from '../../../src/frontend/proto/serviceDefinitions.js';
import { DevNode } from '../../../src/node/devNode.js';
import type { DevNodeOptions } from '../../../src/node/devNode.js';
import { serviceClient } from '../../frontend/support/rawClient.js';
import type { CallOutcome, ServiceClient } from '../../frontend/support/rawClient.js';

let dataDir: string;
let node: DevNode;
let client: ServiceClient;

function nodeOptions(): DevNodeOptions {
  const anyPort = { host: '127.0.0.1', port: 0 };
  return { dataDir, listen: anyPort, httpListen: anyPort, logger: pino({ level: 'silent' }), tickMs: 20, shards: 1 };
}

async function openNode(): Promise<void> {
  node = await DevNode.start(nodeOptions());
  await node.whenReady();
  client = serviceClient(node.grpcPort, workflowServiceName);
}

async function closeNode(): Promise<void> {
  client.close();
  await node.close();
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'cairn-engine-handlers-'));
  await openNode();
});

afterAll(async () => {
  await closeNode();
  await rm(dataDir, { recursive: true, force: true });
});

function startRequest(workflowId: string, requestId: string, extra: ProtoObject = {}): ProtoObject {
  return {
    namespace: 'default',
    workflowId,
    workflowType: { name: 'wf' },
    taskQueue: { name: 'tq' },
    requestId,
    identity: 'test',
    ...extra,
  };
}

function ok(outcome: CallOutcome): ProtoObject {
  if (!outcome.ok) throw new Error(`call failed: ${outcome.error.code} ${outcome.error.details}`);
  return outcome.response;
}

function failed(outcome: CallOutcome): grpc.ServiceError {
  if (outcome.ok) throw new Error(`call succeeded unexpectedly: ${JSON.stringify(outcome.response)}`);
  return outcome.error;
}

function detailsOf(error: grpc.ServiceError): { typeName: string; value: ProtoObject }[] {
  const trailer = error.metadata.get(statusDetailsTrailer)[0] as Buffer;
  return decodeRpcStatus(trailer).details.map(unpackAny);
}

type EventList = { eventId: string; eventType: string; taskId: string }[];

function eventsOf(response: ProtoObject): EventList {
  return (response.history as { events?: EventList }).events ?? [];
}

describe('StartWorkflowExecution', () => {
  it('starts a run, answers a retried requestId with the same run, and refuses another start with its detail', async () => {
    const first = ok(await client.call('StartWorkflowExecution', startRequest('wf-start', 'req-1')));
    expect(first.runId).toMatch(/^[0-9a-f-]{36}$/);
    expect(first.started).toBe(true);
    const retried = ok(await client.call('StartWorkflowExecution', startRequest('wf-start', 'req-1')));
    expect(retried).toMatchObject({ runId: first.runId });
    expect(retried.started).toBeFalsy();
    const conflict = failed(await client.call('StartWorkflowExecution', startRequest('wf-start', 'req-2')));
    expect(conflict.code).toBe(grpc.status.ALREADY_EXISTS);
    expect(detailsOf(conflict)).toEqual([
      {
        typeName: 'temporal.api.errordetails.v1.WorkflowExecutionAlreadyStartedFailure',
        value: { startRequestId: 'req-1', runId: first.runId },
      },
    ]);
    const existing = ok(
      await client.call(
        'StartWorkflowExecution',
        startRequest('wf-start', 'req-3', { workflowIdConflictPolicy: 'WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING' })
      )
    );
    expect(existing.runId).toBe(first.runId);
    expect(existing.started).toBeFalsy();
  });

  it.each([
    ['taskQueue.name', { taskQueue: {} }],
    ['workflowType.name', { workflowType: undefined }],
    ['requestId', { requestId: '' }],
    ['workflowId', { workflowId: 'x'.repeat(1001) }],
    ['cronSchedule', { cronSchedule: '* * * * *' }],
    ['workflowStartDelay', { workflowStartDelay: { seconds: '-5', nanos: 0 } }],
    ['retryPolicy.backoffCoefficient', { retryPolicy: { backoffCoefficient: 0.5 } }],
    ['workflowRunTimeout', { workflowRunTimeout: { seconds: '-1', nanos: 0 } }],
    ['workflowIdConflictPolicy', { workflowIdConflictPolicy: 'WORKFLOW_ID_CONFLICT_POLICY_TERMINATE_EXISTING' }],
  ])('refuses a bad %s with INVALID_ARGUMENT naming it', async (field, extra) => {
    const error = failed(await client.call('StartWorkflowExecution', startRequest('wf-bad', 'req-bad', extra)));
    expect(error.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(error.details).toContain(field);
  });

  it('refuses an unknown namespace with NOT_FOUND', async () => {
    const request = { ...startRequest('wf-ns', 'req-ns'), namespace: 'nope' };
    const error = failed(await client.call('StartWorkflowExecution', request));
    expect(error.code).toBe(grpc.status.NOT_FOUND);
    expect(detailsOf(error)[0]?.typeName).toBe('temporal.api.errordetails.v1.NamespaceNotFoundFailure');
  });
});

describe('DescribeWorkflowExecution', () => {
  it('fills execution, type, task queue, status, historyLength and startTime', async () => {
    const started = ok(
      await client.call(
        'StartWorkflowExecution',
        startRequest('wf-describe', 'req-d', { workflowRunTimeout: { seconds: '60', nanos: 0 } })
      )
    );
    const byCurrent = ok(
      await client.call('DescribeWorkflowExecution', { namespace: 'default', execution: { workflowId: 'wf-describe' } })
    );
    const info = byCurrent.workflowExecutionInfo as ProtoObject;
    expect(info).toMatchObject({
      execution: { workflowId: 'wf-describe', runId: started.runId },
      type: { name: 'wf' },
      taskQueue: 'tq',
      status: 'WORKFLOW_EXECUTION_STATUS_RUNNING',
      historyLength: '2',
    });
    expect(Number((info.startTime as { seconds: string }).seconds)).toBeGreaterThan(0);
    expect(byCurrent.executionConfig).toMatchObject({
      taskQueue: { name: 'tq', kind: 'TASK_QUEUE_KIND_NORMAL' },
      workflowRunTimeout: { seconds: '60' },
      defaultWorkflowTaskTimeout: { seconds: '10' },
    });
    const byRun = ok(
      await client.call('DescribeWorkflowExecution', {
        namespace: 'default',
        execution: { workflowId: 'wf-describe', runId: started.runId },
      })
    );
    expect(byRun).toEqual(byCurrent);
  });

  it('answers NOT_FOUND for an unknown workflow id and for an unknown run id', async () => {
    for (const execution of [{ workflowId: 'wf-none' }, { workflowId: 'wf-describe', runId: 'no-such-run' }]) {
      const error = failed(await client.call('DescribeWorkflowExecution', { namespace: 'default', execution }));
      expect(error.code).toBe(grpc.status.NOT_FOUND);
    }
  });
});

describe('GetWorkflowExecutionHistory', () => {
  it('returns events 1 and 2 in order, paged by maximumPageSize with a token', async () => {
    ok(await client.call('StartWorkflowExecution', startRequest('wf-history', 'req-h')));
    const execution = { workflowId: 'wf-history' };
    const whole = ok(await client.call('GetWorkflowExecutionHistory', { namespace: 'default', execution }));
    expect(eventsOf(whole).map((event) => [event.eventId, event.eventType])).toEqual([
      ['1', 'EVENT_TYPE_WORKFLOW_EXECUTION_STARTED'],
      ['2', 'EVENT_TYPE_WORKFLOW_TASK_SCHEDULED'],
    ]);
    expect(whole.nextPageToken === undefined || (whole.nextPageToken as Buffer).length === 0).toBe(true);
    const first = ok(
      await client.call('GetWorkflowExecutionHistory', { namespace: 'default', execution, maximumPageSize: 1 })
    );
    expect(eventsOf(first).map((event) => event.eventId)).toEqual(['1']);
    expect((first.nextPageToken as Buffer).length).toBeGreaterThan(0);
    const second = ok(
      await client.call('GetWorkflowExecutionHistory', {
        namespace: 'default',
        execution,
        maximumPageSize: 1,
        nextPageToken: first.nextPageToken,
      })
    );
    expect(eventsOf(second).map((event) => event.eventId)).toEqual(['2']);
    expect(second.nextPageToken === undefined || (second.nextPageToken as Buffer).length === 0).toBe(true);
  });

  it('refuses a malformed token and answers no close event for an open run', async () => {
    const base = { namespace: 'default', execution: { workflowId: 'wf-history' } };
    const malformed = failed(
      await client.call('GetWorkflowExecutionHistory', { ...base, nextPageToken: Buffer.from('garbage') })
    );
    expect(malformed.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(malformed.details).toContain('nextPageToken');
    // The run is open: without waitNewEvent, the close-event filter answers at once with no event.
    const closeOnly = ok(
      await client.call('GetWorkflowExecutionHistory', {
        ...base,
        historyEventFilterType: 'HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT',
      })
    );
    expect(eventsOf(closeOnly)).toEqual([]);
  });

  it('long-polls with waitNewEvent on all events: the end of an open run keeps a token, and a signal wakes the poll', async () => {
    ok(await client.call('StartWorkflowExecution', startRequest('wf-wait', 'req-wait')));
    const base = { namespace: 'default', execution: { workflowId: 'wf-wait' }, waitNewEvent: true };
    const first = ok(await client.call('GetWorkflowExecutionHistory', base));
    expect(eventsOf(first).map((event) => event.eventId)).toEqual(['1', '2']);
    // Open run: the last page still carries a token, so the next poll waits for what comes after event 2.
    expect((first.nextPageToken as Buffer).length).toBeGreaterThan(0);
    const waiting = client.call('GetWorkflowExecutionHistory', { ...base, nextPageToken: first.nextPageToken });
    ok(
      await client.call('SignalWorkflowExecution', {
        namespace: 'default',
        workflowExecution: { workflowId: 'wf-wait' },
        signalName: 'wake',
        identity: 'test',
      })
    );
    const woken = ok(await waiting);
    expect(eventsOf(woken).map((event) => [event.eventId, event.eventType])).toEqual([
      ['3', 'EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED'],
    ]);
  });

  it('answers NOT_FOUND for an unknown workflow id', async () => {
    const error = failed(
      await client.call('GetWorkflowExecutionHistory', { namespace: 'default', execution: { workflowId: 'wf-none' } })
    );
    expect(error.code).toBe(grpc.status.NOT_FOUND);
  });
});

describe('taskIds across a restart', () => {
  it('events of a run started after a restart have larger taskIds than every event before it', async () => {
    ok(await client.call('StartWorkflowExecution', startRequest('wf-before', 'req-before')));
    const before = eventsOf(
      ok(
        await client.call('GetWorkflowExecutionHistory', {
          namespace: 'default',
          execution: { workflowId: 'wf-before' },
        })
      )
    );
    await closeNode();
    await openNode();
    ok(await client.call('StartWorkflowExecution', startRequest('wf-after', 'req-after')));
    const after = eventsOf(
      ok(
        await client.call('GetWorkflowExecutionHistory', {
          namespace: 'default',
          execution: { workflowId: 'wf-after' },
        })
      )
    );
    const beforeMax = Math.max(...before.map((event) => Number(event.taskId)));
    const afterMin = Math.min(...after.map((event) => Number(event.taskId)));
    expect(before).toHaveLength(2);
    expect(afterMin).toBeGreaterThan(beforeMax);
  });
});
