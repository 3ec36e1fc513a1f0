/**
 * Value encoding of the Raft log LevelDB: entries, hard state, compaction point, snapshot metadata and chunks.
 *
 * Every value is `version u8 | crc32 u32 | payload`. The CRC32 covers the key, the version byte and the payload:
 * covering the key also catches a value written under the wrong key (a misdirected write), which a checksum over
 * the payload alone would accept. Decoders verify length, version and checksum and throw
 * {@link RaftLogCorruptionError}; numbers are big-endian and asserted ≤ Number.MAX_SAFE_INTEGER on decode.
 * Checksum on write, verify on read (STYLE.md rule 6).
 */
import { crc32 } from 'node:zlib';
import { describeLogKey, readUint64, writeUint64 } from './logKeys.js';
import { assertSafeIndex, invariant } from '../core/errors.js';
import type { ConfState, Entry, EntryKind, HardState, NodeId } from '../core/types.js';
import type { LogCompactionPoint } from './memoryRaftStorage.js';

/** The value format this code writes and reads. A value with another version is refused, not guessed at. */
export const LOG_FORMAT_VERSION = 1;

const HEADER_BYTES = 5;
const VERSION_BYTES = new Uint8Array([LOG_FORMAT_VERSION]);

/** A stored value failed verification: the log on disk cannot be trusted, so the group must not start. */
export class RaftLogCorruptionError extends Error {
  override readonly name = 'RaftLogCorruptionError';
  constructor(
    /** The group whose log is corrupt; null when the key is too damaged to name one. */
    readonly groupId: number | null,
    readonly keyDescription: string,
    readonly reason: string
  ) {
    super(`raft log of group ${groupId ?? '?'} is corrupt at ${keyDescription}: ${reason}`);
  }
}

function checksum(key: Uint8Array, payload: Uint8Array): number {
  return crc32(payload, crc32(VERSION_BYTES, crc32(key)));
}

/** Wraps `payload` in the versioned, checksummed envelope. */
function sealValue(key: Uint8Array, payload: Uint8Array): Uint8Array {
  const value = new Uint8Array(HEADER_BYTES + payload.length);
  const view = new DataView(value.buffer);
  value[0] = LOG_FORMAT_VERSION;
  view.setUint32(1, checksum(key, payload));
  value.set(payload, HEADER_BYTES);
  return value;
}

/** Verifies the envelope of a stored value and returns its payload. */
function openValue(groupId: number, key: Uint8Array, value: Uint8Array): Uint8Array {
  const fail = (reason: string): never => {
    throw new RaftLogCorruptionError(groupId, describeLogKey(key), reason);
  };
  if (value.length < HEADER_BYTES) fail(`value is ${value.length} bytes, shorter than the ${HEADER_BYTES}-byte header`);
  if (value[0] !== LOG_FORMAT_VERSION) fail(`format version ${value[0]}, expected ${LOG_FORMAT_VERSION}`);
  const payload = value.subarray(HEADER_BYTES);
  const stored = new DataView(value.buffer, value.byteOffset, value.byteLength).getUint32(1);
  const computed = checksum(key, payload);
  if (stored !== computed)
    fail(`checksum mismatch: stored 0x${stored.toString(16)}, computed 0x${computed.toString(16)}`);
  return payload;
}

function payloadView(payload: Uint8Array): DataView {
  return new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
}

function expectLength(groupId: number, key: Uint8Array, payload: Uint8Array, bytes: number, exact: boolean): void {
  const ok = exact ? payload.length === bytes : payload.length >= bytes;
  if (!ok) {
    const expected = exact ? `${bytes}` : `at least ${bytes}`;
    throw new RaftLogCorruptionError(
      groupId,
      describeLogKey(key),
      `payload is ${payload.length} bytes, expected ${expected}`
    );
  }
}

const ENTRY_KIND_BYTES: Readonly<Record<EntryKind, number>> = { normal: 0, confChange: 1 };
const ENTRY_HEADER_BYTES = 9;

/** Entry value payload: term u64 | kind u8 | data. The index is the key's. */
export function encodeEntryValue(key: Uint8Array, entry: Entry): Uint8Array {
  const payload = new Uint8Array(ENTRY_HEADER_BYTES + entry.data.length);
  const view = payloadView(payload);
  writeUint64(view, 0, entry.term);
  payload[8] = ENTRY_KIND_BYTES[entry.kind];
  payload.set(entry.data, ENTRY_HEADER_BYTES);
  return sealValue(key, payload);
}

export function decodeEntryValue(groupId: number, key: Uint8Array, index: number, value: Uint8Array): Entry {
  const payload = openValue(groupId, key, value);
  expectLength(groupId, key, payload, ENTRY_HEADER_BYTES, false);
  const term = readUint64(payloadView(payload), 0, 'entry term');
  const kindByte = payload[8];
  let kind: EntryKind;
  if (kindByte === ENTRY_KIND_BYTES.normal) kind = 'normal';
  else if (kindByte === ENTRY_KIND_BYTES.confChange) kind = 'confChange';
  else throw new RaftLogCorruptionError(groupId, describeLogKey(key), `unknown entry kind byte ${kindByte}`);
  assertSafeIndex(index, 'entry index');
  return { index, term, kind, data: payload.subarray(ENTRY_HEADER_BYTES) };
}

const HARD_STATE_BYTES = 24;

/** Hard state payload: term u64 | vote u64 | commit u64. */
export function encodeHardStateValue(key: Uint8Array, hardState: HardState): Uint8Array {
  const payload = new Uint8Array(HARD_STATE_BYTES);
  const view = payloadView(payload);
  writeUint64(view, 0, hardState.term);
  writeUint64(view, 8, hardState.vote);
  writeUint64(view, 16, hardState.commit);
  return sealValue(key, payload);
}

export function decodeHardStateValue(groupId: number, key: Uint8Array, value: Uint8Array): HardState {
  const payload = openValue(groupId, key, value);
  expectLength(groupId, key, payload, HARD_STATE_BYTES, true);
  const view = payloadView(payload);
  return {
    term: readUint64(view, 0, 'hard state term'),
    vote: readUint64(view, 8, 'hard state vote'),
    commit: readUint64(view, 16, 'hard state commit'),
  };
}

const COMPACTION_POINT_BYTES = 16;

/** Compaction point payload: index u64 | term u64. */
export function encodeCompactionPointValue(key: Uint8Array, point: LogCompactionPoint): Uint8Array {
  const payload = new Uint8Array(COMPACTION_POINT_BYTES);
  const view = payloadView(payload);
  writeUint64(view, 0, point.index);
  writeUint64(view, 8, point.term);
  return sealValue(key, payload);
}

export function decodeCompactionPointValue(groupId: number, key: Uint8Array, value: Uint8Array): LogCompactionPoint {
  const payload = openValue(groupId, key, value);
  expectLength(groupId, key, payload, COMPACTION_POINT_BYTES, true);
  const view = payloadView(payload);
  return { index: readUint64(view, 0, 'compaction point index'), term: readUint64(view, 8, 'compaction point term') };
}

/** What the snapshot metadata key holds: the Raft metadata plus how to reassemble and check the data. */
export interface StoredSnapshotMeta {
  readonly index: number;
  readonly term: number;
  readonly confState: ConfState;
  readonly dataBytes: number;
  readonly chunkCount: number;
  /** CRC32 of the whole reassembled data (each chunk also carries its own). */
  readonly dataCrc: number;
}

const SNAPSHOT_META_FIXED_BYTES = 8 + 8 + 8 + 4 + 4 + 4 + 4;
/** A sanity bound on decoded member counts, so a bad count cannot allocate without limit. */
const CONF_STATE_MEMBERS_MAX = 1024;

/**
 * Snapshot metadata payload: index u64 | term u64 | dataBytes u64 | chunkCount u32 | dataCrc u32 |
 * voterCount u32 | voters u64… | learnerCount u32 | learners u64….
 */
export function encodeSnapshotMetaValue(key: Uint8Array, meta: StoredSnapshotMeta): Uint8Array {
  const { voters, learners } = meta.confState;
  invariant(voters.length + learners.length <= CONF_STATE_MEMBERS_MAX, 'conf state has too many members');
  const payload = new Uint8Array(SNAPSHOT_META_FIXED_BYTES + 8 * (voters.length + learners.length));
  const view = payloadView(payload);
  writeUint64(view, 0, meta.index);
  writeUint64(view, 8, meta.term);
  writeUint64(view, 16, meta.dataBytes);
  view.setUint32(24, meta.chunkCount);
  view.setUint32(28, meta.dataCrc);
  let offset = writeNodeIds(view, 32, voters);
  offset = writeNodeIds(view, offset, learners);
  invariant(offset === payload.length, 'snapshot metadata encoding length mismatch');
  return sealValue(key, payload);
}

function writeNodeIds(view: DataView, offset: number, ids: readonly NodeId[]): number {
  view.setUint32(offset, ids.length);
  let next = offset + 4;
  for (const id of ids) {
    writeUint64(view, next, id);
    next += 8;
  }
  return next;
}

export function decodeSnapshotMetaValue(groupId: number, key: Uint8Array, value: Uint8Array): StoredSnapshotMeta {
  const payload = openValue(groupId, key, value);
  expectLength(groupId, key, payload, SNAPSHOT_META_FIXED_BYTES, false);
  const view = payloadView(payload);
  const readIds = (offset: number, what: string): { ids: NodeId[]; next: number } => {
    expectLength(groupId, key, payload, offset + 4, false);
    const count = view.getUint32(offset);
    if (count > CONF_STATE_MEMBERS_MAX) {
      throw new RaftLogCorruptionError(groupId, describeLogKey(key), `${what} count ${count} is implausible`);
    }
    expectLength(groupId, key, payload, offset + 4 + 8 * count, false);
    const ids: NodeId[] = [];
    for (let i = 0; i < count; i++) ids.push(readUint64(view, offset + 4 + 8 * i, what));
    return { ids, next: offset + 4 + 8 * count };
  };
  const voters = readIds(32, 'voter');
  const learners = readIds(voters.next, 'learner');
  expectLength(groupId, key, payload, learners.next, true);
  return {
    index: readUint64(view, 0, 'snapshot index'),
    term: readUint64(view, 8, 'snapshot term'),
    dataBytes: readUint64(view, 16, 'snapshot data bytes'),
    chunkCount: view.getUint32(24),
    dataCrc: view.getUint32(28),
    confState: { voters: voters.ids, learners: learners.ids },
  };
}

/** Snapshot chunk payload: snapshotIndex u64 | bytes. The index ties a chunk to its metadata. */
export function encodeSnapshotChunkValue(key: Uint8Array, snapshotIndex: number, bytes: Uint8Array): Uint8Array {
  const payload = new Uint8Array(8 + bytes.length);
  writeUint64(payloadView(payload), 0, snapshotIndex);
  payload.set(bytes, 8);
  return sealValue(key, payload);
}

export function decodeSnapshotChunkValue(
  groupId: number,
  key: Uint8Array,
  value: Uint8Array
): { snapshotIndex: number; bytes: Uint8Array } {
  const payload = openValue(groupId, key, value);
  expectLength(groupId, key, payload, 8, false);
  return { snapshotIndex: readUint64(payloadView(payload), 0, 'snapshot chunk index'), bytes: payload.subarray(8) };
}

/** CRC32 of snapshot data, stored in the metadata and checked after reassembly. */
export function snapshotDataCrc(data: Uint8Array): number {
  return crc32(data);
}
