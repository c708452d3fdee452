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
  // One worker more than cores: integration suites spend much of their time waiting on the real
  // processes they start (bridge, mosquitto, qemu) and on their timers. With one per core, a whole
  // run left the 2-core CI machine 32 % idle (vmstat, 576 s); with three it was 16 % idle and took
  // 426 s (DEVELOPERS.md, "Building and testing").
  maxWorkers: availableParallelism() + 1,
  // A worker that ran its share of the whole suite took 0.55-0.6 s to exit (three of three, one
  // run): its main thread was unmapping the memory its heaps had grown to (/proc/<pid>/task/*/stack
  // in munmap), with no handle, request or thread of ours left. Jest's default grace of 0.5 s
  // killed it and warned of leaking tests in every whole run. A worker held up by a real leak
  // never exits, so it is still killed and reported, after this longer grace.
  workerGracefulExitTimeout: 5000,
  // Longest files first, also on a fresh clone without jest's timing cache (scripts/jest-sequencer.js).
  testSequencer: '<rootDir>/scripts/jest-sequencer.js',
  reporters: ['default', '<rootDir>/scripts/jest-summary-reporter.js'],
};
