/**
 * Seeds that once found a bug, run on every `npm test` (TESTING.md §9). A seed is exact only for the commit
 * it was found on (options derivation and code paths move), so each entry also names the bug; the durable
 * record of a fixed bug is its named scenario test. Add a seed here once the bug it found is fixed.
 */
export interface RegressionSeed {
  readonly seed: number;
  readonly preset: 'lite' | 'default';
  readonly bug: string;
}

export const REGRESSION_SEEDS: readonly RegressionSeed[] = [
  // Simulator bugs found while building it (kept: they exercise the same paths).
  { seed: 1005, preset: 'default', bug: 'sim: ack checker read the durable record of a replica destroyed mid-cycle' },
  {
    seed: 1006,
    preset: 'default',
    bug: 'sim: snapshot predating a member addition is refused by the new member (etcd restore rule); applier now snapshots on additions',
  },
  {
    seed: 1011,
    preset: 'default',
    bug: 'sim: bootstrap config only in an index-0 snapshot; a joiner replaying from index 1 saw no voters and elected itself',
  },
  { seed: 1012, preset: 'default', bug: 'sim: replica GC destroyed a replica re-added right after its removal' },
  {
    seed: 1026,
    preset: 'default',
    bug: 'sim: re-added a wiped replica under the same peer id; an in-flight heartbeat carried a commit past its empty log',
  },
  { seed: 1069, preset: 'default', bug: 'sim: convergence check compared a leader that had not applied its commit' },
  // Bugs in src/raft found by the simulator.
  { seed: 1, preset: 'default', bug: 'MultiRaft: an empty cycle left `running` set forever; no group ever elected' },
  ...[100128, 100745, 100953, 200270, 200479, 200747, 200980].map((seed) => ({
    seed,
    preset: 'default' as const,
    bug: 'raft: a leader that applied its own removal stepped down before the last voter learned the commit: leaderless forever',
  })),
  ...[303876, 304595, 309678, 309888].map((seed) => ({
    seed,
    preset: 'default' as const,
    bug: 'sim: replica GC destroyed a removed leader while it was still handing leadership over',
  })),
];
