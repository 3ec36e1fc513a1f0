/**
 * Goal: the official Temporal SDK, pinned to 1.24.0, connects to a Cairn frontend (TEMPORAL-API.md §2, §13): the
 * client's GetSystemInfo succeeds, a workflow start fails with the exact status Cairn gives today (UNIMPLEMENTED, until
 * the workflow engine lands), and the worker's NativeConnection (Rust core over tonic) connects, which calls
 * GetSystemInfo and fails if it does not succeed.
 * Method: start a FrontendServer on 127.0.0.1 port 0 and drive it with the unmodified SDK packages.
 */
import { Client, Connection, NamespaceNotFoundError, ServiceError } from '@temporalio/client';
// The client's own detail decoder (not re-exported): it turns NamespaceNotFoundFailure into NamespaceNotFoundError.
import { rethrowKnownErrorTypes } from '@temporalio/client/lib/helpers.js';
import { NativeConnection } from '@temporalio/worker';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  advertisedCapabilities,
  getSystemInfo,
  reportedServerVersion,
} from '../../src/frontend/handlers/getSystemInfo.js';
import { defaultHandlerTable } from '../../src/frontend/handlers/handlerTable.js';
import { workflowServiceName } from '../../src/frontend/proto/serviceDefinitions.js';
import { UnimplementedError } from '../../src/frontend/errors.js';
import { FrontendServer } from '../../src/frontend/server.js';
import { silentLogger } from '../frontend/support/silentLogger.js';

let server: FrontendServer;
let address: string;

beforeAll(async () => {
  server = new FrontendServer({ logger: silentLogger() });
  address = `127.0.0.1:${await server.start('127.0.0.1', 0)}`;
});

afterAll(async () => {
  await server.stop();
});

describe('@temporalio/client 1.24.0', () => {
  it('Connection.connect then getSystemInfo returns the version and capabilities', async () => {
    const connection = await Connection.connect({ address });
    try {
      const info = await connection.workflowService.getSystemInfo({});
      expect(info.serverVersion).toBe(reportedServerVersion);
      expect(info.capabilities?.sdkMetadata).toBe(true);
      expect(info.capabilities?.internalErrorDifferentiation).toBe(true);
      expect(info.capabilities?.supportsSchedules).toBeFalsy();
      expect(info.capabilities?.eagerWorkflowStart).toBeFalsy();
      expect(Object.keys(advertisedCapabilities)).toHaveLength(6);
    } finally {
      await connection.close();
    }
  });

  it('describeNamespace(default) succeeds through the client', async () => {
    const connection = await Connection.connect({ address });
    try {
      const response = await connection.workflowService.describeNamespace({ namespace: 'default' });
      expect(response.namespaceInfo?.name).toBe('default');
      expect(Number(response.config?.workflowExecutionRetentionTtl?.seconds)).toBe(86_400);
    } finally {
      await connection.close();
    }
  });

  it('an unknown namespace gives NOT_FOUND whose detail the client decodes into NamespaceNotFoundError', async () => {
    const connection = await Connection.connect({ address });
    try {
      const error: unknown = await connection.workflowService.describeNamespace({ namespace: 'nope' }).then(
        () => undefined,
        (reason: unknown) => reason
      );
      expect((error as grpc.ServiceError).code).toBe(grpc.status.NOT_FOUND);
      let rethrown: unknown;
      try {
        rethrowKnownErrorTypes(error as grpc.ServiceError);
      } catch (known) {
        rethrown = known;
      }
      expect(rethrown).toBeInstanceOf(NamespaceNotFoundError);
      expect((rethrown as NamespaceNotFoundError).namespace).toBe('nope');
    } finally {
      await connection.close();
    }
  });

  it('client.workflow.start fails with a ServiceError caused by UNIMPLEMENTED (no workflow engine yet)', async () => {
    const connection = await Connection.connect({ address });
    try {
      const client = new Client({ connection, namespace: 'default' });
      const started = client.workflow.start('hello', { taskQueue: 'tq', workflowId: 'wf-1', args: ['x'] });
      const error: unknown = await started.then(
        () => undefined,
        (reason: unknown) => reason
      );
      expect(error).toBeInstanceOf(ServiceError);
      const cause = (error as ServiceError).cause as grpc.ServiceError | undefined;
      expect(cause?.code).toBe(grpc.status.UNIMPLEMENTED);
      expect(cause?.details).toBe(
        'Cairn does not implement temporal.api.workflowservice.v1.WorkflowService/StartWorkflowExecution'
      );
    } finally {
      await connection.close();
    }
  });
});

/**
 * Starts a server whose GetSystemInfo handler records each caller's user-agent, then answers normally or, when
 * `serveSystemInfo` is false, UNIMPLEMENTED as an unserved RPC would.
 */
async function startSpiedServer(serveSystemInfo: boolean): Promise<{ server: FrontendServer; userAgents: string[] }> {
  const userAgents: string[] = [];
  const handlers = new Map(defaultHandlerTable());
  const rpcName = `${workflowServiceName}/GetSystemInfo`;
  handlers.set(rpcName, (request, call) => {
    userAgents.push(String(call.metadata.get('user-agent')[0]));
    return serveSystemInfo ? getSystemInfo(request, call) : Promise.reject(new UnimplementedError(rpcName));
  });
  const spied = new FrontendServer({ logger: silentLogger(), handlers });
  await spied.start('127.0.0.1', 0);
  return { server: spied, userAgents };
}

describe('@temporalio/worker 1.24.0', () => {
  it('NativeConnection.connect succeeds: core calls GetSystemInfo over tonic', async () => {
    const spied = await startSpiedServer(true);
    try {
      const connection = await NativeConnection.connect({ address: `127.0.0.1:${spied.server.port}` });
      try {
        expect(spied.userAgents.some((agent) => agent.startsWith('tonic/'))).toBe(true);
        const info = await connection.workflowService.getSystemInfo({});
        expect(info.serverVersion).toBe(reportedServerVersion);
      } finally {
        await connection.close();
      }
    } finally {
      await spied.server.stop();
    }
  });

  it('NativeConnection.connect itself tolerates an UNIMPLEMENTED GetSystemInfo (measured on 1.24.0)', async () => {
    // TEMPORAL-API.md §2 says the worker fails without GetSystemInfo; in 1.24.0 that failure is not at connect time:
    // core calls the RPC while connecting but accepts UNIMPLEMENTED. This pins the measured behaviour so an SDK bump
    // that changes it is noticed.
    const spied = await startSpiedServer(false);
    try {
      const connection = await NativeConnection.connect({ address: `127.0.0.1:${spied.server.port}` });
      await connection.close();
      expect(spied.userAgents.some((agent) => agent.startsWith('tonic/'))).toBe(true);
    } finally {
      await spied.server.stop();
    }
  });
});
