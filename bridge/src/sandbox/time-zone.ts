/**
 * The UTC offset of an IANA time zone at a given moment, the way mb_tz_offset_min reports it.
 * From the system's time zone database when the zone is there, else from Intl (util/wall-clock.ts):
 * an app's worker then never brings ICU's data into the process for a zone the database holds.
 */

import { checkTimeZone, wallClockAsUtc } from '../util/wall-clock';

export type OffsetFinder = (nowMs: number) => number;

/** Throws RangeError for a zone name neither the database nor the platform knows. */
export function timeZoneOffset(timeZone: string): OffsetFinder {
  // Checked now, so an unknown zone fails here rather than at the first call.
  checkTimeZone(timeZone);
  // Offsets change on minute boundaries at most: keep one a minute.
  let cachedMinute = NaN;
  let cachedOffset = 0;
  return (nowMs) => {
    const minute = Math.floor(nowMs / 60000);
    if (minute !== cachedMinute) {
      const ms = minute * 60000;
      cachedOffset = Math.round((wallClockAsUtc(ms, timeZone) - ms) / 60000);
      cachedMinute = minute;
    }
    return cachedOffset;
  };
}
