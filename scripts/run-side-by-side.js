#!/usr/bin/env node
/**
 * `node scripts/run-side-by-side.js A B ...`: runs the npm scripts A, B, ... at the same time and
 * fails if any fails. `npm test` uses it for the type check and the firmware tests, which need
 * nothing of each other: the type check's second lane (scripts/typecheck.js) leaves a core idle
 * for about as long as the firmware build and fuzz run take. Each script's output is printed
 * whole when it ends, so the two never interleave.
 */
'use strict';
const { spawn } = require('node:child_process');
const { join } = require('node:path');

const root = join(__dirname, '..');
const names = process.argv.slice(2);
if (names.length === 0) {
  process.stderr.write('usage: node scripts/run-side-by-side.js SCRIPT...\n');
  process.exit(2);
}

function runScript(name) {
  return new Promise((resolve) => {
    const child = spawn('npm', ['run', '--silent', name], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.once('error', (e) => resolve({ name, ok: false, output: `${output}${e.message}\n` }));
    child.once('close', (code, signal) => {
      const ok = code === 0;
      process.stdout.write(`> npm run ${name}: ${ok ? 'ok' : `FAILED (${code ?? signal})`}\n${output}`);
      resolve({ name, ok });
    });
  });
}

Promise.all(names.map(runScript)).then((results) => {
  if (results.some((r) => !r.ok)) process.exit(1);
});
