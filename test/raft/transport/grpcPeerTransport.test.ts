/**
 * Goal: the gRPC peer transport delivers Raft messages of every group between two node processes' transports, in
 * order per group, batching what is queued in one event-loop turn, dropping the oldest when a peer is down, and
 * reconnecting with backoff once it is up; close() releases everything. Method: real transports on 127.0.0.1 port 0
 * in this process; assertions on delivered messages and on the transports' stats, waiting on conditions (never on
 * sleeps); the no-open-handles check runs a fixture in a child process and asserts that it exits by itself.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { makeMessage, type Message } from '../../../src/raft/core/types.js';
import { GrpcPeerTransport, type GrpcPeerTransportOptions } from '../../../src/raft/transport/grpcPeerTransport.js';
import { reconnectDelayMs } from '../../../src/raft/transport/peerStream.js';

interface Received {
  readonly groupId: number;
  readonly message: Message;
}

const open: GrpcPeerTransport[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((transport) => transport.close()));
});

async function startTransport(
  nodeId: number,
  peers: Record<number, string>,
  received: Received[],
  extra: Partial<GrpcPeerTransportOptions> = {},
  listenAddress = '127.0.0.1:0'
): Promise<GrpcPeerTransport> {
  const transport = await GrpcPeerTransport.start({
    nodeId,
    listenAddress,
    peerAddresses: new Map(Object.entries(peers).map(([id, address]) => [Number(id), address])),
    onMessage: (groupId, message) => received.push({ groupId, message }),
    random: () => 0.5,
    ...extra,
  });
  open.push(transport);
  return transport;
}

/** A port that was free a moment ago: the address of a peer that is not up yet. */
async function reservePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') {
    throw new Error('expected a TCP address');
  }
  return address.port;
}

const until = (condition: () => boolean): Promise<void> =>
  vi.waitFor(
    () => {
      if (!condition()) throw new Error('condition not met yet');
    },
    { timeout: 20_000, interval: 5 }
  );

const app = (from: number, to: number, index: number): Message =>
  makeMessage({
    type: 'app',
    from,
    to,
    term: 1,
    index,
    entries: [{ term: 1, index, kind: 'normal', data: Uint8Array.of(index & 0xff) }],
  });

describe('reconnectDelayMs', () => {
  const policy = { reconnectDelayMinMs: 50, reconnectDelayMaxMs: 5000 };

  it('doubles from 50 ms, caps at 5 s, and jitters within [half, full] of the ceiling but never below 50 ms', () => {
    expect([0, 1, 2, 3].map((failures) => reconnectDelayMs(failures, () => 0.9999999, policy))).toEqual([
      50, 100, 200, 400,
    ]);
    expect(reconnectDelayMs(3, () => 0, policy)).toBe(200);
    expect(reconnectDelayMs(0, () => 0, policy)).toBe(50);
    expect(reconnectDelayMs(40, () => 0.9999999, policy)).toBe(5000);
    expect(reconnectDelayMs(40, () => 0, policy)).toBe(2500);
  });
});

describe('GrpcPeerTransport', () => {
  it('exchanges messages of several groups both ways, in order per group', async () => {
    const atOne: Received[] = [];
    const atTwo: Received[] = [];
    const portOfOne = await reservePort();
    const two = await startTransport(2, { 1: `127.0.0.1:${portOfOne}` }, atTwo);
    const one = await startTransport(1, { 2: `127.0.0.1:${two.port}` }, atOne, {}, `127.0.0.1:${portOfOne}`);
    const groups = [1, 2, 3];
    for (let turn = 1; turn <= 5; turn += 1) {
      for (const groupId of groups) {
        one.send(groupId, [app(1, 2, turn * 10 + groupId)]);
        two.send(groupId, [app(2, 1, turn * 10 + groupId)]);
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    await until(() => atTwo.length === 15 && atOne.length === 15);
    for (const groupId of groups) {
      const expected = [1, 2, 3, 4, 5].map((turn) => turn * 10 + groupId);
      expect(atTwo.filter((r) => r.groupId === groupId).map((r) => r.message.index)).toEqual(expected);
      expect(atOne.filter((r) => r.groupId === groupId).map((r) => r.message.index)).toEqual(expected);
    }
    expect(atTwo[0]?.message).toEqual(app(1, 2, 11));
    expect(two.stats().get(1)).toMatchObject({ received: 15, sent: 15, dropped: 0 });
  });

  it('sends what was queued in one turn as one batch', async () => {
    const atTwo: Received[] = [];
    const two = await startTransport(2, {}, atTwo);
    const one = await startTransport(1, { 2: `127.0.0.1:${two.port}` }, []);
    one.send(7, [app(1, 2, 1)]);
    await until(() => atTwo.length === 1);
    const before = one.stats().get(2);
    for (let index = 2; index <= 101; index += 1) {
      one.send(index % 4, [app(1, 2, index)]);
    }
    expect(atTwo).toHaveLength(1); // nothing is delivered synchronously
    await until(() => atTwo.length === 101);
    const after = one.stats().get(2);
    expect(after?.batches).toBe((before?.batches ?? 0) + 1);
    expect(after?.sent).toBe((before?.sent ?? 0) + 100);
  });

  it('drops the oldest while a peer is down, then reconnects with backoff and delivers', async () => {
    const port = await reservePort();
    const policy = { reconnectDelayMinMs: 10, reconnectDelayMaxMs: 80 };
    const one = await startTransport(1, { 2: `127.0.0.1:${port}` }, [], { queuedMessagesMax: 4, ...policy });
    one.send(
      1,
      Array.from({ length: 10 }, (_, i) => app(1, 2, i + 1))
    );
    expect(one.stats().get(2)?.dropped).toBe(6);
    await until(() => (one.stats().get(2)?.reconnects ?? 0) >= 3);
    const backoffMs = one.stats().get(2)?.lastBackoffMs ?? 0;
    expect([1, 2, 3, 4, 5].map((failures) => reconnectDelayMs(failures, () => 0.5, policy))).toContain(backoffMs);

    const atTwo: Received[] = [];
    await startTransport(2, {}, atTwo, {}, `127.0.0.1:${port}`);
    await until(() => atTwo.length === 4);
    expect(atTwo.map((r) => r.message.index)).toEqual([7, 8, 9, 10]);
    one.send(1, [app(1, 2, 11), app(1, 2, 12)]);
    await until(() => atTwo.length === 6);
    expect(atTwo.map((r) => r.message.index)).toEqual([7, 8, 9, 10, 11, 12]);
    expect(one.stats().get(2)?.dropped).toBe(6);
  });

  it('counts messages to unknown nodes instead of throwing', async () => {
    const one = await startTransport(1, {}, []);
    expect(() => one.send(1, [app(1, 9, 1)])).not.toThrow();
    expect(one.unroutableMessages).toBe(1);
  });

  it('close() leaves no open handles: a process that used transports exits by itself', async () => {
    const fixture = fileURLToPath(new URL('./grpcPeerTransportExitFixture.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', fixture], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    // A generous bound only so that a leak fails the test instead of hanging it; a clean run exits in well under it.
    const killTimer = setTimeout(() => child.kill('SIGKILL'), 50_000);
    const exitCode = await new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    clearTimeout(killTimer);
    expect(stdout).toContain('received 3, closed');
    expect(exitCode).toBe(0);
  }, 60_000);
});
