#!/usr/bin/env node
// Run by `npm start` before the build: on a fresh checkout (no `npm ci` yet) the build would fail
// with "tsc: not found", which says nothing about what to do. This says it.
const { existsSync } = require('node:fs');
const { join, resolve } = require('node:path');

const root = resolve(__dirname, '..');
// TypeScript builds everything; the bridge cannot run without its own dependencies either.
const needed = ['typescript', 'mqtt', 'aedes'].filter((name) => !existsSync(join(root, 'node_modules', name, 'package.json')));
if (needed.length > 0) {
  process.stderr.write(
    `megabit: the dependencies are not installed (missing ${needed.join(', ')} in ${join(root, 'node_modules')}).\n` +
      `Run "npm ci" in ${root} first (it installs and builds everything), then "npm start".\n`,
  );
  process.exit(1);
}
