// eslint-disable-next-line @typescript-eslint/no-require-imports -- jest loads this file as CommonJS
const os = require('node:os');

/** @type {import('jest').Config} */
module.exports = {
  // The plane suites leave a core idle much of the time (waiting on the apiserver, kwok, a
  // stand-in or the kubectl handler): one worker more than cores, not jest's cores - 1. The end
  // to end failure once blamed on this was kube-scheduler after an apiserver restart, and fails
  // with one worker per core too (docs/benchmarks.md).
  maxWorkers: os.availableParallelism() + 1,
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.tsx?$': 'ts-jest',
    // The ESM-only packages below are plain JavaScript: ts-jest compiles them only with allowJs,
    // and only transpiles them, as it does our TypeScript (tsconfig's isolatedModules).
    '^.+\\.m?js$': ['ts-jest', { tsconfig: { allowJs: true, isolatedModules: true } }],
  },
  // @kubernetes/client-node 1.x ships ES modules only; let ts-jest turn them into CommonJS.
  transformIgnorePatterns: [
    '/node_modules/(?!(@kubernetes/client-node|openid-client|oauth4webapi|jose)/)',
  ],
  testTimeout: 120000,
};
