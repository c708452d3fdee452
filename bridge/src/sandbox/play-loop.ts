/**
 * The worker's side of AppInstance.play: ticks the app at its period on this thread's own timers,
 * so that a tick costs the bridge one message and no wake-up of this thread by the bridge. Runs
 * in the app's worker (app-worker.ts); the bridge watches it through the CallClock.
 */
import { type CallClock, monotonicMs, type TickCredit } from './protocol';

/**
 * How soon an outcome held back by TickCredit is offered again when no tick comes first: the
 * bridge takes what it was sent within a turn of its event loop, so a short wait is enough, and
 * it only runs while the bridge is behind.
 */
const HELD_RETRY_MS = 5;

export interface PlayLoopHost {
  clock: CallClock;
  credit: TickCredit;
  /**
   * One guest call; its outcome joins what is not yet sent. `reaction`: it answers a play or a
   * nudge. False when the app failed (the host reported it): the loop then stops.
   */
  tick(reaction: boolean): boolean;
  /** Sends the outcome not yet sent, as one `ran`. */
  send(): void;
}

export class PlayLoop {
  private periodMs: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  /** A nudge's tick, due at the end of this turn: the nudges that arrive with it share it. */
  private nudged: NodeJS.Immediate | undefined;
  private heldRetry: NodeJS.Timeout | undefined;

  constructor(private readonly host: PlayLoopHost) {}

  /** Ticks at once, then every `periodMs` (0: back to back); called again, a new period. */
  play(periodMs: number): void {
    this.periodMs = periodMs;
    this.tickNow(true);
  }

  /**
   * A tick in answer to something from outside, as soon as the messages that came with it are
   * handled: a burst of data payloads, each with its nudge, is one tick, not one tick each.
   */
  nudge(): void {
    if (this.periodMs === undefined || this.nudged) return;
    this.host.clock.planTick(monotonicMs());
    this.nudged = setImmediate(() => {
      this.nudged = undefined;
      this.tickNow(true);
    });
  }

  stop(): void {
    this.periodMs = undefined;
    this.cancelNextTick();
    clearImmediate(this.nudged);
    clearTimeout(this.heldRetry);
    this.nudged = this.heldRetry = undefined;
  }

  private tickNow(reaction: boolean): void {
    if (this.periodMs === undefined) return;
    this.cancelNextTick();
    const began = monotonicMs();
    if (!this.host.tick(reaction)) {
      this.stop();
      return;
    }
    this.sendOrHold();
    const next = began + this.periodMs;
    this.host.clock.planTick(next);
    const wait = next - monotonicMs();
    // setTimeout waits at least 1 ms: a period of 0 (the bench's back to back) would not be.
    if (wait <= 0) this.immediate = setImmediate(() => this.tickNow(false));
    else this.timer = setTimeout(() => this.tickNow(false), wait);
  }

  /** Sends the outcome now if TickCredit allows, else offers it again shortly (or with the next tick). */
  private sendOrHold(): void {
    clearTimeout(this.heldRetry);
    this.heldRetry = undefined;
    if (this.host.credit.hasRoom()) this.host.send();
    else this.heldRetry = setTimeout(() => this.sendOrHold(), HELD_RETRY_MS);
  }

  private cancelNextTick(): void {
    clearTimeout(this.timer);
    clearImmediate(this.immediate);
    this.timer = this.immediate = undefined;
  }
}
