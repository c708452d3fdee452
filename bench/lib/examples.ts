'use strict';
/** The built example apps, loaded for the in-process sandbox the way the bridge loads them. */
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { ConfigSchemas } = require('../../bridge/dist/apps/app-config');
const { startApp } = require('../../bridge/dist/sandbox');
const { EXAMPLES } = require('./bridge');

/** The production limits (bridge/src/config/schema.ts defaults), with room for a loaded machine. */
const LIMITS = { runTimeoutMs: 1000, setupTimeoutMs: 10_000, memoryBytes: 16 * 1024 * 1024, logLinesPerSecond: 20 };

function loadExample(id) {
  const dir = join(EXAMPLES, id, 'build');
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  const resolved = new ConfigSchemas().resolve(id, manifest, {});
  if ('error' in resolved) throw new Error(`${id}: ${resolved.error}`);
  return { manifest, wasm: new Uint8Array(readFileSync(join(dir, manifest.bin))), config: resolved.config };
}

/** Starts the example in the real sandbox (its own worker thread); KV goes to `kvDir`. */
function startExample(id, kvDir) {
  const { manifest, wasm, config } = loadExample(id);
  return startApp({
    manifest,
    wasm,
    config,
    kvFile: join(kvDir, `${id}.kv.json`),
    kvQuotaBytes: manifest.permissions?.kv_bytes ?? 16384,
    limits: LIMITS,
    timeZone: 'UTC',
    onLog: () => undefined,
  }).then((app) => ({ app, manifest }));
}

module.exports = { startExample };
