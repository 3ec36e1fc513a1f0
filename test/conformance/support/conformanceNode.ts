/**
 * Shared setup of the conformance tests: an in-process DevNode on loopback ports chosen by the OS (fast ticks,
 * two shards so that runs spread over both) and a silenced SDK core runtime. One place, so every scenario runs
 * against the same node configuration.
 */
import { Runtime } from '@temporalio/worker';
import { pino } from 'pino';
import { DevNode } from '../../../src/node/devNode.js';

const anyPort = { host: '127.0.0.1', port: 0 };

/** Starts a DevNode on `dataDir` and waits until every shard is ready. */
export async function startConformanceNode(dataDir: string): Promise<DevNode> {
  const node = await DevNode.start({
    dataDir,
    listen: anyPort,
    httpListen: anyPort,
    logger: pino({ level: 'silent' }),
    tickMs: 20,
    shards: 2,
  });
  await node.whenReady();
  return node;
}

/** Installs the SDK core runtime with a logger that drops everything (call once per test file, before workers). */
export function installSilentSdkRuntime(): void {
  const drop = (): undefined => undefined;
  Runtime.install({
    logger: { log: drop, trace: drop, debug: drop, info: drop, warn: drop, error: drop },
    // Core's native logs go to stderr unless forwarded: forward them (to the dropping logger) so tests stay quiet.
    telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} } },
  });
}
