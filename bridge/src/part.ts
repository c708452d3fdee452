/**
 * The one shape of everything the controller starts: the broker and its listeners, the display
 * outputs, the device core, the MQTT connection and API, HTTP, Home Assistant. A part is built
 * (by its factory in parts.ts) without doing anything; `start` opens what it needs and registers
 * its listeners (bus, MQTT subscriptions, connection callbacks); `stop` closes and removes them
 * all, so a stopped bridge holds nothing.
 */
import type { StartupTimeline } from './startup-timeline';
import { errorMessage, type Logger } from './util/logger';

export interface Part {
  /** For the logs ("stopping mqtt"). */
  readonly name: string;
  start(): Promise<void> | void;
  stop(): Promise<void> | void;
}

/**
 * Starts parts in order and stops them in reverse. A part failing to start stops itself (what it
 * opened before failing) and every part started before it; a part failing to stop is logged and
 * the others still stop.
 */
export class PartSequence {
  private readonly started: Part[] = [];

  /** With a timeline, each part's start is one of its phases. */
  constructor(
    private readonly log: Logger,
    private readonly timeline?: StartupTimeline,
  ) {}

  async start(parts: readonly Part[]): Promise<void> {
    for (const part of parts) {
      // Listed before it starts: a part that fails halfway may hold what it opened first.
      this.started.push(part);
      try {
        if (this.timeline) await this.timeline.phase(part.name, () => part.start());
        else await part.start();
      } catch (e) {
        this.log.debug(`starting ${part.name} failed: ${errorMessage(e)}`);
        await this.stop();
        throw e;
      }
    }
  }

  async stop(): Promise<void> {
    while (this.started.length > 0) {
      const part = this.started.pop()!;
      this.log.debug(`stopping ${part.name}`);
      try {
        await part.stop();
      } catch (e) {
        this.log.warn(`stopping ${part.name} failed: ${errorMessage(e)}`);
      }
    }
  }
}
