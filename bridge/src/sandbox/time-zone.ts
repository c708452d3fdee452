/** The UTC offset of an IANA time zone at a given moment, the way mb_tz_offset_min reports it. */

import { wallClockAsUtc, wallClockFormatter } from '../util/wall-clock';

export type OffsetFinder = (nowMs: number) => number;

/** Throws RangeError for a zone name the platform does not know. */
export function timeZoneOffset(timeZone: string): OffsetFinder {
  // Built (and so checked) now, so an unknown zone fails here rather than at the first call.
  wallClockFormatter(timeZone);
  // Offsets change on minute boundaries at most, and formatting costs microseconds: keep one.
  let cachedMinute = NaN;
  let cachedOffset = 0;
  return (nowMs) => {
    const minute = Math.floor(nowMs / 60000);
    if (minute !== cachedMinute) {
      cachedOffset = offsetAt(timeZone, minute * 60000);
      cachedMinute = minute;
    }
    return cachedOffset;
  };
}

function offsetAt(timeZone: string, ms: number): number {
  return Math.round((wallClockAsUtc(ms, timeZone) - ms) / 60000);
}
