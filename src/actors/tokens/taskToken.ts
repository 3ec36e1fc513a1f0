/**
 * Task tokens (TEMPORAL-API.md §4): opaque to SDKs, they name the task a worker answers. Binary layout, all
 * integers big-endian:
 *
 *   u8 version (1) | u8 flags (bit 0: activityId, bit 1: queryId) | u32 shard
 *   | str namespaceId | str workflowId | str runId | u64 scheduledEventId | u64 startedEventId | u32 attempt
 *   | [str activityId] | [str queryId] | u32 CRC32 of every byte before it
 *
 * where `str` is a u16 byte length then UTF-8. The CRC catches truncation and corruption, not forgery: a token
 * that decodes still has to name the current task, or the RPC answers NOT_FOUND. The decoder never throws
 * anything but {@link InvalidTaskTokenError} on arbitrary bytes.
 */
import { crc32 } from 'node:zlib';

/** The only layout version written and read. */
export const TASK_TOKEN_VERSION = 1;
/** Longest UTF-8 encoding of one token string (ids are at most 1,000 characters: up to 4,000 bytes). */
export const TASK_TOKEN_STRING_BYTES_MAX = 4_000;

const FLAG_ACTIVITY_ID = 0b01;
const FLAG_QUERY_ID = 0b10;
const FLAGS_KNOWN = FLAG_ACTIVITY_ID | FLAG_QUERY_ID;
const CRC_BYTES = 4;
/** version, flags, shard, three empty strings, two u64, attempt: the shortest possible body. */
const BODY_BYTES_MIN = 1 + 1 + 4 + 3 * 2 + 8 + 8 + 4;

/** What a task token carries. */
export interface TaskToken {
  shard: number;
  namespaceId: string;
  workflowId: string;
  runId: string;
  scheduledEventId: number;
  /** 0 for tasks not yet started (e.g. a legacy query). */
  startedEventId: number;
  attempt: number;
  activityId?: string;
  queryId?: string;
}

/** Bytes that are not a task token this server issued: truncated, corrupted, forged or of an unknown version. */
export class InvalidTaskTokenError extends Error {
  override readonly name = 'InvalidTaskTokenError';
  constructor(detail: string) {
    super(`invalid task token: ${detail}`);
  }
}

const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const utf8Encoder = new TextEncoder();

/** Encodes a token. Throws {@link InvalidTaskTokenError} if a field cannot be represented. */
export function encodeTaskToken(token: TaskToken): Uint8Array {
  checkUint('shard', token.shard, 0xffff_ffff);
  checkUint('scheduledEventId', token.scheduledEventId, Number.MAX_SAFE_INTEGER);
  checkUint('startedEventId', token.startedEventId, Number.MAX_SAFE_INTEGER);
  checkUint('attempt', token.attempt, 0xffff_ffff);
  const strings = [token.namespaceId, token.workflowId, token.runId, token.activityId, token.queryId];
  const encoded = strings.map((value, index) => (value === undefined ? undefined : encodeString(index, value)));
  const stringBytes = encoded.reduce((sum, bytes) => sum + (bytes === undefined ? 0 : 2 + bytes.length), 0);
  const buffer = Buffer.alloc(BODY_BYTES_MIN - 3 * 2 + stringBytes + CRC_BYTES);
  let offset = buffer.writeUInt8(TASK_TOKEN_VERSION, 0);
  const flags =
    (token.activityId === undefined ? 0 : FLAG_ACTIVITY_ID) | (token.queryId === undefined ? 0 : FLAG_QUERY_ID);
  offset = buffer.writeUInt8(flags, offset);
  offset = buffer.writeUInt32BE(token.shard, offset);
  for (const bytes of encoded.slice(0, 3)) offset = writeString(buffer, offset, bytes);
  offset = buffer.writeBigUInt64BE(BigInt(token.scheduledEventId), offset);
  offset = buffer.writeBigUInt64BE(BigInt(token.startedEventId), offset);
  offset = buffer.writeUInt32BE(token.attempt, offset);
  for (const bytes of encoded.slice(3)) if (bytes !== undefined) offset = writeString(buffer, offset, bytes);
  buffer.writeUInt32BE(crc32(buffer.subarray(0, offset)), offset);
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.length);
}

/** Decodes and checks a token. Throws only {@link InvalidTaskTokenError}, whose message says what is wrong. */
export function decodeTaskToken(bytes: Uint8Array): TaskToken {
  if (bytes.length < BODY_BYTES_MIN + CRC_BYTES) {
    throw new InvalidTaskTokenError(`${bytes.length} bytes is shorter than the minimum ${BODY_BYTES_MIN + CRC_BYTES}`);
  }
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const bodyLength = buffer.length - CRC_BYTES;
  const version = buffer.readUInt8(0);
  if (version !== TASK_TOKEN_VERSION) {
    throw new InvalidTaskTokenError(`unknown version ${version} (this server reads version ${TASK_TOKEN_VERSION})`);
  }
  if (crc32(buffer.subarray(0, bodyLength)) !== buffer.readUInt32BE(bodyLength)) {
    throw new InvalidTaskTokenError('checksum mismatch (truncated, corrupted or not issued by this server)');
  }
  const reader = new TokenReader(buffer.subarray(0, bodyLength));
  reader.skip(1);
  const flags = reader.u8('flags');
  if ((flags & ~FLAGS_KNOWN) !== 0) throw new InvalidTaskTokenError(`unknown flags 0x${flags.toString(16)}`);
  const token: TaskToken = {
    shard: reader.u32('shard'),
    namespaceId: reader.nonEmptyString('namespaceId'),
    workflowId: reader.nonEmptyString('workflowId'),
    runId: reader.nonEmptyString('runId'),
    scheduledEventId: reader.u64('scheduledEventId'),
    startedEventId: reader.u64('startedEventId'),
    attempt: reader.u32('attempt'),
  };
  if ((flags & FLAG_ACTIVITY_ID) !== 0) token.activityId = reader.nonEmptyString('activityId');
  if ((flags & FLAG_QUERY_ID) !== 0) token.queryId = reader.nonEmptyString('queryId');
  reader.expectEnd();
  return token;
}

const STRING_FIELDS = ['namespaceId', 'workflowId', 'runId', 'activityId', 'queryId'] as const;

function encodeString(fieldIndex: number, value: string): Uint8Array {
  const field = STRING_FIELDS[fieldIndex] ?? 'string';
  const bytes = utf8Encoder.encode(value);
  if (bytes.length === 0) throw new InvalidTaskTokenError(`${field} must not be empty`);
  if (bytes.length > TASK_TOKEN_STRING_BYTES_MAX) {
    throw new InvalidTaskTokenError(`${field} is ${bytes.length} bytes; the limit is ${TASK_TOKEN_STRING_BYTES_MAX}`);
  }
  return bytes;
}

function writeString(buffer: Buffer, offset: number, bytes: Uint8Array | undefined): number {
  const value = bytes ?? new Uint8Array(0);
  const next = buffer.writeUInt16BE(value.length, offset);
  buffer.set(value, next);
  return next + value.length;
}

function checkUint(field: string, value: number, max: number): void {
  if (!Number.isSafeInteger(value) || value < 0 || value > max) {
    throw new InvalidTaskTokenError(`${field} must be an integer in [0, ${max}], got ${value}`);
  }
}

/** Bounds-checked reads that turn every short read or bad value into {@link InvalidTaskTokenError}. */
class TokenReader {
  private offset = 0;
  constructor(private readonly body: Buffer) {}

  skip(count: number): void {
    this.need('header', count);
    this.offset += count;
  }

  u8(field: string): number {
    this.need(field, 1);
    const value = this.body.readUInt8(this.offset);
    this.offset += 1;
    return value;
  }

  u32(field: string): number {
    this.need(field, 4);
    const value = this.body.readUInt32BE(this.offset);
    this.offset += 4;
    return value;
  }

  u64(field: string): number {
    this.need(field, 8);
    const value = this.body.readBigUInt64BE(this.offset);
    this.offset += 8;
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new InvalidTaskTokenError(`${field} ${value} is out of range`);
    return Number(value);
  }

  nonEmptyString(field: string): string {
    this.need(field, 2);
    const length = this.body.readUInt16BE(this.offset);
    this.offset += 2;
    if (length === 0) throw new InvalidTaskTokenError(`${field} is empty`);
    if (length > TASK_TOKEN_STRING_BYTES_MAX) throw new InvalidTaskTokenError(`${field} length ${length} is too long`);
    this.need(field, length);
    const raw = this.body.subarray(this.offset, this.offset + length);
    this.offset += length;
    try {
      return utf8Decoder.decode(raw);
    } catch (_error) {
      throw new InvalidTaskTokenError(`${field} is not valid UTF-8`);
    }
  }

  expectEnd(): void {
    const extra = this.body.length - this.offset;
    if (extra !== 0) throw new InvalidTaskTokenError(`${extra} unexpected bytes after the last field`);
  }

  private need(field: string, count: number): void {
    if (this.offset + count > this.body.length) throw new InvalidTaskTokenError(`truncated in ${field}`);
  }
}
