// Helpers for tests that run a real ShardRuntime on a temp dir.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ShardRuntime } from '../../../src/shard/runtime/shardRuntime.js';
import type { ShardRuntimeOptions } from '../../../src/shard/runtime/shardRuntime.js';
import type { Shard } from '../../../src/shard/shard.js';
import { silentLogger } from './shardHarness.js';

export async function tempDataDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'cairn-shard-'));
}

/** Resolves once `shard`'s gate is open (the test runner's timeout catches a shard that never gets ready). */
export function waitReady(shard: Shard): Promise<void> {
  if (shard.isReady) return Promise.resolve();
  return new Promise((resolve) => {
    const unsubscribe = shard.onReady(() => {
      unsubscribe();
      resolve();
    });
  });
}

/**
 * Opens a runtime with a fast tick and no logging and waits for every shard to be ready. A fatal error is
 * collected in `fatal` and, while waiting, fails the open at once (rather than leaving the wait to time out).
 */
export async function openRuntime(
  dataDir: string,
  options: Partial<ShardRuntimeOptions> = {}
): Promise<{ runtime: ShardRuntime; fatal: unknown[] }> {
  const fatal: unknown[] = [];
  let failOpen: (error: unknown) => void = () => undefined;
  const fatalDuringOpen = new Promise<never>((_resolve, reject) => (failOpen = reject));
  fatalDuringOpen.catch(() => undefined); // observed below; never an unhandled rejection
  const runtime = await ShardRuntime.open({
    dataDir,
    tickMs: 10,
    logger: silentLogger,
    onFatal: (error) => {
      fatal.push(error);
      failOpen(error);
    },
    ...options,
  });
  for (let shardId = 0; shardId < runtime.shardCount; shardId++) {
    await Promise.race([waitReady(runtime.shard(shardId)), fatalDuringOpen]);
  }
  return { runtime, fatal };
}
