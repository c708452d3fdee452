/**
 * Keeps the display's serial port open: opens it (a path or `auto`), hands each open channel to
 * the link until the channel closes, then opens it again. While the port is missing it retries
 * with a growing backoff, and the device watch wakes it at once when the path may have come
 * back (device-watch.ts). What is said over the channel is the link's job, not this one's.
 */
import { errorMessage, type Logger } from '../util/logger';
import type { ChangeLog } from './change-log';
import { sightDevice, waitForDevice } from './device-watch';
import type { ChannelOpener, OpenChannel } from './port-opener';

export interface PortSupervisorOptions {
  /** A device path, or "auto". */
  path: string;
  openChannel: ChannelOpener;
  /** Starts talking on a freshly opened channel; the function it returns ends that. */
  attach: (opened: OpenChannel) => () => void;
  /** Changes of the port's state, logged once each. */
  note: ChangeLog;
  log: Logger;
}

const RETRY_MIN_MS = 100;
/**
 * The longest wait between two attempts to open the port. A device that comes back is seen by
 * the directory watch at once (device-watch.ts); this only bounds the retries of a device that
 * is there but fails to open, and of changes the watch cannot see.
 */
const RETRY_MAX_MS = 2000;
const STOP_TIMEOUT_MS = 2000;

export class PortSupervisor {
  private running = false;
  private loop?: Promise<void>;
  /** Ends the wait between two attempts to open. */
  private wake?: () => void;
  /** Ends the conversation on the open channel. */
  private hangUp?: () => void;

  constructor(private readonly options: PortSupervisorOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wake?.();
    this.hangUp?.();
    // A port stuck opening or closing (a wedged USB driver) must not hold up the bridge's exit.
    let timer: NodeJS.Timeout | undefined;
    const stuck = new Promise<void>(
      (resolve) =>
        (timer = setTimeout(() => {
          this.options.log.warn('the display port did not close within 2 s; leaving it');
          resolve();
        }, STOP_TIMEOUT_MS)),
    );
    await Promise.race([this.loop, stuck]);
    clearTimeout(timer);
  }

  private async run(): Promise<void> {
    const { path, note } = this.options;
    let delay = RETRY_MIN_MS;
    while (this.running) {
      let opened: OpenChannel;
      const before = sightDevice(path);
      try {
        opened = await this.options.openChannel(path);
      } catch (e) {
        note.note('warn', `display port ${path} unavailable (${errorMessage(e)}); retrying`);
        if (!this.running) break;
        const wait = waitForDevice(path, delay, before);
        this.wake = wait.stop;
        const reason = await wait.done;
        this.wake = undefined;
        // A device that just appeared may still be settling (udev links, permissions): retry
        // it soon again rather than after the long backoff of an absent one.
        delay = reason === 'changed' ? RETRY_MIN_MS : Math.min(delay * 2, RETRY_MAX_MS);
        continue;
      }
      delay = RETRY_MIN_MS;
      if (this.running) await this.converse(opened);
      await opened.close().catch(() => undefined);
    }
  }

  /** Lends `opened` to the link until the channel closes or the supervisor stops. */
  private converse(opened: OpenChannel): Promise<void> {
    return new Promise((resolve) => {
      const { channel } = opened;
      const onError = (error: Error): void => this.options.note.note('warn', `display port ${opened.path}: ${error.message}`);
      let detach: (() => void) | undefined;
      const end = (): void => {
        if (this.hangUp !== end) return;
        this.hangUp = undefined;
        // The channel's listeners come off with the conversation: a reopened port gets new ones.
        channel.off('close', end);
        channel.off('error', onError);
        detach?.();
        resolve();
      };
      channel.on('close', end);
      channel.on('error', onError);
      this.hangUp = end;
      this.options.note.note('info', `display port ${opened.path} open; waiting for the device to answer`);
      const detachNow = this.options.attach(opened);
      // A channel that closed while the link attached has already ended the conversation.
      if (this.hangUp === end) detach = detachNow;
      else detachNow();
    });
  }
}
