/**
 * Lets at most `perSecond` lines through per one-second window and counts the rest, so a chatty
 * app cannot flood the bridge's log. The count of a finished window is handed out once, for a
 * single "N lines dropped" summary.
 */
export class LogLimiter {
  private windowStart = -Infinity;
  private used = 0;
  private dropped = 0;
  private unreported = 0;

  constructor(private readonly perSecond: number) {}

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
    if (now - this.windowStart < 1000) return;
    this.unreported += this.dropped;
    this.dropped = 0;
    this.used = 0;
    this.windowStart = now;
  }
}
