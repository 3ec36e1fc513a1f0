/**
 * Goal: RawNode's ready/advance bookkeeping under interleavings a real driver produces: inputs stepped between
 * ready() and advance(). Method: a single RawNode over MemoryRaftStorage driven by hand, as MultiRaft does
 * (persist → applyPersisted → advance).
 */
import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../src/raft/core/random.js';
import { RawNode } from '../../src/raft/core/rawNode.js';
import type { Entry } from '../../src/raft/core/types.js';
import { makeMessage } from '../../src/raft/core/types.js';
import { MemoryRaftStorage } from '../../src/raft/storage/memoryRaftStorage.js';

function entry(index: number, term: number): Entry {
  return { index, term, kind: 'normal', data: new Uint8Array([index, term]) };
}

describe('RawNode ready/advance', () => {
  it('a conflicting append between ready() and advance() keeps the matching prefix stable (sim seed 50563)', () => {
    const storage = new MemoryRaftStorage({ confState: { voters: [1, 2, 3], learners: [] } });
    const node = new RawNode({ id: 2, storage, random: new SeededRandom(1) });
    // Leader 1 (term 1) appends entries 1 and 2 and says entry 1 is committed.
    node.step(
      makeMessage({
        type: 'app',
        from: 1,
        to: 2,
        term: 1,
        index: 0,
        logTerm: 0,
        entries: [entry(1, 1), entry(2, 1)],
        commit: 1,
      })
    );
    const first = node.ready();
    expect(first.entries.map((e) => e.index)).toEqual([1, 2]);
    expect(first.committedEntries.map((e) => e.index)).toEqual([1]);
    // While that write is in flight, leader 3 of term 2 overwrites the uncommitted entry 2.
    node.step(
      makeMessage({ type: 'app', from: 3, to: 2, term: 2, index: 1, logTerm: 1, entries: [entry(2, 2)], commit: 1 })
    );
    storage.applyPersisted({ snapshot: first.snapshot, entries: first.entries, hardState: first.hardState });
    node.advance();

    const second = node.ready();
    // Only the replaced entry is written again; entry 1 (committed and applied) is not handed out twice.
    expect(second.entries.map((e) => `${e.index}@${e.term}`)).toEqual(['2@2']);
    expect(second.committedEntries).toEqual([]);
    storage.applyPersisted({ snapshot: second.snapshot, entries: second.entries, hardState: second.hardState });
    node.advance();
    expect(storage.term(2)).toBe(2);
    expect(node.hasReady()).toBe(false);
  });
});
