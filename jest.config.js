/** Jest runs TypeScript through SWC; ESM-only packages (@noble, jose, github-slugger) are transformed too. */
const swc = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
  },
  module: { type: 'commonjs' },
};
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.spec.ts'],
  transform: { '^.+\\.(t|j|mj)s$': ['@swc/jest', swc] },
  transformIgnorePatterns: ['/node_modules/(?!(@noble|jose|content-disposition|github-slugger)/)'],
  testTimeout: 60000,
  // Each test file loads the app's modules afresh, and a worker's heap grew to 1-1.9 GB by the end
  // of the suite: its exit then outlasted jest's 500 ms for a worker to exit, and jest force-killed it.
  // A worker whose heap passes this after a file is replaced by a fresh one.
  workerIdleMemoryLimit: '512MB',
  globalSetup: '<rootDir>/test/support/global-setup.ts',
};
