// ESLint flat config for Cairn (STYLE.md §4). Type-aware linting via the TypeScript project service, because
// `@typescript-eslint/no-floating-promises` needs type information: a dropped promise in the log writer or the
// runtime loop is a lost error, which STYLE.md rule 6 forbids. Plain ESLint core rules are listed by hand because
// `@eslint/js` is not a dependency.
import { fileURLToPath } from 'node:url';
import tseslint from 'typescript-eslint';

/** Folders whose code must be deterministic (STYLE.md rule 2): the simulator replays them from one seed. */
const deterministicFolders = ['src/raft/core/**', 'src/shard/apply/**', 'src/actors/**'];

/** Generated protobuf code may use `any`; everything else may not. */
const generatedFiles = ['**/generated/**', '**/*.generated.ts', '**/*_pb.ts', '**/*_pb.d.ts'];

const injectClock = 'Deterministic code must not read real time: inject a Clock (STYLE.md rule 2).';
const injectRandom =
  'Deterministic code must not draw ambient randomness: inject a seeded Random or IdGen (STYLE.md rule 2).';
const injectTimers =
  'Deterministic code must not arm timers or schedule callbacks: inject a Clock and take ticks from the driver, or return the timer as an effect (STYLE.md rule 2).';

const timerGlobals = ['setTimeout', 'setInterval', 'setImmediate', 'queueMicrotask'];
const timerGlobalsCleared = ['clearTimeout', 'clearInterval', 'clearImmediate'];

export default tseslint.config(
  {
    ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.cairn/**', '.sim-out/**', 'jepsen-like/store/**'],
  },
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: fileURLToPath(new URL('.', import.meta.url)),
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      // Syntactic, not `@typescript-eslint/only-throw-error`: rethrowing a stored `unknown` (a fatal error kept by
      // a loop and rethrown to its waiters) is legitimate; throwing a string literal never is (STYLE.md §4).
      'no-throw-literal': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          args: 'after-used',
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
      '@typescript-eslint/no-empty-object-type': ['error', { allowInterfaces: 'with-single-extends' }],
      'no-debugger': 'error',
      'no-var': 'error',
      'prefer-const': 'error',
      'no-duplicate-case': 'error',
      'no-self-assign': 'error',
      'no-dupe-keys': 'error',
      'no-unsafe-finally': 'error',
    },
  },
  {
    // Plain JavaScript (this file, bin/, .ci/) is outside tsconfig.json, so it is linted without type information.
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: generatedFiles,
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: deterministicFolders,
    rules: {
      'no-restricted-globals': [
        'error',
        ...timerGlobals.map((name) => ({ name, message: injectTimers })),
        ...timerGlobalsCleared.map((name) => ({ name, message: injectTimers })),
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: injectClock },
        { object: 'Math', property: 'random', message: injectRandom },
        { object: 'crypto', property: 'randomUUID', message: injectRandom },
        { object: 'crypto', property: 'getRandomValues', message: injectRandom },
        { object: 'process', property: 'hrtime', message: injectClock },
        { object: 'process', property: 'nextTick', message: injectTimers },
        { object: 'performance', property: 'now', message: injectClock },
        ...timerGlobals.map((property) => ({ object: 'globalThis', property, message: injectTimers })),
      ],
      'no-restricted-syntax': [
        'error',
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: injectClock },
        { selector: "CallExpression[callee.name='Date']", message: injectClock },
      ],
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'node:timers', message: injectTimers },
            { name: 'timers', message: injectTimers },
            { name: 'node:timers/promises', message: injectTimers },
            { name: 'timers/promises', message: injectTimers },
            { name: 'node:perf_hooks', message: injectClock },
            { name: 'perf_hooks', message: injectClock },
            { name: 'node:crypto', importNames: ['randomUUID', 'randomBytes', 'randomInt'], message: injectRandom },
            { name: 'crypto', importNames: ['randomUUID', 'randomBytes', 'randomInt'], message: injectRandom },
          ],
        },
      ],
    },
  }
);
