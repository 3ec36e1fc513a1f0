// Goal: the shard entry codec (src/shard/apply/shardCommand.ts): round trips of commands and barriers, the format
// version byte, and typed errors (never a crash or a silently wrong value) for malformed bytes and commands.
// Method: fast-check round trips (seeded); hand-made malformed inputs; every single-byte truncation of a valid
// entry either fails with ShardCommandFormatError or decodes (msgpack prefixes can be valid) — never anything else.
import fc from 'fast-check';
import { Packr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { ShardCommandFormatError } from '../../../src/shard/errors.js';
import {
  ShardEntryVersionError,
  decodeShardEntry,
  encodeShardEntry,
  validateShardCommand,
} from '../../../src/shard/apply/shardCommand.js';
import type { ShardCommand, ShardEntry } from '../../../src/shard/apply/shardCommand.js';
import { command, put } from '../support/commands.js';

const bytesArb = fc.uint8Array({ maxLength: 12 });
const proposalArb = fc.record({
  nodeId: fc.integer({ min: 1, max: 2 ** 40 }),
  term: fc.integer({ min: 1, max: 2 ** 40 }),
  sequence: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
});
const commandArb: fc.Arbitrary<ShardCommand> = fc.record({
  formatVersion: fc.constant(1 as const),
  requestId: fc.option(fc.string({ minLength: 1, maxLength: 20 }), { nil: null }),
  preconditions: fc.uniqueArray(
    fc.record({ key: bytesArb, version: fc.option(fc.integer({ min: 1, max: 2 ** 50 }), { nil: null }) }),
    { selector: (p) => Buffer.from(p.key).toString('hex'), maxLength: 4 }
  ),
  writes: fc.uniqueArray(
    fc.oneof(
      fc.record({ type: fc.constant('put' as const), key: bytesArb, value: bytesArb }),
      fc.record({ type: fc.constant('del' as const), key: bytesArb })
    ),
    { selector: (w) => Buffer.from(w.key).toString('hex'), maxLength: 4 }
  ),
  outcome: bytesArb,
  actions: fc.array(bytesArb, { maxLength: 3 }),
});
const entryArb: fc.Arbitrary<ShardEntry> = fc.oneof(
  fc.record({ kind: fc.constant('barrier' as const), proposal: proposalArb }),
  fc.record({ kind: fc.constant('command' as const), proposal: proposalArb, command: commandArb })
);

/** Bytes as plain arrays, so Buffer and Uint8Array compare equal. */
function normalize(value: unknown): unknown {
  if (value instanceof Uint8Array) return [...value];
  if (Array.isArray(value)) return value.map(normalize);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalize(v)]));
  }
  return value;
}

describe('shard entry codec', () => {
  it('round-trips commands and barriers, with the format version as the first byte', () => {
    fc.assert(
      fc.property(entryArb, (entry) => {
        const encoded = encodeShardEntry(entry);
        expect(encoded[0]).toBe(1);
        expect(normalize(decodeShardEntry(encoded))).toEqual(normalize(entry));
      }),
      { seed: 7331, numRuns: 300 }
    );
  });

  it('an unknown version is a ShardEntryVersionError (a ShardCommandFormatError)', () => {
    const encoded = encodeShardEntry({ kind: 'barrier', proposal: { nodeId: 1, term: 1, sequence: 1 } });
    encoded[0] = 9;
    expect(() => decodeShardEntry(encoded)).toThrow(ShardEntryVersionError);
    expect(() => decodeShardEntry(encoded)).toThrow(ShardCommandFormatError);
  });

  it('malformed bodies are ShardCommandFormatErrors that say what is wrong', () => {
    const packr = new Packr({ useRecords: false });
    const withBody = (body: unknown) => new Uint8Array([1, ...packr.pack(body)]);
    const cases: [unknown, RegExp][] = [
      [{ not: 'an array' }, /entry body must be an array/],
      [[7, 1, 1, 1], /unknown entry tag 7/],
      [[0, 0, 1, 1], /proposal node id/],
      [[0, 1, 1, 1, 'extra'], /barrier entry has 4 fields/],
      [[1, 1, 1, 1, null, [], [], new Uint8Array(0)], /9 fields/],
      [[1, 1, 1, 1, 5, [], [], new Uint8Array(0), []], /requestId/],
      [[1, 1, 1, 1, null, [[new Uint8Array([1]), 0]], [], new Uint8Array(0), []], /precondition version/],
      [[1, 1, 1, 1, null, [], [[2, new Uint8Array([1])]], new Uint8Array(0), []], /a write must be/],
      [[1, 1, 1, 1, null, [], [], 'text', []], /outcome must be bytes/],
    ];
    for (const [body, message] of cases) {
      expect(() => decodeShardEntry(withBody(body)), JSON.stringify(body)).toThrow(message);
    }
    expect(() => decodeShardEntry(new Uint8Array([1]))).toThrow(ShardCommandFormatError);
  });

  it('truncated entries fail with ShardCommandFormatError or decode, never anything else', () => {
    const encoded = encodeShardEntry({
      kind: 'command',
      proposal: { nodeId: 1, term: 3, sequence: 4 },
      command: command({ requestId: 'abc', writes: [put('k', 'value')], outcome: 'out' }),
    });
    for (let length = 0; length < encoded.length; length++) {
      try {
        decodeShardEntry(encoded.subarray(0, length));
      } catch (error) {
        expect(error, `length ${length}`).toBeInstanceOf(ShardCommandFormatError);
      }
    }
  });

  it('validation refuses duplicate keys, bad versions, empty or oversized request ids', () => {
    const bad: [ShardCommand, RegExp][] = [
      [command({ writes: [put('a', '1'), put('a', '2')] }), /twice/],
      [{ ...command({}), preconditions: [{ key: new Uint8Array([1]), version: 0 }] }, /precondition version/],
      [{ ...command({}), requestId: '' }, /requestId/],
      [{ ...command({}), requestId: 'x'.repeat(513) }, /at most 512/],
    ];
    for (const [cmd, message] of bad) expect(() => validateShardCommand(cmd)).toThrow(message);
  });
});
