/**
 * Home Assistant's light effects on the display: a brightness fade over a transition, and a
 * flash (the picture blinks for a number of seconds). They change only what the panel shows
 * while they run; the light's state (power, brightness) is the target from the start, which is
 * what `P/state` reports and what a restart restores. A new command cancels a running effect.
 */
import type { Clock, ClockTimer } from './clock';

/** What the effects drive: the brightness the outputs get, and whether the picture is lit. */
export interface LightSurface {
  showLevel(level: number): void;
  showLit(lit: boolean): void;
}

/** A fade moves the brightness in steps this far apart (20 a second). */
export const FADE_STEP_MS = 50;
/** A flash is lit and dark for this long each. */
export const FLASH_HALF_PERIOD_MS = 500;

export class LightEffects {
  private timer?: ClockTimer;
  /** Brightness the outputs have now. */
  private shownLevel: number;
  private shownLit: boolean;
  /** Where a running effect ends. */
  private target: { lit: boolean; level: number };

  constructor(
    private readonly surface: LightSurface,
    private readonly clock: Clock,
    lit: boolean,
    level: number,
  ) {
    this.shownLevel = level;
    this.shownLit = lit;
    this.target = { lit, level };
  }

  get running(): boolean {
    return this.timer !== undefined;
  }

  /**
   * Power and brightness at once (a running effect ends where this says). What `told` names is
   * passed on even when unchanged (a command is repeated to the outputs as given).
   */
  set(lit: boolean, level: number, told: { lit?: boolean; level?: boolean } = {}): void {
    this.stop();
    this.target = { lit, level };
    this.level(level, told.level);
    this.lit(lit, told.lit);
  }

  /**
   * From what shows now to `lit`/`level` over `ms`: turning on starts dark and brightens, turning
   * off dims to 0 and then switches off (keeping `level` for the next turn on).
   */
  fade(lit: boolean, level: number, ms: number): void {
    // An effect still running hands over from what it shows now.
    this.stop();
    this.target = { lit, level };
    const from = this.shownLit ? this.shownLevel : 0;
    const to = lit ? level : 0;
    if (!this.shownLit && lit) {
      this.level(0);
      this.lit(true);
    }
    const start = this.clock.now();
    const step = (): void => {
      const t = Math.min(1, (this.clock.now() - start) / ms);
      this.level(Math.round(from + (to - from) * t));
      if (t < 1) {
        this.timer = this.clock.setTimeout(step, FADE_STEP_MS);
        return;
      }
      this.timer = undefined;
      this.finish();
    };
    if (ms <= 0 || from === to) {
      this.finish();
      return;
    }
    this.timer = this.clock.setTimeout(step, FADE_STEP_MS);
  }

  /** Blinks the picture for `ms` (dark, lit, dark, ...), then shows the light as it is. */
  flash(ms: number): void {
    this.stop();
    if (!this.target.lit) return;
    const end = this.clock.now() + ms;
    const toggle = (): void => {
      if (this.clock.now() >= end) {
        this.timer = undefined;
        this.finish();
        return;
      }
      this.lit(!this.shownLit);
      this.timer = this.clock.setTimeout(toggle, Math.min(FLASH_HALF_PERIOD_MS, Math.max(1, end - this.clock.now())));
    };
    toggle();
  }

  /** Ends a running effect where it was going. */
  cancel(): void {
    if (this.timer === undefined) return;
    this.stop();
    this.finish();
  }

  private stop(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private finish(): void {
    if (!this.target.lit) this.lit(false);
    this.level(this.target.level);
    if (this.target.lit) this.lit(true);
  }

  private level(level: number, always = false): void {
    if (level === this.shownLevel && !always) return;
    this.shownLevel = level;
    this.surface.showLevel(level);
  }

  private lit(lit: boolean, always = false): void {
    if (lit === this.shownLit && !always) return;
    this.shownLit = lit;
    this.surface.showLit(lit);
  }
}
