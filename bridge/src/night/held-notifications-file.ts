/**
 * The notifications night mode holds for the morning, kept across restarts: their senders were
 * told `held: true`, so a restart at night must not lose them. The whole list is rewritten
 * atomically on every change (at most MAX_HELD_NOTIFICATIONS entries).
 */
import { existsSync, readFileSync } from 'node:fs';
import type { NotifyRequest } from '@megabit/contract';
import { writeFileAtomic } from '../util/atomic-file';

export type HeldNotification = NotifyRequest & { id: string };

export class HeldNotificationsFile {
  constructor(private readonly file: string) {}

  /**
   * The stored notifications in arrival order, and what could not be read (logged by the
   * caller). A missing file is none held; an entry without an id and text is skipped.
   */
  load(): { held: HeldNotification[]; problem?: string } {
    if (!existsSync(this.file)) return { held: [] };
    let stored: unknown;
    try {
      stored = JSON.parse(readFileSync(this.file, 'utf8'));
    } catch (e) {
      return { held: [], problem: `${this.file} is unreadable (${(e as Error).message}): the notifications it held are lost` };
    }
    if (!Array.isArray(stored)) return { held: [], problem: `${this.file} is not a list: the notifications it held are lost` };
    const held = stored.filter(isHeldNotification);
    const skipped = stored.length - held.length;
    return { held, ...(skipped > 0 ? { problem: `${this.file}: skipped ${skipped} entries that are not notifications` } : {}) };
  }

  save(held: readonly HeldNotification[]): void {
    writeFileAtomic(this.file, `${JSON.stringify(held)}\n`);
  }
}

function isHeldNotification(value: unknown): value is HeldNotification {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  return typeof v.id === 'string' && v.id.length > 0 && typeof v.text === 'string';
}
