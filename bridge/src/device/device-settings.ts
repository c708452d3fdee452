/** What the user last set on the display itself (power, brightness, rotation), kept across restarts. */
import { existsSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from '../util/atomic-file';

export interface PersistedDeviceSettings {
  power: boolean;
  brightness: number;
  rotation: boolean;
}

export class DeviceSettingsFile {
  constructor(
    private readonly file: string,
    private readonly defaults: PersistedDeviceSettings,
  ) {}

  /** The stored values, with defaults for anything missing or unreadable. */
  load(): PersistedDeviceSettings {
    if (!existsSync(this.file)) return { ...this.defaults };
    try {
      const stored = JSON.parse(readFileSync(this.file, 'utf8')) as Partial<PersistedDeviceSettings>;
      return {
        power: typeof stored.power === 'boolean' ? stored.power : this.defaults.power,
        brightness: Number.isInteger(stored.brightness) && stored.brightness! >= 0 && stored.brightness! <= 255 ? stored.brightness! : this.defaults.brightness,
        rotation: typeof stored.rotation === 'boolean' ? stored.rotation : this.defaults.rotation,
      };
    } catch {
      return { ...this.defaults };
    }
  }

  save(settings: PersistedDeviceSettings): void {
    writeFileAtomic(this.file, `${JSON.stringify(settings, null, 2)}\n`);
  }
}
