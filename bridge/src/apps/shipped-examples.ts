/**
 * Where the built example apps that ship with the bridge are. The installed package (the tarball
 * of scripts/pack-bridge.js) carries them as `examples/<name>/`; a source checkout has them beside
 * the bridge as `apps/examples/<name>/build/`. `packageRoot` is the folder of the bridge's
 * package.json in both cases.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

const BRIDGE_PACKAGE_ROOT = resolve(__dirname, '..', '..');

/** The app folders (each with its manifest.json) to install on a first start, packaged ones first. */
export function shippedExampleAppDirs(packageRoot: string = BRIDGE_PACKAGE_ROOT): string[] {
  const packaged = appDirs(join(packageRoot, 'examples'), (name) => name);
  if (packaged.length > 0) return packaged;
  return appDirs(join(packageRoot, '..', 'apps', 'examples'), (name) => join(name, 'build'));
}

function appDirs(parent: string, appDir: (name: string) => string): string[] {
  if (!existsSync(parent)) return [];
  return readdirSync(parent)
    .sort()
    .map((name) => join(parent, appDir(name)))
    .filter((dir) => existsSync(join(dir, 'manifest.json')));
}
