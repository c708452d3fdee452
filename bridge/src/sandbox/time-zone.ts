/**
 * The UTC offset of an IANA time zone at a given moment, the way mb_tz_offset_min reports it.
 *
 * Read from the system's time zone database when the zone is there: every app's worker would
 * otherwise build an Intl.DateTimeFormat, which brings ICU's data into the process (about 7 MB
 * while the apps rotate, docs/performance.md section 4). Intl answers for the zones the database
 * lacks or spells differently (Intl accepts "europe/berlin" too).
 */

import { wallClockAsUtc, wallClockFormatter } from '../util/wall-clock';
import { offsetAt as tableOffsetAt } from '../util/tzif';
import { ZONEINFO_DIR, zoneFromDatabase } from '../util/zone-database';

export type OffsetFinder = (nowMs: number) => number;

/** Throws RangeError for a zone name neither the database nor the platform knows. */
export function timeZoneOffset(timeZone: string, zoneDir = ZONEINFO_DIR): OffsetFinder {
  const offsetAt = databaseOffset(timeZone, zoneDir) ?? intlOffset(timeZone);
  // Offsets change on minute boundaries at most: keep one a minute.
  let cachedMinute = NaN;
  let cachedOffset = 0;
  return (nowMs) => {
    const minute = Math.floor(nowMs / 60000);
    if (minute !== cachedMinute) {
      cachedOffset = offsetAt(minute * 60000);
      cachedMinute = minute;
    }
    return cachedOffset;
  };
}

function databaseOffset(timeZone: string, zoneDir: string): ((ms: number) => number) | undefined {
  const zone = zoneFromDatabase(timeZone, zoneDir);
  return zone && ((ms) => Math.round(tableOffsetAt(zone, ms / 1000) / 60));
}

function intlOffset(timeZone: string): (ms: number) => number {
  // Built (and so checked) now, so an unknown zone fails here rather than at the first call.
  wallClockFormatter(timeZone);
  return (ms) => Math.round((wallClockAsUtc(ms, timeZone) - ms) / 60000);
}
