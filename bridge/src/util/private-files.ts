/**
 * The data dir holds app config (API keys), KV stores and state: only the user the bridge runs as
 * may read it. Folders are 0700 and files 0600 (atomic-file.ts writes every file so); a data dir
 * made by an older version, or by hand, is tightened at start. megabit.yaml is the user's file:
 * the bridge only warns when it holds a secret that other users can read.
 */
import { chmodSync, lstatSync, mkdirSync, readdirSync, readFileSync, type Stats, statSync } from 'node:fs';
import { join } from 'node:path';
import { PRIVATE_DIR_MODE } from './atomic-file';
import { errorMessage, type Logger } from './logger';
/** Group and others. */
const SHARED_BITS = 0o077;

const octal = (mode: number): string => (mode & 0o777).toString(8).padStart(4, '0');

/**
 * What the bridge itself keeps in the data dir. Anything else there (megabit.yaml, a password
 * file, certificates another program must read) is the user's, and keeps its mode.
 */
export const BRIDGE_OWNED = ['apps', 'preview', 'icons', 'state.json', 'device.json', 'screens.json', 'screens-expired.json'];

/**
 * Creates `dataDir` (0700) or tightens it and the bridge's own entries in it (folders 0700,
 * files 0600), a few levels deep; logs what it changed at info level. Symbolic links are left
 * alone (chmod would follow them out of the data dir). Returns the paths it changed.
 */
export function securePrivateDir(dataDir: string, log: Logger, depth = 4): string[] {
  mkdirSync(dataDir, { recursive: true, mode: PRIVATE_DIR_MODE });
  const changed: string[] = [];
  const tighten = (path: string, isDir: boolean, mode: number): void => {
    const wanted = isDir ? PRIVATE_DIR_MODE : mode & 0o777 & ~SHARED_BITS;
    if ((mode & SHARED_BITS) === 0 && (!isDir || (mode & 0o700) === 0o700)) return;
    try {
      chmodSync(path, wanted);
      changed.push(path);
      if (path === dataDir)
        log.info(`tightened the permissions of the data dir ${path} from ${octal(mode)} to ${octal(wanted)}: it holds app config and KV stores`);
    } catch (e) {
      log.warn(`could not make ${path} private (chmod ${octal(wanted)}): ${errorMessage(e)}`);
    }
  };
  const walk = (dir: string, level: number, only?: readonly string[]): void => {
    let names: string[];
    try {
      names = readdirSync(dir).filter((name) => !only || only.includes(name));
    } catch {
      return;
    }
    for (const name of names) {
      const path = join(dir, name);
      let stats: Stats;
      try {
        stats = lstatSync(path);
      } catch {
        continue;
      }
      if (stats.isSymbolicLink()) continue;
      if (stats.isDirectory()) {
        tighten(path, true, stats.mode);
        if (level > 0) walk(path, level - 1);
      } else if (stats.isFile()) {
        tighten(path, false, stats.mode);
      }
    }
  };
  tighten(dataDir, true, statSync(dataDir).mode);
  walk(dataDir, depth, BRIDGE_OWNED);
  const inside = changed.filter((p) => p !== dataDir).length;
  if (inside > 0) log.info(`made ${inside} file(s) and folder(s) in ${dataDir} private to this user (folders 0700, files 0600)`);
  return changed;
}

/** `mqtt.password`, `homeassistant.token`, `http.auth_token`: keys whose value is a secret. */
const SECRET_KEY = /(^|_)(password|token)$/;

/** Dotted paths of the secrets set in a settings document (not those from the environment). */
export function secretKeys(doc: unknown, path: string[] = []): string[] {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return [];
  return Object.entries(doc as Record<string, unknown>).flatMap(([key, value]) => {
    if (typeof value === 'string' && value !== '' && SECRET_KEY.test(key)) return [[...path, key].join('.')];
    return secretKeys(value, [...path, key]);
  });
}

/**
 * Warns when the settings file holds a secret and group or others may read it. Returns the
 * warning, if any (the file is the user's: the bridge does not chmod it).
 */
export function warnIfSecretsReadable(file: string, log: Logger): string | undefined {
  let mode: number;
  let doc: unknown;
  try {
    mode = statSync(file).mode;
    // The YAML parser only when there is a file to read (a start with defaults needs none).
    doc = (require('yaml') as typeof import('yaml')).parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
  if ((mode & 0o044) === 0) return undefined;
  const secrets = secretKeys(doc);
  if (secrets.length === 0) return undefined;
  const who = (mode & 0o004) !== 0 ? 'every user of this machine' : 'its group';
  const warning = `${file} holds ${secrets.join(', ')} and ${who} can read it (mode ${octal(mode)}): run "chmod 600 ${file}"`;
  log.warn(warning);
  return warning;
}
