// Byte-level mutations of valid request encodings for the frontend fuzz tests: flip, truncate, insert, append.
import fc from 'fast-check';

/** One edit of an encoded message. */
export type Mutation =
  | { kind: 'flip'; at: number; xor: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'append'; bytes: Uint8Array };

/** Mutations with inserts of at most `insertBytesMax` and appends of at most `appendBytesMax` bytes. */
export function mutationArb(insertBytesMax: number, appendBytesMax: number): fc.Arbitrary<Mutation> {
  return fc.oneof(
    fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), xor: fc.integer({ min: 1, max: 255 }) }),
    fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
    fc.record({
      kind: fc.constant('insert' as const),
      at: fc.nat(),
      bytes: fc.uint8Array({ minLength: 1, maxLength: insertBytesMax }),
    }),
    fc.record({
      kind: fc.constant('append' as const),
      bytes: fc.uint8Array({ minLength: 1, maxLength: appendBytesMax }),
    })
  );
}

/** `bytes` with `mutations` applied in order (positions wrap around the current length). */
export function mutate(bytes: Buffer, mutations: readonly Mutation[]): Buffer {
  let out = Buffer.from(bytes);
  for (const mutation of mutations) {
    const at = out.length === 0 ? 0 : ('at' in mutation ? mutation.at : 0) % (out.length + 1);
    if (mutation.kind === 'flip' && at < out.length) {
      out[at] = (out[at] ?? 0) ^ mutation.xor;
    } else if (mutation.kind === 'truncate') {
      out = out.subarray(0, at);
    } else if (mutation.kind === 'insert') {
      out = Buffer.concat([out.subarray(0, at), mutation.bytes, out.subarray(at)]);
    } else if (mutation.kind === 'append') {
      out = Buffer.concat([out, mutation.bytes]);
    }
  }
  return out;
}
