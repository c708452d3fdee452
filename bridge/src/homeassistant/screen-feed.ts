/**
 * The screen for Home Assistant's image entity, on `P/display/snapshot`: every image there is a
 * state its recorder keeps, so this feed is slow on purpose. A new picture goes out at most once
 * per `intervalS` while the screen changes, and at once (with the next frame) when the app or
 * the notification showing changes or the display is switched on or off; an unchanged picture
 * never goes out again. The page keeps the fast `P/display/png`.
 */
import { OUT, type DeviceTopics } from '@megabit/contract';
import type { EventBus } from '../events';
import type { FrameSource } from '../mqtt/frame-publisher';
import type { MqttConnection } from '../mqtt/connection';
import type { Part } from '../part';

/** The part of DeviceControl this needs. */
export interface ShownContent {
  state(): { state: 'ON' | 'OFF'; app: string | null; notification: string | null };
}

/** How long the first picture waits for a frame of the app (the frame at start may be blank). */
const FIRST_PICTURE_WAIT_MS = 1000;
/** How long a content change waits for a frame of its own before the latest frame goes. */
const CONTENT_WAIT_MS = 200;

export class ScreenSnapshotFeed implements Part {
  readonly name = 'homeassistant-screen';
  private running = false;
  private lastSent?: Uint8Array;
  private lastSentAt = 0;
  private timer?: NodeJS.Timeout;
  /** The app or notification changed (or the feed just started): the next frame goes out at once. */
  private contentChanged = true;
  private shown = '';
  private stopFrames?: () => void;

  constructor(
    private readonly mqtt: MqttConnection,
    private readonly topics: DeviceTopics,
    private readonly frames: FrameSource,
    private readonly device: ShownContent,
    private readonly bus: EventBus,
    private readonly intervalS: number,
  ) {}

  start(): void {
    this.running = true;
    this.shown = this.shownKey();
    this.stopFrames = this.frames.onFrame((frame) => this.frame(frame));
    this.bus.on(this, 'stateChanged', () => {
      const shown = this.shownKey();
      if (shown === this.shown) return;
      this.shown = shown;
      this.contentChanged = true;
      // The new content's frame may already be out (a notification draws before it says so), and
      // a still screen sends no other: then the latest frame goes after a short wait.
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.sendChanged(), CONTENT_WAIT_MS);
    });
    // The first picture is the next frame; a screen that stays still gets the one it has.
    this.timer = setTimeout(() => this.sendChanged(), FIRST_PICTURE_WAIT_MS);
  }

  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
    this.stopFrames?.();
    this.bus.removeListeners(this);
  }

  /** Sends the picture now, changed or not (Home Assistant came online). */
  publishNow(): void {
    const frame = this.frames.latestFrame();
    if (this.running && frame) this.send(frame);
  }

  private frame(frame: Uint8Array): void {
    if (!this.running) return;
    if (this.contentChanged) {
      this.contentChanged = false;
      if (!this.same(frame)) this.send(frame);
      return;
    }
    if (this.timer || this.same(frame)) return;
    const wait = Math.max(0, this.lastSentAt + this.intervalS * 1000 - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const latest = this.frames.latestFrame();
      if (this.running && latest && !this.same(latest)) this.send(latest);
    }, wait);
  }

  /** The content changed and no frame has come since: the latest one, if it is new. */
  private sendChanged(): void {
    this.timer = undefined;
    const latest = this.frames.latestFrame();
    if (!this.running || !this.contentChanged || !latest) return;
    this.contentChanged = false;
    if (!this.same(latest)) this.send(latest);
  }

  private send(frame: Uint8Array): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.lastSent = frame.slice();
    this.lastSentAt = Date.now();
    this.mqtt.publish(this.topics.out(OUT.snapshot), this.frames.encodePng(frame), { qos: 1 });
  }

  private same(frame: Uint8Array): boolean {
    return this.lastSent !== undefined && Buffer.compare(this.lastSent, frame) === 0;
  }

  /**
   * What the picture shows. Power is part of it: a display switched off shows Home Assistant its
   * dark picture at once, rather than up to `intervalS` later, and then leaves no timer pending
   * while it stays dark (the leak test counts timers at rest with the display off).
   */
  private shownKey(): string {
    const { state, app, notification } = this.device.state();
    return `${state}\n${app ?? ''}\n${notification ?? ''}`;
  }
}
