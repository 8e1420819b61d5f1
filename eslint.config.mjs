import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Import boundaries between the layers (docs/architecture.md). ESLint keeps only the last entry
// of a rule that matches a file, so each area below lists every boundary that applies to it.
const NOT_TESTS = [
  {
    regex: '^(\\.\\./)+(test|tools)(/|$)',
    message: 'Product code imports neither tests nor the test plane.',
  },
  {
    regex: '(^|/)testing(/|$)',
    message: 'Test doubles stay out of product code (and out of the controller image).',
  },
];
const ONLY_CONTROLLER_API = {
  regex: '(^|/)controller/(?!api(/|$))',
  message: 'Outside the controller, only controller/api is public.',
};
const NOT_UPSTREAM = (...folders) => ({
  regex: `^(\\.\\./)+(${folders.join('|')})(/|$)`,
  message: `Data flows config -> bin -> lib -> k8s: nothing here imports ${folders.join(' or ')}.`,
});
const PURE = [
  {
    // An allow-list: a new dependency of the planner is a decision, not an accident.
    regex: '^(?![./]|node:crypto$|@kubernetes/client-node$)',
    message: 'controller/reconcile is pure: of other packages it uses only node:crypto.',
  },
  {
    // credentials.ts is pure hashing, shared by the planner and the loop that generates them.
    regex: '^@kubernetes/client-node$|(^|/)(kube|bitcoin)/(?!credentials$)',
    allowTypeImports: true,
    message: 'controller/reconcile is pure: it may use these types, not their values.',
  },
  {
    regex: '(^|/)runtime(/|$)',
    message: 'controller/reconcile is pure: nothing from runtime/.',
  },
];
// tools/: each folder imports only those below it (docs/architecture.md#tools), never one above.
const TOOLS_ABOVE = {
  base: ['testplane', 'netns', 'setup', 'bitcoin', 'rehearsal'],
  testplane: ['netns', 'setup', 'bitcoin', 'rehearsal'],
  netns: ['setup', 'bitcoin', 'rehearsal'],
  setup: ['netns', 'bitcoin', 'rehearsal'],
  bitcoin: ['setup', 'rehearsal'],
};
const NOT_ABOVE = (folder) => ({
  regex: `^(\\.\\./)+(${TOOLS_ABOVE[folder].join('|')})(/|$)`,
  message: `tools/${folder} imports only folders below it in tools/ (docs/architecture.md#tools), not ${TOOLS_ABOVE[folder].join(', ')}.`,
});
const boundaries = (files, patterns, ignores = []) => ({
  files,
  ignores,
  rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns }] },
});

export default tseslint.config(
  { ignores: ['node_modules', 'cdk.out', 'dist', '.cache', 'coverage', 'k8s/imports'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
  {
    files: ['**/*.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { module: 'writable', require: 'readonly' },
    },
  },
  {
    // Tests walk synthesised JSON whose shape TypeScript cannot know.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  boundaries(
    ['config/**/*.ts'],
    [...NOT_TESTS, ONLY_CONTROLLER_API, NOT_UPSTREAM('bin', 'lib', 'k8s')],
  ),
  boundaries(['bin/**/*.ts'], [...NOT_TESTS, ONLY_CONTROLLER_API]),
  boundaries(['lib/**/*.ts'], [...NOT_TESTS, ONLY_CONTROLLER_API, NOT_UPSTREAM('bin')]),
  boundaries(['k8s/**/*.ts'], [...NOT_TESTS, ONLY_CONTROLLER_API, NOT_UPSTREAM('bin', 'lib')]),
  boundaries(['controller/reconcile/**/*.ts'], [...NOT_TESTS, ...PURE]),
  boundaries(['controller/**/*.ts'], NOT_TESTS, [
    'controller/reconcile/**',
    'controller/testing/**',
  ]),
  ...Object.keys(TOOLS_ABOVE).map((folder) =>
    boundaries([`tools/${folder}/**/*.ts`], [NOT_ABOVE(folder)]),
  ),
  boundaries(
    ['bench/**/*.ts'],
    [
      {
        regex: '^(\\.\\./)+test(/|$)',
        message: 'Benchmarks import no tests: shared harnesses live in tools/.',
      },
    ],
  ),
);
