/**
 * `megabit restore FILE`: checks the whole archive before writing a byte (format, entry types,
 * paths, sizes and SHA-256 against the manifest), writes it into a staging folder beside the data
 * dir, then swaps the folders: a restore that fails midway leaves the old data dir as it was.
 * The old data dir, if it held anything, is kept beside the new one.
 */
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmdirSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parseDocument } from 'yaml';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, syncDir, writeFileAtomic } from '../util/atomic-file';
import { BackupRefused, type BackupManifest, DATA_PREFIX, MANIFEST_PATH, MAX_UNPACKED_BYTES, parseManifest, SETTINGS_PATH, sha256 } from './manifest';
import { readTar, TarFormatError } from './tar';

export interface Backup {
  manifest: BackupManifest;
  /** Data dir files by their path relative to the data dir. */
  data: Map<string, Buffer>;
  settings?: Buffer;
}

/** Why an entry's path is refused: absolute, leaving its folder, or odd. */
function pathProblem(path: string): string | undefined {
  if (path.startsWith('/')) return 'is an absolute path';
  const segments = path.split('/');
  if (segments.includes('..')) return 'leaves the archive\'s folder ("..")';
  if (path.includes('\0') || segments.some((s) => s === '' || s === '.')) return 'is not a plain relative path';
  return undefined;
}

function unpack(raw: Buffer): Buffer {
  // Plain tar is accepted too: an archive repacked by hand need not be gzipped.
  if (raw[0] !== 0x1f || raw[1] !== 0x8b) return raw;
  try {
    return gunzipSync(raw, { maxOutputLength: MAX_UNPACKED_BYTES });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError)
      throw new BackupRefused(`the archive unpacks to more than ${MAX_UNPACKED_BYTES / 1024 / 1024} MiB`);
    throw new BackupRefused(`the archive is not a valid gzip file: ${(e as Error).message}`);
  }
}

/** Reads and checks a backup archive completely; writes nothing. */
export function readBackup(file: string, version: string): Backup {
  const tar = unpack(readFileSync(file));
  let manifest: BackupManifest | undefined;
  const data = new Map<string, Buffer>();
  let settings: Buffer | undefined;
  const seen = new Map<string, Buffer>();
  try {
    for (const entry of readTar(tar)) {
      if (!manifest) {
        if (entry.path !== MANIFEST_PATH || entry.type !== 'file')
          throw new BackupRefused(`${file} is not a megabit backup: it does not start with ${MANIFEST_PATH}`);
        manifest = parseManifest(entry.data, version);
        continue;
      }
      const path = entry.type === 'directory' ? entry.path.replace(/\/$/, '') : entry.path;
      const problem = pathProblem(path);
      if (problem) throw new BackupRefused(`refused: the entry "${entry.path}" ${problem}`);
      if (entry.type === 'symlink' || entry.type === 'hardlink')
        throw new BackupRefused(`refused: the entry "${entry.path}" is a ${entry.type === 'symlink' ? 'symbolic' : 'hard'} link`);
      if (entry.type === 'other') throw new BackupRefused(`refused: the entry "${entry.path}" is of tar type "${entry.flag}", which a backup never holds`);
      if (entry.type === 'directory') continue;
      if (path !== SETTINGS_PATH && !path.startsWith(DATA_PREFIX)) throw new BackupRefused(`refused: the entry "${path}" is neither data nor settings`);
      if (seen.has(path)) throw new BackupRefused(`refused: the entry "${path}" is in the archive twice`);
      seen.set(path, entry.data);
      if (path === SETTINGS_PATH) settings = entry.data;
      else data.set(path.slice(DATA_PREFIX.length), entry.data);
    }
  } catch (e) {
    if (e instanceof TarFormatError) throw new BackupRefused(`${file} is not a valid backup: ${e.message}`);
    throw e;
  }
  if (!manifest) throw new BackupRefused(`${file} is empty: no ${MANIFEST_PATH}`);
  for (const f of manifest.files) {
    const bytes = seen.get(f.path);
    if (!bytes) throw new BackupRefused(`the archive lacks ${f.path}, which its manifest lists`);
    if (bytes.length !== f.size || sha256(bytes) !== f.sha256) throw new BackupRefused(`${f.path} in the archive does not match its manifest (damaged?)`);
  }
  const listed = new Set(manifest.files.map((f) => f.path));
  for (const path of seen.keys()) if (!listed.has(path)) throw new BackupRefused(`refused: the entry "${path}" is not in the manifest`);
  return { manifest, data, settings };
}

const isInside = (dir: string, path: string): boolean => {
  const rel = relative(dir, path);
  return rel !== '' && !rel.startsWith('..') && !rel.startsWith('/');
};

/** Writes a new file (never through an existing one), synced, 0600. */
function writeNewFile(path: string, data: Buffer): void {
  const fd = openSync(path, 'wx', PRIVATE_FILE_MODE);
  try {
    writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** A folder by its real path when it exists: a data dir may be a link to a USB disk. */
const canonical = (path: string): string => (existsSync(path) ? realpathSync(path) : path);

/** The data_dir the restored settings name, as the bridge here would expand it. */
function configuredDataDir(doc: ReturnType<typeof parseDocument>): string {
  const raw = process.env.MEGABIT_DATA_DIR || doc.get('data_dir');
  const path = typeof raw === 'string' && raw !== '' ? raw : '~/.megabit';
  return path === '~' || path.startsWith('~/') ? join(homedir(), path.slice(2)) : resolve(path);
}

/**
 * The settings file as restored: its data_dir made to name the folder the data went to (the old
 * machine's path may not exist here). Comments and layout are kept.
 */
function settingsFor(text: Buffer, dataDir: string, notes: string[]): Buffer {
  const doc = parseDocument(text.toString('utf8'));
  if (doc.errors.length > 0 || canonical(configuredDataDir(doc)) === dataDir) return text;
  notes.push(`set data_dir in the restored settings to ${dataDir} (it was ${String(doc.get('data_dir') ?? 'the default')})`);
  doc.set('data_dir', dataDir);
  return Buffer.from(doc.toString());
}

const stamp = (): string => new Date().toISOString().replace(/[:.]/g, '-');

export interface RestoreTarget {
  dataDir: string;
  settingsFile: string;
}

/** Writes a checked backup into place; returns what it did, line by line. */
export function restoreBackup(backup: Backup, target: RestoreTarget): string[] {
  const notes: string[] = [];
  // The folder itself is swapped, not a link to it: the data stays on the disk the link points to.
  const dataDir = canonical(target.dataDir);
  const settingsFile = join(canonical(dirname(target.settingsFile)), basename(target.settingsFile));
  const settings = backup.settings ? settingsFor(backup.settings, dataDir, notes) : undefined;
  const settingsInside = isInside(dataDir, settingsFile);
  const staging = `${dataDir}.restoring-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(dirname(dataDir), { recursive: true, mode: PRIVATE_DIR_MODE });
  mkdirSync(staging, { mode: PRIVATE_DIR_MODE });
  try {
    const files = new Map(backup.data);
    if (settings && settingsInside) files.set(relative(dataDir, settingsFile), settings);
    const dirs = new Set<string>([staging]);
    for (const [rel, data] of files) {
      const path = join(staging, rel);
      mkdirSync(dirname(path), { recursive: true, mode: PRIVATE_DIR_MODE });
      dirs.add(dirname(path));
      writeNewFile(path, data);
    }
    for (const dir of dirs) syncDir(dir);
  } catch (e) {
    rmSync(staging, { recursive: true, force: true });
    throw e;
  }
  if (existsSync(dataDir)) {
    if (readdirSync(dataDir).length === 0) rmdirSync(dataDir);
    else {
      const kept = `${dataDir}.before-restore-${stamp()}`;
      renameSync(dataDir, kept);
      notes.push(`kept the previous data dir as ${kept}`);
    }
  }
  renameSync(staging, dataDir);
  syncDir(dirname(dataDir));
  notes.push(`restored ${backup.data.size} file(s) into ${dataDir}`);
  if (settings) {
    if (!settingsInside) {
      if (existsSync(settingsFile)) {
        const kept = `${settingsFile}.before-restore-${stamp()}`;
        renameSync(settingsFile, kept);
        notes.push(`kept the previous settings as ${kept}`);
      }
      writeFileAtomic(settingsFile, settings);
    }
    notes.push(`restored the settings into ${settingsFile}`);
  }
  return notes;
}
