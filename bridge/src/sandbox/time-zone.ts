/** The UTC offset of an IANA time zone at a given moment, the way mb_tz_offset_min reports it. */

export type OffsetFinder = (nowMs: number) => number;

/** Throws RangeError for a zone name the platform does not know. */
export function timeZoneOffset(timeZone: string): OffsetFinder {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  // Offsets change on minute boundaries at most, and formatting costs microseconds: keep one.
  let cachedMinute = NaN;
  let cachedOffset = 0;
  return (nowMs) => {
    const minute = Math.floor(nowMs / 60000);
    if (minute !== cachedMinute) {
      cachedOffset = offsetAt(format, minute * 60000);
      cachedMinute = minute;
    }
    return cachedOffset;
  };
}

function offsetAt(format: Intl.DateTimeFormat, ms: number): number {
  const parts: Record<string, number> = {};
  for (const p of format.formatToParts(ms)) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const wall = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
  return Math.round((wall - ms) / 60000);
}
