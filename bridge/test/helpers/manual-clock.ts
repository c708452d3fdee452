/**
 * A calendar clock the test moves by hand (the `Clock` night mode runs on): `now()` stands still
 * until `advanceTo`/`advance`, which fire each due timer at its own instant, earliest first.
 */
import type { Clock, ClockTimer } from '../../src/display/clock';

export class ManualClock implements Clock {
  private readonly timers = new Map<number, { at: number; callback: () => void }>();
  private nextId = 1;

  constructor(private instant: number) {}

  now(): number {
    return this.instant;
  }

  setTimeout(callback: () => void, ms: number): ClockTimer {
    const id = this.nextId++;
    this.timers.set(id, { at: this.instant + Math.max(0, ms), callback });
    return id;
  }

  clearTimeout(timer: ClockTimer): void {
    this.timers.delete(timer as number);
  }

  /** Timers waiting now. */
  get pending(): number {
    return this.timers.size;
  }

  /** Moves to `instant`, firing every timer due by then at its own time (a timer set by one that fires runs too if due). */
  advanceTo(instant: number): void {
    if (instant < this.instant)
      throw new RangeError(`the clock only moves forward: ${new Date(instant).toISOString()} is before ${new Date(this.instant).toISOString()}`);
    for (;;) {
      let first: [number, { at: number; callback: () => void }] | undefined;
      for (const entry of this.timers) if (entry[1].at <= instant && (first === undefined || entry[1].at < first[1].at)) first = entry;
      if (first === undefined) break;
      this.timers.delete(first[0]);
      this.instant = Math.max(this.instant, first[1].at);
      first[1].callback();
    }
    this.instant = instant;
  }

  advance(ms: number): void {
    this.advanceTo(this.instant + ms);
  }
}
