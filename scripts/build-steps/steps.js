/**
 * The build, as a list of steps: what each one runs, the files it reads (inputs) and the files
 * it must leave behind (outputs). `npm run build` runs them all; `npm start` runs only those
 * whose inputs changed since they last succeeded (./up-to-date.js). Inputs are listed generously
 * on purpose: a step that rebuilds once too often costs seconds, one that is skipped when it
 * should not be runs stale code.
 *
 * A workspace's build command is its own package.json "build" script (one place for it); this
 * file says only what that command reads and writes. A workspace with a build script and no
 * entry here stops the build, so a new one cannot be silently skipped.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');

/** Read by every step: a dependency installed or upgraded (a compiler, a font package) changes it. */
const LOCKFILE = 'package-lock.json';
const CONTRACT = ['contract/package.json', 'contract/src'];
/** What an app's build reads besides the app itself: the SDK and its generated font data, the contract (it checks the manifest; its build comes first). */
const APP_TOOLCHAIN = ['apps/sdk/assembly', 'apps/sdk/bin', 'apps/sdk/index.ts', 'apps/sdk/package.json', ...CONTRACT];

/** The TypeScript projects, one `tsc -b` for all (it orders them by their references). */
const TYPESCRIPT = {
  name: 'typescript',
  cwd: '.',
  command: 'tsc -b contract fonts bridge bench && chmod +x bridge/dist/cli.js && node bridge/scripts/bundle-cli.js',
  inputs: [
    'tsconfig.base.json',
    'contract/tsconfig.json',
    ...CONTRACT,
    'fonts/package.json',
    'fonts/tsconfig.json',
    'fonts/src',
    'bridge/package.json',
    'bridge/tsconfig.json',
    'bridge/src',
    'bridge/scripts/bundle-cli.js',
    'bench',
  ],
  // bench/ holds its sources at the top; its output and the bench's results are not sources.
  ignore: ['bench/dist', 'bench/results.json'],
  outputs: ['contract/dist/index.js', 'fonts/dist/index.js', 'bridge/dist/cli.js', 'bridge/dist/cli.bundle.js', 'bridge/dist/index.js', 'bench/dist/run.js'],
};

/** The settings schema's validator as code, from the compiled schema (the bridge compiles it at start without this). */
const SETTINGS_VALIDATOR = {
  name: 'settings validator',
  cwd: '.',
  command: 'node bridge/scripts/build-settings-validator.js',
  inputs: ['bridge/scripts/build-settings-validator.js', 'bridge/src/config', ...CONTRACT],
  outputs: ['bridge/dist/config/settings-validator.code.js'],
};

/**
 * The example apps' config validators as code, from their manifests' schemas (the bridge compiles
 * them itself at start without this). Reads the options and engine from the bridge's apps code.
 */
function configValidatorsStep(root) {
  return {
    name: 'config validators',
    cwd: '.',
    command: 'node bridge/scripts/build-config-validators.js',
    inputs: [
      'bridge/scripts/build-config-validators.js',
      'bridge/src/apps',
      // It checks each manifest as the bridge does.
      ...CONTRACT,
      ...workspaceDirs(root)
        .filter((dir) => dir.startsWith('apps/examples/'))
        .map((dir) => `${dir}/manifest.json`),
    ],
    outputs: ['bridge/dist/apps/config-validators.code.js'],
  };
}

/** Inputs and outputs of each workspace's "build" script, by workspace folder. */
const WORKSPACE_FILES = {
  fonts: { inputs: ['fonts/package.json', 'fonts/scripts'], outputs: ['fonts/data/small.json', 'fonts/data/regular.json'] },
  bridge: {
    inputs: ['bridge/package.json', 'bridge/scripts', 'bridge/simulator', 'tsconfig.base.json', ...CONTRACT],
    outputs: ['bridge/dist/simulator/app.js', 'bridge/dist/simulator/index.html', 'bridge/dist/simulator/style.css'],
  },
  'apps/sdk': {
    inputs: ['apps/sdk/package.json', 'apps/sdk/bin/gen-unicode-fonts.js', 'fonts/data'],
    outputs: ['apps/sdk/assembly/unicode-font-data.ts'],
  },
  'node-red-nodes': {
    inputs: ['node-red-nodes/package.json', 'node-red-nodes/src', 'node-red-nodes/editor', 'node-red-nodes/scripts', ...CONTRACT],
    outputs: ['node-red-nodes/dist'],
  },
};

/** An example app: its folder (sources, manifest, images) and the SDK; its build/ is the output. */
function appFiles(root, dir) {
  let id = path.basename(dir);
  try {
    id = JSON.parse(fs.readFileSync(path.join(root, dir, 'manifest.json'), 'utf8')).id;
  } catch {
    // No readable manifest: the app's build says what is wrong with it; build/ cannot be complete.
  }
  return {
    inputs: [dir, ...APP_TOOLCHAIN],
    ignore: [`${dir}/build`],
    outputs: [`${dir}/build/manifest.json`, `${dir}/build/${id}.wasm`],
    // Written by the app's own build from its images (the sensor's icons): an output, not an input.
    generated: dir === 'apps/examples/sensor' ? [`${dir}/assembly/icons.ts`] : [],
  };
}

/** The workspace folders in the order npm runs them (`npm run build --workspaces`): as listed, globs sorted. */
function workspaceDirs(root) {
  const { workspaces = [] } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const dirs = [];
  for (const entry of workspaces) {
    if (!entry.endsWith('/*')) {
      dirs.push(entry);
      continue;
    }
    const parent = entry.slice(0, -2);
    const names = fs.existsSync(path.join(root, parent)) ? fs.readdirSync(path.join(root, parent)).sort() : [];
    for (const name of names) if (fs.existsSync(path.join(root, parent, name, 'package.json'))) dirs.push(`${parent}/${name}`);
  }
  return dirs;
}

/**
 * Every build step of the checkout at `root`, in the order they run: the TypeScript projects,
 * then each workspace's build script (fonts before the SDK that packs them, the SDK before the
 * apps that link it).
 */
function buildSteps(root) {
  const steps = [TYPESCRIPT, SETTINGS_VALIDATOR, configValidatorsStep(root)];
  for (const dir of workspaceDirs(root)) {
    const { scripts = {} } = JSON.parse(fs.readFileSync(path.join(root, dir, 'package.json'), 'utf8'));
    if (!scripts.build) continue;
    const files = WORKSPACE_FILES[dir] ?? (dir.startsWith('apps/examples/') ? appFiles(root, dir) : undefined);
    if (!files) throw new Error(`${dir} has a build script, but scripts/build-steps/steps.js does not say what it reads and writes: add it there`);
    steps.push({ name: dir, cwd: dir, command: scripts.build, ignore: [], generated: [], ...files });
  }
  return steps.map((step) => ({ ignore: [], generated: [], ...step, inputs: [...step.inputs, LOCKFILE] }));
}

module.exports = { buildSteps, workspaceDirs };
