/**
 * Goal: hostile request bytes sent to the RPCs these handlers serve (activity tasks and responds, ById variants,
 * signals, cancel, terminate, queries, sticky reset, and the workflow task RPCs they changed) never crash the server
 * and never answer INTERNAL (TEMPORAL-API.md §9: clients stop retrying INTERNAL); every call gets OK or a typed client
 * error, and nothing is logged at error level.
 * Method: seeded fast-check (FUZZ_SEED overrides the seed; fast-check prints seed and path on failure). Each run picks
 * one of the RPCs and sends, through a raw-bytes client, random bytes or a valid encoded request mutated by flips,
 * truncation, insertion or appended garbage. The fake engine answers with full results (an activity task, a failed
 * query with a failure, a completed workflow task) so the response builders run too.
 */
import * as grpc from '@grpc/grpc-js';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActivityInfo } from '../../../src/actors/mutableState/mutableState.js';
import { packAny } from '../../../src/frontend/proto/anyCodec.js';
import { encodeMessage, type ProtoObject } from '../../../src/frontend/proto/protoCodec.js';
import { serviceBinding, workflowServiceName, type RpcMethod } from '../../../src/frontend/proto/serviceDefinitions.js';
import { RunHarness } from '../../actors/workflowTask/runHarness.js';
import { rawClient, type RawClient } from '../support/rawClient.js';
import { capturingLogger } from '../support/silentLogger.js';
import { FakeEngine, serveFake } from './fakeEngine.js';
import { mutate, mutationArb as fcMutationArb } from '../support/byteMutations.js';

const seed = process.env.FUZZ_SEED === undefined ? 20_261_125 : Number(process.env.FUZZ_SEED);
const runs = 600;

const payloads = { payloads: [{ metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('1') }] };
const token = Buffer.from([1, 2, 3]);
const execution = { workflowId: 'wf-1', runId: 'run-1' };

/** A valid request of each fuzzed RPC. */
const validRequests: Readonly<Record<string, ProtoObject>> = {
  PollActivityTaskQueue: { namespace: 'default', taskQueue: { name: 'tq' }, identity: 'w' },
  RespondActivityTaskCompleted: { namespace: 'default', taskToken: token, result: payloads },
  RespondActivityTaskFailed: { namespace: 'default', taskToken: token, failure: { message: 'x' } },
  RespondActivityTaskCanceled: { namespace: 'default', taskToken: token, details: payloads },
  RecordActivityTaskHeartbeat: { namespace: 'default', taskToken: token, details: payloads },
  RespondActivityTaskCompletedById: { namespace: 'default', workflowId: 'wf', activityId: '1', result: payloads },
  RespondActivityTaskFailedById: { namespace: 'default', workflowId: 'wf', activityId: '1' },
  RespondActivityTaskCanceledById: { namespace: 'default', workflowId: 'wf', runId: 'r', activityId: '1' },
  RecordActivityTaskHeartbeatById: { namespace: 'default', workflowId: 'wf', activityId: '1', details: payloads },
  SignalWorkflowExecution: { namespace: 'default', workflowExecution: execution, signalName: 's', input: payloads },
  SignalWithStartWorkflowExecution: {
    namespace: 'default',
    workflowId: 'wf',
    workflowType: { name: 'wf' },
    taskQueue: { name: 'tq' },
    signalName: 's',
    signalInput: payloads,
    workflowRunTimeout: { seconds: '60' },
  },
  RequestCancelWorkflowExecution: { namespace: 'default', workflowExecution: execution, reason: 'r' },
  TerminateWorkflowExecution: { namespace: 'default', workflowExecution: execution, details: payloads },
  QueryWorkflow: { namespace: 'default', execution, query: { queryType: 'q', queryArgs: payloads } },
  RespondQueryTaskCompleted: {
    namespace: 'default',
    taskToken: token,
    completedType: 'QUERY_RESULT_TYPE_ANSWERED',
    queryResult: payloads,
  },
  ResetStickyTaskQueue: { namespace: 'default', execution },
  PollWorkflowTaskQueue: { namespace: 'default', taskQueue: { name: 'sticky', kind: 'TASK_QUEUE_KIND_STICKY' } },
  RespondWorkflowTaskCompleted: {
    namespace: 'default',
    taskToken: token,
    stickyAttributes: { workerTaskQueue: { name: 'sticky' }, scheduleToStartTimeout: { seconds: '10' } },
    queryResults: { q: { resultType: 'QUERY_RESULT_TYPE_ANSWERED' } },
    messages: [
      {
        id: 'u/accept',
        protocolInstanceId: 'u',
        eventId: '3',
        body: packAny('temporal.api.update.v1.Acceptance', { acceptedRequestMessageId: 'u/request' }),
      },
    ],
  },
  ShutdownWorker: { namespace: 'default', stickyTaskQueue: 'sticky' },
};

const binding = serviceBinding(workflowServiceName);
const methods: RpcMethod[] = binding.methods.filter((method) => validRequests[method.methodName] !== undefined);

const mutationArb = fcMutationArb(8, 32);

const callArb = fc.constantFrom(...methods).chain((method) =>
  fc
    .oneof(
      fc.uint8Array({ maxLength: 256 }).map((bytes) => Buffer.from(bytes)),
      fc
        .array(mutationArb, { minLength: 1, maxLength: 4 })
        .map((mutations) => mutate(encodeMessage(method.requestType, validRequests[method.methodName]!), mutations))
    )
    .map((body) => ({ method, body }))
);

/** Statuses hostile input may get: typed client errors, never INTERNAL. */
const clientErrorCodes = new Set([grpc.status.INVALID_ARGUMENT, grpc.status.NOT_FOUND]);

const fake = new FakeEngine();
const log = capturingLogger();
let client: RawClient;
let close: () => Promise<void>;

/** Stubs that give full results, so every response builder runs. */
function stubFullResults(): void {
  const run = new RunHarness();
  const activity = {
    scheduledEventId: 5,
    activityId: '1',
    activityType: 'a',
    taskQueue: 'tq',
    input: payloads,
    header: null,
    scheduleToCloseTimeoutMs: 0,
    scheduleToStartTimeoutMs: 0,
    startToCloseTimeoutMs: 10_000,
    heartbeatTimeoutMs: 0,
    retryPolicy: {
      initialIntervalMs: 1_000,
      backoffCoefficient: 2,
      maximumIntervalMs: 100_000,
      maximumAttempts: 0,
      nonRetryableErrorTypes: [],
    },
    scheduledTimeMs: 1_700_000_000_000,
    attempt: 1,
    attemptScheduledTimeMs: 1_700_000_000_000,
    phase: 'started',
    startedTimeMs: 1_700_000_000_100,
    startedIdentity: 'w',
    startRequestId: 'p',
    lastHeartbeatTimeMs: 0,
    heartbeatDetails: null,
    lastFailure: null,
    cancelRequestedEventId: 0,
  } as ActivityInfo;
  fake.stub('pollActivityTask', () =>
    Promise.resolve({
      taskToken: token,
      namespace: 'default',
      workflowId: 'wf',
      runId: 'r',
      workflowType: 'wf',
      activity,
    })
  );
  fake.stub('queryWorkflow', () => Promise.resolve({ kind: 'failed', errorMessage: 'no', failure: { message: 'no' } }));
  fake.stub('pollWorkflowTask', () =>
    Promise.resolve({ kind: 'queryTask', taskToken: token, state: run.state, history: run.history, query: {} })
  );
  fake.stub('respondToWorkflowTask', () =>
    Promise.resolve({ state: run.state, events: [], effects: [], taskIdNext: 1 })
  );
}

beforeAll(async () => {
  stubFullResults();
  const served = await serveFake(fake, log.logger);
  close = served.close;
  client = rawClient(served.port);
});

afterAll(async () => {
  client.close();
  await close();
});

describe('fuzzing the activity, signal, query and sticky RPCs', () => {
  it(`answers every call with OK or a client error, never INTERNAL (seed ${seed}, ${runs} runs)`, async () => {
    const outcomes = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(callArb, async ({ method, body }) => {
        const outcome = await client.call(method.path, body);
        const name = outcome.ok ? 'OK' : grpc.status[outcome.error.code];
        outcomes.set(name, (outcomes.get(name) ?? 0) + 1);
        expect(outcome.ok || clientErrorCodes.has(outcome.error.code), `${method.methodName}: ${name}`).toBe(true);
      }),
      { seed, numRuns: runs }
    );
    // The runs reached the handlers (OK) as well as the validation and decode guards (INVALID_ARGUMENT).
    expect(outcomes.get('OK') ?? 0).toBeGreaterThan(0);
    expect(outcomes.get('INVALID_ARGUMENT') ?? 0).toBeGreaterThan(0);
  });

  it('every fuzzed RPC answers its valid request, and nothing was logged at error level', async () => {
    expect(methods).toHaveLength(Object.keys(validRequests).length);
    for (const method of methods) {
      const outcome = await client.call(
        method.path,
        encodeMessage(method.requestType, validRequests[method.methodName]!)
      );
      const expected = method.methodName === 'QueryWorkflow' ? 'INVALID_ARGUMENT' : 'OK';
      expect(outcome.ok ? 'OK' : grpc.status[outcome.error.code], method.methodName).toBe(expected);
    }
    expect(log.records.filter((record) => Number(record.level) >= 50)).toEqual([]);
  });
});
