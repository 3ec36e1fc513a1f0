/**
 * Goal: membership changes (src/raft/core/confChange.ts) encode and decode losslessly, reject malformed bytes
 * with a typed ConfChangeDecodeError (never an assertion: the bytes may come from anywhere), apply one node at
 * a time to the tracker, and refuse to remove or demote the last voter, both when applied and when proposed.
 * Method: a seeded fast-check round trip; tables of malformed inputs; direct calls on a ProgressTracker; a
 * single-node RawNode for the proposal-time refusal.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ConfChangeDecodeError,
  applyConfChangeToTracker,
  confChangeRefusal,
  decodeConfChange,
  encodeConfChange,
  restoreConfState,
} from '../../src/raft/core/confChange.js';
import { AssertionError, ProposalDroppedError } from '../../src/raft/core/errors.js';
import { ProgressTracker } from '../../src/raft/core/progressTracker.js';
import { SeededRandom } from '../../src/raft/core/random.js';
import { RawNode } from '../../src/raft/core/rawNode.js';
import type { ConfChange } from '../../src/raft/core/types.js';
import { MemoryRaftStorage } from '../../src/raft/storage/memoryRaftStorage.js';

const SEED = 7001;
const encoder = new TextEncoder();

function trackerOf(voters: number[], learners: number[] = [], lastIndex = 10): ProgressTracker {
  const tracker = new ProgressTracker(256, 0);
  restoreConfState(tracker, { voters, learners }, lastIndex);
  return tracker;
}

describe('ConfChange encoding', () => {
  const changeArbitrary: fc.Arbitrary<ConfChange> = fc.record(
    {
      kind: fc.constantFrom<ConfChange['kind']>('addNode', 'addLearner', 'removeNode'),
      nodeId: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
      context: fc.string({ unit: 'grapheme' }),
    },
    { requiredKeys: ['kind', 'nodeId'] }
  );

  it(`round-trips every change (seed ${SEED})`, () => {
    fc.assert(
      fc.property(changeArbitrary, (change) => {
        expect(decodeConfChange(encodeConfChange(change))).toEqual(change);
      }),
      { seed: SEED, numRuns: 2000 }
    );
  });

  it('keeps an absent context absent and an empty context empty', () => {
    expect(decodeConfChange(encodeConfChange({ kind: 'addNode', nodeId: 3 }))).toEqual({ kind: 'addNode', nodeId: 3 });
    expect('context' in decodeConfChange(encodeConfChange({ kind: 'addNode', nodeId: 3 }))).toBe(false);
    expect(decodeConfChange(encodeConfChange({ kind: 'removeNode', nodeId: 3, context: '' })).context).toBe('');
  });

  const malformed: Array<[string, Uint8Array]> = [
    ['empty bytes', new Uint8Array(0)],
    ['invalid UTF-8', new Uint8Array([0xff, 0xfe, 0x7b])],
    ['not JSON', encoder.encode('{kind: addNode')],
    ['JSON null', encoder.encode('null')],
    ['JSON number', encoder.encode('42')],
    ['unknown kind', encoder.encode('{"kind":"promote","nodeId":3}')],
    ['missing kind', encoder.encode('{"nodeId":3}')],
    ['nodeId as string', encoder.encode('{"kind":"addNode","nodeId":"3"}')],
    ['nodeId zero', encoder.encode('{"kind":"addNode","nodeId":0}')],
    ['nodeId negative', encoder.encode('{"kind":"addNode","nodeId":-1}')],
    ['nodeId fractional', encoder.encode('{"kind":"addNode","nodeId":1.5}')],
    ['nodeId beyond 2^53', encoder.encode('{"kind":"addNode","nodeId":9007199254740993}')],
    ['context not a string', encoder.encode('{"kind":"addNode","nodeId":3,"context":7}')],
  ];
  for (const [why, bytes] of malformed) {
    it(`rejects ${why} with ConfChangeDecodeError`, () => {
      expect(() => decodeConfChange(bytes)).toThrow(ConfChangeDecodeError);
    });
  }

  it('refuses to encode a change with an invalid node id (a programming error: assertion)', () => {
    expect(() => encodeConfChange({ kind: 'addNode', nodeId: 0 })).toThrow(AssertionError);
    expect(() => encodeConfChange({ kind: 'addNode', nodeId: 1.5 })).toThrow(AssertionError);
  });
});

describe('applyConfChangeToTracker', () => {
  it('adds a voter with fresh progress probing from the last index', () => {
    const tracker = trackerOf([1, 2]);
    applyConfChangeToTracker(tracker, { kind: 'addNode', nodeId: 3 }, 12);
    expect(tracker.confState()).toEqual({ voters: [1, 2, 3], learners: [] });
    const progress = tracker.progress.get(3);
    expect(progress?.next).toBe(12);
    expect(progress?.match).toBe(0);
    expect(progress?.isLearner).toBe(false);
    expect(progress?.recentActive).toBe(true); // not deposed by CheckQuorum before it could answer
  });

  it('promotes a learner and demotes a voter, keeping their progress', () => {
    const tracker = trackerOf([1, 2], [3]);
    const learnerProgress = tracker.progress.get(3);
    applyConfChangeToTracker(tracker, { kind: 'addNode', nodeId: 3 }, 12);
    expect(tracker.confState()).toEqual({ voters: [1, 2, 3], learners: [] });
    expect(tracker.progress.get(3)).toBe(learnerProgress);
    expect(learnerProgress?.isLearner).toBe(false);
    applyConfChangeToTracker(tracker, { kind: 'addLearner', nodeId: 2 }, 12);
    expect(tracker.confState()).toEqual({ voters: [1, 3], learners: [2] });
    expect(tracker.progress.get(2)?.isLearner).toBe(true);
  });

  it('removes a member and its progress and vote', () => {
    const tracker = trackerOf([1, 2, 3], [4]);
    tracker.recordVote(3, true);
    applyConfChangeToTracker(tracker, { kind: 'removeNode', nodeId: 3 }, 12);
    applyConfChangeToTracker(tracker, { kind: 'removeNode', nodeId: 4 }, 12);
    expect(tracker.confState()).toEqual({ voters: [1, 2], learners: [] });
    expect(tracker.progress.has(3)).toBe(false);
    expect(tracker.progress.has(4)).toBe(false);
    expect(tracker.votes.has(3)).toBe(false);
  });

  it('is idempotent: adding a present voter or removing an absent node changes nothing', () => {
    const tracker = trackerOf([1, 2]);
    applyConfChangeToTracker(tracker, { kind: 'addNode', nodeId: 2 }, 12);
    applyConfChangeToTracker(tracker, { kind: 'removeNode', nodeId: 9 }, 12);
    expect(tracker.confState()).toEqual({ voters: [1, 2], learners: [] });
    expect(tracker.progress.size).toBe(2);
  });

  it('refuses removing or demoting the last voter, and applying such a change is a no-op', () => {
    const tracker = trackerOf([1], [2]);
    expect(confChangeRefusal(tracker, { kind: 'removeNode', nodeId: 1 })).toMatch(/no voters/);
    expect(confChangeRefusal(tracker, { kind: 'addLearner', nodeId: 1 })).toMatch(/no voters/);
    expect(confChangeRefusal(tracker, { kind: 'removeNode', nodeId: 2 })).toBeUndefined();
    expect(confChangeRefusal(tracker, { kind: 'addNode', nodeId: 2 })).toBeUndefined();
    applyConfChangeToTracker(tracker, { kind: 'removeNode', nodeId: 1 }, 12);
    applyConfChangeToTracker(tracker, { kind: 'addLearner', nodeId: 1 }, 12);
    expect(tracker.confState()).toEqual({ voters: [1], learners: [2] });
  });

  it('allows removing a voter when another remains', () => {
    const tracker = trackerOf([1, 2]);
    expect(confChangeRefusal(tracker, { kind: 'removeNode', nodeId: 1 })).toBeUndefined();
    applyConfChangeToTracker(tracker, { kind: 'removeNode', nodeId: 1 }, 12);
    expect(tracker.confState()).toEqual({ voters: [2], learners: [] });
  });
});

describe('proposing conf changes on a leader', () => {
  function singleLeader(): RawNode {
    const storage = new MemoryRaftStorage({ confState: { voters: [1], learners: [] } });
    const node = new RawNode({ id: 1, storage, random: new SeededRandom(1), electionTicks: 10, heartbeatTicks: 1 });
    node.campaign();
    // Drive the single node to leadership and commit its empty entry.
    for (let round = 0; round < 10 && node.hasReady(); round++) {
      const ready = node.ready();
      storage.applyPersisted({ snapshot: ready.snapshot, entries: ready.entries, hardState: ready.hardState });
      node.advance();
    }
    expect(node.status().softState.role).toBe('leader');
    return node;
  }

  it('drops a proposal that would remove or demote the last voter', () => {
    const node = singleLeader();
    expect(() => node.proposeConfChange({ kind: 'removeNode', nodeId: 1 })).toThrow(ProposalDroppedError);
    expect(() => node.proposeConfChange({ kind: 'addLearner', nodeId: 1 })).toThrow(ProposalDroppedError);
    expect(node.hasReady()).toBe(false); // nothing was appended
  });

  it('accepts one change at a time: a second waits until the first is applied', () => {
    const node = singleLeader();
    node.proposeConfChange({ kind: 'addLearner', nodeId: 2 });
    expect(() => node.proposeConfChange({ kind: 'addLearner', nodeId: 3 })).toThrow(ProposalDroppedError);
  });
});
