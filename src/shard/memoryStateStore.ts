/**
 * The in-memory twin of {@link LevelStateStore} for tests and replay checks: same contract (stateStore.ts),
 * checked by test/shard/contract/. Values are copied on write, so callers may reuse their buffers.
 */
import { PrefixedShardStore } from './stateStore.js';
import type { RawStateDb, ShardStore, StateStore, StateWrite, StateWriteOptions } from './stateStore.js';

function hexOf(key: Uint8Array): string {
  return Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('hex');
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(a, b);
}

export class MemoryStateStore implements StateStore, RawStateDb {
  private readonly entries = new Map<string, { key: Uint8Array; value: Uint8Array }>();
  private readonly shards = new Map<number, ShardStore>();
  /** Number of `writeBatch` calls with `sync: true` (tests check when durability was asked for). */
  syncedWrites = 0;

  shard(shardId: number): ShardStore {
    let store = this.shards.get(shardId);
    if (store === undefined) {
      store = new PrefixedShardStore(this, shardId);
      this.shards.set(shardId, store);
    }
    return store;
  }

  get(key: Uint8Array): Promise<Uint8Array | undefined> {
    return Promise.resolve(this.entries.get(hexOf(key))?.value);
  }

  getMany(keys: readonly Uint8Array[]): Promise<(Uint8Array | undefined)[]> {
    return Promise.resolve(keys.map((key) => this.entries.get(hexOf(key))?.value));
  }

  async *iterate(gte: Uint8Array, lt: Uint8Array | undefined): AsyncGenerator<[Uint8Array, Uint8Array]> {
    // Collected up front: like a LevelDB iterator, iteration sees the store as of its start.
    const inRange = [...this.entries.values()].filter(
      ({ key }) => compareBytes(key, gte) >= 0 && (lt === undefined || compareBytes(key, lt) < 0)
    );
    inRange.sort((a, b) => compareBytes(a.key, b.key));
    for (const { key, value } of inRange) {
      await Promise.resolve();
      yield [key, value];
    }
  }

  writeBatch(ops: readonly StateWrite[], options: StateWriteOptions): Promise<void> {
    for (const op of ops) {
      if (op.type === 'put') this.entries.set(hexOf(op.key), { key: op.key.slice(), value: op.value.slice() });
      else this.entries.delete(hexOf(op.key));
    }
    if (options.sync) this.syncedWrites++;
    return Promise.resolve();
  }

  /** Number of keys across all shards. */
  size(): number {
    return this.entries.size;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
