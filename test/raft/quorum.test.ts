/**
 * Goal: the majority arithmetic of src/raft/core/quorum.ts, on which commitment and elections rest, agrees with
 * dumb references on every input.
 * Method: fast-check differential properties as in etcd-raft `quorum/quick_test.go` (50,000 cases in total, half
 * each): `majorityCommittedIndex` against "for every candidate index, count the voters whose match is ≥ it and
 * take the largest with a majority"; `majorityVoteResult` against brute force over every way the missing votes
 * could go. Seeded (QUORUM_SEED overrides the default); the seed and path are printed on failure. A few table
 * cases pin the conventions (empty configuration).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { VoteResult } from '../../src/raft/core/quorum.js';
import { majorityCommittedIndex, majorityVoteResult } from '../../src/raft/core/quorum.js';
import type { NodeId } from '../../src/raft/core/types.js';

const DEFAULT_SEED = 20240607;
const seed = process.env['QUORUM_SEED'] === undefined ? DEFAULT_SEED : Number(process.env['QUORUM_SEED']);
const RUNS_PER_PROPERTY = 25_000;

/** Runs a property with the file's seed and prints the seed (fast-check adds the path) when it fails. */
function assertSeeded<T>(property: fc.IProperty<T>): void {
  try {
    fc.assert(property, { seed, numRuns: RUNS_PER_PROPERTY });
  } catch (error) {
    console.error(`quorum property failed: reproduce with QUORUM_SEED=${seed} (fast-check seed and path below)`);
    throw error;
  }
}

/** The dumb reference: try every acknowledged index and keep the largest that a majority has reached. */
function referenceCommittedIndex(voters: readonly NodeId[], acked: ReadonlyMap<NodeId, number>): number {
  if (voters.length === 0) return Number.POSITIVE_INFINITY;
  const quorum = Math.floor(voters.length / 2) + 1;
  let best = 0;
  for (const candidate of voters.map((id) => acked.get(id) ?? 0)) {
    const reached = voters.filter((id) => (acked.get(id) ?? 0) >= candidate).length;
    if (reached >= quorum && candidate > best) best = candidate;
  }
  return best;
}

/** Brute force: the result is decided only if every way the missing votes could go gives the same outcome. */
function referenceVoteResult(voters: readonly NodeId[], votes: ReadonlyMap<NodeId, boolean>): VoteResult {
  if (voters.length === 0) return 'won';
  const quorum = Math.floor(voters.length / 2) + 1;
  const missing = voters.filter((id) => !votes.has(id));
  const granted = voters.filter((id) => votes.get(id) === true).length;
  const outcomes = new Set<boolean>();
  for (let mask = 0; mask < 1 << missing.length; mask++) {
    let extra = 0;
    for (let bit = 0; bit < missing.length; bit++) if ((mask >> bit) & 1) extra++;
    outcomes.add(granted + extra >= quorum);
  }
  if (outcomes.size === 2) return 'pending';
  return outcomes.has(true) ? 'won' : 'lost';
}

/** As etcd's generator: up to 9 distinct ids drawn from a range twice as large, small indexes. */
const votersArbitrary = fc.uniqueArray(fc.integer({ min: 1, max: 20 }), { maxLength: 9 });

const commitInput = votersArbitrary.chain((voters) =>
  fc.record({
    voters: fc.constant(voters),
    // Some voters have acknowledged nothing yet (missing = 0); indexes repeat often, as in real clusters.
    acked: fc.array(fc.option(fc.integer({ min: 0, max: 10 }), { nil: undefined }), {
      minLength: voters.length,
      maxLength: voters.length,
    }),
  })
);

const voteInput = votersArbitrary.chain((voters) =>
  fc.record({
    voters: fc.constant(voters),
    votes: fc.array(fc.constantFrom<boolean | undefined>(true, false, undefined), {
      minLength: voters.length,
      maxLength: voters.length,
    }),
  })
);

describe('majorityCommittedIndex', () => {
  it(`agrees with the count-per-candidate reference (${RUNS_PER_PROPERTY} cases, seed ${seed})`, () => {
    assertSeeded(
      fc.property(commitInput, ({ voters, acked }) => {
        const ackedById = new Map<NodeId, number>();
        voters.forEach((id, position) => {
          const index = acked[position];
          if (index !== undefined) ackedById.set(id, index);
        });
        const actual = majorityCommittedIndex(voters, (id) => ackedById.get(id) ?? 0);
        expect(actual).toBe(referenceCommittedIndex(voters, ackedById));
      })
    );
  });

  it('table: empty config commits everything; single voter; even and odd sizes', () => {
    const of = (acked: number[]): number =>
      majorityCommittedIndex(
        acked.map((_, position) => position + 1),
        (id) => acked[id - 1] ?? 0
      );
    expect(of([])).toBe(Number.POSITIVE_INFINITY);
    expect(of([12])).toBe(12);
    expect(of([12, 5])).toBe(5); // two voters: both needed
    expect(of([12, 5, 4])).toBe(5);
    expect(of([12, 5, 4, 9])).toBe(5); // four voters: three needed
    expect(of([1, 2, 3, 4, 5])).toBe(3);
  });
});

describe('majorityVoteResult', () => {
  it(`agrees with brute force over the missing votes (${RUNS_PER_PROPERTY} cases, seed ${seed})`, () => {
    assertSeeded(
      fc.property(voteInput, ({ voters, votes }) => {
        const voteById = new Map<NodeId, boolean>();
        voters.forEach((id, position) => {
          const vote = votes[position];
          if (vote !== undefined) voteById.set(id, vote);
        });
        expect(majorityVoteResult(voters, voteById)).toBe(referenceVoteResult(voters, voteById));
      })
    );
  });

  it('table: empty config wins; votes from non-voters do not count', () => {
    expect(majorityVoteResult([], new Map())).toBe('won');
    expect(majorityVoteResult([1, 2, 3], new Map([[1, true]]))).toBe('pending');
    expect(
      majorityVoteResult(
        [1, 2, 3],
        new Map([
          [1, true],
          [4, true],
          [5, true],
        ])
      )
    ).toBe('pending');
    expect(
      majorityVoteResult(
        [1, 2, 3],
        new Map([
          [1, false],
          [2, false],
        ])
      )
    ).toBe('lost');
    expect(
      majorityVoteResult(
        [1, 2],
        new Map([
          [1, true],
          [2, false],
        ])
      )
    ).toBe('lost');
  });
});
