/**
 * Tells an app that handles a full KV store (a refused write now and then) from one that keeps
 * writing regardless: more than KV_FLOOD_REFUSALS writes refused for the quota within
 * KV_FLOOD_WINDOW_MS is a fault. An app retrying a few writes every tick stays below even at the
 * fastest tick rate a manifest may ask for (refresh_period_ms 10: 100 ticks a second).
 */

export const KV_FLOOD_REFUSALS = 5000;
export const KV_FLOOD_WINDOW_MS = 10_000;

export class KvFloodMeter {
  /** When the last KV_FLOOD_REFUSALS refusals happened, oldest at `next` once full. */
  private readonly times = new Float64Array(KV_FLOOD_REFUSALS);
  private count = 0;
  private next = 0;
  private floodReason: string | null = null;

  constructor(private readonly quotaBytes: number) {}

  /** Why the app counts as flooding its KV store, or null. */
  get flood(): string | null {
    return this.floodReason;
  }

  /** Notes a write refused at `now` (ms) for going over the quota. */
  refused(now: number): void {
    if (this.count === KV_FLOOD_REFUSALS && this.floodReason === null) {
      const oldest = this.times[this.next];
      if (now - oldest <= KV_FLOOD_WINDOW_MS) {
        const seconds = Math.max(0.1, (now - oldest) / 1000);
        this.floodReason =
          `KV flood: ${KV_FLOOD_REFUSALS + 1} writes refused in ${seconds.toFixed(1)} s ` +
          `for going over the ${this.quotaBytes}-byte quota (limit: ${KV_FLOOD_REFUSALS} per ${KV_FLOOD_WINDOW_MS / 1000} s)`;
      }
    }
    this.times[this.next] = now;
    this.next = (this.next + 1) % KV_FLOOD_REFUSALS;
    this.count = Math.min(this.count + 1, KV_FLOOD_REFUSALS);
  }
}
