/**
 * An app's key-value store: a map in memory, a quota on key + value bytes, and a JSON file it is
 * loaded from and saved to atomically. Saving is the caller's decision (the worker coalesces).
 */
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../util/atomic-file';

export const MAX_KEY_BYTES = 256;
const FORMAT = 'megabit-kv/1';

export const KV_OK = 0;
export const KV_OVER_QUOTA = -1;
export const KV_BAD_KEY = -2;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export class KvStore {
  private readonly entries = new Map<string, Uint8Array>();
  private used = 0;
  private dirty = false;

  /**
   * Loads `file`; a missing file is an empty store, an unreadable or corrupt one too, reported
   * through `warn` (the app keeps working, its old data is lost either way).
   */
  constructor(
    private readonly file: string,
    private readonly quotaBytes: number,
    warn: (message: string) => void,
  ) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') warn(`could not read the KV store (${(e as Error).message}); starting empty`);
      return;
    }
    try {
      this.load(JSON.parse(text));
    } catch (e) {
      this.entries.clear();
      this.used = 0;
      warn(`the KV store file ${file} is corrupt (${(e as Error).message}); starting empty`);
    }
  }

  get needsSave(): boolean {
    return this.dirty;
  }

  get(key: Uint8Array): Uint8Array | undefined {
    const name = keyName(key);
    return name === null ? undefined : this.entries.get(name);
  }

  /** KV_OK, KV_OVER_QUOTA (nothing changed) or KV_BAD_KEY. Keeps a copy of `value`. */
  set(key: Uint8Array, value: Uint8Array): number {
    const name = keyName(key);
    if (name === null) return KV_BAD_KEY;
    const old = this.entries.get(name);
    const after = this.used - (old ? key.length + old.length : 0) + key.length + value.length;
    if (after > this.quotaBytes) return KV_OVER_QUOTA;
    this.entries.set(name, value.slice());
    this.used = after;
    this.dirty = true;
    return KV_OK;
  }

  delete(key: Uint8Array): void {
    const name = keyName(key);
    const old = name === null ? undefined : this.entries.get(name);
    if (name === null || !old) return;
    this.entries.delete(name);
    this.used -= key.length + old.length;
    this.dirty = true;
  }

  save(): void {
    // No prototype: a key named "__proto__" must stay an ordinary entry.
    const entries: Record<string, string> = Object.create(null);
    for (const [k, v] of this.entries) entries[k] = Buffer.from(v.buffer, v.byteOffset, v.length).toString('base64');
    writeFileAtomic(this.file, JSON.stringify({ format: FORMAT, entries }));
    this.dirty = false;
  }

  private load(doc: unknown): void {
    if (typeof doc !== 'object' || doc === null || (doc as { format?: unknown }).format !== FORMAT) {
      throw new Error(`not a ${FORMAT} document`);
    }
    const entries = (doc as { entries?: unknown }).entries;
    if (typeof entries !== 'object' || entries === null || Array.isArray(entries)) throw new Error('"entries" is not an object');
    for (const [name, encoded] of Object.entries(entries)) {
      if (typeof encoded !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(encoded)) throw new Error(`the value of "${name}" is not base64`);
      const keyBytes = Buffer.byteLength(name);
      if (keyBytes === 0 || keyBytes > MAX_KEY_BYTES) throw new Error(`bad key "${name}"`);
      const value = new Uint8Array(Buffer.from(encoded, 'base64'));
      this.entries.set(name, value);
      this.used += keyBytes + value.length;
    }
  }
}

/** The key as a string, or null when it is not a valid key (empty, too long, not UTF-8). */
function keyName(key: Uint8Array): string | null {
  if (key.length === 0 || key.length > MAX_KEY_BYTES) return null;
  try {
    return strictUtf8.decode(key);
  } catch {
    return null;
  }
}
