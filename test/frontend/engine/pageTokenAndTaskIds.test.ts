// Goal: the history page token round-trips and refuses every byte string Cairn did not issue with INVALID_ARGUMENT;
// the taskId allocator hands out increasing, non-overlapping blocks per shard, never below an observed id and
// never below the wall-clock floor (which is what keeps ids increasing across a restart).
// Method: direct unit tests with pinned clock values; no randomness.
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../../src/frontend/errors.js';
import { decodeHistoryPageToken, encodeHistoryPageToken } from '../../../src/frontend/engine/historyPageToken.js';
import { TASK_ID_BLOCK_SIZE, TASK_IDS_PER_MS, TaskIdAllocator } from '../../../src/frontend/engine/taskIdAllocator.js';

describe('history page token', () => {
  it('round-trips shard, run and next event id', () => {
    const token = { shardId: 3, runId: 'run-1', nextEventId: 257 };
    expect(decodeHistoryPageToken(encodeHistoryPageToken(token))).toEqual(token);
  });

  it.each([
    ['not JSON', Buffer.from([0xff, 0x00, 0x01])],
    ['JSON null', Buffer.from('null')],
    ['wrong version', Buffer.from(JSON.stringify({ v: 2, shardId: 0, runId: 'r', nextEventId: 2 }))],
    ['negative shard', Buffer.from(JSON.stringify({ v: 1, shardId: -1, runId: 'r', nextEventId: 2 }))],
    ['empty run id', Buffer.from(JSON.stringify({ v: 1, shardId: 0, runId: '', nextEventId: 2 }))],
    ['event id 0', Buffer.from(JSON.stringify({ v: 1, shardId: 0, runId: 'r', nextEventId: 0 }))],
    ['fractional event id', Buffer.from(JSON.stringify({ v: 1, shardId: 0, runId: 'r', nextEventId: 1.5 }))],
  ])('refuses %s with INVALID_ARGUMENT naming nextPageToken', (_name, bytes) => {
    expect(() => decodeHistoryPageToken(bytes)).toThrow(InvalidArgumentError);
    expect(() => decodeHistoryPageToken(bytes)).toThrow(/nextPageToken is malformed/);
  });
});

describe('TaskIdAllocator', () => {
  it('starts at the wall-clock floor and hands out disjoint increasing blocks per shard', () => {
    const allocator = new TaskIdAllocator();
    const first = allocator.allocate(0, 5);
    expect(first).toBe(5 * TASK_IDS_PER_MS);
    const second = allocator.allocate(0, 5);
    expect(second).toBe(first + TASK_ID_BLOCK_SIZE);
    // A clock that stepped back does not move ids back.
    expect(allocator.allocate(0, 1)).toBe(second + TASK_ID_BLOCK_SIZE);
    // Shards are independent.
    expect(allocator.allocate(1, 2)).toBe(2 * TASK_IDS_PER_MS);
  });

  it('a new allocator (a restart) at a later time starts above the ids issued before it', () => {
    const before = new TaskIdAllocator();
    let last = 0;
    for (let call = 0; call < 50; call++) last = before.allocate(0, 1_000) + TASK_ID_BLOCK_SIZE - 1;
    const after = new TaskIdAllocator();
    expect(after.allocate(0, 1_001)).toBeGreaterThan(last);
  });

  it('never allocates at or below an observed id', () => {
    const allocator = new TaskIdAllocator();
    allocator.observe(0, 10_000_000);
    expect(allocator.allocate(0, 1)).toBe(10_000_001);
    allocator.observe(0, 5);
    expect(allocator.allocate(0, 1)).toBe(10_000_001 + TASK_ID_BLOCK_SIZE);
  });
});
