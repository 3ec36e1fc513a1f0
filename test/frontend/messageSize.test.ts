/**
 * Goal: the frontend accepts requests up to `frontendMessageBytesMax` (above grpc-js' 4 MiB default, TEMPORAL-API.md
 * §1) and refuses bigger ones with RESOURCE_EXHAUSTED, staying up afterwards.
 * Method: DescribeNamespace requests whose `namespace` string makes the message just under 4.5 MiB (accepted by the
 * transport, then rejected by validation as too long: INVALID_ARGUMENT proves it reached the handler) and just over
 * the limit (RESOURCE_EXHAUSTED from grpc-js), then a normal call.
 */
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workflowServiceName } from '../../src/frontend/proto/serviceDefinitions.js';
import { FrontendServer, frontendMessageBytesMax } from '../../src/frontend/server.js';
import { expectError, expectResponse, serviceClient, type ServiceClient } from './support/rawClient.js';
import { silentLogger } from './support/silentLogger.js';

let server: FrontendServer;
let client: ServiceClient;

beforeAll(async () => {
  server = new FrontendServer({ logger: silentLogger() });
  client = serviceClient(await server.start('127.0.0.1', 0), workflowServiceName);
});

afterAll(async () => {
  client.close();
  await server.stop();
});

describe('message size', () => {
  it('the limit is 4 MiB plus 1 MiB of headroom', () => {
    expect(frontendMessageBytesMax).toBe(5 * 1024 * 1024);
  });

  it('a 4.5 MiB request passes the transport (above the grpc-js default) and reaches validation', async () => {
    const namespace = 'n'.repeat(4.5 * 1024 * 1024);
    const failure = expectError(await client.call('DescribeNamespace', { namespace }));
    expect(failure.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(failure.details).toBe(`namespace is ${namespace.length} characters long; the limit is 1000`);
  });

  it('a request over the limit answers RESOURCE_EXHAUSTED and the server stays up', async () => {
    const namespace = 'n'.repeat(frontendMessageBytesMax + 1);
    const failure = expectError(await client.call('DescribeNamespace', { namespace }));
    expect(failure.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    const response = expectResponse(await client.call('DescribeNamespace', { namespace: 'default' }));
    expect((response.namespaceInfo as { name: string }).name).toBe('default');
  });
});
