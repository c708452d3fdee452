/**
 * The manifest, the first entry of every backup: which format it is in, what wrote it and when,
 * and each file with its size and SHA-256, so a restore knows exactly what to expect and refuses
 * anything else.
 */
import { createHash } from 'node:crypto';

/**
 * The archive layout this version writes and reads. Raise it when the layout changes in a way an
 * older restore would get wrong; an older bridge then refuses the archive instead of guessing.
 */
export const BACKUP_FORMAT = 1;

/** Far above any real data dir (apps are capped at a few MB each); a bound for a gzip bomb. */
export const MAX_UNPACKED_BYTES = 256 * 1024 * 1024;

export const MANIFEST_PATH = 'megabit-backup.json';
/** The data dir's files live under this folder in the archive... */
export const DATA_PREFIX = 'data/';
/** ...and the settings file, wherever it was, here. */
export const SETTINGS_PATH = 'settings/megabit.yaml';

export interface ManifestFile {
  path: string;
  size: number;
  sha256: string;
}

export interface BackupManifest {
  format: number;
  bridge_version: string;
  created_at: string;
  /** Where the data dir was on the machine the backup came from (for the person reading it). */
  data_dir: string;
  /** Where the settings file was, if the backup holds one. */
  settings_file: string | null;
  files: ManifestFile[];
}

export const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

export class BackupRefused extends Error {}

/**
 * The manifest in an archive, checked field by field. A newer format is refused before anything
 * else is looked at: its other fields may mean something this version does not know.
 */
export function parseManifest(data: Buffer, version: string): BackupManifest {
  let doc: unknown;
  try {
    doc = JSON.parse(data.toString('utf8'));
  } catch {
    throw new BackupRefused(`${MANIFEST_PATH} in the archive is not valid JSON`);
  }
  const m = doc as Partial<BackupManifest> | null;
  if (typeof m !== 'object' || m === null || !Number.isInteger(m.format) || (m.format as number) < 1)
    throw new BackupRefused(`${MANIFEST_PATH} in the archive has no valid format number`);
  if ((m.format as number) > BACKUP_FORMAT)
    throw new BackupRefused(
      `this backup is in format ${m.format}, written by megabit ${String(m.bridge_version)}; megabit ${version} reads format ${BACKUP_FORMAT} and older: update megabit, then restore`,
    );
  const files = Array.isArray(m.files) ? m.files : undefined;
  const validFile = (f: unknown): f is ManifestFile => {
    const file = f as Partial<ManifestFile> | null;
    return typeof file?.path === 'string' && Number.isSafeInteger(file.size) && typeof file.sha256 === 'string' && /^[0-9a-f]{64}$/.test(file.sha256);
  };
  if (!files?.every(validFile)) throw new BackupRefused(`${MANIFEST_PATH} in the archive has a bad file list`);
  return {
    format: m.format as number,
    bridge_version: String(m.bridge_version),
    created_at: String(m.created_at),
    data_dir: String(m.data_dir),
    settings_file: typeof m.settings_file === 'string' ? m.settings_file : null,
    files,
  };
}
