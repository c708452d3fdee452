/**
 * The bridge as a user gets it: packed by scripts/pack-bridge.js, installed with
 * `npm install -g --prefix DIR` into an empty prefix, with an empty HOME, the parent's npm_* and
 * MEGABIT_* settings removed and npm's download cache in the git-ignored .cache/npm (reused
 * between runs, so only the first one downloads the dependencies).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './bridge-process';

const { packBridge } = require('../../../scripts/pack-bridge.js') as { packBridge(): string };
const { installNode, NPM_CACHE_DIR } = require('../../../scripts/node-release.js') as {
  installNode(major: number): { version: string; binary: string };
  NPM_CACHE_DIR: string;
};

export { installNode };

export interface InstalledBridge {
  tarball: string;
  prefix: string;
  /** Where npm put the package: PREFIX/lib/node_modules/megabit-bridge. */
  packageDir: string;
  /** The `megabit` command npm linked: PREFIX/bin/megabit. */
  command: string;
}

/** The parent's environment without npm's and the bridge's settings, with HOME at `home`. */
export function userEnvironment(home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(npm_|MEGABIT_)/i.test(key)) env[key] = value;
  }
  return { ...env, HOME: home, ...extra };
}

/**
 * Packs the checkout's bridge and installs the tarball globally into `root`/prefix. `npmArgs` go
 * to `npm install` as well (another CPU's packages, say: `--cpu=arm64 --force`).
 */
export function installPackedBridge(root: string, npmArgs: string[] = []): InstalledBridge {
  const tarball = packBridge();
  const prefix = join(root, 'prefix');
  const home = join(root, 'npm-home');
  mkdirSync(home, { recursive: true });
  const options = ['--prefix', prefix, '--cache', NPM_CACHE_DIR, '--prefer-offline', '--no-audit', '--no-fund', '--no-update-notifier'];
  execFileSync('npm', ['install', '--global', ...options, ...npmArgs, tarball], { cwd: root, env: userEnvironment(home), stdio: ['ignore', 'pipe', 'pipe'] });
  return { tarball, prefix, packageDir: join(prefix, 'lib', 'node_modules', 'megabit-bridge'), command: join(prefix, 'bin', 'megabit') };
}

/** The names of the devDependencies of the bridge and of the repository root. */
export function devDependencyNames(): string[] {
  const names = new Set<string>();
  for (const file of [join(REPO_ROOT, 'package.json'), join(REPO_ROOT, 'bridge', 'package.json')]) {
    const pkg = require(file) as { devDependencies?: Record<string, string> };
    for (const name of Object.keys(pkg.devDependencies ?? {})) names.add(name);
  }
  return [...names];
}
