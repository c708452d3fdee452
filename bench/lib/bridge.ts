'use strict';
/** The real bridge process (`node bridge/dist/cli.js`), on free loopback ports with a temporary data dir. */
const { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join, resolve } = require('node:path');
const { freePort, start, stop, waitForOutput } = require('./processes');

const ROOT = resolve(__dirname, '..', '..');
const CLI = join(ROOT, 'bridge', 'dist', 'cli.js');
const EXAMPLES = join(ROOT, 'apps', 'examples');

/** Ids of the example apps that are built. */
function builtExamples() {
  return readdirSync(EXAMPLES).filter((id) => existsSync(join(EXAMPLES, id, 'build', 'manifest.json'))).sort();
}

/**
 * Writes a config and a data dir holding `apps`, spawns the bridge and, unless `waitReady` is
 * false, waits for its "simulator:" line (it is then connected and running).
 */
async function startBridge({ mqttUrl, deviceId = 'megabit', apps = [], settings = {}, waitReady = true }) {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" first`);
  const dataDir = mkdtempSync(join(tmpdir(), 'megabit-bench-'));
  mkdirSync(join(dataDir, 'apps'));
  for (const id of apps) cpSync(join(EXAMPLES, id, 'build'), join(dataDir, 'apps', id), { recursive: true });
  const config = join(dataDir, 'megabit.yaml');
  writeFileSync(config, JSON.stringify({
    device_id: deviceId,
    data_dir: dataDir,
    // info: the "simulator:" line tells when the bridge is up.
    log_level: 'info',
    mqtt: { url: mqttUrl },
    http: { host: '127.0.0.1', port: await freePort() },
    ...settings,
  }));
  const startedAt = performance.now();
  const proc = start(process.execPath, [CLI, '--config', config], { env: { ...process.env, HOME: dataDir } });
  const bridge = {
    pid: proc.child.pid,
    startedAt,
    output: proc.output,
    ready: () => waitForOutput(proc, 'simulator:', 30_000),
    async dispose() {
      await stop(proc.child);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  if (waitReady) await bridge.ready();
  return bridge;
}

module.exports = { startBridge, builtExamples, EXAMPLES };
