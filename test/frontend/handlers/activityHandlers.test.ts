/**
 * Goal: the activity RPCs (TEMPORAL-API.md §4, §5.4) map requests onto the WorkflowEngine and build responses in the
 * shape the TS worker needs: PollActivityTaskQueue's every field (timestamps, durations always present, unlimited
 * schedule-to-close as {seconds:'0'}, the retry policy in proto shape), the responds and heartbeats (token and ById)
 * with `{cancelRequested}`, validation errors naming the field, and the engine's typed errors passed through.
 * Method: a FrontendServer on port 0 serving a recording fake engine, called over real gRPC with a client built from
 * Cairn's service definitions (proto-loader shapes both ways).
 */
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ActivityInfo } from '../../../src/actors/mutableState/mutableState.js';
import type { PolledActivityTask } from '../../../src/frontend/engine/workflowEngine.js';
import { FailedPreconditionError, InvalidArgumentError, NotFoundError } from '../../../src/frontend/errors.js';
import { activityTaskResponseOf } from '../../../src/frontend/handlers/pollActivityTaskQueue.js';
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

const token = Buffer.from([1, 2, 3, 4]);
const payloads = { payloads: [{ metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('"x"') }] };

function activityInfo(overrides: Partial<ActivityInfo> = {}): ActivityInfo {
  return {
    scheduledEventId: 5,
    activityId: '1',
    activityType: 'greet',
    taskQueue: 'tq',
    input: payloads,
    header: { fields: {} },
    scheduleToCloseTimeoutMs: 0,
    scheduleToStartTimeoutMs: 0,
    startToCloseTimeoutMs: 10_500,
    heartbeatTimeoutMs: 0,
    retryPolicy: {
      initialIntervalMs: 1_000,
      backoffCoefficient: 2,
      maximumIntervalMs: 100_000,
      maximumAttempts: 0,
      nonRetryableErrorTypes: ['Fatal'],
    },
    scheduledTimeMs: 1_700_000_000_250,
    attempt: 3,
    attemptScheduledTimeMs: 1_700_000_004_000,
    phase: 'started',
    startedTimeMs: 1_700_000_004_500,
    startedIdentity: 'worker',
    startRequestId: 'poll-1',
    lastHeartbeatTimeMs: 0,
    heartbeatDetails: null,
    lastFailure: null,
    cancelRequestedEventId: 0,
    ...overrides,
  } as ActivityInfo;
}

function polled(activity: ActivityInfo): PolledActivityTask {
  return { taskToken: token, namespace: 'default', workflowId: 'wf-1', runId: 'run-1', workflowType: 'wf', activity };
}

describe('PollActivityTaskQueue', () => {
  it('answers {} when the wait ends empty, passing queue, identity and a 55 s wait', async () => {
    const response = expectResponse(
      await client.call('PollActivityTaskQueue', { namespace: 'default', taskQueue: { name: 'tq' }, identity: 'w1' })
    );
    expect(response).toEqual({});
    const [poll] = fake.onlyCall('pollActivityTask') as [Record<string, unknown>];
    expect(poll).toMatchObject({ namespace: 'default', taskQueue: 'tq', identity: 'w1', waitMs: 55_000 });
    expect(poll.signal).toBeInstanceOf(AbortSignal);
  });

  it('fills every field the TS worker reads, with unlimited schedule-to-close present as a zero Duration', async () => {
    fake.stub('pollActivityTask', () => Promise.resolve(polled(activityInfo())));
    const response = expectResponse(
      await client.call('PollActivityTaskQueue', { namespace: 'default', taskQueue: { name: 'tq' } })
    );
    expect(response).toEqual({
      taskToken: token,
      workflowNamespace: 'default',
      workflowType: { name: 'wf' },
      workflowExecution: { workflowId: 'wf-1', runId: 'run-1' },
      activityType: { name: 'greet' },
      activityId: '1',
      header: {},
      input: payloads,
      scheduledTime: { seconds: '1700000000', nanos: 250_000_000 },
      currentAttemptScheduledTime: { seconds: '1700000004' },
      startedTime: { seconds: '1700000004', nanos: 500_000_000 },
      attempt: 3,
      // Zero fields are not on the wire: a present, empty Duration is {seconds: 0} (unlimited), never null.
      scheduleToCloseTimeout: {},
      startToCloseTimeout: { seconds: '10', nanos: 500_000_000 },
      heartbeatTimeout: {},
      retryPolicy: {
        initialInterval: { seconds: '1' },
        backoffCoefficient: 2,
        maximumInterval: { seconds: '100' },
        nonRetryableErrorTypes: ['Fatal'],
      },
      priority: {},
    });
  });

  it('builds unlimited timeouts as explicit zero Durations, never null', () => {
    const response = activityTaskResponseOf(polled(activityInfo()));
    expect(response.scheduleToCloseTimeout).toEqual({ seconds: '0', nanos: 0 });
    expect(response.heartbeatTimeout).toEqual({ seconds: '0', nanos: 0 });
    expect(response.retryPolicy).toMatchObject({ maximumAttempts: 0 });
  });

  it('sends heartbeat details and bounded timeouts when the activity has them', async () => {
    const details = { payloads: [{ data: Buffer.from('7') }] };
    const activity = activityInfo({
      heartbeatDetails: details,
      scheduleToCloseTimeoutMs: 60_000,
      heartbeatTimeoutMs: 5_000,
      input: null,
      header: null,
    });
    fake.stub('pollActivityTask', () => Promise.resolve(polled(activity)));
    const response = expectResponse(
      await client.call('PollActivityTaskQueue', { namespace: 'default', taskQueue: { name: 'tq' } })
    );
    expect(response).toMatchObject({
      heartbeatDetails: details,
      scheduleToCloseTimeout: { seconds: '60' },
      heartbeatTimeout: { seconds: '5' },
    });
    expect(response.input).toBeUndefined();
  });

  it.each([
    ['taskQueue.name', { namespace: 'default' }],
    ['taskQueue.name', { namespace: 'default', taskQueue: { name: '' } }],
    ['namespace', { taskQueue: { name: 'tq' } }],
  ])('refuses a missing %s with INVALID_ARGUMENT naming it', async (field, request) => {
    const error = expectError(await client.call('PollActivityTaskQueue', request));
    expect(error.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(error.details).toContain(field);
    expect(fake.calls).toEqual([]);
  });

  it('refuses an unknown namespace with NOT_FOUND', async () => {
    const error = expectError(
      await client.call('PollActivityTaskQueue', { namespace: 'nope', taskQueue: { name: 'q' } })
    );
    expect(error.code).toBe(grpc.status.NOT_FOUND);
    expect(error.details).toContain('nope');
  });
});

describe('activity responds by token', () => {
  it('maps Completed, Failed, Canceled and Heartbeat onto respondActivityTask', async () => {
    const failure = { message: 'boom', applicationFailureInfo: { type: 'Err' }, failureInfo: 'applicationFailureInfo' };
    expectResponse(
      await client.call('RespondActivityTaskCompleted', {
        namespace: 'default',
        taskToken: token,
        result: payloads,
        identity: 'w',
      })
    );
    expectResponse(
      await client.call('RespondActivityTaskFailed', {
        namespace: 'default',
        taskToken: token,
        failure,
        lastHeartbeatDetails: payloads,
        identity: 'w',
      })
    );
    expectResponse(await client.call('RespondActivityTaskCanceled', { namespace: 'default', taskToken: token }));
    fake.stub('respondActivityTask', () => Promise.resolve(true));
    const heartbeat = expectResponse(
      await client.call('RecordActivityTaskHeartbeat', { namespace: 'default', taskToken: token, details: payloads })
    );
    expect(heartbeat).toEqual({ cancelRequested: true });
    expect(fake.calls.map((call) => call.args)).toEqual([
      ['default', token, { kind: 'completed', identity: 'w', result: payloads }],
      ['default', token, { kind: 'failed', identity: 'w', failure, lastHeartbeatDetails: payloads }],
      ['default', token, { kind: 'canceled', identity: '' }],
      ['default', token, { kind: 'heartbeat', identity: '', details: payloads }],
    ]);
  });

  it('answers a heartbeat without a cancel with cancelRequested false (the proto default)', async () => {
    const heartbeat = expectResponse(
      await client.call('RecordActivityTaskHeartbeat', { namespace: 'default', taskToken: token })
    );
    expect(heartbeat.cancelRequested).toBeFalsy();
    expect(fake.onlyCall('respondActivityTask')[2]).toEqual({ kind: 'heartbeat', identity: '' });
  });

  it.each([
    'RespondActivityTaskCompleted',
    'RespondActivityTaskFailed',
    'RespondActivityTaskCanceled',
    'RecordActivityTaskHeartbeat',
  ])('%s refuses a missing taskToken with INVALID_ARGUMENT naming it', async (rpc) => {
    const error = expectError(await client.call(rpc, { namespace: 'default' }));
    expect(error.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(error.details).toContain('taskToken');
    expect(fake.calls).toEqual([]);
  });

  it.each([
    ['a malformed token', new InvalidArgumentError('taskToken is malformed'), grpc.status.INVALID_ARGUMENT],
    ['a stale attempt', new NotFoundError('activity task not found'), grpc.status.NOT_FOUND],
    [
      'a cancel never requested',
      new FailedPreconditionError('cancel was not requested'),
      grpc.status.FAILED_PRECONDITION,
    ],
  ])('passes the engine error for %s through', async (_case, thrown, code) => {
    fake.stub('respondActivityTask', () => Promise.reject(thrown));
    const error = expectError(
      await client.call('RespondActivityTaskCanceled', { namespace: 'default', taskToken: token })
    );
    expect(error.code).toBe(code);
    expect(error.details).toBe(thrown.message);
  });
});

describe('activity responds by id', () => {
  it('maps the four …ById RPCs onto respondActivityTaskById with the activity named', async () => {
    const ref = { namespace: 'default', workflowId: 'wf-1', activityId: 'a-1' };
    expectResponse(await client.call('RespondActivityTaskCompletedById', { ...ref, runId: 'run-1', result: payloads }));
    expectResponse(await client.call('RespondActivityTaskFailedById', { ...ref, failure: { message: 'x' } }));
    expectResponse(await client.call('RespondActivityTaskCanceledById', { ...ref, details: payloads }));
    fake.stub('respondActivityTaskById', () => Promise.resolve(true));
    const heartbeat = expectResponse(await client.call('RecordActivityTaskHeartbeatById', { ...ref, identity: 'w' }));
    expect(heartbeat).toEqual({ cancelRequested: true });
    const named = { namespace: 'default', workflowId: 'wf-1', runId: '', activityId: 'a-1' };
    expect(fake.calls.map((call) => call.args)).toEqual([
      [
        { ...named, runId: 'run-1' },
        { kind: 'completed', identity: '', result: payloads },
      ],
      [named, { kind: 'failed', identity: '', failure: { message: 'x' } }],
      [named, { kind: 'canceled', identity: '', details: payloads }],
      [named, { kind: 'heartbeat', identity: 'w' }],
    ]);
  });

  it.each([
    ['workflowId', { namespace: 'default', activityId: 'a' }],
    ['activityId', { namespace: 'default', workflowId: 'wf' }],
  ])('refuses a missing %s with INVALID_ARGUMENT naming it', async (field, request) => {
    for (const rpc of [
      'RespondActivityTaskCompletedById',
      'RespondActivityTaskFailedById',
      'RespondActivityTaskCanceledById',
      'RecordActivityTaskHeartbeatById',
    ]) {
      const error = expectError(await client.call(rpc, request));
      expect(error.code).toBe(grpc.status.INVALID_ARGUMENT);
      expect(error.details).toContain(field);
    }
    expect(fake.calls).toEqual([]);
  });

  it('refuses an unknown namespace with NOT_FOUND before asking the engine', async () => {
    const request = { namespace: 'nope', workflowId: 'wf', activityId: 'a' };
    const error = expectError(await client.call('RecordActivityTaskHeartbeatById', request));
    expect(error.code).toBe(grpc.status.NOT_FOUND);
    expect(fake.calls).toEqual([]);
  });
});
