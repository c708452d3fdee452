#!/usr/bin/env node
/**
 * Builds a Megabit app folder into an installable folder:
 *   <app>/build/<id>.wasm      the module (asc -O3, incremental GC, the SDK's abort handler)
 *   <app>/build/manifest.json  a copy of <app>/manifest.json, whose "bin" names the module
 * so `build/` can be copied as is to ~/.megabit/apps/<id>/.
 *
 * Usage: node build-app.js [app-folder] [--force]   (default: the current folder)
 * Without --force an up-to-date build/ is left as it is.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const SDK_DIR = path.join(__dirname, '..');
/**
 * A package folder that does not exist: asc looks for `@megabit/sdk` there after the app's own
 * node_modules, and the readFile hook serves it from SDK_DIR, so an app folder anywhere (not
 * only inside this repository) builds against the SDK beside this script.
 */
const SDK_PACKAGES = path.join(SDK_DIR, '.packages');
const SDK_PREFIX = path.join(SDK_PACKAGES, '@megabit', 'sdk') + path.sep;
/** Never on disk: asc reads it through the readFile hook below. */
const ENTRY = 'assembly/__megabit_entry__.ts';
const ENTRY_SOURCE = [
  '// The exports every app has (ABI v1), then the app itself.',
  'export { setup, run } from "@megabit/sdk/assembly/exports";',
  'import "./index";',
  '',
].join('\n');

class BuildError extends Error {}

function readManifest(appDir) {
  const file = path.join(appDir, 'manifest.json');
  let manifest;
  try {
    manifest = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new BuildError(`${file}: ${e.code === 'ENOENT' ? 'missing' : e.message}`);
  }
  // The contract package is compiled by the root build (`tsc -b contract`) before the apps.
  const { validateManifest } = require('@megabit/contract');
  const checked = validateManifest(manifest);
  if (!checked.ok) throw new BuildError(`${file}: ${checked.error.message}`);
  if (manifest.bin !== `${manifest.id}.wasm`) throw new BuildError(`${file}: "bin" must be "${manifest.id}.wasm"`);
  return manifest;
}

function newestMtime(target) {
  let stat;
  try {
    stat = fs.statSync(target);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  return fs.readdirSync(target).reduce((newest, name) => Math.max(newest, newestMtime(path.join(target, name))), stat.mtimeMs);
}

/** Whether build/ is missing or older than the app's or the SDK's sources. */
function isStale(appDir) {
  let id;
  try {
    id = JSON.parse(fs.readFileSync(path.join(appDir, 'manifest.json'), 'utf8')).id;
  } catch {
    return true; // buildApp reports what is wrong with the manifest
  }
  const outputs = [path.join(appDir, 'build', `${id}.wasm`), path.join(appDir, 'build', 'manifest.json')];
  const built = Math.min(...outputs.map((f) => (fs.existsSync(f) ? fs.statSync(f).mtimeMs : 0)));
  const sources = [
    path.join(appDir, 'assembly'),
    path.join(appDir, 'manifest.json'),
    path.join(SDK_DIR, 'assembly'),
    path.join(SDK_DIR, 'index.ts'),
    __filename,
  ];
  return built === 0 || sources.some((s) => newestMtime(s) > built);
}

function writeAtomic(file, data) {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}

async function buildApp(appDir) {
  appDir = path.resolve(appDir);
  const manifest = readManifest(appDir);
  if (!fs.existsSync(path.join(appDir, 'assembly', 'index.ts'))) throw new BuildError(`${appDir}: assembly/index.ts is missing`);
  const { default: asc } = await import('assemblyscript/asc');
  const outDir = path.join(appDir, 'build');
  fs.mkdirSync(outDir, { recursive: true });
  let wasm = null;
  const log = [];
  const stream = {
    write: (chunk) => {
      log.push(String(chunk));
      return true;
    },
  };
  const result = await asc.main(
    [
      ENTRY,
      '--baseDir',
      appDir,
      '--outFile',
      `build/${manifest.bin}`,
      '-O3',
      '--runtime',
      'incremental',
      '--use',
      'abort=~lib/@megabit/sdk/assembly/abort/megabitAbort',
      '--path',
      SDK_PACKAGES,
    ],
    {
      stdout: stream,
      stderr: stream,
      readFile: (name, baseDir) => {
        if (name === ENTRY) return ENTRY_SOURCE;
        let file = path.resolve(baseDir, name);
        if (file.startsWith(SDK_PREFIX)) file = path.join(SDK_DIR, file.slice(SDK_PREFIX.length));
        try {
          return fs.readFileSync(file, 'utf8');
        } catch {
          return null;
        }
      },
      writeFile: (name, contents) => {
        if (name.endsWith('.wasm')) wasm = contents;
      },
    },
  );
  if (result.error || !wasm) throw new BuildError(`${manifest.id}: compile failed\n${log.join('')}`);
  writeAtomic(path.join(outDir, manifest.bin), wasm);
  writeAtomic(path.join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return { id: manifest.id, wasmFile: path.join(outDir, manifest.bin), bytes: wasm.length };
}

module.exports = { buildApp, isStale, BuildError };

if (require.main === module) {
  const args = process.argv.slice(2);
  const appDir = path.resolve(args.find((a) => !a.startsWith('--')) ?? process.cwd());
  if (!args.includes('--force') && !isStale(appDir)) {
    console.log(`${path.basename(appDir)}: build/ is up to date`);
  } else {
    buildApp(appDir).then(
      (r) => console.log(`built ${r.id}: ${path.relative(process.cwd(), r.wasmFile)} (${r.bytes} bytes)`),
      (e) => {
        console.error(e instanceof BuildError ? e.message : e);
        process.exitCode = 1;
      },
    );
  }
}
