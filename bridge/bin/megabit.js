#!/usr/bin/env node
// The `megabit` command as npm links it. This file is committed, not built: npm makes the bin
// link during `npm ci` before the build has written dist/, and a link to a file that is not there
// yet leaves `npx megabit` with nothing to run. It only loads the built CLI, or says what to run.
const { existsSync } = require('node:fs');
const { join, resolve } = require('node:path');

const cli = join(__dirname, '..', 'dist', 'cli.js');
if (!existsSync(cli)) {
  const checkout = resolve(__dirname, '..', '..');
  process.stderr.write(`megabit: the bridge is not built yet (${cli} is missing): run "npm ci" in ${checkout} (or "npm run build" after a change)\n`);
  process.exit(1);
}
require(cli);
