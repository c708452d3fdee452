/**
 * Night mode in the running bridge: computes the night state from the settings, the mode the
 * user chose (auto, on, off) and the clock, with one timer for the next change; limits the
 * brightness shown, holds quiet notifications until the morning (kept in a file across restarts)
 * and releases them in order,
 * wakes the display for `wake_s` on a press, runs auto-brightness within the limit and tells the
 * rotation (`nightChanged`). The rules themselves are the pure ones of schedules/night-mode.ts.
 */
import type { NightMode, NightReply, NightReport, NightRequest } from '@megabit/contract';
import type { Settings } from '../config/schema';
import type { NightDisplay, NightGate, NotificationVerdict } from '../device/night-gate';
import type { Clock, ClockTimer } from '../display/clock';
import type { EventBus } from '../events';
import type { Part } from '../part';
import { autoBrightnessOptions } from '../schedules/auto-brightness';
import { HeldBack } from '../schedules/held-back';
import { effectiveLocation, locationFromZone } from '../schedules/location';
import { type NightRules, type NightState, nightRulesFrom, nightState, notificationVerdict } from '../schedules/night-mode';
import type { ScheduleContext } from '../schedules/schedule';
import type { Location } from '../schedules/sun-times';
import { resolveTimeZone } from '../schedules/zoned-time';
import { errorMessage, type Logger } from '../util/logger';
import { AutoBrightnessDriver } from './auto-brightness-driver';
import { type HeldNotification, HeldNotificationsFile } from './held-notifications-file';
import { NightSettingsFile, type PersistedNight } from './night-settings-file';

/** Notifications held at once; the oldest goes when more arrive (a night of chatter must not grow the bridge). */
export const MAX_HELD_NOTIFICATIONS = 50;
/**
 * The held list is written at most this often (the first change at once, the rest of a burst
 * together at the end): 50 notifications of up to 64 KiB each must not be rewritten and synced
 * for every one of a flood. A rate limit on the process's own timer; `stop` writes what is due.
 */
export const MIN_HELD_SAVE_MS = 1000;
/** The longest the timer waits before looking again (setTimeout's limit is about 24 days; sun times drift). */
const MAX_WAIT_MS = 6 * 60 * 60 * 1000;
/** The wait when the next change is due already: never a tight loop of timers, whatever the rules say. */
const OVERDUE_WAIT_MS = 1000;

export interface NightModeOptions {
  settings: Pick<Settings, 'night' | 'time_zone' | 'location' | 'display'>;
  /** Where the mode and night brightness set over MQTT are kept (`<data dir>/night.json`). */
  file: string;
  /** Where the notifications held for the morning are kept (`<data dir>/night-held.json`). */
  heldFile: string;
  /** Epoch milliseconds and timers: the system's, or a test's. */
  clock: Clock;
  bus: EventBus;
  /** The display it limits; asked for on each use, so the part may be built before the device. */
  display(): NightDisplay;
  log: Logger;
}

export class NightModePart implements NightGate, Part {
  readonly name = 'night mode';
  private readonly file: NightSettingsFile;
  private persisted: PersistedNight = { mode: 'auto' };
  /** The window and behaviour of megabit.yaml; undefined without from/to (only `on` makes it night then). */
  private rules?: NightRules;
  private readonly timeZone: string;
  private homeZone?: Location;
  private awakeUntil?: number;
  private state: NightState = { night: false, awake: false };
  private timer?: ClockTimer;
  private running = false;
  private readonly held = new HeldBack<HeldNotification>(MAX_HELD_NOTIFICATIONS, (n) => n.id);
  private readonly heldFile: HeldNotificationsFile;
  private lastHeldSave = Number.NEGATIVE_INFINITY;
  private heldSaveTimer?: NodeJS.Timeout;
  private readonly auto?: AutoBrightnessDriver;

  constructor(private readonly o: NightModeOptions) {
    this.file = new NightSettingsFile(o.file);
    this.heldFile = new HeldNotificationsFile(o.heldFile);
    this.timeZone = resolveTimeZone(o.settings.time_zone);
    this.rules = nightRulesFrom(o.settings.night);
    const auto = o.settings.display.auto_brightness;
    if (auto) {
      this.auto = new AutoBrightnessDriver({
        options: autoBrightnessOptions(auto),
        clock: o.clock,
        limit: () => this.state.maxBrightness,
        output: (level) => this.o.display().setAutoBrightness(level),
      });
    }
  }

  start(): void {
    this.persisted = this.file.load();
    // Held before a restart: their senders were told so. They wait for the morning as before, or
    // show now if it came while the bridge was down.
    const { held, problem } = this.heldFile.load();
    if (problem) this.o.log.warn(problem);
    for (const n of held) this.held.hold(n);
    this.running = true;
    this.apply(true);
    if (!this.state.night && this.held.size > 0) this.releaseHeld();
  }

  stop(): void {
    this.running = false;
    if (this.heldSaveTimer) {
      clearTimeout(this.heldSaveTimer);
      this.heldSaveTimer = undefined;
      this.writeHeld();
    }
    this.clearTimer();
    this.auto?.stop();
  }

  // ---- inputs ----

  /** A light level from the sensor (Home Assistant entity or MQTT topic); ignored without auto_brightness. */
  luxReading(lux: number): void {
    if (this.running) this.auto?.reading(lux);
  }

  /** Home Assistant's zone.home (its attributes), the place for sun times when megabit.yaml has no location. */
  setHomeZone(attributes: Record<string, unknown> | undefined): void {
    const zone = locationFromZone(attributes);
    if (zone?.latitude === this.homeZone?.latitude && zone?.longitude === this.homeZone?.longitude) return;
    this.homeZone = zone;
    if (this.running) this.apply();
  }

  /** Whether the night window uses sun times and megabit.yaml names no place: then zone.home is read. */
  get wantsHomeZone(): boolean {
    const r = this.rules;
    return this.o.settings.location === undefined && r !== undefined && (r.from.kind === 'sun' || r.to.kind === 'sun');
  }

  // ---- NightGate ----

  admit(request: HeldNotification): NotificationVerdict {
    if (!this.running) return 'show';
    const verdict = notificationVerdict(request.priority ?? 'normal', this.behaviour(), this.state);
    if (verdict === 'wait') {
      const dropped = this.held.hold(request);
      if (dropped) this.o.log.warn(`more than ${MAX_HELD_NOTIFICATIONS} notifications held for the morning: dropped the oldest, ${dropped.id}`);
      this.saveHeld();
    }
    return verdict;
  }

  dismiss(id: string): boolean {
    if (!this.held.dismiss(id)) return false;
    this.saveHeld();
    return true;
  }

  press(): boolean {
    if (!this.running || !this.state.night) return false;
    const wasAsleep = !this.state.awake;
    // A press while awake starts the wake again and acts as by day.
    this.awakeUntil = this.o.clock.now() + this.behaviour().wakeMs;
    this.apply();
    return wasAsleep;
  }

  control(request: NightRequest): NightReply {
    const next: PersistedNight = { ...this.persisted, ...(request.mode ? { mode: request.mode } : {}) };
    if (request.brightness !== undefined) next.brightness = request.brightness;
    if (next.mode !== this.persisted.mode) this.awakeUntil = undefined;
    this.persisted = next;
    try {
      this.file.save(next);
    } catch (e) {
      // As for the device's own settings: it applies now, and says it will not survive a restart.
      this.o.log.error(`could not save night mode settings: ${errorMessage(e)}`);
    }
    this.apply(true);
    const { held: _held, ...reply } = this.report();
    return reply;
  }

  report(): NightReport {
    return {
      mode: this.persisted.mode,
      active: this.state.night,
      awake: this.state.awake,
      brightness: this.nightBrightness,
      held: this.held.size,
    };
  }

  // ---- the state ----

  private get nightBrightness(): number {
    return this.persisted.brightness ?? this.o.settings.night.brightness;
  }

  /** What night does, whatever makes it night (the window or mode `on`), with the brightness set over MQTT. */
  private behaviour(): Pick<NightRules, 'notifyMinPriority' | 'quietNotifications' | 'wakeMs'> {
    const n = this.o.settings.night;
    return { notifyMinPriority: n.notify_min_priority, quietNotifications: n.quiet_notifications, wakeMs: n.wake_s * 1000 };
  }

  private context(): ScheduleContext {
    const location = effectiveLocation(this.o.settings.location, this.homeZone);
    return { timeZone: this.timeZone, ...(location ? { location } : {}) };
  }

  private compute(now: number): NightState {
    const n = this.o.settings.night;
    const day: NightState = {
      night: false,
      awake: false,
      ...(n.max_brightness_during_day !== undefined ? { maxBrightness: n.max_brightness_during_day } : {}),
    };
    const mode: NightMode = this.persisted.mode;
    if (mode === 'off') return day;
    const awake = this.awakeUntil !== undefined && now < this.awakeUntil;
    if (mode === 'on') {
      if (awake) return { ...day, night: true, awake: true, nextChange: this.awakeUntil };
      return { night: true, awake: false, maxBrightness: this.nightBrightness, ...(n.app !== undefined ? { app: n.app } : {}) };
    }
    if (this.rules === undefined) return day;
    return nightState({ ...this.rules, brightness: this.nightBrightness }, now, this.context(), this.awakeUntil);
  }

  /** Recomputes the state, acts on what changed and sets the one timer; `force`: tell the display and the rotation even if unchanged. */
  private apply(force = false): void {
    if (!this.running) return;
    const now = this.o.clock.now();
    const before = this.state;
    let next: NightState;
    try {
      next = this.compute(now);
    } catch (e) {
      // A sun time that cannot be worked out must not stop the bridge: stay as it is, look again later.
      this.o.log.error(`night mode: ${errorMessage(e)}`);
      next = before;
    }
    this.state = next;
    if (this.awakeUntil !== undefined && now >= this.awakeUntil) this.awakeUntil = undefined;
    const display = this.o.display();
    if (force || before.maxBrightness !== next.maxBrightness) {
      display.setBrightnessLimit(next.maxBrightness);
      this.auto?.limitChanged();
    }
    const asleep = (s: NightState): boolean => s.night && !s.awake;
    if (force || asleep(before) !== asleep(next) || before.app !== next.app) {
      this.o.bus.emit('nightChanged', { active: asleep(next), ...(next.app !== undefined && asleep(next) ? { app: next.app } : {}) });
    }
    if (before.night && !next.night && this.held.size > 0) this.releaseHeld();
    if (force || before.night !== next.night || before.awake !== next.awake) this.o.bus.emit('stateChanged');
    this.arm(now, next.nextChange);
  }

  /** The morning: every held notification shows, in arrival order, and the file is emptied. */
  private releaseHeld(): void {
    const released = this.held.release();
    this.saveHeld();
    this.o.display().showReleased(released);
  }

  /** Writes the held list now, or once MIN_HELD_SAVE_MS has passed since the last write. */
  private saveHeld(): void {
    if (this.heldSaveTimer) return;
    const wait = this.lastHeldSave + MIN_HELD_SAVE_MS - performance.now();
    if (wait <= 0) {
      this.writeHeld();
      return;
    }
    this.heldSaveTimer = setTimeout(() => {
      this.heldSaveTimer = undefined;
      this.writeHeld();
    }, wait);
  }

  private writeHeld(): void {
    this.lastHeldSave = performance.now();
    try {
      this.heldFile.save(this.held.list());
    } catch (e) {
      // Held all the same, until the morning or a restart: the log says a restart would lose them.
      this.o.log.error(`could not save the notifications held for the morning (a restart would lose them): ${errorMessage(e)}`);
    }
  }

  private arm(now: number, at: number | undefined): void {
    this.clearTimer();
    const wait = at === undefined ? MAX_WAIT_MS : at > now ? Math.min(MAX_WAIT_MS, at - now) : OVERDUE_WAIT_MS;
    this.timer = this.o.clock.setTimeout(() => {
      this.timer = undefined;
      this.apply();
    }, wait);
  }

  private clearTimer(): void {
    if (this.timer !== undefined) this.o.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }
}
