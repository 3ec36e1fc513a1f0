// Goal: ReadIndex bookkeeping (src/shard/pendingReads.ts): a read resolves with the index of ITS ReadState, then
// waits until the applied index reaches it; unknown contexts are ignored; rejections reach the right waiters.
// Method: drive PendingReads directly with hand-made ReadStates and applied indexes.
import { describe, expect, it } from 'vitest';
import { PendingReads, readContext } from '../../src/shard/pendingReads.js';

describe('PendingReads', () => {
  it('matches read states to their reads by context and ignores foreign contexts', async () => {
    const reads = new PendingReads();
    const a = reads.start();
    const b = reads.start();
    reads.onReadStates([
      { index: 9, requestContext: new Uint8Array([1, 2, 3]) },
      { index: 7, requestContext: b.context },
      { index: 5, requestContext: a.context },
    ]);
    expect(await a.readIndex).toBe(5);
    expect(await b.readIndex).toBe(7);
  });

  it('releases a waiter only once applied reaches its index', async () => {
    const reads = new PendingReads();
    const order: string[] = [];
    const early = reads.waitApplied(3, 5).then(() => order.push('already'));
    const later = reads.waitApplied(8, 5).then(() => order.push('at 8'));
    await early;
    reads.onApplied(7);
    await Promise.resolve();
    expect(order).toEqual(['already']);
    reads.onApplied(8);
    await later;
    expect(order).toEqual(['already', 'at 8']);
  });

  it('rejectAwaitingIndex fails reads without an index but keeps reads waiting for apply', async () => {
    const reads = new PendingReads();
    const noIndex = reads.start();
    let applyWaiterSettled = false;
    const waiting = reads.waitApplied(10, 1).then(() => (applyWaiterSettled = true));
    reads.rejectAwaitingIndex(new Error('lost'));
    await expect(noIndex.readIndex).rejects.toThrow('lost');
    await Promise.resolve();
    expect(applyWaiterSettled).toBe(false);
    reads.rejectAll(new Error('closed'));
    await expect(waiting).rejects.toThrow('closed');
  });

  it('contexts are 8-byte big-endian sequences', () => {
    expect([...readContext(2 ** 32 + 5)]).toEqual([0, 0, 0, 1, 0, 0, 0, 5]);
  });

  it('expires reads that wait timeoutTicks ticks for their read index, and only those', async () => {
    const reads = new PendingReads();
    const old = reads.start();
    reads.tick(3, () => new Error('timed out'));
    const young = reads.start();
    reads.tick(3, () => new Error('timed out'));
    reads.tick(3, () => new Error('timed out')); // old has waited 3 ticks, young 2
    await expect(old.readIndex).rejects.toThrow('timed out');
    reads.onReadStates([{ index: 4, requestContext: young.context }]);
    expect(await young.readIndex).toBe(4);
  });
});
