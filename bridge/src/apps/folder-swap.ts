/**
 * Crash-safe replacement and removal of app folders. A new version is written complete into a
 * staging folder and renamed into place; the old one is renamed aside first and deleted last.
 * Staging runs asynchronously (its fsyncs would stall the event loop) in a folder nothing else
 * reads; swapping is synchronous, so within one process no other store operation ever sees it
 * half done. After a crash at any point, `recoverLeftovers` leaves exactly one complete version:
 *
 * - `.staging-<r>`: a version not yet in place → deleted.
 * - `.aside-<id>-<r>`: the old version of `<id>` during an upgrade → put back if `<id>` is
 *   missing (the new one never arrived), deleted otherwise.
 * - `.removing-<id>-<r>`: an app being removed → deleted.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, promises as fsp, readFileSync, readdirSync, renameSync, rmSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { makePrivateDir, makePrivateDirAsync, syncDir, syncDirAsync, writeFileAtomic, writeFileAtomicAsync } from '../util/atomic-file';

const STAGING = '.staging-';
const ASIDE = /^\.aside-(.+)-[0-9a-f]{12}$/;
const REMOVING = '.removing-';

function suffix(): string {
  return randomBytes(6).toString('hex');
}

/** Folders of apps; everything starting with "." is the store's own bookkeeping. */
export function isAppFolderName(name: string): boolean {
  return !name.startsWith('.');
}

/** Writes `files` into a fresh staging folder under `appsDir`; resolves with its path. */
export async function stageFolder(appsDir: string, files: ReadonlyArray<[name: string, data: Uint8Array | string]>): Promise<string> {
  await makePrivateDirAsync(appsDir);
  const staging = join(appsDir, `${STAGING}${suffix()}`);
  await makePrivateDirAsync(staging, false);
  try {
    for (const [name, data] of files) await writeFileAtomicAsync(join(staging, name), data);
    await syncDirAsync(staging);
  } catch (e) {
    await fsp.rm(staging, { recursive: true, force: true });
    throw e;
  }
  return staging;
}

/**
 * An empty scratch folder under `appsDir` for work on a version not yet in place (the module
 * check before an install): named as staging, so a process killed before it removes the folder
 * leaves nothing that `recoverLeftovers` does not delete at the next start.
 */
export function makeScratchFolder(appsDir: string): string {
  makePrivateDir(appsDir);
  const scratch = join(appsDir, `${STAGING}${suffix()}`);
  makePrivateDir(scratch);
  return scratch;
}

/** The files among `names` that exist in `dir`, with their content. */
export async function readFiles(dir: string, names: readonly string[]): Promise<Map<string, Buffer>> {
  const found = new Map<string, Buffer>();
  for (const name of names) {
    try {
      found.set(name, await fsp.readFile(join(dir, name)));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
  return found;
}

/**
 * Makes the files among `names` in `staging` what they are in `dir` now, where `staged` is what
 * was staged: they may have changed while staging ran (a config set meanwhile). Synchronous, so
 * that a `swapIn` right after takes exactly this. Removes `staging` when it fails.
 */
export function refreshStaged(staging: string, dir: string, names: readonly string[], staged: ReadonlyMap<string, Buffer>): void {
  try {
    let changed = false;
    for (const name of names) {
      const now = readIfExists(join(dir, name));
      const before = staged.get(name);
      if (now === undefined ? before === undefined : before !== undefined && now.equals(before)) continue;
      if (now === undefined) unlinkSync(join(staging, name));
      else writeFileAtomic(join(staging, name), now);
      changed = true;
    }
    if (changed) syncDir(staging);
  } catch (e) {
    rmSync(staging, { recursive: true, force: true });
    throw e;
  }
}

function readIfExists(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/**
 * Moves a complete staging folder to `appsDir/<id>`, replacing whatever version is there. Returns
 * the folder the old version was moved aside to, for `discardAside` once the swap is announced.
 */
export function swapIn(appsDir: string, staging: string, id: string): string | undefined {
  const target = join(appsDir, id);
  let aside: string | undefined;
  if (existsSync(target)) {
    aside = join(appsDir, `.aside-${id}-${suffix()}`);
    renameSync(target, aside);
    syncDir(appsDir);
  }
  try {
    renameSync(staging, target);
  } catch (e) {
    // Something recreated the folder meanwhile (e.g. a KV write of the running app): drop that
    // and put the old version back, so the app stays whole and the install fails cleanly.
    if (aside) {
      if (existsSync(target)) renameSync(target, join(appsDir, `${REMOVING}${id}-${suffix()}`));
      renameSync(aside, target);
    }
    recoverLeftovers(appsDir);
    throw e;
  }
  syncDir(appsDir);
  return aside;
}

/** Deletes an old version `swapIn` moved aside; until then, recovery would delete it too. */
export async function discardAside(aside: string): Promise<void> {
  await fsp.rm(aside, { recursive: true, force: true });
}

/** Removes `appsDir/<id>`: one rename makes it gone, the delete happens after. */
export function removeFolder(appsDir: string, id: string): void {
  const doomed = join(appsDir, `${REMOVING}${id}-${suffix()}`);
  renameSync(join(appsDir, id), doomed);
  syncDir(appsDir);
  rmSync(doomed, { recursive: true, force: true });
}

/** Finishes or undoes what a crash interrupted; returns one line per action taken. */
export function recoverLeftovers(appsDir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(appsDir);
  } catch {
    return [];
  }
  const actions: string[] = [];
  // Put asides back before deleting anything, so a missing app is restored whatever the order.
  for (const name of names) {
    const aside = ASIDE.exec(name);
    if (!aside) continue;
    const target = join(appsDir, aside[1]);
    if (existsSync(target)) {
      rmSync(join(appsDir, name), { recursive: true, force: true });
      actions.push(`deleted ${name}: the upgrade of "${aside[1]}" had completed`);
    } else {
      renameSync(join(appsDir, name), target);
      actions.push(`restored "${aside[1]}" from ${name}: its upgrade was interrupted`);
    }
  }
  for (const name of names) {
    if (!(name.startsWith(STAGING) || name.startsWith(REMOVING))) continue;
    rmSync(join(appsDir, name), { recursive: true, force: true });
    actions.push(`deleted ${name}: left over from an interrupted ${name.startsWith(STAGING) ? 'install' : 'removal'}`);
  }
  if (actions.length > 0) syncDir(appsDir);
  return actions;
}
