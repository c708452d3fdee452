/**
 * Which screens their lifetime removed, and in what form: a broker re-sends a retained screen on
 * every reconnect, and after a bridge restart too, so without a memory that outlives the process
 * an expired screen would come back for a whole new lifetime. Kept in a small file beside
 * screens.json (written atomically, 0600), as a digest of each screen's stored form, at most
 * MAX_SCREENS entries (the oldest forgotten first: a forgotten one would come back once).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { MAX_SCREENS } from '@megabit/contract';
import { writeFileAtomic } from '../util/atomic-file';
import { errorMessage, type Logger } from '../util/logger';

const digest = (canonical: string): string => createHash('sha256').update(canonical).digest('hex');

export class ExpiredScreens {
  /** Screen id -> digest of the form it expired in; insertion order is age. */
  private readonly expired = new Map<string, string>();

  constructor(
    readonly file: string,
    private readonly log: Logger,
  ) {}

  /** Reads the file; a damaged one is dropped with a warning (the worst case: an expired screen shows once more). */
  load(): void {
    this.expired.clear();
    if (!existsSync(this.file)) return;
    try {
      const raw = JSON.parse(readFileSync(this.file, 'utf8')) as { expired?: unknown };
      if (typeof raw.expired !== 'object' || raw.expired === null || Array.isArray(raw.expired)) throw new Error('no "expired" object');
      for (const [id, hash] of Object.entries(raw.expired)) {
        if (typeof hash === 'string' && /^[0-9a-f]{64}$/.test(hash)) this.expired.set(id, hash);
      }
      while (this.expired.size > MAX_SCREENS) this.expired.delete(this.expired.keys().next().value!);
    } catch (e) {
      this.log.warn(`${this.file} cannot be read (${errorMessage(e)}); expired screens may show once more`);
      this.expired.clear();
    }
  }

  /** True when screen `id` expired in exactly this stored form. */
  has(id: string, canonical: string): boolean {
    return this.expired.get(id) === digest(canonical);
  }

  remember(id: string, canonical: string): void {
    this.expired.delete(id);
    this.expired.set(id, digest(canonical));
    while (this.expired.size > MAX_SCREENS) this.expired.delete(this.expired.keys().next().value!);
    this.save();
  }

  /** A new publish of `id` (or its removal) ends what its expiry said. */
  forget(id: string): void {
    if (this.expired.delete(id)) this.save();
  }

  private save(): void {
    try {
      writeFileAtomic(this.file, JSON.stringify({ expired: Object.fromEntries(this.expired) }));
    } catch (e) {
      // Memory still holds it: only a bridge restart before the next write could show it once more.
      this.log.error(`could not write ${this.file}: ${errorMessage(e)}`);
    }
  }
}
