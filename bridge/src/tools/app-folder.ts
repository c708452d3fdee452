/** Finds the built app in an app's source folder: `build/manifest.json` and the Wasm it names. */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { validateManifest, type AppManifest } from '@megabit/contract';

export interface BuiltApp {
  manifest: AppManifest;
  wasm: Buffer;
  buildDir: string;
}

export function readBuiltApp(dir: string): BuiltApp {
  const root = resolve(dir);
  const buildDir = existsSync(join(root, 'build', 'manifest.json')) ? join(root, 'build') : root;
  const manifestFile = join(buildDir, 'manifest.json');
  if (!existsSync(manifestFile)) throw new Error(`no built app in ${root}: run "npm run build" there first (expected ${join(root, 'build', 'manifest.json')})`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(manifestFile, 'utf8'));
  } catch (e) {
    throw new Error(`${manifestFile} is not valid JSON: ${(e as Error).message}`);
  }
  const manifest = validateManifest(raw);
  if (!manifest.ok) throw new Error(`${manifestFile}: ${manifest.error.message}`);
  const wasmFile = join(buildDir, manifest.value.bin);
  if (!existsSync(wasmFile)) throw new Error(`${wasmFile} is missing: run "npm run build" in ${root}`);
  return { manifest: manifest.value, wasm: readFileSync(wasmFile), buildDir };
}
