/**
 * The one-node development cluster behind `cairn dev` (docs/node.md): a {@link ShardRuntime} on `<dataDir>`, the
 * Temporal-compatible {@link FrontendServer} (gRPC) and the {@link HealthServer} (HTTP `/healthz`), assembled,
 * logged and shut down in order.
 *
 * Start order: data directory check, shard runtime (opens or bootstraps the DBs), gRPC, HTTP. A failed step closes
 * what the earlier ones opened and throws {@link NodeStartError} with a message that says what to do.
 */
import { resolve } from 'node:path';
import { pino } from 'pino';
import type { Logger } from 'pino';
import { ShardWorkflowEngine } from '../frontend/engine/shardWorkflowEngine.js';
import { FrontendServer } from '../frontend/server.js';
import { SINGLE_NODE_ID, ShardRuntime } from '../shard/runtime/shardRuntime.js';
import { prepareDataDir } from './dataDir.js';
import { NodeStartError } from './errors.js';
import { HealthServer } from './healthServer.js';
import type { NodeHealth } from './healthServer.js';
import { formatListenAddress } from './listenAddress.js';
import type { ListenAddress } from './listenAddress.js';

/** Default gRPC address: Temporal's frontend port, so SDKs and the temporal CLI find it without flags. */
export const GRPC_LISTEN_DEFAULT: ListenAddress = { host: '127.0.0.1', port: 7233 };
/** Default HTTP address (`/healthz`): Temporal's dev-server UI port. */
export const HTTP_LISTEN_DEFAULT: ListenAddress = { host: '127.0.0.1', port: 8233 };
/** Default data directory, relative to the working directory. */
export const DATA_DIR_DEFAULT = './.cairn';

export interface DevNodeOptions {
  readonly dataDir: string;
  readonly listen: ListenAddress;
  readonly httpListen: ListenAddress;
  /** Shards on first start; on restart, must match the stored count if given (omit to reuse the stored count). */
  readonly shards?: number;
  readonly logger?: Logger;
  /** Raft tick period (default: the runtime's 100 ms). */
  readonly tickMs?: number;
  /** Called on a fatal runtime error (default: the runtime logs it and exits the process with code 70). */
  readonly onFatal?: (error: unknown) => void;
}

/** A running dev node. Create with {@link DevNode.start}; stop with {@link DevNode.close}. */
export class DevNode {
  private closing: Promise<void> | null = null;
  private readonly ready: Promise<void>;

  private constructor(
    private readonly runtime: ShardRuntime,
    private readonly engine: ShardWorkflowEngine,
    private readonly frontend: FrontendServer,
    private readonly health: HealthServer,
    /** The absolute data directory. */
    readonly dataDir: string,
    /** The bound gRPC port (the real one when 0 was asked for). */
    readonly grpcPort: number,
    /** The bound HTTP port. */
    readonly httpPort: number,
    private readonly logger: Logger
  ) {
    this.ready = allShardsReady(runtime);
    this.ready.then(
      () => logger.info({ shards: runtime.shardCount }, 'all shards ready'),
      () => undefined
    );
  }

  /** Starts every part of the node; throws {@link NodeStartError} (after closing what was opened) if one fails. */
  static async start(options: DevNodeOptions): Promise<DevNode> {
    const logger = options.logger ?? pino({ name: 'cairn' });
    const dataDir = resolve(options.dataDir);
    await prepareDataDir(dataDir);
    const runtime = await openRuntime(dataDir, options, logger);
    let node: DevNode | null = null;
    const engine = new ShardWorkflowEngine(runtime, undefined, logger.child({ component: 'engine' }));
    const frontend = new FrontendServer({ logger: logger.child({ component: 'frontend' }), engine });
    const health = new HealthServer(() => node?.healthNow() ?? startingHealth(runtime, dataDir));
    let grpcStarted = false;
    try {
      const grpcPort = await listenOrExplain(() => frontend.start(options.listen.host, options.listen.port), {
        address: options.listen,
        what: 'gRPC',
        flag: '--listen',
      });
      grpcStarted = true;
      const httpPort = await listenOrExplain(() => health.start(options.httpListen), {
        address: options.httpListen,
        what: 'HTTP',
        flag: '--http-listen',
      });
      node = new DevNode(runtime, engine, frontend, health, dataDir, grpcPort, httpPort, logger);
    } catch (error) {
      if (grpcStarted) await frontend.stop();
      engine.close();
      await runtime.close();
      throw error;
    }
    logger.info(
      {
        dataDir,
        shards: runtime.shardCount,
        grpcAddress: formatListenAddress({ host: options.listen.host, port: node.grpcPort }),
        grpcPort: node.grpcPort,
        httpAddress: formatListenAddress({ host: options.httpListen.host, port: node.httpPort }),
        httpPort: node.httpPort,
      },
      'dev node listening'
    );
    return node;
  }

  /** The body `/healthz` answers with now. */
  healthNow(): NodeHealth {
    const shardsReady = countReady(this.runtime);
    const shards = this.runtime.shardCount;
    const status = shardsReady === shards && this.closing === null ? 'ok' : 'starting';
    return { status, nodeId: SINGLE_NODE_ID, shards, shardsReady, dataDir: this.dataDir };
  }

  /** Resolves once every shard's gate has been open at least once (each shard led here, barrier applied). */
  whenReady(): Promise<void> {
    return this.ready;
  }

  /** The shard runtime (tests read applied indexes through it). */
  get shardRuntime(): ShardRuntime {
    return this.runtime;
  }

  /** Stops gRPC (calls in flight get a grace period), then HTTP, then the runtime, which flushes. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.closeNow();
    return this.closing;
  }

  private async closeNow(): Promise<void> {
    this.logger.info('dev node stopping');
    await this.frontend.stop();
    await this.health.close();
    this.engine.close();
    await this.runtime.close();
    this.logger.info({ dataDir: this.dataDir }, 'dev node stopped');
  }
}

async function openRuntime(dataDir: string, options: DevNodeOptions, logger: Logger): Promise<ShardRuntime> {
  try {
    return await ShardRuntime.open({
      dataDir,
      shards: options.shards,
      tickMs: options.tickMs,
      logger: logger.child({ component: 'shard' }),
      onFatal: options.onFatal,
    });
  } catch (error) {
    const reason = error instanceof Error ? describeCause(error) : String(error);
    throw new NodeStartError(
      `cannot open the data in ${dataDir}: ${reason}. If another cairn node is using this directory, stop it or ` +
        'choose another with --data-dir',
      { cause: error }
    );
  }
}

/** An error's message followed by its causes' (LevelDB wraps the useful part, e.g. a held LOCK, in `cause`). */
function describeCause(error: Error): string {
  const parts = [error.message];
  let cause: unknown = error.cause;
  while (cause instanceof Error && parts.length < 4) {
    parts.push(cause.message);
    cause = cause.cause;
  }
  return parts.join(': ');
}

interface ListenTarget {
  readonly address: ListenAddress;
  readonly what: string;
  readonly flag: string;
}

async function listenOrExplain(listen: () => Promise<number>, target: ListenTarget): Promise<number> {
  try {
    return await listen();
  } catch (error) {
    const address = formatListenAddress(target.address);
    const reason = error instanceof Error ? error.message : String(error);
    throw new NodeStartError(
      `cannot listen for ${target.what} on ${address} (${reason}): is another cairn or Temporal server running ` +
        `there? Stop it, or choose another address with ${target.flag} host:port`,
      { cause: error }
    );
  }
}

function countReady(runtime: ShardRuntime): number {
  let ready = 0;
  for (let shardId = 0; shardId < runtime.shardCount; shardId++) if (runtime.shard(shardId).isReady) ready++;
  return ready;
}

function startingHealth(runtime: ShardRuntime, dataDir: string): NodeHealth {
  return {
    status: 'starting',
    nodeId: SINGLE_NODE_ID,
    shards: runtime.shardCount,
    shardsReady: countReady(runtime),
    dataDir,
  };
}

function allShardsReady(runtime: ShardRuntime): Promise<void> {
  const waits: Promise<void>[] = [];
  for (let shardId = 0; shardId < runtime.shardCount; shardId++) {
    const shard = runtime.shard(shardId);
    if (shard.isReady) continue;
    waits.push(
      new Promise((resolveReady) => {
        const unsubscribe = shard.onReady(() => {
          unsubscribe();
          resolveReady();
        });
      })
    );
  }
  return Promise.all(waits).then(() => undefined);
}
