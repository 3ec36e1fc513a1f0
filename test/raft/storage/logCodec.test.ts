// Goal: the log DB's keys sort in (group, kind, index) order and decode back, and its values round-trip and are
// refused when damaged, misplaced, of another format version, or holding numbers beyond Number.MAX_SAFE_INTEGER.
// Method: fast-check properties with a fixed seed (fast-check prints the seed and path of a failure) and
// hand-made values.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AssertionError } from '../../../src/raft/core/errors.js';
import type { Entry } from '../../../src/raft/core/types.js';
import {
  RaftLogCorruptionError,
  decodeEntryValue,
  decodeHardStateValue,
  decodeSnapshotMetaValue,
  encodeEntryValue,
  encodeHardStateValue,
  encodeSnapshotMetaValue,
} from '../../../src/raft/storage/logCodec.js';
import {
  LogKeyKind,
  decodeLogKey,
  describeLogKey,
  entryKey,
  groupKeyRange,
  hardStateKey,
  snapshotChunkKey,
} from '../../../src/raft/storage/logKeys.js';

const SEED = 42;
const groupIdArbitrary = fc.integer({ min: 0, max: 0xffffffff });
const indexArbitrary = fc.oneof(
  fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
  fc.constantFrom(0, 1, 0xffffffff, 0x100000000, Number.MAX_SAFE_INTEGER)
);

describe('log keys', () => {
  it('entry keys sort bytewise exactly as (groupId, index) pairs', () => {
    fc.assert(
      fc.property(
        groupIdArbitrary,
        indexArbitrary,
        groupIdArbitrary,
        indexArbitrary,
        (groupA, indexA, groupB, indexB) => {
          const bytewise = Math.sign(Buffer.compare(entryKey(groupA, indexA), entryKey(groupB, indexB)));
          const numeric = groupA !== groupB ? Math.sign(groupA - groupB) : Math.sign(indexA - indexB);
          expect(bytewise).toBe(numeric);
        }
      ),
      { seed: SEED, numRuns: 2000 }
    );
  });

  it('every key of a group lies inside its range and outside every other group’s', () => {
    fc.assert(
      fc.property(groupIdArbitrary, indexArbitrary, (groupId, index) => {
        const inside = (key: Uint8Array, id: number) => {
          const range = groupKeyRange(id);
          return Buffer.compare(key, range.gte) >= 0 && Buffer.compare(key, range.lt) < 0;
        };
        for (const key of [entryKey(groupId, index), hardStateKey(groupId), snapshotChunkKey(groupId, index % 1000)]) {
          expect(inside(key, groupId)).toBe(true);
          if (groupId > 0) expect(inside(key, groupId - 1)).toBe(false);
          if (groupId < 0xffffffff) expect(inside(key, groupId + 1)).toBe(false);
        }
      }),
      { seed: SEED, numRuns: 1000 }
    );
  });

  it('keys decode back to group, kind and index, and describe themselves for error messages', () => {
    expect(decodeLogKey(entryKey(7, 2 ** 40))).toEqual({ groupId: 7, kind: LogKeyKind.entry, index: 2 ** 40 });
    expect(decodeLogKey(snapshotChunkKey(3, 9))).toEqual({ groupId: 3, kind: LogKeyKind.snapshotChunk, index: 9 });
    expect(describeLogKey(entryKey(7, 12))).toBe('group 7 entry 12');
    expect(describeLogKey(hardStateKey(0))).toBe('group 0 hardState');
    expect(decodeLogKey(new Uint8Array([1, 0, 0, 0, 7, LogKeyKind.entry, 0]))).toBeNull();
  });

  it('an entry key holding an index beyond Number.MAX_SAFE_INTEGER fails an assertion on decode', () => {
    const key = entryKey(1, 0);
    key.fill(0xff, 6);
    expect(() => decodeLogKey(key)).toThrow(AssertionError);
    expect(() => entryKey(1, Number.MAX_SAFE_INTEGER + 1)).toThrow(AssertionError);
  });
});

describe('log values', () => {
  it('entries round-trip, whatever their term, kind and data', () => {
    fc.assert(
      fc.property(
        indexArbitrary,
        indexArbitrary,
        fc.constantFrom('normal' as const, 'confChange' as const),
        fc.uint8Array({ maxLength: 64 }),
        (index, term, kind, data) => {
          const key = entryKey(5, index);
          const stored: Entry = { index, term, kind, data };
          expect(decodeEntryValue(5, key, index, encodeEntryValue(key, stored))).toEqual(stored);
        }
      ),
      { seed: SEED, numRuns: 500 }
    );
  });

  it('hard state and snapshot metadata round-trip', () => {
    const key = hardStateKey(2);
    const hardState = { term: 2 ** 50, vote: 3, commit: 2 ** 33 };
    expect(decodeHardStateValue(2, key, encodeHardStateValue(key, hardState))).toEqual(hardState);
    const meta = {
      index: 10,
      term: 2,
      confState: { voters: [1, 2, 5], learners: [9] },
      dataBytes: 5_000_000,
      chunkCount: 5,
      dataCrc: 0xdeadbeef,
    };
    expect(decodeSnapshotMetaValue(2, key, encodeSnapshotMetaValue(key, meta))).toEqual(meta);
  });

  it('every single-bit flip of an entry value is detected', () => {
    const key = entryKey(1, 9);
    const value = encodeEntryValue(key, { index: 9, term: 4, kind: 'normal', data: new Uint8Array([1, 2, 3, 4]) });
    let detected = 0;
    for (let bit = 0; bit < value.length * 8; bit++) {
      const damaged = Uint8Array.from(value);
      damaged[bit >> 3] = (damaged[bit >> 3] as number) ^ (1 << (bit & 7));
      expect(() => decodeEntryValue(1, key, 9, damaged)).toThrow(RaftLogCorruptionError);
      detected++;
    }
    expect(detected).toBe(value.length * 8);
  });

  it('a value read under another key, or with another format version, is refused with group, key and reason', () => {
    const value = encodeEntryValue(entryKey(1, 9), { index: 9, term: 4, kind: 'normal', data: new Uint8Array([1]) });
    expect(() => decodeEntryValue(1, entryKey(1, 10), 10, value)).toThrow(
      /group 1 .* group 1 entry 10: checksum mismatch/
    );
    const otherVersion = Uint8Array.from(value);
    otherVersion[0] = 2;
    expect(() => decodeEntryValue(1, entryKey(1, 9), 9, otherVersion)).toThrow(/format version 2, expected 1/);
  });
});
