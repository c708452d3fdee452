/**
 * The one button classifier: turns a button's debounced DOWN/UP edges into the API's actions
 * `press`, `long_press` and `double_press`. The display's hardware button (serial link) and the
 * simulator page's button both go through it, with the timings of the `button.*` settings.
 *
 * Every hold is exactly one thing. Held for `longPressMs` or more, it is a long press, reported
 * while still held. Shorter, it is a click, held back until `doublePressMs` have passed since
 * its release: a second press that starts before then makes the pair one double press (reported
 * as that second press starts, whatever its length); otherwise the click is a press.
 *
 * Edge times are the source's own clock (the device's uptime for the serial link), so an edge
 * that reaches the bridge late is still judged by when it happened. Only the two waits (the
 * long press while held, the end of the double-press window) run on this machine's clock, from
 * when the edge arrived. Plain timers, no Node API: the simulator page runs it too, which is why
 * it lives in the contract.
 */
import type { ButtonAction } from './payloads';

export interface ButtonTimings {
  /** A hold at least this long is a long press; shorter ones are clicks. */
  longPressMs: number;
  /** A press starting less than this long after a click's release makes a double press. */
  doublePressMs: number;
}

export const DEFAULT_BUTTON_TIMINGS: Readonly<ButtonTimings> = { longPressMs: 800, doublePressMs: 400 };

/** The range of each timing the bridge's settings accept (and the page trusts when served). */
export const BUTTON_TIMING_LIMITS: Readonly<Record<keyof ButtonTimings, { min: number; max: number }>> = {
  longPressMs: { min: 200, max: 5000 },
  doublePressMs: { min: 100, max: 2000 },
};

export interface ButtonClassifierOptions extends ButtonTimings {
  onAction: (action: ButtonAction) => void;
  /** How far apart two edge times are; the serial link's u32 uptime needs this to wrap. */
  elapsedMs?: (from: number, to: number) => number;
}

type Timer = ReturnType<typeof setTimeout>;

type State =
  | { phase: 'idle' }
  | { phase: 'held'; downAt: number; timer: Timer }
  | { phase: 'clicked'; upAt: number; timer: Timer }
  /** The hold's action is already reported (long press, or the second press of a double). */
  | { phase: 'spent' };

export class ButtonClassifier {
  private state: State = { phase: 'idle' };
  private readonly elapsed: (from: number, to: number) => number;

  constructor(private readonly options: ButtonClassifierOptions) {
    this.elapsed = options.elapsedMs ?? ((from, to) => to - from);
  }

  /** The button went down at `atMs` (source clock). */
  down(atMs: number): void {
    const state = this.state;
    if (state.phase === 'clicked') {
      clearTimeout(state.timer);
      if (this.elapsed(state.upAt, atMs) < this.options.doublePressMs) {
        this.state = { phase: 'spent' };
        this.options.onAction('double_press');
        return;
      }
      // The release reached us late: its wait had not run out here, but by the source's times it had.
      this.state = { phase: 'idle' };
      this.options.onAction('press');
    } else if (state.phase === 'held') {
      // A second DOWN: the release in between was lost with the source (link or device restart).
      clearTimeout(state.timer);
    }
    const timer = setTimeout(() => {
      this.state = { phase: 'spent' };
      this.options.onAction('long_press');
    }, this.options.longPressMs);
    this.state = { phase: 'held', downAt: atMs, timer };
  }

  /** The button came up at `atMs` (source clock). */
  up(atMs: number): void {
    const state = this.state;
    if (state.phase === 'spent') {
      this.state = { phase: 'idle' };
      return;
    }
    if (state.phase !== 'held') return;
    clearTimeout(state.timer);
    // The DOWN reached us late, so its timer had not run out yet: the source's times decide.
    if (this.elapsed(state.downAt, atMs) >= this.options.longPressMs) {
      this.state = { phase: 'idle' };
      this.options.onAction('long_press');
      return;
    }
    const timer = setTimeout(() => {
      this.state = { phase: 'idle' };
      this.options.onAction('press');
    }, this.options.doublePressMs);
    this.state = { phase: 'clicked', upAt: atMs, timer };
  }

  /** Forgets the gesture in progress without reporting it (the source went away or restarted). */
  reset(): void {
    const state = this.state;
    if (state.phase === 'held' || state.phase === 'clicked') clearTimeout(state.timer);
    this.state = { phase: 'idle' };
  }
}
