/**
 * The screens published to `P/cmd/screens/<id>`, kept in `<data_dir>/screens.json` (written
 * atomically, 0600) so they survive a restart. At most MAX_SCREENS. Publishing a screen exactly as
 * it is stored changes nothing (no write): a retained command re-delivered on every reconnect must
 * not wear the disk or disturb the rotation. Knows nothing of MQTT, the scheduler or drawing.
 */
import { existsSync, readFileSync } from 'node:fs';
import { MAX_SCREENS, isScreenId, parseScreen, type ScreenRequest } from '@megabit/contract';
import { LimitReachedError } from '../errors';
import { writeFileAtomic } from '../util/atomic-file';
import { errorMessage, type Logger } from '../util/logger';

export interface StoredScreen {
  readonly id: string;
  /** What was published, without its `transaction`. */
  readonly request: ScreenRequest;
}

/** What a publish did to the store. */
export type ScreenPut = 'added' | 'updated' | 'unchanged';

/** The form two publishes of a screen are compared in: what is stored, without `transaction`. */
export function canonicalForm(request: ScreenRequest): string {
  const { transaction: _t, ...kept } = request;
  return JSON.stringify(kept);
}

interface ScreensFile {
  screens: Record<string, ScreenRequest>;
}

export class ScreenStore {
  private readonly screens = new Map<string, StoredScreen>();
  /** The stored form of each screen, to tell an identical re-publish from a change. */
  private readonly canonical = new Map<string, string>();

  constructor(
    readonly file: string,
    private readonly log: Logger,
  ) {}

  /** Reads the file; a screen that no longer passes the contract's checks is dropped with a warning. */
  load(): StoredScreen[] {
    this.screens.clear();
    this.canonical.clear();
    if (!existsSync(this.file)) return [];
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(this.file, 'utf8'));
    } catch (e) {
      this.log.warn(`${this.file} cannot be read (${errorMessage(e)}); starting without screens`);
      return [];
    }
    const screens = (raw as Partial<ScreensFile> | null)?.screens;
    if (typeof screens !== 'object' || screens === null || Array.isArray(screens)) {
      this.log.warn(`${this.file} must hold {"screens": {id: screen}}; starting without screens`);
      return [];
    }
    for (const [id, request] of Object.entries(screens)) {
      const parsed = parseScreen(JSON.stringify(request));
      if (!isScreenId(id) || !parsed.ok || parsed.value.remove) {
        this.log.warn(`${this.file}: dropping screen "${id}": ${parsed.ok ? 'not a screen id or no content' : parsed.error.message}`);
        continue;
      }
      if (this.screens.size >= MAX_SCREENS) {
        this.log.warn(`${this.file}: more than ${MAX_SCREENS} screens; dropping "${id}"`);
        continue;
      }
      this.keep(id, parsed.value.screen);
    }
    return this.list();
  }

  list(): StoredScreen[] {
    return [...this.screens.values()];
  }

  get(id: string): StoredScreen | undefined {
    return this.screens.get(id);
  }

  has(id: string): boolean {
    return this.screens.has(id);
  }

  /** Stores the screen; throws LimitReachedError for a new one beyond MAX_SCREENS. */
  put(id: string, request: ScreenRequest): ScreenPut {
    const { transaction: _t, ...kept } = request;
    const form = JSON.stringify(kept);
    const existed = this.screens.has(id);
    if (existed && this.canonical.get(id) === form) return 'unchanged';
    if (!existed && this.screens.size >= MAX_SCREENS) {
      throw new LimitReachedError(`the bridge keeps at most ${MAX_SCREENS} screens; remove one (an empty payload to its topic) before adding "${id}"`);
    }
    const before = this.screens.get(id);
    this.keep(id, kept);
    try {
      this.save();
    } catch (e) {
      // Memory stays as the disk has it: a screen that could not be stored is not shown either.
      if (before) this.keep(id, before.request);
      else this.drop(id);
      throw e;
    }
    return existed ? 'updated' : 'added';
  }

  /** Removes the screen; false when there was none by that id (nothing is written). */
  remove(id: string): boolean {
    const before = this.screens.get(id);
    if (!before) return false;
    this.drop(id);
    try {
      this.save();
    } catch (e) {
      this.keep(id, before.request);
      throw e;
    }
    return true;
  }

  private keep(id: string, request: ScreenRequest): void {
    this.screens.set(id, { id, request });
    this.canonical.set(id, JSON.stringify(request));
  }

  private drop(id: string): void {
    this.screens.delete(id);
    this.canonical.delete(id);
  }

  private save(): void {
    const file: ScreensFile = { screens: Object.fromEntries([...this.screens].map(([id, s]) => [id, s.request])) };
    // Compact: the file is rewritten whole on each change, and screens may be large.
    writeFileAtomic(this.file, `${JSON.stringify(file)}\n`);
  }
}
