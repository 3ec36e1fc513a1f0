// Goal: the HTTP health server answers GET /healthz with 503 and the node's health while it is starting, 200 once
// ready, and 404 for any other path or method.
// Method: start HealthServer on 127.0.0.1 port 0 with a health function the test switches, and fetch from it.
import { afterEach, describe, expect, it } from 'vitest';
import { HealthServer } from '../../src/node/healthServer.js';
import type { NodeHealth } from '../../src/node/healthServer.js';

const starting: NodeHealth = { status: 'starting', nodeId: 1, shards: 2, shardsReady: 1, dataDir: '/data' };
let server: HealthServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('HealthServer', () => {
  it('answers 503 while starting and 200 once ok, with the health as JSON', async () => {
    let health = starting;
    server = new HealthServer(() => health);
    const port = await server.start({ host: '127.0.0.1', port: 0 });
    const before = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(before.status).toBe(503);
    expect(before.headers.get('content-type')).toBe('application/json');
    expect(await before.json()).toEqual(starting);
    health = { ...starting, status: 'ok', shardsReady: 2 };
    const after = await fetch(`http://127.0.0.1:${port}/healthz?verbose=1`);
    expect(after.status).toBe(200);
    expect(await after.json()).toEqual(health);
  });

  it('answers 404 for other paths and methods', async () => {
    server = new HealthServer(() => starting);
    const port = await server.start({ host: '127.0.0.1', port: 0 });
    expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${port}/healthz/x`)).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`, { method: 'POST' })).status).toBe(404);
  });

  it('rejects start with EADDRINUSE when the port is taken', async () => {
    server = new HealthServer(() => starting);
    const port = await server.start({ host: '127.0.0.1', port: 0 });
    const second = new HealthServer(() => starting);
    await expect(second.start({ host: '127.0.0.1', port })).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });
});
