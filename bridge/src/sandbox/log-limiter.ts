/**
 * Lets at most `perSecond` lines through per one-second window and counts the rest, so a chatty
 * app cannot flood the bridge's log. The count of a finished window is handed out once, for a
 * single "N lines dropped" summary.
 *
 * Dropping is the answer to a burst. An app that keeps logging far beyond its limit is a fault
 * (a log call in a hot loop): after LOG_FLOOD_WINDOWS windows in a row that each tried at least
 * LOG_FLOOD_FACTOR times the limit, `flood` says why the app should be stopped.
 */

/** How many times its limit a window's lines must reach to count towards a flood. */
export const LOG_FLOOD_FACTOR = 10;
/** Consecutive flooded one-second windows after which the app is stopped. */
export const LOG_FLOOD_WINDOWS = 5;
const WINDOW_MS = 1000;

export class LogLimiter {
  private windowStart = -Infinity;
  private used = 0;
  private dropped = 0;
  private unreported = 0;
  private streak = 0;
  private streakStart = 0;
  private streakLines = 0;
  private floodReason: string | null = null;

  constructor(private readonly perSecond: number) {}

  /** Why the app counts as flooding its log (sustained far over its limit), or null. */
  get flood(): string | null {
    return this.floodReason;
  }

  /** Whether a line logged at `now` (ms) may go out. */
  admit(now: number): boolean {
    this.roll(now);
    if (this.used < this.perSecond) {
      this.used++;
      return true;
    }
    this.dropped++;
    return false;
  }

  /** Lines dropped in windows that have ended and were not reported yet (then 0 until more drop). */
  takeDropped(now: number): number {
    this.roll(now);
    const n = this.unreported;
    this.unreported = 0;
    return n;
  }

  private roll(now: number): void {
    if (now - this.windowStart < WINDOW_MS) return;
    this.judgeWindow(now);
    this.unreported += this.dropped;
    this.dropped = 0;
    this.used = 0;
    this.windowStart = now;
  }

  /** Extends or breaks the flood streak with the window that ends at `now`. */
  private judgeWindow(now: number): void {
    const lines = this.used + this.dropped;
    // A window starts with the first line after the last one ended: a gap of a second or more
    // between them means the app paused, and the streak is over.
    const adjacent = now - this.windowStart < 2 * WINDOW_MS;
    if (lines < LOG_FLOOD_FACTOR * this.perSecond) {
      this.streak = 0;
      return;
    }
    if (this.streak === 0 || !adjacent) {
      this.streak = 0;
      this.streakStart = this.windowStart;
      this.streakLines = 0;
    }
    this.streak++;
    this.streakLines += lines;
    if (this.streak >= LOG_FLOOD_WINDOWS && this.floodReason === null) {
      const seconds = (now - this.streakStart) / 1000;
      const rate = Math.round(this.streakLines / seconds);
      this.floodReason = `log flood: about ${rate} lines a second for ${seconds.toFixed(1)} s (limit: ${this.perSecond} per second)`;
    }
  }
}
