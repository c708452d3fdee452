#!/usr/bin/env node
/**
 * `npm run build`: every build step, in order (scripts/build-steps/steps.js), each stamped as it
 * succeeds. With --changed (what `npm start` runs), only the steps whose inputs changed since.
 */
'use strict';
const path = require('node:path');
const { build } = require('./build-steps/driver');
const { buildSteps } = require('./build-steps/steps');

const root = path.join(__dirname, '..');
const onlyChanged = process.argv.includes('--changed');
try {
  build({ root, steps: buildSteps(root), onlyChanged, log: (line) => process.stderr.write(`${line}\n`) });
} catch (e) {
  process.stderr.write(`${e.message}\n`);
  process.exit(1);
}
