/** @type {import('jest').Config} */
module.exports = {
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
