/**
 * mosquitto's password file: one `user:hash` line per login, where the hash is
 * `$7$<iterations>$<base64 salt>$<base64 PBKDF2-SHA512>` (what mosquitto_passwd 2.x writes) or
 * `$6$<base64 salt>$<base64 SHA512(password + salt)>` (mosquitto 1.6 and earlier). Reading both
 * means a file made with mosquitto_passwd works here, and the `$7$` lines written here work in
 * mosquitto.
 */
import { createHash, pbkdf2, randomBytes, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

const pbkdf2Async = promisify(pbkdf2);

/** mosquitto_passwd 2.0 writes 101; more costs an attacker with a stolen file more, a login ~1 ms. */
export const WRITE_ITERATIONS = 1000;
/** A hand-edited file with an absurd count must not turn every login into seconds of CPU. */
const MAX_ITERATIONS = 1_000_000;
const SALT_BYTES = 12;
const HASH_BYTES = 64;

export type PasswordHash = { kind: 'pbkdf2'; iterations: number; salt: Buffer; hash: Buffer } | { kind: 'sha512'; salt: Buffer; hash: Buffer };

export interface PasswordFile {
  users: Map<string, PasswordHash>;
  /** One message per line that was skipped, with its line number (never the line's content). */
  problems: string[];
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function decode(text: string): Buffer | undefined {
  return BASE64.test(text) ? Buffer.from(text, 'base64') : undefined;
}

export function parseHash(text: string): PasswordHash | string {
  const parts = text.split('$');
  if (parts[0] !== '') return 'not a hashed password (plain text? run "mosquitto_passwd -U FILE" or "megabit user add")';
  if (parts[1] === '7' && parts.length === 5) {
    const iterations = /^\d{1,9}$/.test(parts[2]) ? Number(parts[2]) : NaN;
    if (!(iterations >= 1 && iterations <= MAX_ITERATIONS)) return `iteration count must be 1..${MAX_ITERATIONS}`;
    const salt = decode(parts[3]);
    const hash = decode(parts[4]);
    if (!salt || !hash || hash.length !== HASH_BYTES) return 'bad $7$ salt or hash';
    return { kind: 'pbkdf2', iterations, salt, hash };
  }
  if (parts[1] === '6' && parts.length === 4) {
    const salt = decode(parts[2]);
    const hash = decode(parts[3]);
    if (!salt || !hash || hash.length !== HASH_BYTES) return 'bad $6$ salt or hash';
    return { kind: 'sha512', salt, hash };
  }
  return 'unknown hash type (expected $7$ or $6$)';
}

export function parsePasswordFile(text: string): PasswordFile {
  const users = new Map<string, PasswordHash>();
  const problems: string[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const colon = line.indexOf(':');
    if (colon <= 0) {
      problems.push(`line ${index + 1}: expected "user:hash"`);
      return;
    }
    const name = line.slice(0, colon);
    const parsed = parseHash(line.slice(colon + 1));
    if (typeof parsed === 'string') problems.push(`line ${index + 1} (user "${name}"): ${parsed}`);
    else users.set(name, parsed);
  });
  return { users, problems };
}

async function compute(entry: PasswordHash, password: Buffer): Promise<Buffer> {
  if (entry.kind === 'sha512') return createHash('sha512').update(password).update(entry.salt).digest();
  // The async form runs on libuv's thread pool: a flood of logins cannot stall the event loop.
  return pbkdf2Async(password, entry.salt, entry.iterations, entry.hash.length, 'sha512');
}

export async function verifyPassword(entry: PasswordHash, password: Buffer): Promise<boolean> {
  const computed = await compute(entry, password);
  return computed.length === entry.hash.length && timingSafeEqual(computed, entry.hash);
}

/** A new `$7$` hash, as mosquitto_passwd writes it. */
export async function hashPassword(password: string, iterations = WRITE_ITERATIONS): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const hash = await pbkdf2Async(Buffer.from(password, 'utf8'), salt, iterations, HASH_BYTES, 'sha512');
  return `$7$${iterations}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/** User names mosquitto can read back: no separator, no whitespace, no control characters. */
export function userNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'the user name is empty';
  if (Buffer.byteLength(name) > 65535) return 'the user name is too long';
  if (/[:\s\p{Cc}]/u.test(name)) return 'a user name cannot contain ":", spaces or control characters';
  return undefined;
}
