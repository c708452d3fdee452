/**
 * Turns the app's latest frame and the notification showing into the frame on the panel, and
 * hands each frame that differs from the last one to every output.
 *
 * Frames are composed when something changes (app frame, notification, power) and, while a
 * notification scrolls, on an animation timer. A reaction (a notification came, changed or went,
 * the light changed, an app frame drawn in answer to a command) is composed and handed on at once,
 * whatever the cap: the cap limits publishing, not reaction. Reactions that come while the current
 * macrotask turn is not done yet (a burst of commands read in one go) merge into one more compose
 * when it ends, so a flood costs at most two composes a turn and one per reaction.
 * `maxFps` caps the other frames (an app's own ticks, animation steps): one after a quiet spell
 * goes at once (frame-cap.ts); faster ones wait for the next token and the latest one wins.
 * When nothing moves no timer runs.
 * Power off shows black; brightness is only passed on (outputs dim in hardware), so
 * composed frames and the PNG stay at full scale. Outputs are started and stopped by their owner.
 */
import type { NotifyRequest } from '@megabit/contract';
import type { IconSource } from '../icons/icon';
import { renderScreen } from '../screens/render/on-first-use';
import { createLogger, type Logger } from '../util/logger';
import { systemClock, type Clock, type ClockTimer } from './clock';
import { drawBanner } from './banner';
import { framesEqual } from './diff';
import { FrameCap } from './frame-cap';
import { assertFrame, blankFrame } from './frame';
import { scrolls, type Notification } from './notification';
import { NotificationQueue, type NotificationListener } from './notification-queue';
import { LightEffects } from './light-effects';
import type { DisplayOutput } from './output';

export interface CompositorOptions {
  /** Cap on composed frames a second; 30 unless told. */
  maxFps?: number;
  /** How long a notification without `duration_ms` shows; 5000 unless told. */
  defaultDurationMs?: number;
  /** 30 unless told. */
  scrollSpeedPxPerS?: number;
  /** Notifications that may wait behind the showing one; 32 unless told. */
  maxQueued?: number;
  clock?: Clock;
  log?: Logger;
  /** Icons rich notifications draw by name; none unless given. */
  icons?: IconSource;
}

const FPS_WINDOW_MS = 1000;

function positive(value: number | undefined, fallback: number, name: string, max: number): number {
  const v = value ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || v > max)
    throw new RangeError(`compositor ${name} must be a number above 0 and at most ${max}, got ${String(v)}`);
  return v;
}

export class Compositor {
  readonly notifications: NotificationQueue;
  private readonly outputs: DisplayOutput[];
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly cap: FrameCap;
  private readonly animationIntervalMs: number;
  private readonly scrollSpeed: number;
  private readonly appFrame = blankFrame();
  private lastFrame?: Uint8Array;
  private timer?: ClockTimer;
  private running = false;
  /** The light's state (what P/state reports); `effects` decides what the panel shows meanwhile. */
  private on = true;
  private level = 255;
  /** Whether the picture shows (false: black), during a fade to off or a flash's dark half too. */
  private lit = true;
  private readonly effects: LightEffects;
  private readonly pushTimes: number[] = [];
  private readonly failingOutputs = new Set<DisplayOutput>();
  private readonly icons: IconSource;
  /** The rich notification drawn last moves (scrolling text, an animated icon): compose it on the animation timer. */
  private richAnimated = false;
  /** A notification came, changed or went since the last frame: that frame may preempt. */
  private notificationNews = false;
  /** A reaction was composed in this turn: later ones wait for its end (`endTurn`). */
  private turnBusy = false;
  /** A reaction came after this turn's compose: compose once more when the turn ends. */
  private reactionWaiting = false;

  constructor(outputs: DisplayOutput[], options: CompositorOptions = {}) {
    this.outputs = [...outputs];
    this.clock = options.clock ?? systemClock;
    this.log = options.log ?? createLogger('info', 'display');
    this.icons = options.icons ?? { get: () => undefined };
    const maxFps = positive(options.maxFps, 30, 'maxFps', 240);
    this.scrollSpeed = positive(options.scrollSpeedPxPerS, 30, 'scrollSpeedPxPerS', 1000);
    this.cap = new FrameCap(maxFps);
    // The text moves one pixel every 1000/speed ms: composing more often would only repeat frames.
    this.animationIntervalMs = Math.max(1000 / maxFps, 1000 / this.scrollSpeed);
    const maxQueued = options.maxQueued ?? 32;
    if (!Number.isInteger(maxQueued) || maxQueued < 0) throw new RangeError(`compositor maxQueued must be a whole number, got ${String(maxQueued)}`);
    this.notifications = new NotificationQueue({
      defaultDurationMs: positive(options.defaultDurationMs, 5000, 'defaultDurationMs', 86_400_000),
      scrollSpeedPxPerS: this.scrollSpeed,
      maxQueued,
      clock: this.clock,
      log: this.log,
    });
    this.notifications.onEvent(() => {
      this.notificationNews = true;
      this.react();
    });
    this.effects = new LightEffects(
      {
        showLevel: (level) => {
          for (const output of this.outputs) this.callOutput(output, () => output.setBrightness?.(level));
        },
        showLit: (lit) => {
          this.lit = lit;
          for (const output of this.outputs) this.callOutput(output, () => output.setPower?.(lit));
          this.react();
        },
      },
      this.clock,
      this.on,
      this.level,
    );
  }

  /** Starts composing: pushes the current frame to every output at once. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.lastFrame = undefined;
    this.cap.reset();
    // Showing a waiting notification already composes (and pushes) through its event.
    this.notifications.start();
    if (!this.lastFrame) this.composeNow();
  }

  /** Clears every timer; the showing notification waits at the head of the queue. */
  stop(): void {
    this.running = false;
    this.reactionWaiting = false;
    this.effects.cancel();
    this.clearTimer();
    this.notifications.stop();
  }

  /**
   * Takes a copy of the app's frame. Throws unless it is a 64x32 RGB888 frame. `reaction`: the
   * app drew it in answer to a command (shown at once), not on its own refresh (capped).
   */
  setAppFrame(frame: Uint8Array, reaction = false): void {
    assertFrame(frame, 'app frame');
    this.appFrame.set(frame);
    if (reaction) this.react();
    else this.requestCompose();
  }

  notify(request: NotifyRequest): string {
    return this.notifications.notify(request);
  }

  dismiss(id?: string): boolean {
    return this.notifications.dismiss(id);
  }

  get notification(): Notification | undefined {
    return this.notifications.showing?.notification;
  }

  onNotificationEvent(listener: NotificationListener): () => void {
    return this.notifications.onEvent(listener);
  }

  setPower(on: boolean): void {
    this.setLight({ on });
  }

  setBrightness(brightness: number): void {
    this.setLight({ brightness });
  }

  /**
   * Power and brightness, at once or faded over `transitionMs`. The state is the target at once;
   * a fade or flash still running ends.
   */
  setLight(change: { on?: boolean; brightness?: number }, transitionMs = 0): void {
    const { on = this.on, brightness = this.level } = change;
    if (typeof on !== 'boolean') throw new TypeError(`power must be true or false, got ${String(on)}`);
    if (!Number.isInteger(brightness) || brightness < 0 || brightness > 255) {
      throw new RangeError(`brightness must be an integer from 0 to 255, got ${String(brightness)}`);
    }
    if (!Number.isFinite(transitionMs) || transitionMs < 0) throw new RangeError(`transition must be 0 or more ms, got ${String(transitionMs)}`);
    this.on = on;
    this.level = brightness;
    if (transitionMs > 0) this.effects.fade(on, brightness, transitionMs);
    else this.effects.set(on, brightness, { lit: change.on !== undefined, level: change.brightness !== undefined });
  }

  /** Blinks the picture for `ms` when the light is on (Home Assistant's flash). */
  flash(ms: number): void {
    if (!Number.isFinite(ms) || ms <= 0) throw new RangeError(`flash must be more than 0 ms, got ${String(ms)}`);
    this.effects.flash(ms);
  }

  /** Frames handed to the outputs during the last second. */
  /** The brightness set last (the target of a fade still running). */
  get brightness(): number {
    return this.level;
  }

  get fps(): number {
    this.forgetOldPushes(this.clock.now());
    return this.pushTimes.length;
  }

  private compose(now: number): Uint8Array {
    const frame = blankFrame();
    if (!this.lit) return frame;
    frame.set(this.appFrame);
    const showing = this.notifications.showing;
    this.richAnimated = false;
    if (showing?.notification.content) {
      // The screen renderer fills the whole frame: a rich notification covers the app.
      this.richAnimated = renderScreen(frame, showing.notification.content, { atMs: now - showing.shownAt, icons: this.icons }).animated;
    } else if (showing) {
      drawBanner(frame, showing.notification, now - showing.shownAt, this.scrollSpeed);
    }
    return frame;
  }

  private animating(): boolean {
    const notification = this.notifications.showing?.notification;
    return this.lit && notification !== undefined && (scrolls(notification) || (notification.content !== undefined && this.richAnimated));
  }

  /**
   * A reaction: composes now, whatever the cap, unless a reaction was composed earlier in this
   * turn; then once more when the turn ends, with everything that came until then (latest wins).
   */
  private react(): void {
    if (!this.running) return;
    if (this.turnBusy) {
      this.reactionWaiting = true;
      return;
    }
    this.turnBusy = true;
    this.clock.atTurnEnd(() => this.endTurn());
    this.clearTimer();
    this.composeNow(true);
  }

  private endTurn(): void {
    this.turnBusy = false;
    if (!this.reactionWaiting) return;
    this.reactionWaiting = false;
    this.react();
  }

  /**
   * Composes now when the cap has a frame to spare (also ahead of a pending animation step), else
   * once it has; every request until then ends up in that one frame (latest wins).
   */
  private requestCompose(): void {
    if (!this.running) return;
    const wait = this.cap.waitMs(this.clock.now());
    if (wait > 0) {
      if (this.timer === undefined) this.schedule(wait);
      return;
    }
    this.clearTimer();
    this.composeNow();
  }

  /** A timer fired (a capped change or an animation step): compose if the cap allows it yet. */
  private onTimer(): void {
    this.timer = undefined;
    const wait = this.cap.waitMs(this.clock.now());
    if (wait > 0) this.schedule(wait);
    else this.composeNow();
  }

  /** `reaction`: it did not wait for the cap, so it takes a token only if one is there. */
  private composeNow(reaction = false): void {
    const now = this.clock.now();
    const frame = this.compose(now);
    const news = { preempt: this.notificationNews };
    this.notificationNews = false;
    if (!this.lastFrame || !framesEqual(frame, this.lastFrame)) {
      this.lastFrame = frame;
      if (reaction) this.cap.takeIfAny(now);
      else this.cap.take(now);
      this.pushTimes.push(now);
      this.forgetOldPushes(now);
      for (const output of this.outputs) this.callOutput(output, () => output.showFrame(frame, news));
    }
    if (this.animating()) this.schedule(this.animationIntervalMs);
  }

  private schedule(ms: number): void {
    this.timer = this.clock.setTimeout(() => this.onTimer(), ms);
  }

  private clearTimer(): void {
    if (this.timer === undefined) return;
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private forgetOldPushes(now: number): void {
    while (this.pushTimes.length > 0 && this.pushTimes[0]! <= now - FPS_WINDOW_MS) this.pushTimes.shift();
  }

  /** One broken output must not stop the others; its failure is logged once until it recovers. */
  private callOutput(output: DisplayOutput, call: () => void): void {
    try {
      call();
      this.failingOutputs.delete(output);
    } catch (e) {
      if (this.failingOutputs.has(output)) return;
      this.failingOutputs.add(output);
      this.log.error(`display output "${output.name}" failed: ${(e as Error).stack ?? String(e)}`);
    }
  }
}
