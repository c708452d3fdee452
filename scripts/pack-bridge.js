#!/usr/bin/env node
// Packs the bridge into one tarball that `npm install -g` turns into a working `megabit` command
// on a machine with no checkout: pack/megabit-bridge-<version>.tgz (`npm run pack` builds first,
// then runs this).
//
// Why a staged copy and not `npm pack -w bridge`: the bridge needs two workspace packages that are
// not published (@megabit/contract, @megabit/fonts), so a plain pack installs with E404. They are
// bundled (bundleDependencies: copied into the tarball's node_modules), which keeps the built code
// exactly as the tests run it and leaves the published dependencies, serialport's native binding
// among them, to npm on the target machine. The example apps (built .wasm) and the firmware images
// and config/ (the example settings, the ACL) live outside bridge/ in the checkout, so they are
// copied in too; the build tools, sources and
// devDependencies are not.
//
// Used by the tests and other scripts: require('./pack-bridge.js').packBridge() returns the path.
const { execFileSync } = require('node:child_process');
const { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { basename, join, resolve } = require('node:path');

const ROOT = resolve(__dirname, '..');
/** Where the tarball goes (git-ignored). */
const PACK_DIR = join(ROOT, 'pack');
const BUNDLED = ['contract', 'fonts'];
const FIRMWARE_BOARDS = ['nano33ble', 'qemu_microbit'];
const FIRMWARE_FILES = ['firmware.hex', 'firmware.bin'];

function readJson(file) {
  return JSON.parse(readFileSync(file, 'utf8'));
}

/** The tarball's path for the bridge version in the checkout (it need not exist yet). */
function bridgeTarball() {
  const { version } = readJson(join(ROOT, 'bridge', 'package.json'));
  return join(PACK_DIR, `megabit-bridge-${version}.tgz`);
}

function requireBuilt(path, what) {
  if (!existsSync(path)) throw new Error(`${path} is missing: ${what}`);
}

/** The example apps' build folders, by app name. */
function exampleBuilds() {
  const examples = join(ROOT, 'apps', 'examples');
  const names = readdirSync(examples).filter((name) => existsSync(join(examples, name, 'package.json')));
  for (const name of names) requireBuilt(join(examples, name, 'build', 'manifest.json'), 'run "npm run build" first');
  return names.map((name) => ({ name, dir: join(examples, name, 'build') }));
}

/** The package.json of the tarball: the bridge's, without what only the checkout needs. */
function packageJson(bridge, bundled) {
  return {
    name: bridge.name,
    version: bridge.version,
    description: bridge.description,
    license: bridge.license,
    engines: bridge.engines,
    main: bridge.main,
    bin: bridge.bin,
    files: ['bin', 'dist', 'icons', 'examples', 'firmware', 'config', 'README.md'],
    dependencies: bridge.dependencies,
    bundleDependencies: bundled,
  };
}

/** A bundled workspace package: its built files and a package.json without build scripts. */
function stageWorkspacePackage(dir, stage) {
  const pkg = readJson(join(ROOT, dir, 'package.json'));
  const target = join(stage, 'node_modules', ...pkg.name.split('/'));
  mkdirSync(target, { recursive: true });
  for (const entry of pkg.files) {
    requireBuilt(join(ROOT, dir, entry), 'run "npm run build" first');
    cpSync(join(ROOT, dir, entry), join(target, entry), { recursive: true, filter: (src) => !src.endsWith('.tsbuildinfo') });
  }
  const { name, version, description, license, main, types, files, dependencies } = pkg;
  writeFileSync(join(target, 'package.json'), `${JSON.stringify({ name, version, description, license, main, types, files, dependencies }, null, 2)}\n`);
  return pkg.name;
}

function stagePackage(stage) {
  mkdirSync(stage);
  const bridgeDir = join(ROOT, 'bridge');
  const bridge = readJson(join(bridgeDir, 'package.json'));
  requireBuilt(join(bridgeDir, 'dist', 'cli.js'), 'run "npm run build" first');
  requireBuilt(join(bridgeDir, 'dist', 'simulator', 'index.html'), 'run "npm run build" first');
  for (const entry of ['bin', 'dist', 'icons']) {
    cpSync(join(bridgeDir, entry), join(stage, entry), { recursive: true, filter: (src) => !src.endsWith('.tsbuildinfo') });
  }
  // The documented settings, the ACL and the Home Assistant examples, as the docs name them (config/...).
  cpSync(join(ROOT, 'config'), join(stage, 'config'), { recursive: true });
  for (const { name, dir } of exampleBuilds()) cpSync(dir, join(stage, 'examples', name), { recursive: true });
  for (const board of FIRMWARE_BOARDS) {
    for (const file of FIRMWARE_FILES) {
      const image = join(ROOT, 'firmware', 'build', board, file);
      requireBuilt(image, 'run "make -C firmware" first');
      cpSync(image, join(stage, 'firmware', board, file));
    }
  }
  const bundled = BUNDLED.map((dir) => stageWorkspacePackage(dir, stage));
  const missing = bundled.filter((name) => !bridge.dependencies[name]);
  if (missing.length > 0) throw new Error(`bridge/package.json does not depend on ${missing.join(', ')}`);
  writeFileSync(join(stage, 'package.json'), `${JSON.stringify(packageJson(bridge, bundled), null, 2)}\n`);
  writeFileSync(
    join(stage, 'README.md'),
    '# megabit-bridge\n\nThe Megabit bridge: the `megabit` command, with the simulator page, the example apps (`examples/`), the coprocessor firmware images (`firmware/<board>/`) and the example settings (`config/megabit.example.yaml`).\nInstalling and running it: docs/install.md in the Megabit repository.\n',
  );
}

/**
 * Stages the package and packs it; returns the tarball's path. The build must have run (`npm run
 * build`, and `make -C firmware` for the images; `npm run pack` does both). The tarball is packed
 * aside and renamed into place, so runs at the same time (two test runs) never see half a file.
 */
function packBridge({ log = () => {} } = {}) {
  const stage = mkdtempSync(join(tmpdir(), 'megabit-pack-'));
  try {
    stagePackage(join(stage, 'package'));
    const out = execFileSync('npm', ['pack', '--json', '--pack-destination', stage], {
      cwd: join(stage, 'package'),
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const [packed] = JSON.parse(out);
    const tarball = bridgeTarball();
    if (packed.filename !== basename(tarball)) throw new Error(`npm pack wrote ${packed.filename}, expected ${basename(tarball)}`);
    mkdirSync(PACK_DIR, { recursive: true });
    renameSync(join(stage, packed.filename), tarball);
    log(`${tarball}: ${packed.entryCount} files, ${Math.round(packed.size / 1024)} KiB`);
    return tarball;
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

module.exports = { PACK_DIR, bridgeTarball, packBridge, packageJson };

if (require.main === module) {
  try {
    packBridge({ log: (line) => process.stderr.write(`${line}\n`) });
    process.stdout.write(`${bridgeTarball()}\n`);
  } catch (e) {
    process.stderr.write(`pack-bridge: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  }
}
