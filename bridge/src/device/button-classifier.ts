/**
 * Turns a button's clicks and long holds into the API's actions: `press`, `long_press` and
 * `double_press`. A click is held back for `doublePressMs` so a second click can make it a
 * double press. Click times are the source's own clock (the device's uptime for the serial
 * link), so a burst of late-delivered clicks is still judged by when they really happened.
 */
import type { ButtonAction } from '@megabit/contract';

export interface ButtonClassifierOptions {
  /** Longest time between two clicks that still makes a double press. */
  doublePressMs: number;
  onAction: (action: ButtonAction) => void;
}

export class ButtonClassifier {
  private pending?: { atMs: number; timer: NodeJS.Timeout };

  constructor(private readonly options: ButtonClassifierOptions) {}

  /** A short press ended at `atMs` (source clock). */
  click(atMs: number): void {
    const first = this.pending;
    if (first) {
      this.clearPending();
      if (atMs - first.atMs <= this.options.doublePressMs) {
        this.options.onAction('double_press');
        return;
      }
      this.options.onAction('press');
    }
    const timer = setTimeout(() => {
      this.pending = undefined;
      this.options.onAction('press');
    }, this.options.doublePressMs);
    this.pending = { atMs, timer };
  }

  /** The button has been held long enough to count as a long press. */
  longPress(): void {
    if (this.pending) {
      this.clearPending();
      this.options.onAction('press');
    }
    this.options.onAction('long_press');
  }

  /** Forgets a held-back click without reporting it (the source went away). */
  reset(): void {
    this.clearPending();
  }

  private clearPending(): void {
    clearTimeout(this.pending?.timer);
    this.pending = undefined;
  }
}
