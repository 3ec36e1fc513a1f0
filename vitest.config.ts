// Vitest settings for `npm test`. Test files live under test/ and mirror src/ (TESTING.md §9).
import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Golden scripts and datadriven fixtures are data, never test modules, whatever their names.
    exclude: [...configDefaults.exclude, '**/testdata/**'],
    // Runner timeouts only catch hangs; tests run on simulated time and never race a wall clock (TESTING.md §9).
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Forked processes rather than worker threads: the LevelDB native addon and tests that spawn node processes
    // are safer with one process per test file (a crash or a leaked handle cannot take down a sibling file).
    pool: 'forks',
    fileParallelism: true,
    poolOptions: {
      // CI and the shared development machine have 2 cores.
      forks: { minForks: 1, maxForks: 2 },
    },
  },
});
