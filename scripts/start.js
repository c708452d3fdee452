#!/usr/bin/env node
/**
 * `npm start`: checks the dependencies are installed, rebuilds only what changed since the last
 * build (scripts/build-steps/), then runs the bridge in this same process, as `megabit` does (one Node
 * start, not two). On a tree that is already built the build costs a walk over the inputs' stats.
 */
'use strict';
const path = require('node:path');

// First, alone: on a checkout without `npm ci` it says what to run and exits.
require('./check-installed');

const { build } = require('./build-steps/driver');
const { buildSteps } = require('./build-steps/steps');

const root = path.join(__dirname, '..');
try {
  build({ root, steps: buildSteps(root), onlyChanged: true, log: (line) => process.stderr.write(`${line}\n`) });
} catch (e) {
  process.stderr.write(`megabit: the build failed, so the bridge was not started: ${e.message}\n`);
  process.exit(1);
}
require(path.join(root, 'bridge', 'dist', 'cli.js'));
