/**
 * The shard-local key layout inside the state DB (the store adds the `shard u32` prefix; docs/shard.md §1.1) and
 * the encoding of its values. Every value starts with a format byte (1); numbers are big-endian u64 holding safe
 * integers.
 *
 * | shard-local key            | value                                           |
 * |----------------------------|-------------------------------------------------|
 * | `0x00 0x01`                | applied state: `1 | index u64 | term u64`       |
 * | `0x00 0x02`                | durable mark: `1 | index u64 | term u64`        |
 * | `0x01 | requestId (UTF-8)` | dedup record: `1 | index u64 | result`          |
 * | `0x02 | user key`          | data: `1 | version u64 | value`                 |
 */
import { invariant } from '../../raft/core/errors.js';

export const APPLIED_STATE_KEY = new Uint8Array([0x00, 0x01]);
/** Written with `sync: true` before log compaction: everything applied up to its index is on disk. */
export const DURABLE_MARK_KEY = new Uint8Array([0x00, 0x02]);
const DEDUP_TAG = 0x01;
const DATA_TAG = 0x02;
const VALUE_FORMAT = 1;
const U64_BYTES = 8;

const utf8 = new TextEncoder();

/** The shard's applied Raft position. */
export interface AppliedState {
  readonly index: number;
  readonly term: number;
}

/** A user value with its version (1 on creation, +1 on every put). */
export interface VersionedValue {
  readonly version: number;
  readonly value: Uint8Array;
}

/** The first outcome of a request id that applied. */
export interface DedupRecord {
  readonly index: number;
  readonly result: Uint8Array;
}

function tagged(tag: number, rest: Uint8Array): Uint8Array {
  const key = new Uint8Array(1 + rest.length);
  key[0] = tag;
  key.set(rest, 1);
  return key;
}

export function dataKey(userKey: Uint8Array): Uint8Array {
  return tagged(DATA_TAG, userKey);
}

export function dedupKey(requestId: string): Uint8Array {
  return tagged(DEDUP_TAG, utf8.encode(requestId));
}

/** The shard-local key range of all user data. */
export const DATA_RANGE = { gte: new Uint8Array([DATA_TAG]), lt: new Uint8Array([DATA_TAG + 1]) } as const;

/** The user key of a data key (the inverse of {@link dataKey}). */
export function userKeyOf(key: Uint8Array): Uint8Array {
  invariant(key[0] === DATA_TAG, 'userKeyOf: not a data key');
  return key.subarray(1);
}

function writeU64(view: DataView, offset: number, value: number): void {
  invariant(Number.isSafeInteger(value) && value >= 0, () => `u64 value ${value} is not a safe non-negative integer`);
  view.setUint32(offset, Math.floor(value / 2 ** 32));
  view.setUint32(offset + 4, value >>> 0);
}

function readU64(view: DataView, offset: number, what: string): number {
  const value = view.getUint32(offset) * 2 ** 32 + view.getUint32(offset + 4);
  invariant(Number.isSafeInteger(value), () => `${what}: stored u64 is not a safe integer`);
  return value;
}

/** A value with a format byte, `numbers` u64s, then `tail`. */
function encodeValue(numbers: readonly number[], tail: Uint8Array): Uint8Array {
  const out = new Uint8Array(1 + numbers.length * U64_BYTES + tail.length);
  const view = new DataView(out.buffer);
  out[0] = VALUE_FORMAT;
  numbers.forEach((number, position) => writeU64(view, 1 + position * U64_BYTES, number));
  out.set(tail, 1 + numbers.length * U64_BYTES);
  return out;
}

/** Decodes a value written by {@link encodeValue}. A bad value in the state DB is corruption: fail-stop. */
function decodeValue(value: Uint8Array, count: number, what: string): { numbers: number[]; tail: Uint8Array } {
  invariant(value.length >= 1 + count * U64_BYTES, () => `${what}: value of ${value.length} bytes is too short`);
  invariant(value[0] === VALUE_FORMAT, () => `${what}: unknown value format ${value[0]}`);
  const view = new DataView(value.buffer, value.byteOffset, value.byteLength);
  const numbers: number[] = [];
  for (let position = 0; position < count; position++) numbers.push(readU64(view, 1 + position * U64_BYTES, what));
  return { numbers, tail: value.subarray(1 + count * U64_BYTES) };
}

export function encodeAppliedState(state: AppliedState): Uint8Array {
  return encodeValue([state.index, state.term], new Uint8Array(0));
}

/** The applied state stored as `value`; absent means nothing applied yet (index 0, term 0). */
export function decodeAppliedState(value: Uint8Array | undefined): AppliedState {
  if (value === undefined) return { index: 0, term: 0 };
  const [index, term] = decodeValue(value, 2, 'applied state').numbers as [number, number];
  return { index, term };
}

export function encodeVersionedValue(entry: VersionedValue): Uint8Array {
  return encodeValue([entry.version], entry.value);
}

export function decodeVersionedValue(value: Uint8Array): VersionedValue {
  const decoded = decodeValue(value, 1, 'data value');
  return { version: decoded.numbers[0] as number, value: decoded.tail };
}

export function encodeDedupRecord(record: DedupRecord): Uint8Array {
  return encodeValue([record.index], record.result);
}

export function decodeDedupRecord(value: Uint8Array): DedupRecord {
  const decoded = decodeValue(value, 1, 'dedup record');
  return { index: decoded.numbers[0] as number, result: decoded.tail };
}
