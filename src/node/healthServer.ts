/**
 * The node's HTTP side port (node:http): `GET /healthz` answers 200 with the node's health as JSON once it is
 * ready, 503 with the same JSON before; every other path is 404. Plain HTTP so that curl, load balancers and
 * container probes can ask without a gRPC client.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ListenAddress } from './listenAddress.js';

/** The body of `/healthz`. */
export interface NodeHealth {
  /** `ok` once every shard hosted here is ready to serve, `starting` before. */
  readonly status: 'ok' | 'starting';
  readonly nodeId: number;
  readonly shards: number;
  readonly shardsReady: number;
  readonly dataDir: string;
}

/** The HTTP health server. `start` once, `close` once. */
export class HealthServer {
  private readonly server: Server;

  constructor(health: () => NodeHealth) {
    this.server = createServer((request, response) => answer(request, response, health));
  }

  /** Binds `address` and returns the bound port; rejects with the listen error (e.g. EADDRINUSE). */
  start(address: ListenAddress): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (error: Error): void => reject(error);
      this.server.once('error', onError);
      this.server.listen(address.port, address.host, () => {
        this.server.off('error', onError);
        resolve((this.server.address() as AddressInfo).port);
      });
    });
  }

  /** Stops accepting, drops idle keep-alive connections, and resolves once every connection is closed. */
  close(): Promise<void> {
    if (!this.server.listening) return Promise.resolve();
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeIdleConnections();
    });
  }
}

function answer(request: IncomingMessage, response: ServerResponse, health: () => NodeHealth): void {
  const path = (request.url ?? '/').split('?')[0];
  if (path !== '/healthz' || (request.method !== 'GET' && request.method !== 'HEAD')) {
    sendJson(response, 404, { error: `not found: ${request.method ?? ''} ${path ?? ''}; try GET /healthz` });
    return;
  }
  const body = health();
  sendJson(response, body.status === 'ok' ? 200 : 503, body);
}

function sendJson(response: ServerResponse, statusCode: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(statusCode, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  response.end(text);
}
