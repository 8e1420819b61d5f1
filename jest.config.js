// eslint-disable-next-line @typescript-eslint/no-require-imports -- jest loads this file as CommonJS
const os = require('node:os');

/** @type {import('jest').Config} */
module.exports = {
  // The plane suites leave a core idle much of the time: the kubectl handler's kubectl sends at
  // most 5 requests a second (client-go's default, as on Lambda), and suites wait on the
  // apiserver, kwok and stand-ins. Two workers more than cores was the fastest measured on two
  // cores; a fifth gained nothing (docs/benchmarks.md).
  maxWorkers: os.availableParallelism() + 2,
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
