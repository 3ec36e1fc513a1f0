/**
 * Goal: every typed frontend error maps to its gRPC status with a properly encoded `google.rpc.Status` in
 * `grpc-status-details-bin` (TEMPORAL-API.md §9), and unexpected handler exceptions become a logged INTERNAL that
 * never takes the server down.
 * Method: unit-check `toServiceError` for each class, then run a FrontendServer whose handler table is replaced by
 * handlers that throw each error (asynchronously and synchronously) or return an unencodable response, and call it
 * over real gRPC; a capturing logger shows what was logged.
 */
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { internalErrorMessage } from '../../src/frontend/dispatch.js';
import {
  FailedPreconditionError,
  FrontendError,
  InvalidArgumentError,
  NamespaceNotFoundError,
  NotFoundError,
  ResourceExhaustedError,
  UnavailableError,
  UnimplementedError,
  WorkflowExecutionAlreadyStartedError,
  statusDetailsTrailer,
  toServiceError,
} from '../../src/frontend/errors.js';
import { defaultHandlerTable } from '../../src/frontend/handlers/handlerTable.js';
import type { UnaryHandler } from '../../src/frontend/handlers/handlerTypes.js';
import { decodeRpcStatus, unpackAny } from '../../src/frontend/proto/anyCodec.js';
import { workflowServiceName } from '../../src/frontend/proto/serviceDefinitions.js';
import { FrontendServer } from '../../src/frontend/server.js';
import { expectError, expectResponse, serviceClient, type ServiceClient } from './support/rawClient.js';
import { capturingLogger } from './support/silentLogger.js';

const details = 'temporal.api.errordetails.v1.';

function decodedTrailer(metadata: grpc.Metadata | undefined): { code: number; message: string; details: unknown[] } {
  const values = metadata?.get(statusDetailsTrailer) ?? [];
  expect(values).toHaveLength(1);
  const status = decodeRpcStatus(values[0] as Buffer);
  return { code: status.code, message: status.message, details: status.details.map(unpackAny) };
}

const cases: Array<{ error: FrontendError; code: grpc.status; detail?: unknown }> = [
  {
    error: new NotFoundError('workflow not found'),
    code: grpc.status.NOT_FOUND,
    detail: { typeName: `${details}NotFoundFailure`, value: {} },
  },
  {
    error: new NamespaceNotFoundError('ns'),
    code: grpc.status.NOT_FOUND,
    detail: { typeName: `${details}NamespaceNotFoundFailure`, value: { namespace: 'ns' } },
  },
  {
    error: new WorkflowExecutionAlreadyStartedError('already started', 'req-1', 'run-1'),
    code: grpc.status.ALREADY_EXISTS,
    detail: {
      typeName: `${details}WorkflowExecutionAlreadyStartedFailure`,
      value: { startRequestId: 'req-1', runId: 'run-1' },
    },
  },
  { error: new InvalidArgumentError('workflowId is required'), code: grpc.status.INVALID_ARGUMENT },
  { error: new FailedPreconditionError('not yet'), code: grpc.status.FAILED_PRECONDITION },
  {
    error: new ResourceExhaustedError('too many', 'RESOURCE_EXHAUSTED_CAUSE_CONCURRENT_LIMIT'),
    code: grpc.status.RESOURCE_EXHAUSTED,
    detail: {
      typeName: `${details}ResourceExhaustedFailure`,
      value: { cause: 'RESOURCE_EXHAUSTED_CAUSE_CONCURRENT_LIMIT' },
    },
  },
  { error: new UnavailableError('not the shard leader; retry'), code: grpc.status.UNAVAILABLE },
  { error: new UnimplementedError('X/Y'), code: grpc.status.UNIMPLEMENTED },
];

describe('toServiceError', () => {
  it.each(cases)('$error.name → code $code with its detail', ({ error, code, detail }) => {
    const status = toServiceError(error);
    expect(status.code).toBe(code);
    expect(status.details).toBe(error.message);
    expect(decodedTrailer(status.metadata)).toEqual({
      code,
      message: error.message,
      details: detail === undefined ? [] : [detail],
    });
  });

  it('no typed error maps to INTERNAL', () => {
    expect(cases.map((c) => c.code)).not.toContain(grpc.status.INTERNAL);
  });
});

const rpc = (method: string): string => `${workflowServiceName}/${method}`;
const log = capturingLogger();
let server: FrontendServer;
let client: ServiceClient;
let thrown: FrontendError = new UnavailableError('unset');

beforeAll(async () => {
  const handlers = new Map<string, UnaryHandler>(defaultHandlerTable());
  handlers.set(rpc('SignalWorkflowExecution'), () => Promise.reject(thrown));
  handlers.set(rpc('TerminateWorkflowExecution'), () => Promise.reject(new Error('boom: a bug in a handler')));
  handlers.set(rpc('RequestCancelWorkflowExecution'), () => {
    throw new TypeError('a synchronous bug');
  });
  handlers.set(rpc('DescribeWorkflowExecution'), () => Promise.resolve({ executionConfig: 'not a message' }));
  server = new FrontendServer({ logger: log.logger, handlers });
  client = serviceClient(await server.start('127.0.0.1', 0), workflowServiceName);
});

afterAll(async () => {
  client.close();
  await server.stop();
});

describe('dispatcher error boundary', () => {
  it.each(cases)('a handler throwing $error.name answers $code with the trailer', async ({ error, code, detail }) => {
    thrown = error;
    const failure = expectError(await client.call('SignalWorkflowExecution', {}));
    expect(failure.code).toBe(code);
    expect(failure.details).toBe(error.message);
    expect(decodedTrailer(failure.metadata).details).toEqual(detail === undefined ? [] : [detail]);
  });

  it('an unexpected rejection answers INTERNAL with a fixed message and logs the error; the server stays up', async () => {
    const failure = expectError(await client.call('TerminateWorkflowExecution', {}));
    expect(failure.code).toBe(grpc.status.INTERNAL);
    expect(failure.details).toBe(internalErrorMessage);
    const logged = log.records.find((record) => record.rpc === rpc('TerminateWorkflowExecution'));
    expect(logged?.level).toBe(50);
    expect(JSON.stringify(logged?.err)).toContain('boom: a bug in a handler');
    expect(expectResponse(await client.call('GetSystemInfo', {})).serverVersion).toBeDefined();
  });

  it('a synchronous throw answers INTERNAL too', async () => {
    const failure = expectError(await client.call('RequestCancelWorkflowExecution', {}));
    expect(failure.code).toBe(grpc.status.INTERNAL);
    expect(log.records.some((record) => record.rpc === rpc('RequestCancelWorkflowExecution'))).toBe(true);
  });

  it('a response that does not encode answers INTERNAL (grpc-js) and the server stays up', async () => {
    const failure = expectError(await client.call('DescribeWorkflowExecution', {}));
    expect(failure.code).toBe(grpc.status.INTERNAL);
    expect(expectResponse(await client.call('GetSystemInfo', {})).serverVersion).toBeDefined();
  });
});
