#!/usr/bin/env node
'use strict';
/**
 * `npm test` in an app folder (`megabit-test-app [dir] [jest options]`): runs the app's
 * test/*.test.ts with the jest of the Megabit checkout this SDK sits in, set up like the
 * checkout's own suite (TypeScript through swc, the SDK's test support and the bridge's real
 * sandbox from their sources), so an app folder anywhere on disk needs no jest install of its own.
 */
const path = require('node:path');

const checkout = path.join(__dirname, '..', '..', '..');
const fromCheckout = (name) => require.resolve(name, { paths: [checkout] });

function appJestConfig(appDir) {
  const base = require(path.join(checkout, 'jest.config.js'));
  const [, swcOptions] = base.transform['^.+\\.ts$'];
  return {
    rootDir: appDir,
    testEnvironment: 'node',
    roots: ['<rootDir>/test'],
    testMatch: ['**/*.test.ts'],
    transform: { '^.+\\.ts$': [fromCheckout('@swc/jest'), swcOptions] },
    moduleNameMapper: Object.fromEntries(Object.entries(base.moduleNameMapper).map(([pattern, target]) => [pattern, target.replace('<rootDir>', checkout)])),
    testTimeout: base.testTimeout,
  };
}

const args = process.argv.slice(2);
const appDir = path.resolve(args[0] && !args[0].startsWith('-') ? args.shift() : '.');
require(fromCheckout('jest')).run(['--config', JSON.stringify(appJestConfig(appDir)), ...args]);
