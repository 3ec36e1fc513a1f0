/**
 * Goal: task tokens (src/actors/tokens/taskToken.ts) round-trip every field, have a fixed binary layout, and the
 * strict decoder rejects truncated, corrupted, forged and unknown-version bytes with an InvalidTaskTokenError
 * whose message says what is wrong, never throwing anything else on arbitrary bytes.
 * Method: an exact-bytes layout test; table tests of hand-made bad tokens (with a valid CRC where the point is the
 * field check); seeded fast-check round trips, random bytes, and bit-flipped / truncated valid tokens.
 */
import { crc32 } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TaskToken } from '../../../src/actors/tokens/taskToken.js';
import {
  InvalidTaskTokenError,
  TASK_TOKEN_VERSION,
  decodeTaskToken,
  encodeTaskToken,
} from '../../../src/actors/tokens/taskToken.js';

const SEED = 4_4_2026;
const activityToken: TaskToken = {
  shard: 7,
  namespaceId: 'default',
  workflowId: 'order-42',
  runId: '0193-run',
  scheduledEventId: 5,
  startedEventId: 6,
  attempt: 3,
  activityId: '1',
};

/** Appends a correct CRC32 to a body, so a test reaches the field checks behind the checksum. */
function sealed(body: Buffer): Uint8Array {
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([body, crc]);
}

function str(value: string): Buffer {
  const bytes = Buffer.from(value, 'utf8');
  const length = Buffer.alloc(2);
  length.writeUInt16BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

function header(flags: number, version = TASK_TOKEN_VERSION): Buffer {
  const bytes = Buffer.alloc(6);
  bytes.writeUInt8(version, 0);
  bytes.writeUInt8(flags, 1);
  bytes.writeUInt32BE(7, 2);
  return bytes;
}

function numbers(scheduledEventId: bigint, startedEventId: bigint, attempt: number): Buffer {
  const bytes = Buffer.alloc(20);
  bytes.writeBigUInt64BE(scheduledEventId, 0);
  bytes.writeBigUInt64BE(startedEventId, 8);
  bytes.writeUInt32BE(attempt, 16);
  return bytes;
}

function decodeError(bytes: Uint8Array): InvalidTaskTokenError {
  try {
    decodeTaskToken(bytes);
  } catch (error) {
    if (error instanceof InvalidTaskTokenError) return error;
    throw error;
  }
  throw new Error('expected the token to be rejected');
}

describe('task token layout', () => {
  it('encodes the documented layout byte for byte', () => {
    const body = Buffer.concat([
      header(0b01),
      str('default'),
      str('order-42'),
      str('0193-run'),
      numbers(5n, 6n, 3),
      str('1'),
    ]);
    expect(Buffer.from(encodeTaskToken(activityToken)).toString('hex')).toBe(Buffer.from(sealed(body)).toString('hex'));
  });

  it('round-trips a workflow task, an activity task and a query token', () => {
    const { activityId: _activityId, ...workflowTask } = activityToken;
    for (const token of [workflowTask, activityToken, { ...workflowTask, startedEventId: 0, queryId: 'q-1' }]) {
      expect(decodeTaskToken(encodeTaskToken(token))).toEqual(token);
    }
  });

  for (const { name, token, messagePart } of [
    {
      name: 'empty workflowId',
      token: { ...activityToken, workflowId: '' },
      messagePart: 'workflowId must not be empty',
    },
    { name: 'negative attempt', token: { ...activityToken, attempt: -1 }, messagePart: 'attempt' },
    {
      name: 'fractional event id',
      token: { ...activityToken, scheduledEventId: 1.5 },
      messagePart: 'scheduledEventId',
    },
    { name: 'shard beyond u32', token: { ...activityToken, shard: 2 ** 32 }, messagePart: 'shard' },
    {
      name: 'too long runId',
      token: { ...activityToken, runId: 'é'.repeat(2_001) },
      messagePart: 'runId is 4002 bytes',
    },
  ]) {
    it(`refuses to encode a token with ${name}`, () => {
      expect(() => encodeTaskToken(token)).toThrow(InvalidTaskTokenError);
      expect(() => encodeTaskToken(token)).toThrow(messagePart);
    });
  }
});

describe('task token decoder rejections', () => {
  const validBody = Buffer.concat([header(0), str('ns'), str('wf'), str('run'), numbers(1n, 2n, 1)]);
  const table: { name: string; bytes: Uint8Array; message: string }[] = [
    { name: 'empty', bytes: new Uint8Array(0), message: 'invalid task token: 0 bytes is shorter than the minimum 36' },
    {
      name: 'unknown version',
      bytes: sealed(Buffer.concat([header(0, 2), validBody.subarray(6)])),
      message: 'invalid task token: unknown version 2 (this server reads version 1)',
    },
    {
      name: 'bad checksum',
      bytes: Buffer.concat([validBody, Buffer.from([0, 0, 0, 0])]),
      message: 'invalid task token: checksum mismatch (truncated, corrupted or not issued by this server)',
    },
    {
      name: 'unknown flag',
      bytes: sealed(Buffer.concat([header(0b100), validBody.subarray(6)])),
      message: 'invalid task token: unknown flags 0x4',
    },
    {
      name: 'flag set but field missing',
      bytes: sealed(Buffer.concat([header(0b01), validBody.subarray(6)])),
      message: 'invalid task token: truncated in activityId',
    },
    {
      name: 'trailing bytes',
      bytes: sealed(Buffer.concat([validBody, Buffer.from([9])])),
      message: 'invalid task token: 1 unexpected bytes after the last field',
    },
    {
      name: 'empty namespace',
      bytes: sealed(Buffer.concat([header(0), str(''), str('wf'), str('run'), numbers(1n, 2n, 1), Buffer.alloc(2)])),
      message: 'invalid task token: namespaceId is empty',
    },
    {
      name: 'invalid UTF-8',
      bytes: sealed(
        Buffer.concat([header(0), str('ns'), Buffer.from([0, 2, 0xc3, 0x28]), str('run'), numbers(1n, 2n, 1)])
      ),
      message: 'invalid task token: workflowId is not valid UTF-8',
    },
    {
      name: 'event id beyond 2^53',
      bytes: sealed(Buffer.concat([header(0), str('ns'), str('wf'), str('run'), numbers(2n ** 53n, 2n, 1)])),
      message: 'invalid task token: scheduledEventId 9007199254740992 is out of range',
    },
  ];
  for (const { name, bytes, message } of table) {
    it(`${name}: ${message}`, () => {
      expect(decodeError(bytes).message).toBe(message);
    });
  }

  it('accepts the hand-made valid body (the table mutates only one thing each)', () => {
    expect(decodeTaskToken(sealed(validBody))).toEqual({
      shard: 7,
      namespaceId: 'ns',
      workflowId: 'wf',
      runId: 'run',
      scheduledEventId: 1,
      startedEventId: 2,
      attempt: 1,
    });
  });
});

const nonEmpty = fc.string({ minLength: 1, maxLength: 40, unit: 'grapheme' });
const tokenArbitrary: fc.Arbitrary<TaskToken> = fc.record(
  {
    shard: fc.integer({ min: 0, max: 0xffff_ffff }),
    namespaceId: nonEmpty,
    workflowId: nonEmpty,
    runId: nonEmpty,
    scheduledEventId: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
    startedEventId: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
    attempt: fc.integer({ min: 0, max: 0xffff_ffff }),
    activityId: nonEmpty,
    queryId: nonEmpty,
  },
  { requiredKeys: ['shard', 'namespaceId', 'workflowId', 'runId', 'scheduledEventId', 'startedEventId', 'attempt'] }
);

/** Decodes and requires that any failure is an InvalidTaskTokenError; returns the token or undefined. */
function decodeOrInvalid(bytes: Uint8Array): TaskToken | undefined {
  try {
    return decodeTaskToken(bytes);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidTaskTokenError);
    return undefined;
  }
}

describe('task token properties', () => {
  it(`round-trips every token (seed ${SEED})`, () => {
    fc.assert(
      fc.property(tokenArbitrary, (token) => {
        expect(decodeTaskToken(encodeTaskToken(token))).toEqual(token);
      }),
      { seed: SEED, numRuns: 2_000 }
    );
  });

  it(`throws only InvalidTaskTokenError on random bytes (seed ${SEED})`, () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        decodeOrInvalid(bytes);
      }),
      { seed: SEED, numRuns: 5_000 }
    );
  });

  it(`throws only InvalidTaskTokenError on random version-1 bodies with a valid checksum (seed ${SEED})`, () => {
    // Random bytes almost never pass the version and CRC checks; sealing them reaches the field parser.
    const smallLength = fc.integer({ min: 0, max: 6 }).map((length) => {
      const bytes = Buffer.alloc(2);
      bytes.writeUInt16BE(length);
      return bytes;
    });
    const chunk = fc.oneof(
      fc.uint8Array({ maxLength: 12 }).map((bytes) => Buffer.from(bytes)),
      smallLength
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3 }), fc.array(chunk, { maxLength: 16 }), (flags, chunks) => {
        const token = decodeOrInvalid(sealed(Buffer.concat([header(flags), ...chunks])));
        // Whatever decodes re-encodes to the same bytes: the decoder accepts only canonical tokens.
        if (token !== undefined) {
          expect(Buffer.from(encodeTaskToken(token))).toEqual(
            Buffer.from(sealed(Buffer.concat([header(flags), ...chunks])))
          );
        }
      }),
      { seed: SEED, numRuns: 5_000 }
    );
  });

  it(`rejects every bit flip and truncation of a valid token (seed ${SEED})`, () => {
    fc.assert(
      fc.property(tokenArbitrary, fc.nat(), fc.nat(7), fc.nat(), (token, bytePick, bit, cutPick) => {
        const bytes = encodeTaskToken(token);
        const flipped = Uint8Array.from(bytes);
        const position = bytePick % flipped.length;
        flipped[position] = (flipped[position] ?? 0) ^ (1 << bit);
        // CRC32 detects every single-bit error, so a flipped token never decodes.
        expect(decodeOrInvalid(flipped)).toBeUndefined();
        expect(decodeOrInvalid(bytes.subarray(0, cutPick % bytes.length))).toBeUndefined();
      }),
      { seed: SEED, numRuns: 3_000 }
    );
  });
});
