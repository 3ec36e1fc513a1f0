// Goal: workflow routing is the documented FNV-1a 32 of UTF-8 `namespace + "\0" + workflowId`, mod shards.
// Method: published FNV-1a 32 test vectors, the separator's effect, and a spread check over 8 shards.
import { describe, expect, it } from 'vitest';
import { fnv1a32, shardOf } from '../../src/shard/shardOf.js';

const utf8 = new TextEncoder();

describe('shardOf', () => {
  it('fnv1a32 matches the reference vectors', () => {
    expect(fnv1a32(utf8.encode(''))).toBe(0x811c9dc5);
    expect(fnv1a32(utf8.encode('a'))).toBe(0xe40c292c);
    expect(fnv1a32(utf8.encode('foobar'))).toBe(0xbf9cf968);
  });

  it('hashes namespace, NUL, workflow id', () => {
    expect(shardOf('ns', 'wf', 1000)).toBe(fnv1a32(utf8.encode('ns\0wf')) % 1000);
    expect(shardOf('ab', 'c', 1 << 30)).not.toBe(shardOf('a', 'bc', 1 << 30));
  });

  it('spreads workflow ids over all shards', () => {
    const counts = new Array<number>(8).fill(0);
    for (let i = 0; i < 8000; i++) counts[shardOf('default', `order-${i}`, 8)]! += 1;
    for (const count of counts) expect(count).toBeGreaterThan(800);
  });
});
