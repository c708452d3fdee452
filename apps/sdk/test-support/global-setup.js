/**
 * Optional jest globalSetup: builds every example app (and the SDK's probe app) whose build/ is
 * missing or stale, once, before any test. Tests also build what they need on their own; this
 * only moves the compile time out of the first test of each app.
 */
'use strict';
const { execFileSync } = require('node:child_process');
const { existsSync, readdirSync } = require('node:fs');
const { join } = require('node:path');

const SDK = join(__dirname, '..');
const BUILD_SCRIPT = join(SDK, 'bin', 'build-app.js');

module.exports = async function buildApps() {
  const { isStale } = require(BUILD_SCRIPT);
  const examples = join(SDK, '..', 'examples');
  const apps = [join(SDK, 'test', 'probe'), ...readdirSync(examples).map((name) => join(examples, name))].filter((dir) =>
    existsSync(join(dir, 'manifest.json')),
  );
  for (const dir of apps) {
    if (isStale(dir)) execFileSync(process.execPath, [BUILD_SCRIPT, dir], { stdio: 'inherit', timeout: 120_000 });
  }
};
