/**
 * Goal: the client-side control RPCs (TEMPORAL-API.md §5.6, §5.8, §5.10, §9) map requests onto the WorkflowEngine and
 * answer in the shapes the TS client reads: Signal, SignalWithStart ({runId, started} and the start's errors),
 * RequestCancel, Terminate, ResetStickyTaskQueue, QueryWorkflow (answered → {queryResult}; failed →
 * INVALID_ARGUMENT with a QueryFailedFailure detail; rejected → {queryRejected{status}}), RespondQueryTaskCompleted
 * and ShutdownWorker's sticky-queue release; each refuses missing or malformed fields with INVALID_ARGUMENT naming
 * the field, and an unknown namespace with NOT_FOUND, before reaching the engine.
 * Method: a FrontendServer on port 0 serving a recording fake engine, called over real gRPC; error details are read
 * from the decoded `grpc-status-details-bin` trailer.
 */
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { statusDetailsTrailer } from '../../../src/frontend/errors.js';
import { decodeRpcStatus, unpackAny } from '../../../src/frontend/proto/anyCodec.js';
import type { ProtoObject } from '../../../src/frontend/proto/protoCodec.js';
import { expectError, expectResponse, type ServiceClient } from '../support/rawClient.js';
import { FakeEngine, serveFake } from './fakeEngine.js';

const fake = new FakeEngine();
let client: ServiceClient;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ client, close } = await serveFake(fake));
});
afterAll(async () => close());
beforeEach(() => fake.reset());

const payloads = { payloads: [{ data: Buffer.from('"x"') }] };
const execution = { workflowId: 'wf-1', runId: 'run-1' };
const ref = { namespace: 'default', workflowId: 'wf-1', runId: 'run-1' };

function detailsOf(error: grpc.ServiceError): { typeName: string; value: ProtoObject }[] {
  const trailer = error.metadata.get(statusDetailsTrailer)[0] as Buffer;
  return decodeRpcStatus(trailer).details.map(unpackAny);
}

async function expectInvalid(rpc: string, request: ProtoObject, field: string): Promise<void> {
  const error = expectError(await client.call(rpc, request));
  expect(error.code).toBe(grpc.status.INVALID_ARGUMENT);
  expect(error.details).toContain(field);
  expect(fake.calls).toEqual([]);
}

describe('SignalWorkflowExecution', () => {
  it('maps the signal onto signalWorkflow', async () => {
    const request = {
      namespace: 'default',
      workflowExecution: { workflowId: 'wf-1' },
      signalName: 'go',
      input: payloads,
      header: { fields: {} },
      identity: 'client',
      requestId: 'req-1',
    };
    expect(expectResponse(await client.call('SignalWorkflowExecution', request))).toEqual({});
    expect(fake.onlyCall('signalWorkflow')).toEqual([
      { namespace: 'default', workflowId: 'wf-1', runId: '' },
      { signalName: 'go', input: payloads, header: {}, identity: 'client', requestId: 'req-1' },
    ]);
  });

  it.each([
    ['signalName', { workflowExecution: execution }],
    ['workflowExecution', { signalName: 's' }],
    ['workflowExecution.workflowId', { workflowExecution: { runId: 'r' }, signalName: 's' }],
  ])('refuses a missing %s', async (field, request) => {
    await expectInvalid('SignalWorkflowExecution', { namespace: 'default', ...request }, field);
  });

  it('refuses an unknown namespace with NOT_FOUND', async () => {
    const request = { namespace: 'nope', workflowExecution: execution, signalName: 's' };
    const error = expectError(await client.call('SignalWorkflowExecution', request));
    expect(error.code).toBe(grpc.status.NOT_FOUND);
    expect(detailsOf(error)[0]?.typeName).toBe('temporal.api.errordetails.v1.NamespaceNotFoundFailure');
  });
});

describe('SignalWithStartWorkflowExecution', () => {
  const request = {
    namespace: 'default',
    workflowId: 'wf-1',
    workflowType: { name: 'wf' },
    taskQueue: { name: 'tq' },
    input: payloads,
    signalName: 'go',
    signalInput: payloads,
    requestId: 'req-1',
  };

  it('maps start and signal, answering {runId, started}', async () => {
    const response = expectResponse(await client.call('SignalWithStartWorkflowExecution', request));
    expect(response).toEqual({ runId: 'run-sws', started: true });
    const [start, signal] = fake.onlyCall('signalWithStart');
    expect(start).toMatchObject({
      namespace: 'default',
      workflowId: 'wf-1',
      workflowType: 'wf',
      taskQueue: 'tq',
      requestId: 'req-1',
      workflowTaskTimeoutMs: 10_000,
      input: payloads,
    });
    expect(signal).toEqual({ signalName: 'go', input: payloads, identity: '', requestId: 'req-1' });
  });

  it('answers started false when the signal went to a running run, and fills a missing requestId', async () => {
    fake.stub('signalWithStart', () => Promise.resolve({ kind: 'useExisting', runId: 'run-old' }));
    const response = expectResponse(
      await client.call('SignalWithStartWorkflowExecution', { ...request, requestId: '' })
    );
    expect(response.runId).toBe('run-old');
    expect(response.started).toBeFalsy();
    const [start, signal] = fake.onlyCall('signalWithStart') as [{ requestId: string }, { requestId: string }];
    expect(start.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(signal.requestId).toBe(start.requestId);
  });

  it.each([
    ['signalName', { signalName: '' }],
    ['workflowType.name', { workflowType: {} }],
    ['taskQueue.name', { taskQueue: undefined }],
    ['cronSchedule', { cronSchedule: '* * * * *' }],
  ])('refuses a bad %s', async (field, extra) => {
    await expectInvalid('SignalWithStartWorkflowExecution', { ...request, ...extra }, field);
  });
});

describe('RequestCancelWorkflowExecution and TerminateWorkflowExecution', () => {
  it('maps a cancel request', async () => {
    const request = {
      namespace: 'default',
      workflowExecution: execution,
      identity: 'c',
      reason: 'why',
      requestId: 'r',
    };
    expectResponse(await client.call('RequestCancelWorkflowExecution', request));
    expect(fake.onlyCall('requestCancelWorkflow')).toEqual([ref, { identity: 'c', reason: 'why', requestId: 'r' }]);
  });

  it('maps a termination with its details', async () => {
    const request = { namespace: 'default', workflowExecution: execution, reason: 'stop', details: payloads };
    expectResponse(await client.call('TerminateWorkflowExecution', request));
    expect(fake.onlyCall('terminateWorkflow')).toEqual([ref, { identity: '', reason: 'stop', details: payloads }]);
  });

  it.each(['RequestCancelWorkflowExecution', 'TerminateWorkflowExecution'])(
    '%s refuses a missing workflowExecution',
    async (rpc) => {
      await expectInvalid(rpc, { namespace: 'default' }, 'workflowExecution');
    }
  );
});

describe('ResetStickyTaskQueue and ShutdownWorker', () => {
  it('resets the named run and refuses a missing execution', async () => {
    expectResponse(await client.call('ResetStickyTaskQueue', { namespace: 'default', execution }));
    expect(fake.onlyCall('resetStickyTaskQueue')).toEqual([ref]);
    fake.reset();
    await expectInvalid('ResetStickyTaskQueue', { namespace: 'default' }, 'execution');
  });

  it('releases the worker sticky queue on ShutdownWorker, and only when one is named', async () => {
    expectResponse(await client.call('ShutdownWorker', { namespace: 'default', stickyTaskQueue: 'host-sticky' }));
    expect(fake.onlyCall('shutdownStickyQueue')).toEqual(['default', 'host-sticky']);
    fake.reset();
    expectResponse(await client.call('ShutdownWorker', { namespace: 'default', identity: 'w' }));
    expect(fake.calls).toEqual([]);
  });
});

describe('QueryWorkflow', () => {
  const request = {
    namespace: 'default',
    execution,
    query: { queryType: 'state', queryArgs: payloads },
    queryRejectCondition: 'QUERY_REJECT_CONDITION_NOT_OPEN',
  };

  it('maps the query and answers {queryResult}', async () => {
    fake.stub('queryWorkflow', () => Promise.resolve({ kind: 'answered', result: payloads }));
    const response = expectResponse(await client.call('QueryWorkflow', request));
    expect(response).toEqual({ queryResult: payloads });
    const [query] = fake.onlyCall('queryWorkflow') as [Record<string, unknown>];
    expect(query).toMatchObject({
      execution: ref,
      query: { queryType: 'state', queryArgs: payloads },
      rejectCondition: 'QUERY_REJECT_CONDITION_NOT_OPEN',
      waitMs: 30_000,
    });
  });

  it('answers a failed query with INVALID_ARGUMENT and a QueryFailedFailure detail carrying the failure', async () => {
    const failure = { message: 'no handler', source: 'TypeScriptSDK' };
    fake.stub('queryWorkflow', () => Promise.resolve({ kind: 'failed', errorMessage: 'no handler', failure }));
    const error = expectError(await client.call('QueryWorkflow', request));
    expect(error.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(error.details).toBe('no handler');
    expect(detailsOf(error)).toEqual([
      { typeName: 'temporal.api.errordetails.v1.QueryFailedFailure', value: { failure } },
    ]);
  });

  it('answers a rejected query with {queryRejected{status}}', async () => {
    fake.stub('queryWorkflow', () => Promise.resolve({ kind: 'rejected', status: 'completed' }));
    const rejected = expectResponse(await client.call('QueryWorkflow', request));
    expect(rejected).toEqual({ queryRejected: { status: 'WORKFLOW_EXECUTION_STATUS_COMPLETED' } });
    fake.stub('queryWorkflow', () => Promise.resolve({ kind: 'rejected', status: 'WORKFLOW_EXECUTION_STATUS_FAILED' }));
    const failed = expectResponse(await client.call('QueryWorkflow', request));
    expect(failed).toEqual({ queryRejected: { status: 'WORKFLOW_EXECUTION_STATUS_FAILED' } });
  });

  it.each([
    ['query', { query: undefined }],
    ['query.queryType', { query: { queryArgs: payloads } }],
    ['execution', { execution: undefined }],
  ])('refuses a missing %s', async (field, extra) => {
    await expectInvalid('QueryWorkflow', { ...request, ...extra }, field);
  });
});

describe('RespondQueryTaskCompleted', () => {
  const token = Buffer.from([9, 9]);

  it('maps an answer and a failure onto respondQueryTask', async () => {
    const answered = { namespace: 'default', taskToken: token, completedType: 'QUERY_RESULT_TYPE_ANSWERED' };
    expectResponse(await client.call('RespondQueryTaskCompleted', { ...answered, queryResult: payloads }));
    const failed = {
      namespace: 'default',
      taskToken: token,
      completedType: 'QUERY_RESULT_TYPE_FAILED',
      errorMessage: 'bad',
      failure: { message: 'bad' },
    };
    expectResponse(await client.call('RespondQueryTaskCompleted', failed));
    expect(fake.calls.map((call) => call.args)).toEqual([
      ['default', token, { completedType: 'QUERY_RESULT_TYPE_ANSWERED', errorMessage: '', queryResult: payloads }],
      [
        'default',
        token,
        { completedType: 'QUERY_RESULT_TYPE_FAILED', errorMessage: 'bad', failure: { message: 'bad' } },
      ],
    ]);
  });

  it.each([
    ['taskToken', { completedType: 'QUERY_RESULT_TYPE_ANSWERED' }],
    ['completedType', { taskToken: token }],
  ])('refuses a missing %s', async (field, extra) => {
    await expectInvalid('RespondQueryTaskCompleted', { namespace: 'default', ...extra }, field);
  });
});
