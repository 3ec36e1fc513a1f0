// Goal: the DevNode assembly behind `cairn dev` serves /healthz (200 with every shard ready), the official Temporal
// client talks to its gRPC port, its data survives a close and restart, and a start that cannot bind or cannot use
// its data directory fails with exit 1 and a message saying what to do. (The real process and SIGINT:
// devProcess.test.ts.)
// Method: start DevNode in-process on port 0 and a temp dir; run the CLI in-process for the failing starts. Waits are
// for events (the ready promise), never for time.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exitCodeFailure, runCli } from '../../src/cli/main.js';
import { DevNode } from '../../src/node/devNode.js';
import type { DevNodeOptions } from '../../src/node/devNode.js';

const silent = pino({ level: 'silent' });
let dataDir: string;

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'cairn-dev-node-'));
});

afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

function nodeOptions(overrides: Partial<DevNodeOptions> = {}): DevNodeOptions {
  const anyPort = { host: '127.0.0.1', port: 0 };
  return { dataDir, listen: anyPort, httpListen: anyPort, logger: silent, tickMs: 20, ...overrides };
}

async function getHealth(port: number, path = '/healthz'): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: response.status, body: await response.json() };
}

describe('DevNode in-process', () => {
  it('answers /healthz 200 once every shard is ready, 404 elsewhere, and serves the Temporal client', async () => {
    const node = await DevNode.start(nodeOptions({ shards: 3 }));
    try {
      await node.whenReady();
      expect(await getHealth(node.httpPort)).toEqual({
        status: 200,
        body: { status: 'ok', nodeId: 1, shards: 3, shardsReady: 3, dataDir },
      });
      expect((await getHealth(node.httpPort, '/metrics')).status).toBe(404);
      const connection = await Connection.connect({ address: `127.0.0.1:${node.grpcPort}` });
      try {
        const info = await connection.workflowService.getSystemInfo({});
        expect(info.capabilities?.sdkMetadata).toBe(true);
        const described = await connection.workflowService.describeNamespace({ namespace: 'default' });
        expect(described.namespaceInfo?.name).toBe('default');
      } finally {
        await connection.close();
      }
    } finally {
      await node.close();
    }
  });

  it('restarts on the same data dir with the stored shard count and applied indexes no lower than before', async () => {
    const first = await DevNode.start(nodeOptions({ shards: 2 }));
    await first.whenReady();
    const runtime = first.shardRuntime;
    const appliedBefore = [0, 1].map((shardId) => runtime.shard(shardId).applied.index);
    await first.close();
    expect(appliedBefore.every((index) => index > 1)).toBe(true); // past the bootstrap: each leader's barrier

    const second = await DevNode.start(nodeOptions());
    try {
      await second.whenReady();
      expect(second.shardRuntime.shardCount).toBe(2);
      for (const [shardId, before] of appliedBefore.entries()) {
        expect(second.shardRuntime.shard(shardId).applied.index).toBeGreaterThanOrEqual(before);
      }
      expect((await getHealth(second.httpPort)).body).toMatchObject({ status: 'ok', shardsReady: 2 });
    } finally {
      await second.close();
    }
  });
});

interface CliRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

async function runDevCli(...flags: string[]): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const exitCode = await runCli(['dev', ...flags], {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  });
  return { exitCode, stdout, stderr };
}

async function occupyPort(): Promise<Server> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

describe('cairn dev start failures', () => {
  it('exits 1 naming the address and the flag when the gRPC or HTTP port is in use, leaving the data dir free', async () => {
    const blocker = await occupyPort();
    const busy = `127.0.0.1:${(blocker.address() as AddressInfo).port}`;
    try {
      const grpcBusy = await runDevCli('--data-dir', dataDir, '--listen', busy, '--http-listen', '127.0.0.1:0');
      expect(grpcBusy.exitCode).toBe(exitCodeFailure);
      expect(grpcBusy.stderr).toMatch(new RegExp(`^cairn dev: cannot listen for gRPC on ${busy} .*--listen`));
      const httpBusy = await runDevCli('--data-dir', dataDir, '--listen', '127.0.0.1:0', '--http-listen', busy);
      expect(httpBusy.exitCode).toBe(exitCodeFailure);
      expect(httpBusy.stderr).toMatch(new RegExp(`^cairn dev: cannot listen for HTTP on ${busy} .*--http-listen`));
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
    // The failed starts closed the runtime: the LevelDB locks are free again.
    const node = await DevNode.start(nodeOptions());
    await node.close();
  });

  it('exits 1 with a message naming --data-dir when the data directory cannot be created', async () => {
    const file = join(dataDir, 'a-file');
    await writeFile(file, 'not a directory');
    const result = await runDevCli('--data-dir', join(file, 'data'), '--listen', '127.0.0.1:0');
    expect(result.exitCode).toBe(exitCodeFailure);
    expect(result.stderr).toMatch(/^cairn dev: cannot use the data directory .*a-file\/data .*--data-dir\n$/);
  });

  it('exits 1 with a message naming --data-dir when another node holds the data directory', async () => {
    const holder = await DevNode.start(nodeOptions());
    try {
      const result = await runDevCli('--data-dir', dataDir, '--listen', '127.0.0.1:0', '--http-listen', '127.0.0.1:0');
      expect(result.exitCode).toBe(exitCodeFailure);
      expect(result.stderr).toMatch(/^cairn dev: cannot open the data in .*another cairn node.*--data-dir\n$/);
    } finally {
      await holder.close();
    }
  });
});
