/**
 * Goal: messages decoded by the frontend have exactly the shapes proto-loader gives (TEMPORAL-API.md §1), and `Any` /
 * `google.rpc.Status` keep their snake-case `type_url`, so nothing encodes an empty type URL.
 * Method: differential. proto-loader 0.8.1 (grpc-js's own dependency) loads the `.proto` files shipped by
 * `@temporalio/core-bridge` with the design's options; both it and Cairn's protobufjs-JSON definitions encode and
 * decode the same sample messages (oneofs, enums, int64, bytes, maps, timestamps, nested Any), and the bytes and
 * objects must be identical.
 */
import * as protoLoader from '@grpc/proto-loader';
import type * as grpc from '@grpc/grpc-js';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeRpcStatus, encodeRpcStatus, packAny, unpackAny } from '../../src/frontend/proto/anyCodec.js';
import { decodeMessage, encodeMessage, type ProtoObject } from '../../src/frontend/proto/protoCodec.js';
import { serviceBinding, workflowServiceName } from '../../src/frontend/proto/serviceDefinitions.js';
import { temporalProtoRoot } from '../../src/frontend/proto/temporalRoot.js';

const require = createRequire(import.meta.url);
const protoRoot = path.join(
  path.dirname(require.resolve('@temporalio/core-bridge/package.json')),
  'sdk-core/crates/protos/protos'
);

const loaded = protoLoader.loadSync(['temporal/api/workflowservice/v1/service.proto'], {
  includeDirs: [path.join(protoRoot, 'api_upstream'), protoRoot],
  keepCase: false,
  longs: String,
  enums: String,
  bytes: Buffer,
  defaults: false,
  oneofs: true,
});
const loaderService = loaded[workflowServiceName] as grpc.ServiceDefinition;

const payload = (text: string): ProtoObject => ({
  metadata: { encoding: Buffer.from('json/plain') },
  data: Buffer.from(JSON.stringify(text)),
});

/** Sample messages per RPC: request and response objects in the proto-loader shape. */
const samples: Array<{ method: string; side: 'request' | 'response'; value: ProtoObject }> = [
  {
    method: 'StartWorkflowExecution',
    side: 'request',
    value: {
      namespace: 'default',
      workflowId: 'wf-1',
      workflowType: { name: 'hello' },
      taskQueue: { name: 'tq', kind: 'TASK_QUEUE_KIND_NORMAL' },
      input: { payloads: [payload('Temporal')] },
      workflowRunTimeout: { seconds: '3600', nanos: 5 },
      identity: '123@host',
      requestId: 'b5f3e3c2-0000-4000-8000-000000000000',
      header: { fields: { trace: payload('x') } },
    },
  },
  {
    method: 'PollWorkflowTaskQueue',
    side: 'response',
    value: {
      taskToken: Buffer.from([1, 2, 3, 250]),
      workflowExecution: { workflowId: 'wf-1', runId: 'run-1' },
      workflowType: { name: 'hello' },
      previousStartedEventId: '3',
      startedEventId: '9007199254740993',
      attempt: 1,
      history: {
        events: [
          {
            eventId: '1',
            eventTime: { seconds: '1700000000', nanos: 123 },
            eventType: 'EVENT_TYPE_WORKFLOW_EXECUTION_STARTED',
            taskId: '1048576',
            workflowExecutionStartedEventAttributes: {
              workflowType: { name: 'hello' },
              taskQueue: { name: 'tq', kind: 'TASK_QUEUE_KIND_NORMAL' },
              input: { payloads: [payload('in')] },
              attempt: 1,
              originalExecutionRunId: 'run-1',
            },
            attributes: 'workflowExecutionStartedEventAttributes',
          },
          {
            eventId: '2',
            eventType: 'EVENT_TYPE_WORKFLOW_TASK_SCHEDULED',
            workflowTaskScheduledEventAttributes: {
              taskQueue: { name: 'tq', kind: 'TASK_QUEUE_KIND_NORMAL' },
              startToCloseTimeout: { seconds: '10' },
              attempt: 1,
            },
            attributes: 'workflowTaskScheduledEventAttributes',
          },
        ],
      },
      messages: [
        {
          id: 'm1',
          protocolInstanceId: 'u1',
          eventId: '4',
          body: packAny('temporal.api.update.v1.Request', { meta: { updateId: 'u1' } }),
          sequencingId: 'eventId',
        },
      ],
    },
  },
  {
    method: 'GetSystemInfo',
    side: 'response',
    value: { serverVersion: '1.27.0', capabilities: { sdkMetadata: true, upsertMemo: true } },
  },
];

describe('proto-loader conventions', () => {
  it.each(samples)('$method $side: same bytes and same decoded object as proto-loader', ({ method, side, value }) => {
    const ours = serviceBinding(workflowServiceName).clientDefinition[method];
    const theirs = loaderService[method];
    expect(ours).toBeDefined();
    expect(theirs).toBeDefined();
    const serialize = side === 'request' ? 'requestSerialize' : 'responseSerialize';
    const deserialize = side === 'request' ? 'requestDeserialize' : 'responseDeserialize';
    const ourBytes = ours![serialize](value);
    const theirBytes = theirs![serialize](value);
    expect(ourBytes.equals(theirBytes)).toBe(true);
    const ourDecoded = ours![deserialize](ourBytes) as ProtoObject;
    expect(ourDecoded).toEqual(theirs![deserialize](ourBytes));
    expect(ourDecoded).toEqual(value);
  });

  it('an explicit zero in a proto3 scalar: omitted by our protobufjs 8, written by proto-loader (protobufjs 7)', () => {
    // Both are valid proto3: an implicit-presence field at its default need not be sent, and decoders read a missing
    // field as the default. protobufjs 8 also leaves such a field undefined when decoding an explicit zero, where
    // proto-loader gives '0': handlers must read an undefined scalar as its default (docs/frontend.md).
    const ours = serviceBinding(workflowServiceName).clientDefinition.PollWorkflowTaskQueue!;
    const theirs = loaderService.PollWorkflowTaskQueue!;
    const value = { previousStartedEventId: '0', attempt: 2 };
    expect(ours.responseSerialize(value)).toEqual(Buffer.from([0x30, 0x02]));
    expect(theirs.responseSerialize(value)).toEqual(Buffer.from([0x20, 0x00, 0x30, 0x02]));
    expect(ours.responseDeserialize(theirs.responseSerialize(value))).toEqual({ attempt: 2 });
    expect(theirs.responseDeserialize(theirs.responseSerialize(value))).toEqual(value);
    expect(theirs.responseDeserialize(ours.responseSerialize(value))).toEqual({ attempt: 2 });
  });

  it('unset fields are undefined, int64 are strings, enums are names, bytes are Buffers', () => {
    const type = temporalProtoRoot().lookupType('temporal.api.history.v1.HistoryEvent');
    const decoded = decodeMessage(
      type,
      encodeMessage(type, { eventId: '42', eventType: 'EVENT_TYPE_TIMER_FIRED', taskId: '7' })
    );
    expect(decoded).toEqual({ eventId: '42', eventType: 'EVENT_TYPE_TIMER_FIRED', taskId: '7' });
    expect(decoded.eventTime).toBeUndefined();
    expect(decoded.attributes).toBeUndefined();
    const token = temporalProtoRoot().lookupType('temporal.api.workflowservice.v1.ListNamespacesResponse');
    const withBytes = decodeMessage(token, encodeMessage(token, { nextPageToken: Buffer.from('x') }));
    expect(Buffer.isBuffer(withBytes.nextPageToken)).toBe(true);
  });
});

describe('Any and google.rpc.Status', () => {
  it('packAny writes type_url (snake case) and round-trips through unpackAny', () => {
    const any = packAny('temporal.api.errordetails.v1.NamespaceNotFoundFailure', { namespace: 'ns' });
    expect(Object.keys(any).sort()).toEqual(['type_url', 'value']);
    expect(any.type_url).toBe('type.googleapis.com/temporal.api.errordetails.v1.NamespaceNotFoundFailure');
    expect(unpackAny(any)).toEqual({
      typeName: 'temporal.api.errordetails.v1.NamespaceNotFoundFailure',
      value: { namespace: 'ns' },
    });
  });

  it('a camelCase typeUrl is silently dropped by the encoder: the gotcha packAny avoids', () => {
    const anyType = temporalProtoRoot().lookupType('google.protobuf.Any');
    const wrong = decodeMessage(
      anyType,
      encodeMessage(anyType, { typeUrl: 'type.googleapis.com/x', value: Buffer.from('v') })
    );
    expect(wrong.type_url).toBeUndefined();
    const right = decodeMessage(
      anyType,
      encodeMessage(anyType, { type_url: 'type.googleapis.com/x', value: Buffer.from('v') })
    );
    expect(right.type_url).toBe('type.googleapis.com/x');
  });

  it('google.rpc.Status round-trips with its details, and its Any field decodes with type_url', () => {
    const detail = packAny('temporal.api.errordetails.v1.WorkflowExecutionAlreadyStartedFailure', {
      startRequestId: 'req-1',
      runId: 'run-1',
    });
    const bytes = encodeRpcStatus({ code: 6, message: 'already started', details: [detail] });
    const statusType = temporalProtoRoot().lookupType('google.rpc.Status');
    const raw = decodeMessage(statusType, bytes) as { details: Array<Record<string, unknown>> };
    expect(Object.keys(raw.details[0]!).sort()).toEqual(['type_url', 'value']);
    const decoded = decodeRpcStatus(bytes);
    expect(decoded.code).toBe(6);
    expect(decoded.message).toBe('already started');
    expect(decoded.details.map(unpackAny)).toEqual([
      {
        typeName: 'temporal.api.errordetails.v1.WorkflowExecutionAlreadyStartedFailure',
        value: { startRequestId: 'req-1', runId: 'run-1' },
      },
    ]);
  });

  it('the Status bytes and shape match proto-loader loading google/rpc/status.proto', () => {
    const statusLoaded = protoLoader.loadSync(['google/rpc/status.proto'], {
      includeDirs: [path.join(protoRoot, 'api_upstream'), protoRoot],
      keepCase: false,
      longs: String,
      enums: String,
      bytes: Buffer,
      defaults: false,
      oneofs: true,
    });
    const statusDefinition = statusLoaded['google.rpc.Status'] as protoLoader.MessageTypeDefinition<
      ProtoObject,
      ProtoObject
    >;
    const detail = packAny('temporal.api.errordetails.v1.NotFoundFailure', { currentCluster: 'c' });
    const status = { code: 5, message: 'm', details: [detail] };
    const bytes = encodeRpcStatus(status);
    // proto-loader, too, reads the Any as {type_url, value}: the snake-case shape is the convention, not a quirk.
    expect(statusDefinition.deserialize(bytes)).toEqual(status);
    expect(statusDefinition.serialize(status).equals(bytes)).toBe(true);
  });
});
