/**
 * Goal: the in-memory namespace registry and the namespace RPCs: lookups by name and id, duplicate rejection, and
 * ListNamespaces paging that visits every namespace exactly once in name order.
 * Method: a registry of several namespaces behind a FrontendServer on port 0, paged with every page size from 1 to
 * past the total, following `nextPageToken` until it is absent.
 */
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  InMemoryNamespaceRegistry,
  defaultNamespace,
} from '../../src/frontend/namespaces/inMemoryNamespaceRegistry.js';
import type { NamespaceRecord } from '../../src/frontend/namespaces/namespaceRegistry.js';
import { workflowServiceName } from '../../src/frontend/proto/serviceDefinitions.js';
import { FrontendServer } from '../../src/frontend/server.js';
import { expectError, expectResponse, serviceClient, type ServiceClient } from './support/rawClient.js';
import { silentLogger } from './support/silentLogger.js';

const record = (name: string, index: number): NamespaceRecord => ({
  name,
  id: `00000000-0000-4000-8000-1000000000${String(index).padStart(2, '0')}`,
  description: `namespace ${name}`,
  retentionSeconds: 3600 * index,
});
const others = ['orders', 'billing', 'zeta', 'alpha'].map((name, index) => record(name, index + 1));
const registry = new InMemoryNamespaceRegistry([defaultNamespace, ...others]);
const sortedNames = ['alpha', 'billing', 'default', 'orders', 'zeta'];

let server: FrontendServer;
let client: ServiceClient;

beforeAll(async () => {
  server = new FrontendServer({ logger: silentLogger(), namespaces: registry });
  client = serviceClient(await server.start('127.0.0.1', 0), workflowServiceName);
});

afterAll(async () => {
  client.close();
  await server.stop();
});

describe('InMemoryNamespaceRegistry', () => {
  it('finds by name and by id, lists sorted by name', () => {
    expect(registry.byName('orders')?.id).toBe(others[0]!.id);
    expect(registry.byId(others[2]!.id)?.name).toBe('zeta');
    expect(registry.byName('missing')).toBeUndefined();
    expect(registry.list().map((ns) => ns.name)).toEqual(sortedNames);
  });

  it('rejects duplicate names and duplicate ids', () => {
    expect(() => new InMemoryNamespaceRegistry([defaultNamespace, defaultNamespace])).toThrow(/registered twice/);
    const sameId = { ...others[0]!, name: 'other-name' };
    expect(() => new InMemoryNamespaceRegistry([others[0]!, sameId])).toThrow(/registered twice/);
  });
});

describe('ListNamespaces paging', () => {
  it.each([1, 2, 3, 4, 5, 6])('pageSize %i visits every namespace once, in order', async (pageSize) => {
    const seen: string[] = [];
    let token: Buffer | undefined;
    for (let pages = 0; pages <= sortedNames.length; pages += 1) {
      const request = token === undefined ? { pageSize } : { pageSize, nextPageToken: token };
      const response = expectResponse(await client.call('ListNamespaces', request));
      const page = response.namespaces as Array<{ namespaceInfo: { name: string } }>;
      expect(page.length).toBeLessThanOrEqual(pageSize);
      seen.push(...page.map((ns) => ns.namespaceInfo.name));
      token = response.nextPageToken as Buffer | undefined;
      if (token === undefined) {
        break;
      }
    }
    expect(seen).toEqual(sortedNames);
  });

  it('rejects a negative pageSize naming the field', async () => {
    const failure = expectError(await client.call('ListNamespaces', { pageSize: -1 }));
    expect(failure.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(failure.details).toMatch(/^pageSize/);
  });

  it('DescribeNamespace reports each namespace its own retention', async () => {
    const response = expectResponse(await client.call('DescribeNamespace', { namespace: 'billing' }));
    expect(response.config).toEqual({ workflowExecutionRetentionTtl: { seconds: String(3600 * 2) } });
  });
});
