// Goal: workflow tasks scheduled before a node restart are handed out after it. Runs started through the official
// Temporal Client (pinned 1.24.0) while no worker polls, then the DevNode restarts on the same data directory;
// a Worker started afterwards must receive every task and each `handle.result()` must return 'hello x'.
// Method: an in-process DevNode (temp dir, ports 0, 2 shards, so the runs spread over both), closed and reopened;
// the unmodified Worker (SDK webpack + swc bundle) over a NativeConnection runs until every result is back. Before
// the engine re-queued stored runs on shard readiness, these results never arrived (the test timed out).
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevNode } from '../../src/node/devNode.js';
import { installSilentSdkRuntime, startConformanceNode } from './support/conformanceNode.js';
import type { hello } from './workflows/hello.js';

const require = createRequire(import.meta.url);
const workflowsPath = require.resolve('./workflows/hello.ts');

let dataDir: string;
let node: DevNode | undefined;

beforeAll(async () => {
  installSilentSdkRuntime();
  dataDir = await mkdtemp(join(tmpdir(), 'cairn-restart-before-poll-'));
});

afterAll(async () => {
  await node?.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function startNode(): Promise<DevNode> {
  return startConformanceNode(dataDir);
}

describe('a workflow started before a restart and not yet polled', () => {
  it('is handed to a worker started after the restart and completes', async () => {
    const taskQueue = 'tq-restart';
    const workflowIds = ['restart-1', 'restart-2', 'restart-3', 'restart-4'];
    node = await startNode();
    const before = await Connection.connect({ address: `127.0.0.1:${node.grpcPort}` });
    try {
      const client = new Client({ connection: before, namespace: 'default' });
      for (const workflowId of workflowIds) {
        await client.workflow.start<typeof hello>('hello', { taskQueue, workflowId, args: ['x'] });
      }
    } finally {
      await before.close();
    }
    await node.close();

    node = await startNode();
    const address = `127.0.0.1:${node.grpcPort}`;
    const after = await Connection.connect({ address });
    const workerConnection = await NativeConnection.connect({ address });
    try {
      const client = new Client({ connection: after, namespace: 'default' });
      const worker = await Worker.create({
        connection: workerConnection,
        namespace: 'default',
        taskQueue,
        workflowsPath,
      });
      const results = await worker.runUntil(
        Promise.all(workflowIds.map((workflowId) => client.workflow.getHandle(workflowId).result()))
      );
      expect(results).toEqual(workflowIds.map(() => 'hello x'));
    } finally {
      await workerConnection.close();
      await after.close();
    }
  }, 120_000);
});
