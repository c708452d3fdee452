/**
 * The MQTT display output: the current frame, retained, on `P/display/frame` (rate-capped by a
 * token bucket, so a frame after a quiet spell goes at once; latest frame wins) and a PNG on `P/display/png` at most once a second and on request.
 * Both go out with QoS 1: a static app publishes one frame and then nothing, so a subscriber
 * that lost that one (the embedded broker was seen dropping QoS 0 frames to a busy client)
 * would show a stale picture until the next change.
 */
import { OUT, type DeviceTopics } from '@megabit/contract';
import { systemClock, type Clock, type ClockTimer } from '../display/clock';
import { FrameCap } from '../display/frame-cap';
import type { DisplayOutput } from '../display/output';
import type { MqttConnection } from './connection';

const PNG_INTERVAL_MS = 1000;

/** The frames the display shows, for a feed of its own (Home Assistant's slower screen image). */
export interface FrameSource {
  latestFrame(): Uint8Array | undefined;
  /** Calls `listener` with each frame shown; returns what stops it. */
  onFrame(listener: (frame: Uint8Array) => void): () => void;
  encodePng(frame: Uint8Array): Buffer;
}

export class FramePublisher implements DisplayOutput, FrameSource {
  readonly name = 'mqtt';
  private latest?: Uint8Array;
  private readonly cap: FrameCap;
  private frameTimer?: ClockTimer;
  private lastPngAt = 0;
  private pngTimer?: NodeJS.Timeout;
  private offConnect?: () => void;
  private offDisconnect?: () => void;
  /** The connection has announced `online` (its onConnect came) and not dropped since. */
  private online = false;
  private readonly frameListeners: Array<(frame: Uint8Array) => void> = [];
  private readonly publishedListeners: Array<() => void> = [];

  constructor(
    private readonly mqtt: MqttConnection,
    private readonly topics: DeviceTopics,
    maxFps: number,
    readonly encodePng: (frame: Uint8Array) => Buffer,
    /** Paces `P/display/frame` only; the PNG keeps real timers (once a second needs no test clock). */
    private readonly clock: Clock = systemClock,
  ) {
    this.cap = new FrameCap(maxFps);
  }

  start(): void {
    this.offConnect = this.mqtt.onConnect(() => {
      this.online = true;
      // The retained frame may have been lost with a broker restart: put it back; the PNG after it.
      this.publishFrame();
      if (this.latest) this.schedulePng();
    });
    this.offDisconnect = this.mqtt.onDisconnect(() => {
      this.online = false;
    });
  }

  stop(): void {
    this.offConnect?.();
    this.offDisconnect?.();
    if (this.frameTimer !== undefined) this.clock.clearTimeout(this.frameTimer);
    this.frameTimer = undefined;
    clearTimeout(this.pngTimer);
  }

  showFrame(frame: Uint8Array): void {
    this.latest = frame;
    if (this.frameTimer === undefined) {
      const wait = this.cap.waitMs(this.clock.now());
      if (wait <= 0) this.publishFrame();
      else this.frameTimer = this.clock.setTimeout(() => this.publishFrame(), wait);
    }
    this.schedulePng();
    for (const listener of this.frameListeners) listener(frame);
  }

  latestFrame(): Uint8Array | undefined {
    return this.latest;
  }

  onFrame(listener: (frame: Uint8Array) => void): () => void {
    this.frameListeners.push(listener);
    return () => {
      const index = this.frameListeners.indexOf(listener);
      if (index >= 0) this.frameListeners.splice(index, 1);
    };
  }

  /** Calls `listener` each time a frame goes out on `P/display/frame` (the start-up timeline's first frame). */
  onPublished(listener: () => void): void {
    this.publishedListeners.push(listener);
  }

  /** Publishes the PNG now (the `P/cmd/screen` command). */
  publishPng(): void {
    clearTimeout(this.pngTimer);
    this.pngTimer = undefined;
    // Not encoded only to be dropped, nor ahead of the first frame: at start the first frame is
    // composed before the connection is up, and the encoding (tens of ms) would delay that frame.
    // The connection's onConnect publishes the frame, then schedules the PNG.
    if (!this.latest || !this.online) return;
    this.lastPngAt = Date.now();
    this.mqtt.publish(this.topics.out(OUT.png), this.encodePng(this.latest), { qos: 1 });
  }

  private publishFrame(): void {
    this.frameTimer = undefined;
    if (!this.latest) return;
    this.cap.take(this.clock.now());
    // Publishing while disconnected is dropped; the frame goes out again on connect.
    const sent = this.mqtt.connected;
    this.mqtt.publish(this.topics.out(OUT.frame), Buffer.from(this.latest.buffer, this.latest.byteOffset, this.latest.byteLength), { retain: true, qos: 1 });
    if (sent) for (const listener of this.publishedListeners) listener();
  }

  private schedulePng(): void {
    if (this.pngTimer) return;
    const wait = Math.max(0, this.lastPngAt + PNG_INTERVAL_MS - Date.now());
    this.pngTimer = setTimeout(() => this.publishPng(), wait);
  }
}
