/**
 * The frame-rate cap as a token bucket: it limits how many frames go out, not how soon a change
 * may show. A token comes back every 1000/maxFps ms and at most `burst` are kept, so a frame
 * after a quiet interval goes at once, even right behind an unrelated one (the clock's tick),
 * while a steady stream of changes is held to `maxFps` a second. Over any span of T ms at most
 * `burst + T * maxFps / 1000` frames pass.
 *
 * Why not the next slot of a fixed tick: a command arriving a few ms after some other frame would
 * then wait most of a frame interval for a slot nothing else wanted.
 *
 * The compositor's reactions to commands do not wait for it at all (`takeIfAny`): the cap holds
 * an app's own ticks and animation steps, and the MQTT frame publisher's every frame.
 */

/** Frames that may go back to back after a quiet spell: the one that was due and one more. */
export const DEFAULT_BURST = 2;

export class FrameCap {
  private readonly intervalMs: number;
  private tokens: number;
  private updatedAt = -Infinity;

  constructor(
    maxFps: number,
    private readonly burst = DEFAULT_BURST,
  ) {
    if (!Number.isFinite(maxFps) || maxFps <= 0) throw new RangeError(`frame cap maxFps must be a number above 0, got ${String(maxFps)}`);
    if (!Number.isInteger(burst) || burst < 1) throw new RangeError(`frame cap burst must be a whole number from 1, got ${String(burst)}`);
    this.intervalMs = 1000 / maxFps;
    this.tokens = burst;
  }

  /** How long from `now` until a frame may go; 0: now. */
  waitMs(now: number): number {
    this.refill(now);
    // The tolerance keeps float rounding (1000/30 ms refills) from turning "due now" into a 1e-13 ms wait.
    return this.tokens >= 1 - 1e-9 ? 0 : (1 - this.tokens) * this.intervalMs;
  }

  /** A frame went out at `now`. Callers ask `waitMs` first; a frame taken early only runs the bucket into debt. */
  take(now: number): void {
    this.refill(now);
    this.tokens -= 1;
  }

  /**
   * A frame that did not ask `waitMs` went out at `now` (the compositor's reaction to a command):
   * it uses a token if one is there, and never runs the bucket into debt, so frames that do wait
   * for the cap (an app's own ticks) get their rate back as soon as such frames stop.
   */
  takeIfAny(now: number): void {
    this.refill(now);
    this.tokens = Math.max(0, this.tokens - 1);
  }

  /** Full again, as after a long quiet spell (the output restarts). */
  reset(): void {
    this.tokens = this.burst;
    this.updatedAt = -Infinity;
  }

  private refill(now: number): void {
    if (this.updatedAt === -Infinity) {
      this.updatedAt = now;
      return;
    }
    const elapsed = now - this.updatedAt;
    if (elapsed <= 0) return;
    this.tokens = Math.min(this.burst, this.tokens + elapsed / this.intervalMs);
    this.updatedAt = now;
  }
}
