/**
 * The wall-clock reading of an instant in an IANA zone. The scheduler's zoned time and the
 * sandbox's mb_tz_offset_min both need it; it lives here rather than in schedules/ because the
 * sandbox must not import from the layers above it.
 *
 * A zone the system's time zone database holds is read from it (zone-database.ts); Intl answers
 * for the others. Building any Intl.DateTimeFormat brings ICU's data into the process, about 7 MB
 * (docs/performance.md, section 4), which the database's few kilobytes a zone avoid.
 */
import { offsetAt, type ZoneTable } from './tzif';
import { zoneFromDatabase } from './zone-database';

const formatters = new Map<string, Intl.DateTimeFormat>();
/** Each zone's table from the database, or null when it has none there (then Intl is asked). */
const tables = new Map<string, ZoneTable | null>();

function databaseTable(timeZone: string): ZoneTable | undefined {
  let table = tables.get(timeZone);
  if (table === undefined) {
    table = zoneFromDatabase(timeZone) ?? null;
    tables.set(timeZone, table);
  }
  return table ?? undefined;
}

/** One formatter per zone, kept: building one costs far more than using it. Throws RangeError for a zone the platform does not know. */
export function wallClockFormatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Throws RangeError for a zone neither the database nor Intl knows. */
export function checkTimeZone(timeZone: string): void {
  if (!databaseTable(timeZone)) wallClockFormatter(timeZone);
}

/** The zone's local date and time at an instant, read as if it were UTC, in ms (whole seconds, as Intl gives them). */
export function wallClockAsUtc(instant: number, timeZone: string): number {
  const table = databaseTable(timeZone);
  if (table) {
    const seconds = Math.floor(instant / 1000);
    return (seconds + offsetAt(table, seconds)) * 1000;
  }
  const parts: Record<string, number> = {};
  for (const p of wallClockFormatter(timeZone).formatToParts(instant)) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
}
