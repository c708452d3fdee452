#!/usr/bin/env node
/**
 * `npm run typecheck`: the four TypeScript projects that the build does not check (the tests, the
 * SDK with the example apps, the Node-RED nodes, the bench), in two lanes at once. Each tsc is
 * one single-threaded process, and on CI's 2 cores the tests' check (the longest) alone takes
 * about as long as the other three together. Output of each project is printed when it ends;
 * the run fails if any project fails.
 */
'use strict';
const { join } = require('node:path');
const { runCaptured } = require('./run-captured');

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

async function check(args) {
  const { ok, output, status } = await runCaptured(process.execPath, [tsc, ...args], root);
  return { args, ok, output: ok || status === null ? output : `${output}tsc ${args.join(' ')} ended with ${status}\n` };
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
