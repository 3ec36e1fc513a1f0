/**
 * The frontend's gRPC server: Temporal's WorkflowService and OperatorService plus gRPC Health, on one port.
 *
 * Message size: grpc-js accepts 4 MiB by default. Temporal caps messages at 4 MB (TEMPORAL-API.md §10), and a request
 * just under that cap still carries gRPC and protobuf framing, so Cairn accepts {@link frontendMessageBytesMax}
 * (4 MiB + 1 MiB of headroom). Bigger messages are refused by grpc-js with RESOURCE_EXHAUSTED before any decoding.
 * Payloads themselves are limited to 2 MB by validation (validation/limits.ts).
 */
import * as grpc from '@grpc/grpc-js';
import pino, { type Logger } from 'pino';
import { serviceImplementation } from './dispatch.js';
import type { WorkflowEngine } from './engine/workflowEngine.js';
import { servedHandlerTable, type HandlerTable } from './handlers/handlerTable.js';
import { reportedServerVersion } from './handlers/getSystemInfo.js';
import type { FrontendServices } from './handlers/handlerTypes.js';
import { InMemoryNamespaceRegistry } from './namespaces/inMemoryNamespaceRegistry.js';
import type { NamespaceRegistry } from './namespaces/namespaceRegistry.js';
import { frontendServiceBindings } from './proto/serviceDefinitions.js';

/** Largest request the server accepts: 4 MiB (Temporal's cap) + 1 MiB of framing headroom. */
export const frontendMessageBytesMax = 5 * 1024 * 1024;

/** How long {@link FrontendServer.stop} lets calls in flight finish before cancelling them. */
export const frontendShutdownGraceMs = 5_000;

/** Construction options; every field has a default. */
export interface FrontendServerOptions {
  readonly logger?: Logger;
  readonly namespaces?: NamespaceRegistry;
  readonly serverVersion?: string;
  /** Replaces the default handler table (tests inject failing handlers through it). */
  readonly handlers?: HandlerTable;
  /** The workflow engine; without it, engine RPCs (StartWorkflowExecution, …) answer UNIMPLEMENTED. */
  readonly engine?: WorkflowEngine;
}

/** One frontend gRPC server. `start` once, `stop` once. */
export class FrontendServer {
  private readonly server: grpc.Server;
  private readonly logger: Logger;
  private boundPort: number | undefined;

  constructor(options: FrontendServerOptions = {}) {
    this.logger = options.logger ?? pino({ name: 'frontend' });
    const services: FrontendServices = {
      namespaces: options.namespaces ?? new InMemoryNamespaceRegistry(),
      serverVersion: options.serverVersion ?? reportedServerVersion,
      engine: options.engine,
    };
    this.server = new grpc.Server({ 'grpc.max_receive_message_length': frontendMessageBytesMax });
    const handlers = options.handlers ?? servedHandlerTable(options.engine !== undefined);
    for (const binding of frontendServiceBindings()) {
      const implementation = serviceImplementation(binding, { handlers, services, logger: this.logger });
      this.server.addService(binding.serverDefinition, implementation);
    }
  }

  /** Binds `host:port` (port 0 picks a free one) without TLS and returns the bound port. */
  async start(host: string, port: number): Promise<number> {
    if (this.boundPort !== undefined) {
      throw new Error(`the frontend is already listening on port ${this.boundPort}`);
    }
    const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
    this.boundPort = await new Promise<number>((resolve, reject) => {
      this.server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (error, bound) =>
        error === null ? resolve(bound) : reject(error)
      );
    });
    this.logger.info({ address, port: this.boundPort }, 'frontend listening');
    return this.boundPort;
  }

  /** The bound port; throws before `start`. */
  get port(): number {
    if (this.boundPort === undefined) {
      throw new Error('the frontend is not listening: call start() first');
    }
    return this.boundPort;
  }

  /** Stops accepting calls, lets calls in flight finish for {@link frontendShutdownGraceMs}, then cancels them. */
  async stop(): Promise<void> {
    const graceful = new Promise<void>((resolve) => this.server.tryShutdown(() => resolve()));
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), frontendShutdownGraceMs);
    });
    const outcome = await Promise.race([graceful, deadline]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      this.server.forceShutdown();
    }
  }
}
