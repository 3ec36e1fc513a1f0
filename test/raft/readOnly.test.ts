/**
 * Goal: the leader's ReadIndex queue (src/raft/core/readOnly.ts, thesis §6.4) records each request's commit
 * index at arrival, gives every request its own heartbeat round, collects acknowledgements per round, releases
 * requests in arrival order up to the round a quorum confirmed, answers a duplicated context once, ignores
 * rounds of other terms and malformed contexts, and stays bounded.
 * Method: direct calls on ReadOnlyQueue with hand-built messages; the end-to-end behaviour (heartbeat rounds,
 * lease reads) is covered by the golden scripts read_index.txt and lease_read.txt and raftReadIndex.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { AssertionError } from '../../src/raft/core/errors.js';
import { ReadOnlyQueue, contextKey, decodeReadRound, encodeReadRound } from '../../src/raft/core/readOnly.js';
import type { Message } from '../../src/raft/core/types.js';
import { makeMessage } from '../../src/raft/core/types.js';

const encoder = new TextEncoder();

function readRequest(context: string, from = 0): Message {
  return makeMessage({ type: 'readIndex', from, context: encoder.encode(context) });
}

function contexts(statuses: ReadonlyArray<{ request: Message }>): string[] {
  return statuses.map((status) => new TextDecoder().decode(status.request.context));
}

function mustAdd(queue: ReadOnlyQueue, index: number, context: string): Uint8Array {
  const round = queue.addRequest(index, readRequest(context));
  if (round === null) throw new Error(`request ${context} was not queued`);
  return round;
}

describe('ReadOnlyQueue', () => {
  it('records the commit index at arrival and collects acknowledgements per round', () => {
    const queue = new ReadOnlyQueue(10, 3);
    const roundA = mustAdd(queue, 5, 'a');
    mustAdd(queue, 7, 'b');
    expect(queue.size()).toBe(2);
    expect([...(queue.recvAck(1, roundA) ?? [])]).toEqual([1]);
    expect([...(queue.recvAck(2, roundA) ?? [])].sort()).toEqual([1, 2]);
    expect(queue.recvAck(2, encoder.encode('a'))).toBeUndefined(); // a client context is not a round
    const done = queue.advance(roundA);
    expect(contexts(done)).toEqual(['a']);
    expect(done[0]?.index).toBe(5);
    expect(queue.size()).toBe(1);
  });

  it('a confirmed round also confirms every earlier request, released in arrival order', () => {
    const queue = new ReadOnlyQueue(10, 3);
    const roundA = mustAdd(queue, 5, 'a');
    const roundB = mustAdd(queue, 6, 'b');
    const roundC = mustAdd(queue, 7, 'c');
    const done = queue.advance(roundB);
    expect(contexts(done)).toEqual(['a', 'b']);
    expect(done.map((status) => status.index)).toEqual([5, 6]);
    expect(queue.size()).toBe(1);
    expect(contextKey(queue.lastPendingContext() ?? new Uint8Array())).toBe(contextKey(roundC));
    // Acknowledgements for released rounds are no longer tracked.
    expect(queue.recvAck(3, roundA)).toBeUndefined();
  });

  it('a late acknowledgement of an earlier round never confirms a later request with the same context', () => {
    const queue = new ReadOnlyQueue(10, 3);
    const firstRound = mustAdd(queue, 5, 'dup');
    expect(contexts(queue.advance(firstRound))).toEqual(['dup']);
    mustAdd(queue, 9, 'other');
    const secondRound = mustAdd(queue, 9, 'dup'); // the network duplicated the request
    expect(contextKey(secondRound)).not.toBe(contextKey(firstRound));
    expect(queue.recvAck(2, firstRound)).toBeUndefined();
    expect(queue.advance(firstRound)).toEqual([]);
    expect(queue.size()).toBe(2);
  });

  it('a duplicate of a queued request is not queued again; the first answers it', () => {
    const queue = new ReadOnlyQueue(10, 3);
    mustAdd(queue, 5, 'a');
    expect(queue.addRequest(9, readRequest('a'))).toBeNull();
    expect(queue.size()).toBe(1);
  });

  it('ignores rounds of another term and malformed contexts', () => {
    const queue = new ReadOnlyQueue(10, 3);
    const round = mustAdd(queue, 5, 'a');
    const decoded = decodeReadRound(round);
    expect(decoded).toEqual({ term: 3, round: 1 });
    expect(queue.recvAck(2, encodeReadRound(2, 1))).toBeUndefined();
    expect(queue.advance(encodeReadRound(4, 1))).toEqual([]);
    expect(decodeReadRound(round.subarray(0, 10))).toBeUndefined();
    expect(decodeReadRound(new Uint8Array(17))).toBeUndefined();
  });

  it('is bounded: past pendingReadsMax requests are dropped for the caller to retry', () => {
    const queue = new ReadOnlyQueue(2, 1);
    const roundA = mustAdd(queue, 1, 'a');
    mustAdd(queue, 1, 'b');
    expect(queue.addRequest(1, readRequest('c'))).toBeNull();
    expect(queue.size()).toBe(2);
    queue.advance(roundA);
    expect(queue.addRequest(1, readRequest('c'))).not.toBeNull();
  });

  it('an empty queue has no pending context; a zero bound is refused (assertion)', () => {
    expect(new ReadOnlyQueue(1, 1).lastPendingContext()).toBeUndefined();
    expect(() => new ReadOnlyQueue(0, 1)).toThrow(AssertionError);
  });

  it('contextKey compares contexts by value, including views into larger buffers', () => {
    const buffer = encoder.encode('xxabcxx');
    expect(contextKey(buffer.subarray(2, 5))).toBe(contextKey(encoder.encode('abc')));
    expect(contextKey(encoder.encode('abc'))).not.toBe(contextKey(encoder.encode('abd')));
    expect(contextKey(new Uint8Array(0))).toBe('');
  });
});
