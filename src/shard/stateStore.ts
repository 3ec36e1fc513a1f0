/**
 * The node's state DB (`<dataDir>/state`, ARCHITECTURE.md §3–§4): one key-value store for every shard hosted on
 * the node, written with `sync: false` by the appliers (the Raft log is the durable record; docs/shard.md §1).
 *
 * Layout: every key is `shard u32 (big-endian) | shard-local key`, so bytewise order is (shard, key) order and
 * each shard owns one contiguous range that a single iterator can scan (the future snapshot). A {@link ShardStore}
 * is the view of one shard: it adds and strips the prefix, and its ranges never leave the shard.
 */
import { invariant } from '../raft/core/errors.js';

/** The directory under the node's data directory that holds the state LevelDB. */
export const STATE_DIRECTORY = 'state';

/** Bytes of the shard-id prefix of every key in the state DB. */
export const SHARD_PREFIX_BYTES = 4;

/** One operation of an atomic state batch, in shard-local keys. */
export type StateWrite =
  | { readonly type: 'put'; readonly key: Uint8Array; readonly value: Uint8Array }
  | { readonly type: 'del'; readonly key: Uint8Array };

/** Shard-local key bounds: `gte` inclusive, `lt` exclusive; an absent bound is the shard's start or end. */
export interface StateKeyRange {
  readonly gte?: Uint8Array;
  readonly lt?: Uint8Array;
}

export interface StateWriteOptions {
  /** true: resolve only once the batch (and every batch before it) is on disk. */
  readonly sync: boolean;
}

/** One shard's view of the node's state DB. Keys and ranges are shard-local. */
export interface ShardStore {
  readonly shardId: number;
  get(key: Uint8Array): Promise<Uint8Array | undefined>;
  /** The values of `keys`, in the same order (undefined where absent). */
  getMany(keys: readonly Uint8Array[]): Promise<(Uint8Array | undefined)[]>;
  /** The keys and values in `range`, in key order, as of a consistent point taken when iteration starts. */
  iterate(range?: StateKeyRange): AsyncIterable<[Uint8Array, Uint8Array]>;
  /** Writes `ops` as one atomic batch. */
  writeBatch(ops: readonly StateWrite[], options: StateWriteOptions): Promise<void>;
}

/** The node's state DB: one {@link ShardStore} per shard over one underlying store. */
export interface StateStore {
  shard(shardId: number): ShardStore;
  close(): Promise<void>;
}

/** The raw, node-wide operations both implementations provide; keys here carry the shard prefix. */
export interface RawStateDb {
  get(key: Uint8Array): Promise<Uint8Array | undefined>;
  getMany(keys: readonly Uint8Array[]): Promise<(Uint8Array | undefined)[]>;
  /** Full keys and values in [gte, lt) (lt undefined = to the end), in key order. */
  iterate(gte: Uint8Array, lt: Uint8Array | undefined): AsyncIterable<[Uint8Array, Uint8Array]>;
  writeBatch(ops: readonly StateWrite[], options: StateWriteOptions): Promise<void>;
}

const SHARD_ID_MAX = 0xffff_ffff;

/** `shardId` as the 4-byte big-endian prefix. */
export function shardPrefix(shardId: number): Uint8Array {
  invariant(Number.isInteger(shardId) && shardId >= 0 && shardId <= SHARD_ID_MAX, () => `bad shard id ${shardId}`);
  const prefix = new Uint8Array(SHARD_PREFIX_BYTES);
  new DataView(prefix.buffer).setUint32(0, shardId);
  return prefix;
}

function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** The shard view over a {@link RawStateDb}: adds the prefix on the way in, strips it on the way out. */
export class PrefixedShardStore implements ShardStore {
  private readonly prefix: Uint8Array;
  /** The first key past the shard's range, or undefined for the last possible shard. */
  private readonly end: Uint8Array | undefined;

  constructor(
    private readonly db: RawStateDb,
    readonly shardId: number
  ) {
    this.prefix = shardPrefix(shardId);
    this.end = shardId === SHARD_ID_MAX ? undefined : shardPrefix(shardId + 1);
  }

  private fullKey(key: Uint8Array): Uint8Array {
    return concatBytes(this.prefix, key);
  }

  get(key: Uint8Array): Promise<Uint8Array | undefined> {
    return this.db.get(this.fullKey(key));
  }

  getMany(keys: readonly Uint8Array[]): Promise<(Uint8Array | undefined)[]> {
    return this.db.getMany(keys.map((key) => this.fullKey(key)));
  }

  async *iterate(range: StateKeyRange = {}): AsyncGenerator<[Uint8Array, Uint8Array]> {
    const gte = range.gte === undefined ? this.prefix : this.fullKey(range.gte);
    const lt = range.lt === undefined ? this.end : this.fullKey(range.lt);
    for await (const [key, value] of this.db.iterate(gte, lt)) {
      yield [key.subarray(SHARD_PREFIX_BYTES), value];
    }
  }

  writeBatch(ops: readonly StateWrite[], options: StateWriteOptions): Promise<void> {
    const prefixed: StateWrite[] = ops.map((op) =>
      op.type === 'put'
        ? { type: 'put', key: this.fullKey(op.key), value: op.value }
        : { type: 'del', key: this.fullKey(op.key) }
    );
    return this.db.writeBatch(prefixed, options);
  }
}
