/** What the user set for night mode over MQTT or Home Assistant (mode, night brightness), kept across restarts. */
import { existsSync, readFileSync } from 'node:fs';
import { NIGHT_MODES, type NightMode } from '@megabit/contract';
import { writeFileAtomic } from '../util/atomic-file';

export interface PersistedNight {
  mode: NightMode;
  /** Replaces megabit.yaml's night.brightness once set. */
  brightness?: number;
}

export class NightSettingsFile {
  constructor(private readonly file: string) {}

  /** The stored values; `auto` and no brightness for anything missing or unreadable. */
  load(): PersistedNight {
    if (!existsSync(this.file)) return { mode: 'auto' };
    try {
      const stored = JSON.parse(readFileSync(this.file, 'utf8')) as Partial<PersistedNight>;
      const b = stored.brightness;
      return {
        mode: (NIGHT_MODES as readonly unknown[]).includes(stored.mode) ? (stored.mode as NightMode) : 'auto',
        ...(Number.isInteger(b) && b! >= 0 && b! <= 255 ? { brightness: b } : {}),
      };
    } catch {
      return { mode: 'auto' };
    }
  }

  save(settings: PersistedNight): void {
    writeFileAtomic(this.file, `${JSON.stringify(settings, null, 2)}\n`);
  }
}
