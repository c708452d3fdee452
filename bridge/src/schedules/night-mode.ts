/**
 * Night mode as pure rules on an injected instant: whether it is night, what the display does
 * then (dim, show only the night app), which notifications wait for the morning, and the short
 * wake a button press gives. The caller keeps the wake deadline and sets one timer for
 * `nextChange`; nothing here reads the clock.
 */
import { type Boundary, type Priority, PRIORITIES, parseBoundaryText } from '@megabit/contract';
import type { Settings } from '../config/schema';
import { nextChange as scheduleNextChange, isInSchedule, type ScheduleContext } from './schedule';

/** The `night` block of megabit.yaml, as loaded (strings checked by the schema's pattern). A type-only import: schedules/ stays free of config code at run time. */
export type NightSettingsBlock = Settings['night'];

export interface NightRules {
  from: Boundary;
  to: Boundary;
  brightness: number;
  app?: string;
  maxBrightnessDuringDay?: number;
  notifyMinPriority: Priority;
  quietNotifications: 'wait' | 'drop';
  wakeMs: number;
}

/** The rules of a `night` block; undefined when it names no window (night mode off). */
export function nightRulesFrom(block: NightSettingsBlock): NightRules | undefined {
  if (block.from === undefined || block.to === undefined) return undefined;
  const from = parseBoundaryText(block.from);
  const to = parseBoundaryText(block.to);
  // The settings schema checks both against the same grammar; this is only a guard.
  if (from === undefined || to === undefined) throw new RangeError(`night.from/night.to: not a time or sun event: ${block.from}, ${block.to}`);
  return {
    from,
    to,
    brightness: block.brightness,
    ...(block.app !== undefined ? { app: block.app } : {}),
    ...(block.max_brightness_during_day !== undefined ? { maxBrightnessDuringDay: block.max_brightness_during_day } : {}),
    notifyMinPriority: block.notify_min_priority,
    quietNotifications: block.quiet_notifications,
    wakeMs: block.wake_s * 1000,
  };
}

export interface NightState {
  /** Inside the night window (also while woken). */
  night: boolean;
  /** Woken by a button press: the day's behaviour until the wake runs out. */
  awake: boolean;
  /** The brightness to show now and the most auto-brightness may set; undefined: no limit. */
  maxBrightness?: number;
  /** At night (not woken): the only entry to show; undefined: the rotation as usual. */
  app?: string;
  /** When this state next changes (night starts or ends, or the wake runs out). */
  nextChange?: number;
}

function window(rules: NightRules) {
  return { windows: [{ from: rules.from, to: rules.to }] };
}

/**
 * The night state at `instant`. `awakeUntil` is the deadline `wakeUntil` gave for the last
 * button press, if any.
 */
export function nightState(rules: NightRules | undefined, instant: number, ctx: ScheduleContext, awakeUntil?: number): NightState {
  if (rules === undefined) return { night: false, awake: false };
  const schedule = window(rules);
  const night = isInSchedule(schedule, instant, ctx);
  const flip = scheduleNextChange(schedule, instant, ctx);
  const day = rules.maxBrightnessDuringDay !== undefined ? { maxBrightness: rules.maxBrightnessDuringDay } : {};
  const at = (t: number | undefined) => (t !== undefined ? { nextChange: t } : {});
  if (!night) return { night: false, awake: false, ...day, ...at(flip) };
  if (awakeUntil !== undefined && instant < awakeUntil) {
    return { night: true, awake: true, ...day, ...at(flip === undefined ? awakeUntil : Math.min(flip, awakeUntil)) };
  }
  return { night: true, awake: false, maxBrightness: rules.brightness, ...(rules.app !== undefined ? { app: rules.app } : {}), ...at(flip) };
}

/** The wake deadline after a button press at `instant`: only at night; a press while awake extends it. */
export function wakeUntil(rules: NightRules | undefined, instant: number, ctx: ScheduleContext): number | undefined {
  if (rules === undefined || !isInSchedule(window(rules), instant, ctx)) return undefined;
  return instant + rules.wakeMs;
}

/** The brightness to apply: what was asked, within the state's limit. */
export function capBrightness(requested: number, state: NightState): number {
  return state.maxBrightness === undefined ? requested : Math.min(requested, state.maxBrightness);
}

export type NotificationVerdict = 'show' | 'wait' | 'drop';

/**
 * What happens to a notification of `priority` now: at night (not woken) those below the
 * threshold wait for the morning (`nextChange` of the night state), or are dropped if so set.
 */
export function notificationVerdict(
  priority: Priority,
  rules: Pick<NightRules, 'notifyMinPriority' | 'quietNotifications'> | undefined,
  state: NightState,
): NotificationVerdict {
  if (rules === undefined || !state.night || state.awake) return 'show';
  if (PRIORITIES.indexOf(priority) >= PRIORITIES.indexOf(rules.notifyMinPriority)) return 'show';
  return rules.quietNotifications;
}
