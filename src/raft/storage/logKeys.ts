/**
 * Key layout of the node's Raft log LevelDB (`<dataDir>/raft`), which holds every group's log. Keys are
 * big-endian and fixed width so that LevelDB's bytewise order is (group, kind, index) order and one group's
 * entries form one contiguous range (docs/storage.md has the table):
 *
 *   0x01 | groupId u32 | 0x01                      hard state
 *   0x01 | groupId u32 | 0x02                      compaction point (index and term of the dummy entry)
 *   0x01 | groupId u32 | 0x03                      snapshot metadata (index, term, conf state, data size)
 *   0x01 | groupId u32 | 0x04 | chunk u32          snapshot data, in chunks
 *   0x01 | groupId u32 | 0x10 | index u64          log entry
 *
 * The leading 0x01 is the namespace of group logs; other namespaces may follow without touching these keys.
 */
import { assertSafeIndex, invariant } from '../core/errors.js';

/** The first byte of every group-log key. */
export const GROUP_LOG_NAMESPACE = 0x01;

/** What a key under a group's prefix holds. */
export const LogKeyKind = {
  hardState: 0x01,
  compactionPoint: 0x02,
  snapshotMeta: 0x03,
  snapshotChunk: 0x04,
  entry: 0x10,
} as const;

export type LogKeyKind = (typeof LogKeyKind)[keyof typeof LogKeyKind];

const GROUP_PREFIX_BYTES = 5;
const KIND_KEY_BYTES = GROUP_PREFIX_BYTES + 1;
const CHUNK_KEY_BYTES = KIND_KEY_BYTES + 4;
const ENTRY_KEY_BYTES = KIND_KEY_BYTES + 8;
const UINT32_MAX = 0xffffffff;
const TWO_POW_32 = 0x1_0000_0000;

function assertGroupId(groupId: number): void {
  invariant(
    Number.isInteger(groupId) && groupId >= 0 && groupId <= UINT32_MAX,
    () => `group id must be a u32, got ${groupId}`
  );
}

function kindKey(groupId: number, kind: LogKeyKind, totalBytes: number): { key: Uint8Array; view: DataView } {
  assertGroupId(groupId);
  const key = new Uint8Array(totalBytes);
  const view = new DataView(key.buffer);
  key[0] = GROUP_LOG_NAMESPACE;
  view.setUint32(1, groupId);
  key[GROUP_PREFIX_BYTES] = kind;
  return { key, view };
}

/** Writes a safe integer as a big-endian u64. */
export function writeUint64(view: DataView, offset: number, value: number): void {
  assertSafeIndex(value, 'u64 value');
  view.setUint32(offset, Math.floor(value / TWO_POW_32));
  view.setUint32(offset + 4, value % TWO_POW_32);
}

/** Reads a big-endian u64 and asserts it is a safe integer (STYLE.md §4). */
export function readUint64(view: DataView, offset: number, what: string): number {
  const value = view.getUint32(offset) * TWO_POW_32 + view.getUint32(offset + 4);
  assertSafeIndex(value, what);
  return value;
}

export function hardStateKey(groupId: number): Uint8Array {
  return kindKey(groupId, LogKeyKind.hardState, KIND_KEY_BYTES).key;
}

export function compactionPointKey(groupId: number): Uint8Array {
  return kindKey(groupId, LogKeyKind.compactionPoint, KIND_KEY_BYTES).key;
}

export function snapshotMetaKey(groupId: number): Uint8Array {
  return kindKey(groupId, LogKeyKind.snapshotMeta, KIND_KEY_BYTES).key;
}

export function snapshotChunkKey(groupId: number, chunk: number): Uint8Array {
  invariant(Number.isInteger(chunk) && chunk >= 0 && chunk <= UINT32_MAX, () => `bad snapshot chunk ${chunk}`);
  const { key, view } = kindKey(groupId, LogKeyKind.snapshotChunk, CHUNK_KEY_BYTES);
  view.setUint32(KIND_KEY_BYTES, chunk);
  return key;
}

export function entryKey(groupId: number, index: number): Uint8Array {
  const { key, view } = kindKey(groupId, LogKeyKind.entry, ENTRY_KEY_BYTES);
  writeUint64(view, KIND_KEY_BYTES, index);
  return key;
}

/** A half-open key range [gte, lt). */
export interface KeyRange {
  readonly gte: Uint8Array;
  readonly lt: Uint8Array;
}

/** Every key of one kind of one group (e.g. all its entries, or all its snapshot chunks). */
export function kindKeyRange(groupId: number, kind: LogKeyKind): KeyRange {
  return {
    gte: kindKey(groupId, kind, KIND_KEY_BYTES).key,
    lt: kindKey(groupId, (kind + 1) as LogKeyKind, KIND_KEY_BYTES).key,
  };
}

/** Every key of one group. */
export function groupKeyRange(groupId: number): KeyRange {
  assertGroupId(groupId);
  const gte = new Uint8Array(GROUP_PREFIX_BYTES);
  const view = new DataView(gte.buffer);
  gte[0] = GROUP_LOG_NAMESPACE;
  view.setUint32(1, groupId);
  // The namespace byte is followed by u32 group ids; the range past the last group is the next namespace.
  const lt = new Uint8Array(GROUP_PREFIX_BYTES);
  if (groupId === UINT32_MAX) {
    lt[0] = GROUP_LOG_NAMESPACE + 1;
  } else {
    lt[0] = GROUP_LOG_NAMESPACE;
    new DataView(lt.buffer).setUint32(1, groupId + 1);
  }
  return { gte, lt };
}

/** A decoded group-log key. `index` is the entry index or snapshot chunk number, else 0. */
export interface DecodedLogKey {
  readonly groupId: number;
  readonly kind: LogKeyKind;
  readonly index: number;
}

const KEY_BYTES_BY_KIND: ReadonlyMap<number, number> = new Map([
  [LogKeyKind.hardState, KIND_KEY_BYTES],
  [LogKeyKind.compactionPoint, KIND_KEY_BYTES],
  [LogKeyKind.snapshotMeta, KIND_KEY_BYTES],
  [LogKeyKind.snapshotChunk, CHUNK_KEY_BYTES],
  [LogKeyKind.entry, ENTRY_KEY_BYTES],
]);

/** Decodes a group-log key, or returns null if it is not one (wrong namespace, kind or length). */
export function decodeLogKey(key: Uint8Array): DecodedLogKey | null {
  if (key.length < KIND_KEY_BYTES || key[0] !== GROUP_LOG_NAMESPACE) return null;
  const kind = key[GROUP_PREFIX_BYTES] as number;
  if (KEY_BYTES_BY_KIND.get(kind) !== key.length) return null;
  const view = new DataView(key.buffer, key.byteOffset, key.byteLength);
  const groupId = view.getUint32(1);
  let index = 0;
  if (kind === LogKeyKind.entry) index = readUint64(view, KIND_KEY_BYTES, 'entry key index');
  if (kind === LogKeyKind.snapshotChunk) index = view.getUint32(KIND_KEY_BYTES);
  return { groupId, kind: kind as LogKeyKind, index };
}

const KIND_NAMES: ReadonlyMap<number, string> = new Map(
  Object.entries(LogKeyKind).map(([name, kind]) => [kind as number, name])
);

/** A readable name for a key, for error messages: `group 3 entry 17`, or hex if it is not a group-log key. */
export function describeLogKey(key: Uint8Array): string {
  const decoded = decodeLogKey(key);
  if (decoded === null) return `key 0x${Buffer.from(key).toString('hex')}`;
  const name = KIND_NAMES.get(decoded.kind) ?? `kind ${decoded.kind}`;
  const suffix =
    decoded.kind === LogKeyKind.entry || decoded.kind === LogKeyKind.snapshotChunk ? ` ${decoded.index}` : '';
  return `group ${decoded.groupId} ${name}${suffix}`;
}
