/**
 * What the device asks night mode (bridge/src/night/) before it shows a notification, acts on a
 * press or reports its state. An interface here, so the device depends on no night code; the
 * night part implements it, and without one the display is always in the day.
 */
import type { NightReply, NightReport, NightRequest, NotifyRequest } from '@megabit/contract';

export type NotificationVerdict = 'show' | 'wait' | 'drop';

export interface NightGate {
  /** What happens to a notification now; one that must `wait` is kept and handed back, in order, when the night ends. */
  admit(request: NotifyRequest & { id: string }): NotificationVerdict;
  /** Dismisses a waiting notification; false when none has that id. */
  dismiss(id: string): boolean;
  /** A button press; true when it only woke the display from the night (the press does nothing else). */
  press(): boolean;
  /** Sets the mode and/or the night brightness (`P/cmd/night`). */
  control(request: NightRequest): NightReply;
  report(): NightReport;
}

/** How the night part acts on the display: the brightness limits and the notifications it held. */
export interface NightDisplay {
  /** The most brightness to show (night: the night brightness; day: max_brightness_during_day); undefined: none. */
  setBrightnessLimit(max: number | undefined): void;
  /** Auto-brightness's level, shown instead of the user's brightness (within the limit); undefined: the user's. */
  setAutoBrightness(level: number | undefined): void;
  /** The notifications held at night, in the order they arrived. */
  showReleased(requests: ReadonlyArray<NotifyRequest & { id: string }>): void;
}

export const DAY_ONLY: NightGate = {
  admit: () => 'show',
  dismiss: () => false,
  press: () => false,
  control: () => ({ mode: 'off', active: false, awake: false, brightness: 0 }),
  report: () => ({ mode: 'off', active: false, awake: false, brightness: 0, held: 0 }),
};
