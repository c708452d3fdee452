/**
 * First run: fills `apps/` with the example apps. The whole folder is built aside and renamed
 * into place in one step, so a crash never leaves a first run half done (and thus never done).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { validateManifest } from '@megabit/contract';
import { PRIVATE_DIR_MODE, makePrivateDir, syncDir, writeFileAtomic } from '../util/atomic-file';
import { errorMessage } from '../util/logger';
import { MANIFEST_FILE, MAX_MANIFEST_BYTES, hasWasmHeader } from './app-folder';

const STAGING_PREFIX = '.apps-staging-';

export interface DefaultsResult {
  installed: string[];
  /** One line per source folder that could not be installed. */
  problems: string[];
}

function readSourceApp(sourceDir: string): { id: string; files: Array<[string, Uint8Array]> } {
  const manifestPath = join(sourceDir, MANIFEST_FILE);
  const manifestBytes = readFileSync(manifestPath);
  if (manifestBytes.length > MAX_MANIFEST_BYTES) throw new Error(`${manifestPath} is larger than ${MAX_MANIFEST_BYTES} bytes`);
  let raw: unknown;
  try {
    raw = JSON.parse(manifestBytes.toString('utf8'));
  } catch (e) {
    throw new Error(`${manifestPath} is not valid JSON: ${errorMessage(e)}`);
  }
  const manifest = validateManifest(raw);
  if (!manifest.ok) throw new Error(`${manifestPath}: ${manifest.error.message}`);
  const wasmPath = join(sourceDir, manifest.value.bin);
  const wasm = readFileSync(wasmPath);
  if (!hasWasmHeader(wasm)) throw new Error(`${wasmPath} is not a WebAssembly module`);
  return {
    id: manifest.value.id,
    files: [
      [MANIFEST_FILE, manifestBytes],
      [manifest.value.bin, wasm],
    ],
  };
}

/** Copies each source app folder into a new `appsDir`; does nothing when `appsDir` exists. */
export function installDefaultApps(appsDir: string, sourceDirs: readonly string[]): DefaultsResult {
  const result: DefaultsResult = { installed: [], problems: [] };
  if (existsSync(appsDir)) return result;
  const parent = join(appsDir, '..');
  makePrivateDir(parent);
  for (const name of readdirSync(parent)) {
    if (name.startsWith(STAGING_PREFIX)) rmSync(join(parent, name), { recursive: true, force: true });
  }
  const staging = join(parent, `${STAGING_PREFIX}${randomBytes(6).toString('hex')}`);
  mkdirSync(staging, { mode: PRIVATE_DIR_MODE });
  try {
    for (const sourceDir of sourceDirs) {
      try {
        const app = readSourceApp(sourceDir);
        if (result.installed.includes(app.id)) throw new Error(`app "${app.id}" is already taken from another folder`);
        for (const [name, data] of app.files) writeFileAtomic(join(staging, app.id, name), data);
        syncDir(join(staging, app.id));
        result.installed.push(app.id);
      } catch (e) {
        result.problems.push(`${sourceDir}: ${errorMessage(e)}`);
      }
    }
    syncDir(staging);
    renameSync(staging, appsDir);
    syncDir(parent);
  } catch (e) {
    rmSync(staging, { recursive: true, force: true });
    throw e;
  }
  return result;
}
