#!/usr/bin/env node
/**
 * `npm run typecheck`: the four TypeScript projects that the build does not check (the tests, the
 * SDK with the example apps, the Node-RED nodes, the bench), in two lanes at once. Each tsc is
 * one single-threaded process, and on CI's 2 cores the tests' check (the longest) alone takes
 * about as long as the other three together. Output of each project is printed when it ends;
 * the run fails if any project fails.
 */
'use strict';
const { spawn } = require('node:child_process');
const { join } = require('node:path');

const root = join(__dirname, '..');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');

/** Lanes run side by side; the projects of a lane one after another, in order. */
const LANES = [
  [['-p', 'tsconfig.tests.json']],
  // bench last: `tsc -b` may build what it references, which the two before it only read.
  [
    ['-p', 'apps/sdk'],
    ['-p', 'node-red-nodes'],
    ['-b', 'bench'],
  ],
];

function check(args) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [tsc, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.once('error', (e) => resolve({ args, ok: false, output: `${output}${e.message}\n` }));
    child.once('close', (code, signal) =>
      resolve({ args, ok: code === 0, output: code === 0 ? output : `${output}tsc ${args.join(' ')} ended with ${code ?? signal}\n` }),
    );
  });
}

async function lane(projects) {
  const results = [];
  for (const args of projects) {
    const result = await check(args);
    process.stdout.write(`typecheck: tsc ${args.join(' ')}: ${result.ok ? 'ok' : 'FAILED'}\n${result.output}`);
    results.push(result);
  }
  return results;
}

Promise.all(LANES.map(lane)).then((lanes) => {
  if (lanes.flat().some((r) => !r.ok)) process.exit(1);
});
