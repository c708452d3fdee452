/**
 * Runs AutoBrightness (schedules/) on a clock: takes lux readings, asks for a new level after
 * each one, when the limit changes and when the smoothing still moves (one timer), and hands
 * each new level to the display.
 */
import type { Clock, ClockTimer } from '../display/clock';
import { AutoBrightness, type AutoBrightnessOptions } from '../schedules/auto-brightness';

export interface AutoBrightnessDriverOptions {
  options: AutoBrightnessOptions;
  clock: Clock;
  /** The most it may set now (night mode's limit); undefined: none. */
  limit(): number | undefined;
  /** A new level to show. */
  output(level: number): void;
}

export class AutoBrightnessDriver {
  private readonly brightness: AutoBrightness;
  private timer?: ClockTimer;
  private stopped = false;

  constructor(private readonly o: AutoBrightnessDriverOptions) {
    this.brightness = new AutoBrightness(o.options);
  }

  /** A reading from the sensor; anything that is not a number of lux is ignored. */
  reading(lux: number): void {
    this.brightness.reading(lux, this.o.clock.now());
    this.update();
  }

  /** Night began or ended: a lower limit applies at once. */
  limitChanged(): void {
    this.update();
  }

  stop(): void {
    this.stopped = true;
    this.clearTimer();
  }

  private update(): void {
    if (this.stopped) return;
    this.clearTimer();
    const now = this.o.clock.now();
    const limits = { max: this.o.limit() };
    const level = this.brightness.update(now, limits);
    if (level !== undefined) this.o.output(level);
    const next = this.brightness.nextUpdate(now, limits);
    if (next !== undefined) this.timer = this.o.clock.setTimeout(() => this.update(), Math.max(0, next - now));
  }

  private clearTimer(): void {
    if (this.timer !== undefined) this.o.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }
}
