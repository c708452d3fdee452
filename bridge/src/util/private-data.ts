/**
 * Keeps what the bridge stores away from other local users: app config holds API keys, and
 * megabit.yaml may hold a Home Assistant token or an MQTT password. The data dir is made 0700
 * (also when an older version created it 0755), and the process umask 077 makes every file and
 * folder the bridge creates private, whoever writes it. A settings file with a secret in it that
 * others can read gets a warning; the bridge does not change the user's own file.
 */
import { chmodSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';

export const PRIVATE_DIR_MODE = 0o700;
const GROUP_OR_OTHER = 0o077;

/** Settings paths whose value is a secret (as agreed across the bridge's settings). */
const SECRET_PATHS: readonly string[][] = [
  ['mqtt', 'password'],
  ['homeassistant', 'token'],
  ['http', 'auth_token'],
];

/** Creates `dir` private, or makes it private; returns what it changed, for the log. */
export function makeDataDirPrivate(dir: string): string | undefined {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  const mode = statSync(dir).mode & 0o777;
  if ((mode & GROUP_OR_OTHER) === 0) return undefined;
  chmodSync(dir, PRIVATE_DIR_MODE);
  return `made the data dir ${dir} private (mode ${octal(mode)} -> 700): it holds app config and API keys`;
}

/** A warning when `file` holds a secret and users other than its owner may read it. */
export function secretsFileWarning(file: string): string | undefined {
  const mode = statSync(file).mode & 0o777;
  if ((mode & 0o044) === 0) return undefined;
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(file, 'utf8'));
  } catch {
    return undefined; // loadSettings has refused it already
  }
  const held = SECRET_PATHS.filter((path) => typeof valueAt(doc, path) === 'string').map((p) => p.join('.'));
  if (held.length === 0) return undefined;
  return `${file} holds ${held.join(', ')} and other users can read it (mode ${octal(mode)}); run: chmod 600 ${file}`;
}

function valueAt(doc: unknown, path: readonly string[]): unknown {
  let at = doc;
  for (const key of path) {
    if (typeof at !== 'object' || at === null) return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}

const octal = (mode: number): string => mode.toString(8).padStart(3, '0');
