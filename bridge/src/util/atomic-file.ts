import { closeSync, fsyncSync, mkdirSync, openSync, promises as fsp, readdirSync, renameSync, unlinkSync, writeSync, type Dirent } from 'node:fs';
import { dirname, basename, join } from 'node:path';

/**
 * Every file the bridge writes is private to its user (0600) and every folder it makes 0700:
 * they hold app config (API keys) and KV stores.
 */
export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIR_MODE = 0o700;
const FILE_MODE = PRIVATE_FILE_MODE;
const DIR_MODE = PRIVATE_DIR_MODE;

let counter = 0;

/** The sibling temp file a write goes through; `removeStaleTempFiles` knows its name. */
function tempFileFor(file: string): string {
  return join(dirname(file), `.${basename(file)}.${process.pid}.${counter++}.tmp`);
}

/**
 * Replaces `file` with `data` so that a crash at any point leaves either the old or the new
 * content: write a sibling temp file, fsync it, rename it over the target, fsync the folder.
 */
export function writeFileAtomic(file: string, data: Uint8Array | string): void {
  const dir = dirname(file);
  mkdirSync(dir, { recursive: true, mode: DIR_MODE });
  const tmp = tempFileFor(file);
  const fd = openSync(tmp, 'w', FILE_MODE);
  try {
    writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    unlinkSync(tmp);
    throw e;
  }
  closeSync(fd);
  try {
    renameSync(tmp, file);
  } catch (e) {
    unlinkSync(tmp);
    throw e;
  }
  syncDir(dir);
}

/** Makes a rename in `dir` durable. */
export function syncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * `writeFileAtomic` in the same steps, off the main thread: the writes and fsyncs run in libuv's
 * pool, so the event loop keeps serving while the disk is slow.
 */
export async function writeFileAtomicAsync(file: string, data: Uint8Array | string): Promise<void> {
  const dir = dirname(file);
  await fsp.mkdir(dir, { recursive: true, mode: DIR_MODE });
  const tmp = tempFileFor(file);
  const handle = await fsp.open(tmp, 'w', FILE_MODE);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } catch (e) {
    await handle.close();
    await fsp.unlink(tmp);
    throw e;
  }
  await handle.close();
  try {
    await fsp.rename(tmp, file);
  } catch (e) {
    await fsp.unlink(tmp);
    throw e;
  }
  await syncDirAsync(dir);
}

/** `syncDir` off the main thread. */
export async function syncDirAsync(dir: string): Promise<void> {
  const handle = await fsp.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** mkdir for the bridge's own folders (0700), like the ones above make. */
export function makePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: DIR_MODE });
}

/** `makePrivateDir` off the main thread. */
export async function makePrivateDirAsync(dir: string, recursive = true): Promise<void> {
  await fsp.mkdir(dir, { recursive, mode: DIR_MODE });
}

const TEMP_FILE = /^\..+\.\d+\.\d+\.tmp$/;

/**
 * Deletes the temp files of writes that a killed process never finished, in `dir` and its
 * subfolders (one level). Call at start, before anything writes; returns what it removed.
 */
export function removeStaleTempFiles(dir: string): string[] {
  const removed: string[] = [];
  const sweep = (folder: string, depth: number): void => {
    let entries: Dirent[];
    try {
      entries = readdirSync(folder, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = join(folder, entry.name);
      if (entry.isFile() && TEMP_FILE.test(entry.name)) {
        unlinkSync(path);
        removed.push(path);
      } else if (entry.isDirectory() && depth > 0) {
        sweep(path, depth - 1);
      }
    }
  };
  sweep(dir, 2);
  return removed;
}
