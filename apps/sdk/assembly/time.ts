// Wall-clock time from the host; local time uses the bridge's time zone offset.
import { mb_now_ms, mb_tz_offset_min } from "./host";

const MS_PER_DAY: i64 = 86_400_000;
const WEEKDAYS: StaticArray<string> = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const MONTHS: StaticArray<string> = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

/** A calendar date and time of day. */
export class DateTime {
  year: i32 = 1970;
  /** 1-12 */
  month: i32 = 1;
  /** 1-31 */
  day: i32 = 1;
  hour: i32 = 0;
  minute: i32 = 0;
  second: i32 = 0;
  millisecond: i32 = 0;
  /** 0 = Sunday ... 6 = Saturday */
  weekday: i32 = 4;

  /** Splits a count of milliseconds since 1970-01-01T00:00 (in whatever zone) into fields. */
  static fromMs(ms: i64): DateTime {
    const t = new DateTime();
    let days = ms / MS_PER_DAY;
    let rest = ms % MS_PER_DAY;
    if (rest < 0) { rest += MS_PER_DAY; days--; }
    t.hour = <i32>(rest / 3_600_000);
    t.minute = <i32>((rest / 60_000) % 60);
    t.second = <i32>((rest / 1000) % 60);
    t.millisecond = <i32>(rest % 1000);
    t.weekday = <i32>(((days % 7) + 11) % 7);
    // Days to civil date, counting in 400-year eras that start on 1 March.
    const z = days + 719468;
    const era = (z >= 0 ? z : z - 146096) / 146097;
    const doe = z - era * 146097;
    const yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const mp = (5 * doy + 2) / 153;
    t.day = <i32>(doy - (153 * mp + 2) / 5 + 1);
    t.month = <i32>(mp < 10 ? mp + 3 : mp - 9);
    t.year = <i32>(yoe + era * 400 + (t.month <= 2 ? 1 : 0));
    return t;
  }

  /** 1-12 for a 12-hour clock. */
  get hour12(): i32 { const h = this.hour % 12; return h == 0 ? 12 : h; }
  get isPm(): bool { return this.hour >= 12; }
  get weekdayName(): string { return WEEKDAYS[this.weekday]; }
  get monthName(): string { return MONTHS[this.month - 1]; }
}

export namespace time {
  /** Unix time in milliseconds (UTC). */
  export function nowMs(): i64 { return mb_now_ms(); }
  /** Minutes the bridge's time zone is ahead of UTC now. */
  export function tzOffsetMinutes(): i32 { return mb_tz_offset_min(); }
  export function utc(): DateTime { return DateTime.fromMs(mb_now_ms()); }
  export function local(): DateTime { return DateTime.fromMs(mb_now_ms() + <i64>mb_tz_offset_min() * 60_000); }
}

/** `n` as at least `width` digits, zero-padded. */
export function pad(n: i32, width: i32 = 2): string {
  let s = abs(n).toString();
  while (s.length < width) s = "0" + s;
  return n < 0 ? "-" + s : s;
}
