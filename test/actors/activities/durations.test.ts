/**
 * Goal: the proto Duration converters (src/actors/activities/durations.ts) read `{seconds: string, nanos}` as whole
 * milliseconds, never shorten a duration, and reject negative, malformed and too large values with an
 * InvalidDurationError that names the field.
 * Method: table tests of exact values and of each rejection, and a seeded fast-check round trip ms → proto → ms.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DURATION_MS_MAX,
  InvalidDurationError,
  durationMsFromProto,
  durationMsToProto,
  validateDurationMs,
} from '../../../src/actors/activities/durations.js';

const SEED = 20261125;

describe('durationMsFromProto', () => {
  for (const { proto, expectedMs } of [
    { proto: { seconds: '10', nanos: 0 }, expectedMs: 10_000 },
    { proto: { seconds: '0', nanos: 0 }, expectedMs: 0 },
    { proto: { seconds: '1', nanos: 500_000_000 }, expectedMs: 1_500 },
    { proto: { seconds: '0', nanos: 1 }, expectedMs: 1 },
    { proto: { seconds: '2', nanos: 1_000_001 }, expectedMs: 2_002 },
    { proto: { nanos: 3_000_000 }, expectedMs: 3 },
    { proto: { seconds: 7 }, expectedMs: 7_000 },
    { proto: {}, expectedMs: 0 },
    { proto: { seconds: '9223372036', nanos: 854_000_000 }, expectedMs: DURATION_MS_MAX },
  ]) {
    it(`${JSON.stringify(proto)} -> ${expectedMs} ms`, () => {
      expect(durationMsFromProto('timeout', proto)).toBe(expectedMs);
    });
  }

  it('reads an unset field as undefined', () => {
    expect(durationMsFromProto('timeout', undefined)).toBeUndefined();
    expect(durationMsFromProto('timeout', null)).toBeUndefined();
  });

  for (const { proto, messagePart } of [
    { proto: { seconds: '-1', nanos: 0 }, messagePart: 'must not be negative' },
    { proto: { seconds: 'abc' }, messagePart: 'decimal integer' },
    { proto: { seconds: '1.5' }, messagePart: 'decimal integer' },
    { proto: { seconds: -3 }, messagePart: 'non-negative integer' },
    { proto: { seconds: Number.NaN }, messagePart: 'non-negative integer' },
    { proto: { seconds: '1', nanos: -1 }, messagePart: 'nanos' },
    { proto: { seconds: '1', nanos: 1_000_000_000 }, messagePart: 'nanos' },
    { proto: { seconds: '1', nanos: 0.5 }, messagePart: 'nanos' },
    { proto: { seconds: '9223372036', nanos: 855_000_000 }, messagePart: 'exceeds the maximum' },
    { proto: { seconds: '99999999999999999999' }, messagePart: 'exceeds the maximum' },
  ]) {
    it(`rejects ${JSON.stringify(proto)} naming the field`, () => {
      const read = () => durationMsFromProto('heartbeatTimeout', proto);
      expect(read).toThrow(InvalidDurationError);
      expect(read).toThrow(/^heartbeatTimeout: /);
      expect(read).toThrow(messagePart);
    });
  }
});

describe('durationMsToProto', () => {
  it('writes whole seconds as an int64 string and the rest as nanos', () => {
    expect(durationMsToProto('t', 0)).toEqual({ seconds: '0', nanos: 0 });
    expect(durationMsToProto('t', 1_500)).toEqual({ seconds: '1', nanos: 500_000_000 });
    expect(durationMsToProto('t', DURATION_MS_MAX)).toEqual({ seconds: '9223372036', nanos: 854_000_000 });
  });

  for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, DURATION_MS_MAX + 1]) {
    it(`rejects ${bad} ms naming the field`, () => {
      expect(() => durationMsToProto('startToCloseTimeout', bad)).toThrow(InvalidDurationError);
      expect(() => validateDurationMs('startToCloseTimeout', bad)).toThrow(/^startToCloseTimeout: /);
    });
  }

  it(`round-trips every valid duration (seed ${SEED})`, () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: DURATION_MS_MAX }), (durationMs) => {
        expect(durationMsFromProto('t', durationMsToProto('t', durationMs))).toBe(durationMs);
      }),
      { seed: SEED, numRuns: 2_000 }
    );
  });
});
