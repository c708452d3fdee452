/**
 * Auto-brightness from a jittering light sensor, with the time injected: readings are smoothed
 * (exponentially, in log-lux, the last reading held between readings since sensors report only
 * on change), mapped through the curve, and the brightness changes only when the target has
 * moved by the hysteresis band and the last change is at least the minimum interval old. A new
 * limit (night falls) applies at once: it is a rule, not a reading.
 */
import { type CurvePoint, curveAt, luxScale } from './brightness-curve';

export interface AutoBrightnessOptions {
  curve: readonly CurvePoint[];
  /** Time constant of the smoothing; 0: each reading is taken as it is. */
  smoothingMs: number;
  /** Brightness steps the target must be away from the current brightness to change it. */
  hysteresis: number;
  /** Least time between two changes. */
  minIntervalMs: number;
}

/** Limits from night mode: at night its brightness, by day max_brightness_during_day. */
export interface BrightnessLimits {
  max?: number;
}

/** `display.auto_brightness` (settings) as options. */
export function autoBrightnessOptions(block: {
  curve: Array<[number, number]>;
  smoothing_s: number;
  hysteresis: number;
  min_interval_s: number;
}): AutoBrightnessOptions {
  return { curve: block.curve, smoothingMs: block.smoothing_s * 1000, hysteresis: block.hysteresis, minIntervalMs: block.min_interval_s * 1000 };
}

/** How often `nextUpdate` asks to be called while the smoothed value is still moving. */
const SETTLING_STEP_MS = 1000;

export class AutoBrightness {
  /** The latest reading, on the lux scale. */
  private input?: number;
  /** The smoothed value on the lux scale, as of `smoothedAt`. */
  private smoothed = 0;
  private smoothedAt = 0;
  private current?: number;
  private lastChangeAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: AutoBrightnessOptions) {}

  /** The brightness last decided; undefined before the first reading. */
  get brightness(): number | undefined {
    return this.current;
  }

  /** A reading from the sensor; a value that is not a finite number of lux is ignored. */
  reading(lux: number, now: number): void {
    if (!Number.isFinite(lux) || lux < 0) return;
    const scaled = luxScale(lux);
    if (this.input === undefined) {
      this.smoothed = scaled;
    } else {
      this.smoothed = this.smoothedValue(now);
    }
    this.smoothedAt = now;
    this.input = scaled;
  }

  /**
   * The new brightness if it changes at `now`, else undefined. Call it after each reading, when
   * the limits change, and at `nextUpdate`.
   */
  update(now: number, limits: BrightnessLimits = {}): number | undefined {
    if (this.input === undefined) return undefined;
    const target = this.target(now, limits);
    const overLimit = this.current !== undefined && limits.max !== undefined && this.current > limits.max;
    const due = now - this.lastChangeAt >= this.options.minIntervalMs;
    const moved = this.current === undefined || (target !== this.current && Math.abs(target - this.current) >= this.options.hysteresis);
    if (!overLimit && !(due && moved)) return undefined;
    this.current = target;
    this.lastChangeAt = now;
    return target;
  }

  /**
   * When `update` may next give a change without a new reading: the smoothing still moving the
   * target past the band, held back by the minimum interval. Undefined when settled.
   */
  nextUpdate(now: number, limits: BrightnessLimits = {}): number | undefined {
    if (this.input === undefined || this.current === undefined) return undefined;
    const settled = this.clamp(Math.round(curveAt(this.options.curve, this.input)), limits);
    if (Math.abs(settled - this.current) < Math.max(1, this.options.hysteresis)) return undefined;
    return Math.max(now + SETTLING_STEP_MS, this.lastChangeAt + this.options.minIntervalMs);
  }

  private smoothedValue(now: number): number {
    const input = this.input as number;
    const tau = this.options.smoothingMs;
    if (tau <= 0) return input;
    const elapsed = Math.max(0, now - this.smoothedAt);
    return input + (this.smoothed - input) * Math.exp(-elapsed / tau);
  }

  private target(now: number, limits: BrightnessLimits): number {
    return this.clamp(Math.round(curveAt(this.options.curve, this.smoothedValue(now))), limits);
  }

  private clamp(value: number, limits: BrightnessLimits): number {
    return limits.max === undefined ? value : Math.min(value, limits.max);
  }
}
