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
const { createHash } = require('node:crypto');
const { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { basename, join, resolve } = require('node:path');

const ROOT = resolve(__dirname, '..');
/**
 * Where the tarball goes (git-ignored). MEGABIT_PACK_DIR moves it: the pack-once test packs into a
 * folder of its own, since the ARM and packed-bridge tests pack into pack/ at the same time.
 */
const PACK_DIR = process.env.MEGABIT_PACK_DIR ? resolve(process.env.MEGABIT_PACK_DIR) : join(ROOT, 'pack');
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

/** sha256 over every file under `dir`: relative paths, modes and bytes, in a fixed order. */
function treeHash(dir) {
  const hash = createHash('sha256');
  const walk = (rel) => {
    for (const entry of readdirSync(join(dir, rel), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = join(rel, entry.name);
      if (entry.isDirectory()) {
        hash.update(`dir ${path}\0`);
        walk(path);
      } else {
        const full = join(dir, path);
        hash.update(`file ${path} ${statSync(full).mode & 0o777}\0`);
        hash.update(readFileSync(full));
      }
    }
  };
  walk('');
  return hash.digest('hex');
}

const sleepBuffer = new Int32Array(new SharedArrayBuffer(4));
function sleepMs(ms) {
  Atomics.wait(sleepBuffer, 0, 0, ms);
}

function processAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}

/**
 * Runs `work` holding pack/.packing (a file holding the holder's pid, created exclusively): the
 * two ARM test files and the packed-bridge test ask for the tarball at the same moment, and one
 * pack is enough for all of them. A lock whose holder has died (killed test run) is taken over.
 */
function withPackLock(work) {
  const lock = join(PACK_DIR, '.packing');
  mkdirSync(PACK_DIR, { recursive: true });
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    try {
      writeFileSync(lock, String(process.pid), { flag: 'wx' });
      break;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
    }
    let holder = Number.NaN;
    let age = 0;
    try {
      holder = Number(readFileSync(lock, 'utf8'));
      age = Date.now() - statSync(lock).mtimeMs;
    } catch {
      continue; // Released meanwhile: try again.
    }
    // Empty for more than a moment: its holder died between creating and writing it.
    if ((Number.isInteger(holder) && holder > 0 && !processAlive(holder)) || (!holder && age > 5000)) {
      rmSync(lock, { force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`${lock} is held by process ${holder} for over 10 minutes`);
    sleepMs(100);
  }
  try {
    return work();
  } finally {
    rmSync(lock, { force: true });
  }
}

/**
 * Stages the package and packs it; returns the tarball's path. The build must have run (`npm run
 * build`, and `make -C firmware` for the images; `npm run pack` does both). The tarball is packed
 * aside and renamed into place, so runs at the same time (two test runs) never see half a file.
 * It is keyed by content: beside it, <tarball>.staged holds the hash of the staged files it was
 * packed from, and a staged copy with the same hash reuses it instead of running `npm pack` again.
 */
function packBridge({ log = () => {} } = {}) {
  const stage = mkdtempSync(join(tmpdir(), 'megabit-pack-'));
  try {
    stagePackage(join(stage, 'package'));
    const staged = treeHash(join(stage, 'package'));
    const tarball = bridgeTarball();
    const keyFile = `${tarball}.staged`;
    return withPackLock(() => {
      if (existsSync(tarball) && existsSync(keyFile) && readFileSync(keyFile, 'utf8') === staged) {
        log(`${tarball}: packed from the same files already`);
        return tarball;
      }
      const out = execFileSync('npm', ['pack', '--json', '--pack-destination', stage], {
        cwd: join(stage, 'package'),
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const [packed] = JSON.parse(out);
      if (packed.filename !== basename(tarball)) throw new Error(`npm pack wrote ${packed.filename}, expected ${basename(tarball)}`);
      // The key goes first and comes back last: a pack killed in between leaves no key, so the
      // next run packs again rather than trusting a tarball of other files.
      rmSync(keyFile, { force: true });
      renameSync(join(stage, packed.filename), tarball);
      writeFileSync(`${keyFile}.partial`, staged);
      renameSync(`${keyFile}.partial`, keyFile);
      log(`${tarball}: ${packed.entryCount} files, ${Math.round(packed.size / 1024)} KiB`);
      return tarball;
    });
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
