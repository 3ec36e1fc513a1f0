// The ShardStore contract (src/shard/stateStore.ts), shared by the LevelDB and in-memory implementations:
// stateStore.test.ts runs it against both.
import { describe, expect, it } from 'vitest';
import type { StateStore } from '../../../src/shard/stateStore.js';

export interface StateStoreFactory {
  /** A fresh, empty store. */
  open(): Promise<StateStore>;
  /** Closes `store` and reopens the same data (the in-memory twin returns the same object). */
  reopen(store: StateStore): Promise<StateStore>;
}

const bytes = (...values: number[]): Uint8Array => new Uint8Array(values);
const text = (value: string): Uint8Array => new TextEncoder().encode(value);

async function collect(iterable: AsyncIterable<[Uint8Array, Uint8Array]>): Promise<[number[], number[]][]> {
  const out: [number[], number[]][] = [];
  for await (const [key, value] of iterable) out.push([[...key], [...value]]);
  return out;
}

export function stateStoreContract(name: string, factory: StateStoreFactory): void {
  describe(`ShardStore contract: ${name}`, () => {
    it('get returns what a batch put and undefined for absent or deleted keys', async () => {
      const store = await factory.open();
      const shard = store.shard(3);
      await shard.writeBatch(
        [
          { type: 'put', key: text('a'), value: text('1') },
          { type: 'put', key: text('b'), value: text('2') },
        ],
        { sync: false }
      );
      await shard.writeBatch([{ type: 'del', key: text('a') }], { sync: true });
      expect(await shard.get(text('a'))).toBeUndefined();
      expect([...((await shard.get(text('b'))) ?? [])]).toEqual([...text('2')]);
      expect((await shard.getMany([text('a'), text('b'), text('c')])).map((v) => v?.length)).toEqual([
        undefined,
        1,
        undefined,
      ]);
      await store.close();
    });

    it('keeps shards apart: same local key, different shards, including the extreme ids', async () => {
      const store = await factory.open();
      const shardIds = [0, 1, 2, 0xffff_fffe, 0xffff_ffff];
      for (const shardId of shardIds) {
        await store.shard(shardId).writeBatch([{ type: 'put', key: bytes(7), value: bytes(shardId & 0xff) }], {
          sync: false,
        });
      }
      for (const shardId of shardIds) {
        const all = await collect(store.shard(shardId).iterate());
        expect(all, `shard ${shardId}`).toEqual([[[7], [shardId & 0xff]]]);
      }
      await store.close();
    });

    it('iterates in bytewise key order within a range, with shard-local keys', async () => {
      const store = await factory.open();
      const shard = store.shard(5);
      const keys = [bytes(2), bytes(0), bytes(1, 0), bytes(1), bytes(255), bytes(1, 255)];
      await shard.writeBatch(
        keys.map((key) => ({ type: 'put' as const, key, value: key })),
        { sync: false }
      );
      const all = await collect(shard.iterate());
      expect(all.map(([key]) => key)).toEqual([[0], [1], [1, 0], [1, 255], [2], [255]]);
      const ranged = await collect(shard.iterate({ gte: bytes(1), lt: bytes(2) }));
      expect(ranged.map(([key]) => key)).toEqual([[1], [1, 0], [1, 255]]);
      const fromOnly = await collect(shard.iterate({ gte: bytes(2) }));
      expect(fromOnly.map(([key]) => key)).toEqual([[2], [255]]);
      await store.close();
    });

    it('a batch is applied in order: a put then a delete of the same key leaves it absent', async () => {
      const store = await factory.open();
      const shard = store.shard(1);
      await shard.writeBatch(
        [
          { type: 'put', key: text('k'), value: text('v') },
          { type: 'del', key: text('k') },
          { type: 'put', key: text('j'), value: text('1') },
          { type: 'put', key: text('j'), value: text('2') },
        ],
        { sync: false }
      );
      expect(await shard.get(text('k'))).toBeUndefined();
      expect(new TextDecoder().decode(await shard.get(text('j')))).toBe('2');
      await store.close();
    });

    it('iteration sees the store as of its start', async () => {
      const store = await factory.open();
      const shard = store.shard(1);
      await shard.writeBatch([{ type: 'put', key: bytes(1), value: bytes(1) }], { sync: false });
      const seen: number[][] = [];
      for await (const [key] of shard.iterate()) {
        seen.push([...key]);
        await shard.writeBatch([{ type: 'put', key: bytes(9), value: bytes(9) }], { sync: false });
      }
      expect(seen).toEqual([[1]]);
      await store.close();
    });

    it('synced and unsynced writes survive a clean close and reopen', async () => {
      let store = await factory.open();
      await store.shard(2).writeBatch([{ type: 'put', key: bytes(1), value: bytes(10) }], { sync: false });
      await store.shard(2).writeBatch([{ type: 'put', key: bytes(2), value: bytes(20) }], { sync: true });
      store = await factory.reopen(store);
      expect(await collect(store.shard(2).iterate())).toEqual([
        [[1], [10]],
        [[2], [20]],
      ]);
      await store.close();
    });
  });
}
