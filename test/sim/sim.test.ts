/**
 * Goal: whole-cluster safety and liveness of the Raft library under seeded faults (TESTING.md §3, layer 3).
 * Method: fast-check draws run seeds; each seed derives every option (swarm testing), runs real MultiRaft and
 * RawNode code on the simulated network and disk through a safety phase with faults and a liveness phase with
 * all faults healed, with per-event invariant checkers, then checks convergence and linearizability. A fixed
 * fast-check seed makes `npm test` run the same 200 simulator seeds every time (override with SIM_FC_SEED,
 * SIM_RUNS); a failure prints the seed, its options, the replay command and the trace tail, and fast-check
 * prints the counterexample. Regression seeds (regressionSeeds.ts) run as their own tests.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deriveOptions, formatOptions, type PresetName } from './options.js';
import { REGRESSION_SEEDS } from './regressionSeeds.js';
import { formatFailure, runSimulation } from './simulator.js';

const FAST_CHECK_SEED = Number(process.env['SIM_FC_SEED'] ?? 0x5eed);
const RUNS = Number(process.env['SIM_RUNS'] ?? 200);

async function runSeed(seed: number, preset: PresetName): Promise<void> {
  const options = deriveOptions(seed, preset);
  const result = await runSimulation(options);
  if (!result.ok) throw new Error([...formatOptions(options), ...formatFailure(result, preset)].join('\n'));
  expect(result.stats.appliedEntries).toBeGreaterThan(0);
}

describe('simulator', () => {
  it(`${RUNS} swarm seeds keep every invariant and converge after heal`, async () => {
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 2 ** 31 - 1 }), async (seed) => {
        runs++;
        await runSeed(seed, 'default');
      }),
      { numRuns: RUNS, seed: FAST_CHECK_SEED }
    );
    expect(runs).toBeGreaterThanOrEqual(RUNS);
  }, 600_000);

  it('the lite preset keeps every invariant', async () => {
    for (let seed = 0; seed < 5; seed++) await runSeed(seed, 'lite');
  }, 120_000);

  it.each(REGRESSION_SEEDS.map((entry) => [entry.seed, entry.preset, entry.bug] as const))(
    'regression seed %i (%s): %s',
    async (seed, preset) => {
      await runSeed(seed, preset);
    },
    120_000
  );

  it('one seed reproduces a run exactly', async () => {
    const options = deriveOptions(4242);
    const first = await runSimulation(options, { traceTailLines: 200 });
    const second = await runSimulation(options, { traceTailLines: 200 });
    expect(second.stats).toEqual(first.stats);
    expect(second.traceTail).toEqual(first.traceTail);
    expect(first.stats.events).toBeGreaterThan(100);
  }, 60_000);
});
