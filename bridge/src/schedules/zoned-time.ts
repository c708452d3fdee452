/**
 * Wall-clock time in an IANA zone (util/wall-clock.ts: the system's time zone database, else
 * Intl): the local date and time of an instant, and the instant of a local date and time. Local dates are counted
 * as days since 1970-01-01 so "the day before" is plain arithmetic, whatever the zone's offsets.
 */

import { systemTimeZone } from '../util/system-time-zone';
import { wallClockAsUtc } from '../util/wall-clock';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

export interface LocalTime {
  /** Days since 1970-01-01 of the local date. */
  day: number;
  /** Minutes since local midnight, fractions included. */
  minutes: number;
  /** 0 = Sunday ... 6 = Saturday. */
  weekday: number;
}

/** The bridge's `time_zone` setting as a zone name: "system" is this machine's zone. */
export function resolveTimeZone(setting: string): string {
  return setting === 'system' ? systemTimeZone() : setting;
}

/** The zone's offset from UTC at an instant, in ms (Berlin in summer: +7_200_000). */
export function zoneOffsetMs(instant: number, timeZone: string): number {
  // The wall clock gives whole seconds: compare with the instant cut to whole seconds too.
  return wallClockAsUtc(instant, timeZone) - Math.floor(instant / 1000) * 1000;
}

export function localTime(instant: number, timeZone: string): LocalTime {
  const wall = instant + zoneOffsetMs(instant, timeZone);
  const day = Math.floor(wall / DAY_MS);
  return { day, minutes: (wall - day * DAY_MS) / MINUTE_MS, weekday: weekdayOf(day) };
}

export function weekdayOf(day: number): number {
  // 1970-01-01 was a Thursday.
  return (((day + 4) % 7) + 7) % 7;
}

/**
 * The instant a local date and time happens. Times that a spring-forward gap skips map to the
 * same time after the gap (02:30 on Berlin's spring day is 03:30 CEST); times that a fall-back
 * repeats map to their first occurrence: the rule of Temporal's "compatible" disambiguation.
 */
export function instantOf(day: number, minutes: number, timeZone: string): number {
  const wall = day * DAY_MS + minutes * MINUTE_MS;
  const before = zoneOffsetMs(wall - DAY_MS, timeZone);
  const after = zoneOffsetMs(wall + DAY_MS, timeZone);
  const candidates = [wall - before, wall - after].filter((t) => zoneOffsetMs(t, timeZone) === wall - t);
  if (candidates.length > 0) return Math.min(...candidates);
  // In a gap: move forward by it, reading the wall time with the offset from before the gap.
  return wall - before;
}
