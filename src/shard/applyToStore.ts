/**
 * Runs the pure apply (apply/apply.ts) against a {@link ShardStore}: fetch the keys it reads, apply, write.
 *
 * {@link applyEntriesToStore} applies a run of consecutive committed entries (one Ready's worth) with ONE read of
 * every key they need and ONE atomic write holding all their batches in order: each entry still sees the writes
 * of the entries before it (an overlay of their batches), and the store moves from one applied index to a later
 * one atomically, never to a state between entries. This costs two LevelDB round trips per Ready instead of two
 * per entry (bench/shard/shardBench.ts). The replay checks in tests apply entry by entry with
 * {@link applyToStore}, so the two paths are compared against each other.
 */
import { invariant } from '../raft/core/errors.js';
import { applyEntry, keysToRead } from './apply/apply.js';
import type { ApplyResult, CommittedShardEntry } from './apply/apply.js';
import type { ShardStore, StateWrite } from './stateStore.js';

function hexOf(key: Uint8Array): string {
  return Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('hex');
}

/** Applies `entries` (consecutive, ascending) to `store` in one `sync: false` batch; results in entry order. */
export async function applyEntriesToStore(
  store: ShardStore,
  entries: readonly CommittedShardEntry[]
): Promise<ApplyResult[]> {
  if (entries.length === 0) return [];
  const view = new Map<string, Uint8Array | undefined>();
  const keys: Uint8Array[] = [];
  for (const entry of entries) {
    for (const key of keysToRead(entry.body)) {
      const hex = hexOf(key);
      if (view.has(hex)) continue;
      view.set(hex, undefined);
      keys.push(key);
    }
  }
  const values = await store.getMany(keys);
  keys.forEach((key, position) => view.set(hexOf(key), values[position]));
  const readView = {
    get(key: Uint8Array): Uint8Array | undefined {
      const hex = hexOf(key);
      invariant(view.has(hex), () => `apply read key 0x${hex}, which keysToRead did not name`);
      return view.get(hex);
    },
  };
  const results: ApplyResult[] = [];
  const batch: StateWrite[] = [];
  for (const entry of entries) {
    const result = applyEntry(entry, readView);
    for (const op of result.batch) {
      view.set(hexOf(op.key), op.type === 'put' ? op.value : undefined);
      batch.push(op);
    }
    results.push(result);
  }
  await store.writeBatch(batch, { sync: false });
  return results;
}

/** Applies one entry to `store` (one read, one `sync: false` batch). */
export async function applyToStore(store: ShardStore, entry: CommittedShardEntry): Promise<ApplyResult> {
  const [result] = await applyEntriesToStore(store, [entry]);
  invariant(result !== undefined, 'applyEntriesToStore returned no result');
  return result;
}
