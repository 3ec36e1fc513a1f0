/**
 * Goal: the frontend server answers every RPC of its three services over real gRPC, with the shapes and statuses of
 * TEMPORAL-API.md §1–§3 and §9.
 * Method: start a FrontendServer on 127.0.0.1 port 0 and call it with grpc-js clients built from the same service
 * definitions (requests and responses in proto-loader shape); errors are checked by code, message and the decoded
 * `grpc-status-details-bin` trailer.
 */
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statusDetailsTrailer } from '../../src/frontend/errors.js';
import { advertisedCapabilities, reportedServerVersion } from '../../src/frontend/handlers/getSystemInfo.js';
import {
  defaultNamespaceId,
  defaultNamespaceRetentionSeconds,
} from '../../src/frontend/namespaces/inMemoryNamespaceRegistry.js';
import { decodeRpcStatus, unpackAny } from '../../src/frontend/proto/anyCodec.js';
import {
  frontendServiceBindings,
  healthServiceName,
  operatorServiceName,
  workflowServiceName,
} from '../../src/frontend/proto/serviceDefinitions.js';
import { FrontendServer } from '../../src/frontend/server.js';
import { expectError, expectResponse, rawClient, serviceClient, type ServiceClient } from './support/rawClient.js';
import { silentLogger } from './support/silentLogger.js';

let server: FrontendServer;
let port: number;
let workflow: ServiceClient;
let operator: ServiceClient;
let health: ServiceClient;

beforeAll(async () => {
  server = new FrontendServer({ logger: silentLogger() });
  port = await server.start('127.0.0.1', 0);
  workflow = serviceClient(port, workflowServiceName);
  operator = serviceClient(port, operatorServiceName);
  health = serviceClient(port, healthServiceName);
});

afterAll(async () => {
  workflow.close();
  operator.close();
  health.close();
  await server.stop();
});

/** Decodes the `google.rpc.Status` trailer of `error` and unpacks its details. */
function statusDetails(error: grpc.ServiceError): { code: number; message: string; details: unknown[] } {
  const values = error.metadata.get(statusDetailsTrailer);
  expect(values).toHaveLength(1);
  const status = decodeRpcStatus(values[0] as Buffer);
  return { code: status.code, message: status.message, details: status.details.map(unpackAny) };
}

describe('service surface', () => {
  it('serves all 123 WorkflowService RPCs, the OperatorService and Health', () => {
    const counts = Object.fromEntries(frontendServiceBindings().map((b) => [b.serviceName, b.methods.length]));
    expect(counts[workflowServiceName]).toBe(123);
    expect(counts[operatorServiceName]).toBe(12);
    expect(counts[healthServiceName]).toBe(2);
  });
});

describe('lifecycle', () => {
  it('reports its port, refuses a second start, and stops', async () => {
    const other = new FrontendServer({ logger: silentLogger() });
    expect(() => other.port).toThrow(/call start\(\) first/);
    const bound = await other.start('127.0.0.1', 0);
    expect(other.port).toBe(bound);
    await expect(other.start('127.0.0.1', 0)).rejects.toThrow(/already listening/);
    await other.stop();
    const client = serviceClient(bound, workflowServiceName);
    try {
      const error = expectError(await client.call('GetSystemInfo', {}));
      expect(error.code).toBe(grpc.status.UNAVAILABLE);
    } finally {
      client.close();
    }
  });
});

describe('GetSystemInfo', () => {
  it('returns the server version and exactly the advertised capabilities', async () => {
    const response = expectResponse(await workflow.call('GetSystemInfo', {}));
    expect(response).toEqual({ serverVersion: reportedServerVersion, capabilities: advertisedCapabilities });
    expect(Object.keys(advertisedCapabilities).sort()).toEqual([
      'activityFailureIncludeHeartbeat',
      'encodedFailureAttributes',
      'internalErrorDifferentiation',
      'sdkMetadata',
      'signalAndQueryHeader',
      'upsertMemo',
    ]);
  });
});

describe('DescribeNamespace', () => {
  it('describes default: registered, 1 day retention, no namespace capabilities', async () => {
    const response = expectResponse(await workflow.call('DescribeNamespace', { namespace: 'default' }));
    expect(response.namespaceInfo).toEqual({
      name: 'default',
      state: 'NAMESPACE_STATE_REGISTERED',
      description: 'The default namespace',
      id: defaultNamespaceId,
    });
    expect(response.config).toEqual({
      workflowExecutionRetentionTtl: { seconds: String(defaultNamespaceRetentionSeconds) },
    });
    expect(defaultNamespaceRetentionSeconds).toBe(86_400);
  });

  it('finds a namespace by id when the name is unset', async () => {
    const response = expectResponse(await workflow.call('DescribeNamespace', { id: defaultNamespaceId }));
    expect((response.namespaceInfo as { name: string }).name).toBe('default');
  });

  it('answers NOT_FOUND with a NamespaceNotFoundFailure detail for an unknown namespace', async () => {
    const error = expectError(await workflow.call('DescribeNamespace', { namespace: 'nope' }));
    expect(error.code).toBe(grpc.status.NOT_FOUND);
    expect(error.details).toBe('Namespace nope is not found.');
    expect(statusDetails(error)).toEqual({
      code: grpc.status.NOT_FOUND,
      message: 'Namespace nope is not found.',
      details: [{ typeName: 'temporal.api.errordetails.v1.NamespaceNotFoundFailure', value: { namespace: 'nope' } }],
    });
  });

  it('answers INVALID_ARGUMENT naming the field when neither namespace nor id is set', async () => {
    const error = expectError(await workflow.call('DescribeNamespace', {}));
    expect(error.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(error.details).toMatch(/^namespace is required/);
  });

  it('answers INVALID_ARGUMENT for a namespace name over 1000 characters', async () => {
    const error = expectError(await workflow.call('DescribeNamespace', { namespace: 'n'.repeat(1001) }));
    expect(error.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(error.details).toBe('namespace is 1001 characters long; the limit is 1000');
  });
});

describe('ListNamespaces', () => {
  it('lists default without a next page token', async () => {
    const response = expectResponse(await workflow.call('ListNamespaces', {}));
    const namespaces = response.namespaces as Array<{ namespaceInfo: { name: string } }>;
    expect(namespaces.map((ns) => ns.namespaceInfo.name)).toEqual(['default']);
    expect(response.nextPageToken).toBeUndefined();
  });
});

describe('Health', () => {
  it('Check answers SERVING for the server and for each served service', async () => {
    for (const service of ['', workflowServiceName, operatorServiceName]) {
      expect(expectResponse(await health.call('Check', { service }))).toEqual({ status: 'SERVING' });
    }
  });

  it('Check answers NOT_FOUND for a service it does not serve', async () => {
    const error = expectError(await health.call('Check', { service: 'some.Other' }));
    expect(error.code).toBe(grpc.status.NOT_FOUND);
  });
});

describe('UNIMPLEMENTED', () => {
  it('a WorkflowService RPC Cairn does not serve answers UNIMPLEMENTED naming the RPC, never {}', async () => {
    const request = { namespace: 'default', workflowId: 'w' };
    const error = expectError(await workflow.call('StartWorkflowExecution', request));
    expect(error.code).toBe(grpc.status.UNIMPLEMENTED);
    expect(error.details).toBe(`Cairn does not implement ${workflowServiceName}/StartWorkflowExecution`);
  });

  it('an OperatorService RPC answers UNIMPLEMENTED naming the RPC', async () => {
    const error = expectError(await operator.call('ListSearchAttributes', { namespace: 'default' }));
    expect(error.code).toBe(grpc.status.UNIMPLEMENTED);
    expect(error.details).toBe(`Cairn does not implement ${operatorServiceName}/ListSearchAttributes`);
  });

  it('every unserved RPC of every service answers UNIMPLEMENTED naming itself', async () => {
    const served = new Set(['GetSystemInfo', 'DescribeNamespace', 'ListNamespaces', 'Check', 'Watch']);
    const client = rawClient(port);
    try {
      for (const binding of frontendServiceBindings()) {
        for (const method of binding.methods.filter((m) => !served.has(m.methodName))) {
          const error = expectError(await client.call(method.path, Buffer.alloc(0)));
          expect(error.code, method.rpcName).toBe(grpc.status.UNIMPLEMENTED);
          expect(error.details).toBe(`Cairn does not implement ${method.rpcName}`);
        }
      }
    } finally {
      client.close();
    }
  });

  it('a method the services do not define answers UNIMPLEMENTED naming its path', async () => {
    const client = rawClient(port);
    try {
      const path = `/${workflowServiceName}/NoSuchMethod`;
      const error = expectError(await client.call(path, Buffer.alloc(0)));
      expect(error.code).toBe(grpc.status.UNIMPLEMENTED);
      expect(error.details).toContain(path);
    } finally {
      client.close();
    }
  });

  it('Health/Watch (server streaming) answers UNIMPLEMENTED naming the RPC', async () => {
    const binding = frontendServiceBindings().find((b) => b.serviceName === healthServiceName);
    const watch = binding?.clientDefinition.Watch;
    expect(watch).toBeDefined();
    const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    try {
      const stream = client.makeServerStreamRequest(
        watch!.path,
        watch!.requestSerialize,
        watch!.responseDeserialize,
        {}
      );
      const error = await new Promise<grpc.ServiceError>((resolve) => stream.on('error', resolve));
      expect(error.code).toBe(grpc.status.UNIMPLEMENTED);
      expect(error.details).toBe(`Cairn does not implement ${healthServiceName}/Watch`);
    } finally {
      client.close();
    }
  });
});

describe('malformed requests', () => {
  it('bytes that do not decode answer INVALID_ARGUMENT, not INTERNAL', async () => {
    const client = rawClient(port);
    try {
      // Field 1 (namespace) as a length-delimited string claiming 100 bytes with only 1 present.
      const error = expectError(
        await client.call(`/${workflowServiceName}/DescribeNamespace`, Buffer.from([10, 100, 1]))
      );
      expect(error.code).toBe(grpc.status.INVALID_ARGUMENT);
      expect(error.details).toMatch(
        /^the request is not a valid temporal\.api\.workflowservice\.v1\.DescribeNamespaceRequest/
      );
    } finally {
      client.close();
    }
  });
});
