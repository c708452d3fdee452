#!/usr/bin/env node
/**
 * `node scripts/run-side-by-side.js A B ...`: runs the npm scripts A, B, ... at the same time and
 * fails if any fails. `npm test` uses it for the type check and the firmware tests, which need
 * nothing of each other: the type check's second lane (scripts/typecheck.js) leaves a core idle
 * for about as long as the firmware build and fuzz run take; and for the downloads of the
 * Node-RED 5 run (test:node-red5:install), which mostly wait on the network. Each script's output
 * is printed whole when it ends, so they never interleave.
 */
'use strict';
const { join } = require('node:path');
const { runCaptured } = require('./run-captured');

const root = join(__dirname, '..');
const names = process.argv.slice(2);
if (names.length === 0) {
  process.stderr.write('usage: node scripts/run-side-by-side.js SCRIPT...\n');
  process.exit(2);
}

async function runScript(name) {
  const { ok, output, status } = await runCaptured('npm', ['run', '--silent', name], root);
  process.stdout.write(`> npm run ${name}: ${ok ? 'ok' : `FAILED (${status})`}\n${output}`);
  return { name, ok };
}

Promise.all(names.map(runScript)).then((results) => {
  if (results.some((r) => !r.ok)) process.exit(1);
});
