/**
 * One jest run for the whole workspace. Test files are TypeScript, transformed by swc (fast, no
 * type check: `npm run build` type-checks everything before the tests run).
 */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/scripts', '<rootDir>/contract', '<rootDir>/fonts', '<rootDir>/bridge', '<rootDir>/apps', '<rootDir>/node-red-nodes', '<rootDir>/bench'],
  testMatch: ['**/test/**/*.test.ts', '**/test/**/*.test.js'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }],
  },
  // Tests use the sources of the workspace packages directly, so they run without a build.
  moduleNameMapper: {
    '^@megabit/contract$': '<rootDir>/contract/src/index.ts',
    '^@megabit/fonts$': '<rootDir>/fonts/src/index.ts',
    '^megabit-bridge$': '<rootDir>/bridge/src/index.ts',
  },
  testTimeout: 30000,
  // Integration suites start real processes (bridge, mosquitto, qemu): two at a time fits 2 cores.
  maxWorkers: 2,
  // Longest files first, also on a fresh clone without jest's timing cache (scripts/jest-sequencer.js).
  testSequencer: '<rootDir>/scripts/jest-sequencer.js',
  reporters: ['default', '<rootDir>/scripts/jest-summary-reporter.js'],
};
