/**
 * Turns raw press/release of the simulated hardware button into the gestures the device reports:
 * a hold of LONG_PRESS_MS is a long press (reported while still held, as the firmware does), two
 * short presses within DOUBLE_PRESS_WINDOW_MS are a double press, anything else is a press.
 */
import type { ButtonAction } from '@megabit/contract';

export const LONG_PRESS_MS = 600;
export const DOUBLE_PRESS_WINDOW_MS = 300;

export interface Timers {
  set(callback: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const windowTimers: Timers = {
  set: (callback, ms) => setTimeout(callback, ms),
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

type Phase = 'idle' | 'firstDown' | 'longHeld' | 'awaitSecond' | 'secondDown';

export class ButtonGestures {
  private phase: Phase = 'idle';
  private timer: unknown;

  constructor(private readonly emit: (action: ButtonAction) => void, private readonly timers: Timers = windowTimers) {}

  down(): void {
    if (this.phase === 'idle') {
      this.phase = 'firstDown';
      this.schedule(LONG_PRESS_MS, () => {
        this.phase = 'longHeld';
        this.emit('long_press');
      });
    } else if (this.phase === 'awaitSecond') {
      this.stopTimer();
      this.phase = 'secondDown';
    }
  }

  up(): void {
    switch (this.phase) {
      case 'firstDown':
        this.phase = 'awaitSecond';
        this.schedule(DOUBLE_PRESS_WINDOW_MS, () => {
          this.phase = 'idle';
          this.emit('press');
        });
        break;
      case 'secondDown':
        this.phase = 'idle';
        this.emit('double_press');
        break;
      case 'longHeld':
        this.phase = 'idle';
        break;
      default:
        break;
    }
  }

  /** The pointer was taken away (pointercancel, window lost focus): forget the gesture. */
  cancel(): void {
    this.stopTimer();
    this.phase = 'idle';
  }

  private schedule(ms: number, callback: () => void): void {
    this.stopTimer();
    this.timer = this.timers.set(() => {
      this.timer = undefined;
      callback();
    }, ms);
  }

  private stopTimer(): void {
    if (this.timer !== undefined) this.timers.clear(this.timer);
    this.timer = undefined;
  }
}
