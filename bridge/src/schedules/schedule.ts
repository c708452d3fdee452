/**
 * Whether a schedule is open at an instant, and when that next flips, in the bridge's zone. A
 * window is resolved to concrete instants per local date, so DST days need no special case: a
 * 22:00-06:00 window on the night clocks go back simply lasts an hour longer.
 */
import { type Boundary, type Schedule, type ScheduleWindow, WEEKDAYS } from '@megabit/contract';
import { type Location, sunEventOn } from './sun-times';
import { instantOf, localTime, weekdayOf } from './zoned-time';

/** What a schedule is evaluated in: the bridge's zone, and the place (needed only by sun windows). */
export interface ScheduleContext {
  timeZone: string;
  location?: Location;
}

export interface Span {
  start: number;
  end: number;
}

const MINUTE_MS = 60_000;
/** How far `nextChange` looks: past a week every weekly pattern has repeated. */
const HORIZON_DAYS = 8;
/**
 * A window opening on one date can still be open two local dates later (from 23:00 to a sunrise
 * that some zone puts after midnight): dates this many back are checked too.
 */
const LOOKBACK_DAYS = 2;

export function usesSun(schedule: Schedule): boolean {
  return schedule.windows.some((w) => w.from.kind === 'sun' || w.to.kind === 'sun');
}

/**
 * Resolved boundaries, remembered: the rotation evaluates every entry whenever an input changes,
 * and each resolution costs zone look-ups (the tz database, or Intl for a zone not there) and suncalc. Deterministic, so safe to share; bounded.
 */
const resolved = new Map<string, number | undefined>();
const MAX_RESOLVED = 4096;

function boundaryOn(b: Boundary, day: number, ctx: ScheduleContext): number | undefined {
  if (b.kind === 'sun' && ctx.location === undefined) return undefined;
  const where = b.kind === 'sun' ? `${ctx.location?.latitude},${ctx.location?.longitude}|${b.event}` : `${b.minutes}`;
  const key = `${ctx.timeZone}|${day}|${where}`;
  let t: number | undefined;
  if (resolved.has(key)) t = resolved.get(key);
  else {
    t = b.kind === 'clock' ? instantOf(day, b.minutes, ctx.timeZone) : sunEventOn(b.event, day, ctx.timeZone, ctx.location as Location);
    if (resolved.size >= MAX_RESOLVED) resolved.clear();
    resolved.set(key, t);
  }
  // The offset is applied after the cache, so "sunset" and "sunset+30" share one computation.
  return t === undefined || b.kind === 'clock' ? t : t + b.offsetMin * MINUTE_MS;
}

/**
 * The span a window covers when it opens on local date `day`: from `from` that day to the next
 * `to` (that day or the next). None when the day is not one of its days, or a sun event does not
 * happen (polar day or night), or the place is unknown.
 */
export function windowSpan(window: ScheduleWindow, day: number, ctx: ScheduleContext): Span | undefined {
  if (window.days !== undefined && !window.days.includes(WEEKDAYS[weekdayOf(day)])) return undefined;
  const start = boundaryOn(window.from, day, ctx);
  if (start === undefined) return undefined;
  const end = boundaryOn(window.to, day + (crossesMidnight(window, day, start, ctx) ? 1 : 0), ctx);
  // Empty on the spring-forward day when both ends fall in the skipped hour.
  return end !== undefined && end > start ? { start, end } : undefined;
}

/**
 * Two clock times decide on their wall-clock minutes, not their instants: 02:30-03:30 on the
 * spring-forward day (both read as 03:30) is an empty window, not a 24-hour one.
 */
function crossesMidnight(window: ScheduleWindow, day: number, start: number, ctx: ScheduleContext): boolean {
  const { from, to } = window;
  if (from.kind === 'clock' && to.kind === 'clock') return to.minutes <= from.minutes;
  const sameDay = boundaryOn(to, day, ctx);
  return sameDay === undefined || sameDay <= start;
}

/** Every span of the schedule opening on local dates `firstDay` to `lastDay`. */
function spans(schedule: Schedule, firstDay: number, lastDay: number, ctx: ScheduleContext): Span[] {
  const out: Span[] = [];
  for (let day = firstDay; day <= lastDay; day++) {
    for (const w of schedule.windows) {
      const span = windowSpan(w, day, ctx);
      if (span !== undefined) out.push(span);
    }
  }
  return out;
}

export function isInSchedule(schedule: Schedule, instant: number, ctx: ScheduleContext): boolean {
  const today = localTime(instant, ctx.timeZone).day;
  return spans(schedule, today - LOOKBACK_DAYS, today, ctx).some((s) => s.start <= instant && instant < s.end);
}

/**
 * The first instant after `instant` at which `isInSchedule` gives the other answer, or undefined
 * when it does not change within the next week (a schedule always or never open): the caller
 * sets one timer for it, and evaluates again when the timer fires or the schedule changes.
 */
export function nextChange(schedule: Schedule, instant: number, ctx: ScheduleContext): number | undefined {
  const today = localTime(instant, ctx.timeZone).day;
  const all = spans(schedule, today - LOOKBACK_DAYS, today + HORIZON_DAYS, ctx);
  const now = all.some((s) => s.start <= instant && instant < s.end);
  // Beyond this, spans opening after the last date looked at could cover an edge.
  const reliableUntil = instantOf(today + HORIZON_DAYS, 0, ctx.timeZone);
  const edges = [...new Set(all.flatMap((s) => [s.start, s.end]))].filter((t) => t > instant && t <= reliableUntil).sort((a, b) => a - b);
  return edges.find((t) => all.some((s) => s.start <= t && t < s.end) !== now);
}
