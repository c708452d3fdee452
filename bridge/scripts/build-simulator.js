#!/usr/bin/env node
/**
 * Builds the simulator page into dist/simulator: type-checks the page sources, bundles them with
 * everything they import from npm (mqtt.js browser build, gifenc, the contract) into one app.js,
 * and copies index.html and style.css. The page then works offline, with no CDN.
 */
'use strict';
const { execFileSync } = require('node:child_process');
const { mkdirSync, readFileSync, renameSync, writeFileSync } = require('node:fs');
const { basename, join } = require('node:path');
const esbuild = require('esbuild');

const bridgeDir = join(__dirname, '..');
const sourceDir = join(bridgeDir, 'simulator');
const outDir = join(bridgeDir, 'dist', 'simulator');
const contractSource = join(bridgeDir, '..', 'contract', 'src', 'index.ts');

/**
 * Bundles the page; returns the output folder. Each file is replaced atomically, so a bridge that
 * is serving the folder meanwhile never sends half a file.
 */
async function bundleSimulator(target = outDir) {
  mkdirSync(target, { recursive: true });
  const result = await esbuild.build({
    entryPoints: [join(sourceDir, 'main.ts')],
    outfile: join(target, 'app.js'),
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: ['es2020'],
    minify: true,
    sourcemap: true,
    write: false,
    // The page uses the contract's sources, so it never depends on a stale contract build.
    alias: { '@megabit/contract': contractSource },
    logLevel: 'warning',
  });
  const files = result.outputFiles.map((f) => ({ name: basename(f.path), contents: f.contents }));
  for (const name of ['index.html', 'style.css']) files.push({ name, contents: readFileSync(join(sourceDir, name)) });
  for (const { name, contents } of files) {
    const temporary = join(target, `.${name}.${process.pid}.tmp`);
    writeFileSync(temporary, contents);
    renameSync(temporary, join(target, name));
  }
  return target;
}

function typeCheckSimulator() {
  const tsc = require.resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', join(sourceDir, 'tsconfig.json')], { stdio: 'inherit' });
}

module.exports = { bundleSimulator, outDir };

if (require.main === module) {
  try {
    typeCheckSimulator();
  } catch {
    console.error('simulator: type errors (see above)');
    process.exit(1);
  }
  bundleSimulator().then(
    (dir) => console.log(`simulator built into ${dir}`),
    (err) => {
      console.error(`simulator: ${err.message}`);
      process.exit(1);
    },
  );
}
