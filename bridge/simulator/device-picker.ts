/** The device picker: every bridge that announced itself on `<base>/+/availability`. */
import type { Availability } from './device-state';

export class DevicePicker {
  private readonly devices = new Map<string, Availability>();

  constructor(
    private readonly select: HTMLSelectElement,
    private selected: string,
    onSelect: (deviceId: string) => void,
  ) {
    this.devices.set(selected, 'unknown');
    select.addEventListener('change', () => {
      this.selected = select.value;
      onSelect(select.value);
    });
    this.render();
  }

  /** What the device last announced; 'unknown' for one never heard of. */
  availability(deviceId: string): Availability {
    return this.devices.get(deviceId) ?? 'unknown';
  }

  seen(deviceId: string, availability: Availability): void {
    this.devices.set(deviceId, availability);
    this.render();
  }

  private render(): void {
    const ids = [...this.devices.keys()].sort();
    this.select.replaceChildren(
      ...ids.map((id) => {
        const a = this.devices.get(id)!;
        return new Option(a === 'unknown' ? id : `${id} (${a})`, id, false, id === this.selected);
      }),
    );
  }
}
