/**
 * One jest run for the whole workspace. Test files are TypeScript, transformed by swc (fast, no
 * type check: `npm run build` type-checks everything before the tests run).
 */
const { availableParallelism } = require('node:os');

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
  // One worker more than cores: integration files spend much of their time waiting on the real
  // processes they start (bridge, mosquitto, qemu) and on their timers (DEVELOPERS.md, "Building
  // and testing", has the runs). At most 16: the tests' port helper gives each worker one of 16
  // port ranges (bridge/test/helpers/ports.ts).
  maxWorkers: Math.min(availableParallelism() + 1, 16),
  // A worker that ran its share of a whole run takes about a second to exit, longer than jest's
  // default grace of 0.5 s (DEVELOPERS.md, "Building and testing"). One that a leaked handle keeps
  // alive is still killed and reported, after this grace.
  workerGracefulExitTimeout: 5000,
  // Longest files first, also on a fresh clone without jest's timing cache (scripts/jest-sequencer.js).
  testSequencer: '<rootDir>/scripts/jest-sequencer.js',
  reporters: ['default', '<rootDir>/scripts/jest-summary-reporter.js'],
};
