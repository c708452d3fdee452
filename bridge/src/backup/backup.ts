/**
 * `megabit backup FILE`: the data dir (installed apps with their KV stores and config, state.json,
 * device.json, screens.json, rules.json, uploaded icons, the password file when it lives there) and the
 * settings file, in one gzipped tar with a manifest. Every file the bridge writes is replaced
 * atomically, so each file read is whole even while a bridge runs; a file that vanishes mid-walk
 * (an app being reinstalled) restarts the walk.
 */
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Settings } from '../config';
import { writeFileAtomic } from '../util/atomic-file';
import { BACKUP_FORMAT, type BackupManifest, DATA_PREFIX, MANIFEST_PATH, MAX_UNPACKED_BYTES, SETTINGS_PATH, sha256 } from './manifest';
import { LOCK_FILES } from '../util/data-dir-lock';
import { writeTar, type TarFile } from './tar';

/** What is in the data dir but not worth keeping: an app preview, half-written temp files, the lock. */
const TRANSIENT = [/^preview(\/|$)/, /(^|\/)\.[^/]+\.\d+\.\d+\.tmp$/, LOCK_FILES];

export interface BackupResult {
  manifest: BackupManifest;
  /** Entries left out: links and special files, which the bridge never makes. */
  skipped: string[];
  /** Files the settings name outside the data dir: not in the backup. */
  outside: string[];
}

const isInside = (dir: string, path: string): boolean => {
  const rel = relative(dir, path);
  return rel !== '' && !rel.startsWith('..') && !rel.startsWith('/');
};

/** The data dir's regular files, relative paths sorted, with their bytes. */
function collect(dataDir: string, excluded: Set<string>, skipped: string[]): TarFile[] {
  const files: TarFile[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      const rel = relative(dataDir, path);
      if (excluded.has(rel) || TRANSIENT.some((pattern) => pattern.test(rel))) continue;
      const stats = lstatSync(path);
      if (stats.isDirectory()) walk(path);
      else if (stats.isFile()) files.push({ path: rel, data: readFileSync(path) });
      else skipped.push(rel);
    }
  };
  walk(dataDir);
  return files;
}

function collectWithRetry(dataDir: string, excluded: Set<string>): { files: TarFile[]; skipped: string[] } {
  for (let attempt = 1; ; attempt++) {
    const skipped: string[] = [];
    try {
      return { files: collect(dataDir, excluded, skipped), skipped };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || attempt === 3) throw e;
    }
  }
}

/** Paths in the settings that name files the bridge reads (logins, ACL, certificates). */
function referencedFiles(settings: Settings): string[] {
  const { broker, http, mqtt } = settings;
  return [
    broker.password_file,
    broker.acl_file,
    broker.tls?.cert,
    broker.tls?.key,
    broker.tls?.ca,
    http.tls?.cert,
    http.tls?.key,
    mqtt.ca,
    mqtt.cert,
    mqtt.key,
  ].filter((path): path is string => typeof path === 'string');
}

export function writeBackup(file: string, settings: Settings, settingsFile: string | undefined, version: string): BackupResult {
  const dataDir = settings.data_dir;
  if (isInside(dataDir, file)) throw new Error(`write the backup outside the data dir (${dataDir}): the next backup would hold this one`);
  const excluded = new Set<string>();
  if (settingsFile && isInside(dataDir, settingsFile)) excluded.add(relative(dataDir, settingsFile));
  const { files, skipped } = collectWithRetry(dataDir, excluded);
  const entries = files.map((f) => ({ path: `${DATA_PREFIX}${f.path}`, data: f.data }));
  if (settingsFile) entries.push({ path: SETTINGS_PATH, data: readFileSync(settingsFile) });
  const manifest: BackupManifest = {
    format: BACKUP_FORMAT,
    bridge_version: version,
    created_at: new Date().toISOString(),
    data_dir: dataDir,
    settings_file: settingsFile ?? null,
    files: entries.map((e) => ({ path: e.path, size: e.data.length, sha256: sha256(e.data) })),
  };
  const total = entries.reduce((sum, e) => sum + e.data.length, 0);
  // A restore refuses more than this (its bound for a gzip bomb): never write what cannot come back.
  if (total > MAX_UNPACKED_BYTES)
    throw new Error(`the data dir holds ${Math.ceil(total / 1024 / 1024)} MiB, more than a backup can hold (${MAX_UNPACKED_BYTES / 1024 / 1024} MiB)`);
  const tar = writeTar([{ path: MANIFEST_PATH, data: Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`) }, ...entries]);
  writeFileAtomic(file, gzipSync(tar));
  const outside = referencedFiles(settings).filter((path) => !isInside(dataDir, path));
  return { manifest, skipped, outside };
}
