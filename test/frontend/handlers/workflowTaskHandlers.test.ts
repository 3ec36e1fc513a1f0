/**
 * Goal: the workflow task RPCs follow the engine's sticky and query design (TEMPORAL-API.md §4, §5.6, §5.8): a poll
 * of a STICKY queue reaches the engine as queueKind 'sticky' (a NORMAL one as 'normal'); a polled workflow task and
 * a polled legacy query task get the response fields core requires (query tasks: startedEventId 0, attempt 1, the
 * query, the normal queue); RespondWorkflowTaskCompleted turns `stickyAttributes` into the run's Stickiness (10 s
 * default, 60 s cap, none without a queue name), refuses undecodable protocol messages, and accepts `queryResults`
 * and `returnNewWorkflowTask`; update requests on a task are sent as encoded protocol messages.
 * Method: a FrontendServer on port 0 serving a recording fake engine, over real gRPC. The completion's transition the
 * handler hands to the engine is run on a real run state (RunHarness) to read the stickiness it writes.
 */
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ProtocolMessage } from '../../../src/actors/updates/updateMessages.js';
import type { TaskToken } from '../../../src/actors/tokens/taskToken.js';
import type { TransitionResult } from '../../../src/actors/workflowTask/transition.js';
import type {
  PolledQueryTask,
  PolledWorkflowTask,
  TokenTransition,
} from '../../../src/frontend/engine/workflowTasks.js';
import { unpackAny, type AnyMessage } from '../../../src/frontend/proto/anyCodec.js';
import type { ProtoObject } from '../../../src/frontend/proto/protoCodec.js';
import { RunHarness } from '../../actors/workflowTask/runHarness.js';
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

const taskToken = Buffer.from([7, 7, 7]);

function pollRequest(kind: string, name: string): ProtoObject {
  return { namespace: 'default', taskQueue: { name, kind, normalName: 'tq' }, identity: 'worker-1' };
}

describe('PollWorkflowTaskQueue', () => {
  it.each([
    ['TASK_QUEUE_KIND_STICKY', 'sticky'],
    ['TASK_QUEUE_KIND_NORMAL', 'normal'],
  ])('passes a %s poll to the engine as queueKind %s', async (kind, queueKind) => {
    expect(expectResponse(await client.call('PollWorkflowTaskQueue', pollRequest(kind, 'q-1')))).toEqual({});
    expect(fake.onlyCall('pollWorkflowTask')[0]).toMatchObject({
      namespace: 'default',
      taskQueue: 'q-1',
      queueKind,
      identity: 'worker-1',
      waitMs: 55_000,
    });
  });

  it('answers a workflow task with the required fields', async () => {
    const run = new RunHarness();
    run.poll();
    const started = run.lastEffects.find((effect) => effect.kind === 'respondWorkflowTaskStarted');
    if (started?.kind !== 'respondWorkflowTaskStarted') throw new Error('test bug: no started effect');
    const polled: PolledWorkflowTask = {
      kind: 'workflowTask',
      taskToken,
      state: run.state,
      started,
      history: run.history,
      messages: [],
    };
    fake.stub('pollWorkflowTask', () => Promise.resolve(polled));
    const response = expectResponse(
      await client.call('PollWorkflowTaskQueue', pollRequest('TASK_QUEUE_KIND_NORMAL', 'tq'))
    );
    expect(response).toMatchObject({
      taskToken,
      workflowExecution: { workflowId: 'wf-1', runId: 'run-1' },
      workflowType: { name: 'example' },
      workflowExecutionTaskQueue: { name: 'tq', kind: 'TASK_QUEUE_KIND_NORMAL' },
      startedEventId: '3',
      attempt: 1,
    });
    expect((response.history as { events: unknown[] }).events).toHaveLength(3);
    expect(response.query).toBeUndefined();
  });

  it('encodes the update requests the task carries as protocol messages', async () => {
    const run = new RunHarness();
    run.poll();
    const started = run.lastEffects.find((effect) => effect.kind === 'respondWorkflowTaskStarted');
    if (started?.kind !== 'respondWorkflowTaskStarted') throw new Error('test bug: no started effect');
    const request = { meta: { updateId: 'u-1' }, input: { name: 'inc' } };
    const message: ProtocolMessage = {
      id: 'u-1/request',
      protocolInstanceId: 'u-1',
      eventId: 2,
      body: { kind: 'request', request },
    };
    const polled: PolledWorkflowTask = {
      kind: 'workflowTask',
      taskToken,
      state: run.state,
      started,
      history: run.history,
      messages: [message],
    };
    fake.stub('pollWorkflowTask', () => Promise.resolve(polled));
    const response = expectResponse(
      await client.call('PollWorkflowTaskQueue', pollRequest('TASK_QUEUE_KIND_NORMAL', 'tq'))
    );
    const [sent] = response.messages as ProtoObject[];
    expect(sent).toMatchObject({ id: 'u-1/request', protocolInstanceId: 'u-1', eventId: '2' });
    expect(unpackAny(sent!.body as AnyMessage)).toEqual({ typeName: 'temporal.api.update.v1.Request', value: request });
  });

  it('answers a legacy query task: startedEventId 0, attempt 1, the query, the normal queue', async () => {
    const run = new RunHarness();
    run.poll();
    run.complete();
    const query = { queryType: '__stack_trace', queryArgs: { payloads: [{ data: Buffer.from('1') }] } };
    const polled: PolledQueryTask = { kind: 'queryTask', taskToken, state: run.state, history: run.history, query };
    fake.stub('pollWorkflowTask', () => Promise.resolve(polled));
    const response = expectResponse(
      await client.call('PollWorkflowTaskQueue', pollRequest('TASK_QUEUE_KIND_STICKY', 'sticky-1'))
    );
    const lastEventSeconds = String(Math.floor(run.state.lastEventTimeMs / 1000));
    expect(response).toMatchObject({
      taskToken,
      workflowExecution: { workflowId: 'wf-1', runId: 'run-1' },
      workflowType: { name: 'example' },
      workflowExecutionTaskQueue: { name: 'tq', kind: 'TASK_QUEUE_KIND_NORMAL' },
      previousStartedEventId: '3',
      attempt: 1,
      query,
      scheduledTime: { seconds: lastEventSeconds },
      startedTime: { seconds: lastEventSeconds },
    });
    expect(response.startedEventId ?? '0').toBe('0');
    expect((response.history as { events: unknown[] }).events).toHaveLength(4);
  });

  it('refuses a poll without a queue name', async () => {
    const error = expectError(await client.call('PollWorkflowTaskQueue', { namespace: 'default', taskQueue: {} }));
    expect(error.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(error.details).toContain('taskQueue.name');
  });
});

describe('RespondWorkflowTaskCompleted', () => {
  /** Completes a real started task through the transition the handler built; the resulting state. */
  async function completeWith(extra: ProtoObject): Promise<TransitionResult> {
    const run = new RunHarness();
    const ref = run.poll();
    let result: TransitionResult | undefined;
    fake.stub('respondToWorkflowTask', (_namespace: string, _token: Uint8Array, transition: TokenTransition) => {
      const token: TaskToken = { shard: 0, namespaceId: 'default', workflowId: 'wf-1', runId: 'run-1', ...ref };
      result = transition(run.state, token, run.context());
      return Promise.resolve(result);
    });
    const request = { namespace: 'default', taskToken, identity: 'w', commands: [], ...extra };
    expect(expectResponse(await client.call('RespondWorkflowTaskCompleted', request))).toEqual({});
    if (result === undefined) throw new Error('the handler did not reach the engine');
    return result;
  }

  it('maps stickyAttributes to the run stickiness, accepting queryResults and returnNewWorkflowTask', async () => {
    const result = await completeWith({
      stickyAttributes: {
        workerTaskQueue: { name: 'host-sticky', kind: 'TASK_QUEUE_KIND_STICKY', normalName: 'tq' },
        scheduleToStartTimeout: { seconds: '5' },
      },
      returnNewWorkflowTask: true,
      queryResults: { 'q-1': { resultType: 'QUERY_RESULT_TYPE_ANSWERED', answer: { payloads: [] } } },
    });
    expect(result.state.stickiness).toEqual({ stickyTaskQueue: 'host-sticky', scheduleToStartTimeoutMs: 5_000 });
  });

  it.each([
    ['no timeout gets 10 s', {}, 10_000],
    ['a long timeout is capped at 60 s', { seconds: '600' }, 60_000],
  ])('%s', async (_case, timeout, expectedMs) => {
    const result = await completeWith({
      stickyAttributes: { workerTaskQueue: { name: 'host-sticky' }, scheduleToStartTimeout: timeout },
    });
    expect(result.state.stickiness).toEqual({ stickyTaskQueue: 'host-sticky', scheduleToStartTimeoutMs: expectedMs });
  });

  it('clears stickiness without stickyAttributes or without a queue name', async () => {
    expect((await completeWith({})).state.stickiness).toBeNull();
    fake.reset();
    expect((await completeWith({ stickyAttributes: { workerTaskQueue: {} } })).state.stickiness).toBeNull();
  });

  it('refuses a protocol message it cannot decode with INVALID_ARGUMENT naming it', async () => {
    const request = {
      namespace: 'default',
      taskToken,
      messages: [
        { id: 'm', protocolInstanceId: 'u', body: { type_url: 'type.googleapis.com/x.Y', value: Buffer.alloc(0) } },
      ],
    };
    const error = expectError(await client.call('RespondWorkflowTaskCompleted', request));
    expect(error.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(error.details).toContain('messages[0]');
    expect(fake.calls).toEqual([]);
  });

  it('refuses a negative sticky timeout with INVALID_ARGUMENT naming it', async () => {
    const request = {
      namespace: 'default',
      taskToken,
      stickyAttributes: { workerTaskQueue: { name: 's' }, scheduleToStartTimeout: { seconds: '-1' } },
    };
    const error = expectError(await client.call('RespondWorkflowTaskCompleted', request));
    expect(error.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(error.details).toContain('stickyAttributes.scheduleToStartTimeout');
    expect(fake.calls).toEqual([]);
  });
});
