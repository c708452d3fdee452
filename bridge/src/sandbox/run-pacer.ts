/**
 * AppInstance.play() over run(), on the bridge's own event loop: for instances with no thread of
 * their own to keep the time in (screens, which render on the main thread anyway). A sandboxed
 * app's worker paces itself instead (app-worker.ts).
 */
import type { TickSink } from './types';

export class RunPacer {
  private periodMs = 0;
  private sink: TickSink | undefined;
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;
  /** A nudge came while a tick ran: tick again right after it. */
  private again = false;
  /** The next tick answers play() or nudge(): its frame is a reaction. */
  private reactionDue = false;
  private stopped = false;

  constructor(private readonly run: () => Promise<Uint8Array | null>) {}

  play(periodMs: number, sink: TickSink): void {
    this.periodMs = periodMs;
    this.sink = sink;
    this.nudge();
  }

  /** The period from the tick in progress (or the next) on. */
  setPeriod(periodMs: number): void {
    this.periodMs = periodMs;
  }

  nudge(): void {
    if (!this.sink || this.stopped) return;
    this.reactionDue = true;
    if (this.ticking) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    void this.tick();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private async tick(): Promise<void> {
    const sink = this.sink;
    if (!sink || this.stopped) return;
    this.ticking = true;
    this.again = false;
    const reaction = this.reactionDue;
    this.reactionDue = false;
    const began = Date.now();
    let frame: Uint8Array | null;
    try {
      frame = await this.run();
    } catch (e) {
      this.ticking = false;
      if (!this.stopped) sink.failed(e);
      this.stop();
      return;
    }
    this.ticking = false;
    if (this.stopped) return;
    try {
      sink.ran(frame, reaction);
    } catch (e) {
      // As the scheduler's own loop did: what cannot take the instance's frames fails it.
      sink.failed(e);
      this.stop();
      return;
    }
    if (this.stopped) return;
    const wait = this.again ? 0 : Math.max(0, this.periodMs - (Date.now() - began));
    this.timer = setTimeout(() => void this.tick(), wait);
  }
}
