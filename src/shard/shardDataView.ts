/**
 * The read side the engine sees inside `Shard.read(fn)`: user keys with their versions, without the shard's
 * internal keys (applied state, dedup records).
 */
import { DATA_RANGE, dataKey, decodeVersionedValue, userKeyOf } from './apply/stateLayout.js';
import type { VersionedValue } from './apply/stateLayout.js';
import type { ShardStore } from './stateStore.js';

/** A user key with its stored value and version. */
export interface ShardDataEntry extends VersionedValue {
  readonly key: Uint8Array;
}

/** User-key bounds: `gte` inclusive, `lt` exclusive; absent = the start or end of the user key space. */
export interface ShardDataRange {
  readonly gte?: Uint8Array;
  readonly lt?: Uint8Array;
}

export class ShardDataView {
  constructor(private readonly store: ShardStore) {}

  async get(userKey: Uint8Array): Promise<VersionedValue | undefined> {
    const stored = await this.store.get(dataKey(userKey));
    return stored === undefined ? undefined : decodeVersionedValue(stored);
  }

  /** The user entries in `range`, in key order. */
  async *scan(range: ShardDataRange = {}): AsyncGenerator<ShardDataEntry> {
    const gte = range.gte === undefined ? DATA_RANGE.gte : dataKey(range.gte);
    const lt = range.lt === undefined ? DATA_RANGE.lt : dataKey(range.lt);
    for await (const [key, value] of this.store.iterate({ gte, lt })) {
      yield { key: userKeyOf(key), ...decodeVersionedValue(value) };
    }
  }
}
