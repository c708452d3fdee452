/**
 * First run: fills `apps/` with the example apps. The whole folder is built aside and renamed
 * into place in one step, so a crash never leaves a first run half done (and thus never done).
 * The files are written and made durable all at once in libuv's pool, not one fsync after the
 * other on the main thread: a first start's disk waits overlap instead of adding up.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, promises as fsp, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { validateManifest } from '@megabit/contract';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, makePrivateDir, syncDirAsync } from '../util/atomic-file';
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

/**
 * A new file in the staging folder, its content durable before the folder is renamed into place.
 * No temp file and rename: nothing reads the staging folder, and a crash leaves it to be deleted.
 */
async function writeDurable(file: string, data: Uint8Array): Promise<void> {
  const handle = await fsp.open(file, 'wx', PRIVATE_FILE_MODE);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** An app's folder in the staging folder: its files written and durable, then the folder's entries. */
async function stageApp(dir: string, files: ReadonlyArray<[string, Uint8Array]>): Promise<void> {
  await fsp.mkdir(dir, { mode: PRIVATE_DIR_MODE });
  await Promise.all(files.map(([name, data]) => writeDurable(join(dir, name), data)));
  await syncDirAsync(dir);
}

/** Copies each source app folder into a new `appsDir`; does nothing when `appsDir` exists. */
export async function installDefaultApps(appsDir: string, sourceDirs: readonly string[]): Promise<DefaultsResult> {
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
    const apps: Array<{ sourceDir: string; id: string; files: Array<[string, Uint8Array]> }> = [];
    for (const sourceDir of sourceDirs) {
      try {
        const app = readSourceApp(sourceDir);
        if (apps.some((a) => a.id === app.id)) throw new Error(`app "${app.id}" is already taken from another folder`);
        apps.push({ sourceDir, ...app });
      } catch (e) {
        result.problems.push(`${sourceDir}: ${errorMessage(e)}`);
      }
    }
    const staged = await Promise.allSettled(apps.map((app) => stageApp(join(staging, app.id), app.files)));
    staged.forEach((outcome, i) => {
      const app = apps[i];
      if (outcome.status === 'fulfilled') {
        result.installed.push(app.id);
        return;
      }
      // An app whose files could not be written is left out, as one that could not be read.
      rmSync(join(staging, app.id), { recursive: true, force: true });
      result.problems.push(`${app.sourceDir}: ${errorMessage(outcome.reason)}`);
    });
    await syncDirAsync(staging);
    await fsp.rename(staging, appsDir);
    await syncDirAsync(parent);
  } catch (e) {
    rmSync(staging, { recursive: true, force: true });
    throw e;
  }
  return result;
}
