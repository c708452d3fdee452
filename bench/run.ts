'use strict';
/**
 * `npm run bench`: measures the bridge (docs/performance.md says what each figure means), prints
 * a table and writes bench/results.json. Needs a build (npm run bench builds first) and Debian's
 * mosquitto. Every figure is a median (p99 too for latencies) next to a baseline from this run.
 */
const { writeFileSync } = require('node:fs');
const { cpus } = require('node:os');
const { join } = require('node:path');
const { measureFootprint } = require('./footprint');
const { measureLatency } = require('./latency');
const { builtExamples } = require('./lib/bridge');
const { startMosquitto } = require('./lib/mosquitto');
const { measurePipeline } = require('./pipeline');
const { measureSerialBytes } = require('./serial-bytes');
const { measureSerialLink } = require('./serial-link');
const { measureStartup } = require('./startup');
const { printTables } = require('./table');

const RESULTS = join(__dirname, 'results.json');

function step(name) {
  process.stderr.write(`bench: ${name}...\n`);
}

async function main() {
  const apps = builtExamples();
  if (apps.length === 0) throw new Error('no example app is built (apps/examples/*/build): run "npm run build"');
  const startedAt = new Date();
  const broker = await startMosquitto();
  const results = {
    when: startedAt.toISOString(),
    machine: { cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', node: process.version },
  };
  try {
    step('command-to-pixel latency');
    results.latency = await measureLatency(broker);
    step('frame pipeline capacity');
    results.pipeline = await measurePipeline(apps);
    step('serial bytes per frame (10 s of every app)');
    const recorded = new Map();
    results.serial = await measureSerialBytes(apps, { recorded });
    step('serial link (firmware in qemu): frames/s and command-to-device latency');
    results.serial.link = await measureSerialLink(broker.url, { scrollFrames: recorded.get('scroll'), latency: results.latency });
    step('footprint');
    results.footprint = await measureFootprint(broker);
    step('start-up');
    results.startup = await measureStartup(broker);
  } finally {
    await broker.dispose();
  }
  results.duration_s = (Date.now() - startedAt.getTime()) / 1000;
  writeFileSync(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
  printTables(results);
  process.stdout.write(`\nwrote ${RESULTS} (${results.duration_s.toFixed(0)} s)\n`);
}

main().catch((e) => {
  process.stderr.write(`bench failed: ${e.stack ?? e}\n`);
  process.exit(1);
});
