/**
 * Goal: Inflights (src/raft/core/inflights.ts), the ring buffer of unacknowledged appends to one follower,
 * counts messages and bytes exactly, frees acknowledged messages across the wraparound of the ring, and reports
 * full by count and by bytes.
 * Method: etcd-raft `tracker/inflights_test.go` ported through the public API (count, bytes, full) instead of
 * the buffer layout, which Cairn keeps private; the wraparound cases are driven so that the ring does wrap.
 */
import { describe, expect, it } from 'vitest';
import { AssertionError } from '../../src/raft/core/errors.js';
import { Inflights } from '../../src/raft/core/inflights.js';

/** Adds messages `from` to `to - 1`, message i carrying 100 + i bytes as in etcd's tests. */
function addRange(inflights: Inflights, from: number, to: number): void {
  for (let index = from; index < to; index++) inflights.add(index, 100 + index);
}

function sumBytes(from: number, to: number): number {
  let total = 0;
  for (let index = from; index < to; index++) total += 100 + index;
  return total;
}

describe('Inflights add and freeLE', () => {
  it('counts messages and bytes while filling', () => {
    const inflights = new Inflights(10, 0);
    addRange(inflights, 0, 5);
    expect(inflights.size()).toBe(5);
    expect(inflights.sizeBytes()).toBe(510);
    expect(inflights.full()).toBe(false);
    addRange(inflights, 5, 10);
    expect(inflights.size()).toBe(10);
    expect(inflights.sizeBytes()).toBe(1045);
    expect(inflights.full()).toBe(true);
  });

  it('frees up to and including the acknowledged index, across the wraparound', () => {
    const inflights = new Inflights(10, 0);
    addRange(inflights, 0, 10);
    inflights.freeLE(0);
    expect([inflights.size(), inflights.sizeBytes()]).toEqual([9, 945]);
    inflights.freeLE(4);
    expect([inflights.size(), inflights.sizeBytes()]).toEqual([5, 535]);
    inflights.freeLE(8);
    expect([inflights.size(), inflights.sizeBytes()]).toEqual([1, 109]);
    // The ring now starts at slot 9; 10..14 wrap into slots 0..4.
    addRange(inflights, 10, 15);
    expect([inflights.size(), inflights.sizeBytes()]).toEqual([6, sumBytes(9, 15)]);
    inflights.freeLE(12);
    expect([inflights.size(), inflights.sizeBytes()]).toEqual([2, 227]);
    inflights.freeLE(14);
    expect([inflights.size(), inflights.sizeBytes()]).toEqual([0, 0]);
  });

  it('fills a wrapped ring to capacity and frees it in order', () => {
    const inflights = new Inflights(10, 0);
    addRange(inflights, 0, 5);
    inflights.freeLE(4); // empty: the next add starts from slot 0 again or wherever; it must not matter
    addRange(inflights, 5, 15);
    expect(inflights.size()).toBe(10);
    expect(inflights.full()).toBe(true);
    expect(inflights.sizeBytes()).toBe(sumBytes(5, 15));
    for (let acked = 5; acked < 15; acked++) {
      inflights.freeLE(acked);
      expect(inflights.size()).toBe(14 - acked);
      expect(inflights.sizeBytes()).toBe(sumBytes(acked + 1, 15));
    }
  });

  it('freeLE below the first inflight frees nothing; beyond the last frees everything', () => {
    const inflights = new Inflights(4, 0);
    addRange(inflights, 10, 13);
    inflights.freeLE(9);
    expect(inflights.size()).toBe(3);
    inflights.freeLE(1000);
    expect(inflights.size()).toBe(0);
    expect(inflights.sizeBytes()).toBe(0);
  });

  it('refuses indexes that do not increase (assertion)', () => {
    const inflights = new Inflights(4, 0);
    inflights.add(5, 1);
    expect(() => inflights.add(5, 1)).toThrow(AssertionError);
    expect(() => inflights.add(4, 1)).toThrow(AssertionError);
    expect(inflights.size()).toBe(1);
  });
});

describe('Inflights full', () => {
  const cases: Array<{
    name: string;
    size: number;
    maxBytes: number;
    fullAt: number;
    freeLE: number;
    againAt: number;
  }> = [
    { name: 'single-entry', size: 1, maxBytes: 0, fullAt: 1, freeLE: 1, againAt: 2 },
    { name: 'single-entry-overflow', size: 1, maxBytes: 10, fullAt: 1, freeLE: 1, againAt: 2 },
    { name: 'multi-entry', size: 15, maxBytes: 0, fullAt: 15, freeLE: 6, againAt: 22 },
    { name: 'slight-overflow', size: 8, maxBytes: 400, fullAt: 4, freeLE: 2, againAt: 7 },
    { name: 'exact-max-bytes', size: 8, maxBytes: 406, fullAt: 4, freeLE: 3, againAt: 8 },
    { name: 'larger-overflow', size: 15, maxBytes: 408, fullAt: 5, freeLE: 1, againAt: 6 },
  ];
  for (const tc of cases) {
    it(`${tc.name}: full at ${tc.fullAt}, again at ${tc.againAt} after freeLE(${tc.freeLE})`, () => {
      const inflights = new Inflights(tc.size, tc.maxBytes);
      const addUntilFull = (begin: number, end: number): void => {
        for (let index = begin; index < end; index++) {
          expect(inflights.full(), `full at ${index}, want ${end}`).toBe(false);
          inflights.add(index, 100 + index);
        }
        expect(inflights.full(), `not full at ${end}`).toBe(true);
      };
      addUntilFull(0, tc.fullAt);
      inflights.freeLE(tc.freeLE);
      addUntilFull(tc.fullAt, tc.againAt);
      expect(() => inflights.add(100, 1024)).toThrow(AssertionError);
    });
  }

  it('refuses a zero capacity (etcd allows an always-full one; Cairn asserts the limit is positive)', () => {
    expect(() => new Inflights(0, 0)).toThrow(AssertionError);
  });

  it('reset empties count and bytes, so byte usage does not leak across resets', () => {
    const inflights = new Inflights(10, 1000);
    let index = 0;
    for (let epoch = 0; epoch < 100; epoch++) {
      inflights.reset();
      for (let i = 0; i < 5; i++) {
        expect(inflights.full()).toBe(false);
        index++;
        inflights.add(index, 16);
      }
      inflights.freeLE(index - 2);
      expect(inflights.full()).toBe(false);
      expect(inflights.size()).toBe(2);
      expect(inflights.sizeBytes()).toBe(32);
    }
    inflights.freeLE(index);
    expect(inflights.size()).toBe(0);
  });
});
