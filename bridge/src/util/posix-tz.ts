/**
 * POSIX TZ rules, as the footer of a TZif file gives them (RFC 8536, section 3.3), e.g.
 * `CET-1CEST,M3.5.0,M10.5.0/3`: a standard offset, optionally a daylight saving offset with the
 * dates it starts and ends each year. Only the offsets matter here, not the abbreviations.
 */

/** When in the year a change happens: a local date and the local time of day (seconds, may be negative or past 24 h). */
type DateRule =
  | { kind: 'julian'; day: number; time: number }
  | { kind: 'zero-based'; day: number; time: number }
  | { kind: 'month'; month: number; week: number; weekday: number; time: number };

export interface PosixZone {
  /** UTC offsets in seconds (east positive, unlike the POSIX string's sign). */
  readonly standard: number;
  readonly daylight?: { readonly offset: number; readonly start: DateRule; readonly end: DateRule };
}

const DEFAULT_TIME = 2 * 3600;
const DAY = 86_400;

/** Throws Error with what is wrong. */
export function parsePosixZone(text: string): PosixZone {
  const p = new Reader(text);
  p.name();
  const standard = 0 - p.offset(24);
  if (p.done()) return { standard };
  p.name();
  const offset = p.peek() === ',' ? standard + 3600 : 0 - p.offset(24);
  // No rule after a daylight name: POSIX leaves the dates to the implementation; TZif footers always give them.
  p.expect(',');
  const start = p.date();
  p.expect(',');
  const end = p.date();
  if (!p.done()) throw new Error(`unexpected "${text.slice(p.at)}"`);
  return { standard, daylight: { offset, start, end } };
}

class Reader {
  at = 0;
  constructor(private readonly text: string) {}

  done(): boolean {
    return this.at === this.text.length;
  }

  peek(): string {
    return this.text[this.at] ?? '';
  }

  expect(c: string): void {
    if (this.text[this.at] !== c) throw new Error(`expected "${c}" at ${this.at}`);
    this.at++;
  }

  /** An abbreviation: three or more letters, or anything but ">" inside "<...>". */
  name(): void {
    if (this.peek() === '<') {
      const end = this.text.indexOf('>', this.at);
      if (end < 0) throw new Error('unterminated "<" in a zone name');
      this.at = end + 1;
      return;
    }
    const start = this.at;
    while (/[A-Za-z]/.test(this.peek())) this.at++;
    if (this.at - start < 3) throw new Error(`zone name expected at ${start}`);
  }

  /** `[+|-]hh[:mm[:ss]]` in seconds, hours up to `maxHours`. */
  offset(maxHours: number): number {
    let sign = 1;
    if (this.peek() === '+' || this.peek() === '-') sign = this.text[this.at++] === '-' ? -1 : 1;
    const hours = this.number(0, maxHours);
    let seconds = hours * 3600;
    if (this.peek() === ':') {
      this.at++;
      seconds += this.number(0, 59) * 60;
      if (this.peek() === ':') {
        this.at++;
        seconds += this.number(0, 59);
      }
    }
    return sign * seconds;
  }

  /** `Jn`, `n` or `Mm.w.d`, then an optional `/time` (RFC 8536 allows -167 to 167 hours). */
  date(): DateRule {
    let rule: DateRule;
    if (this.peek() === 'J') {
      this.at++;
      rule = { kind: 'julian', day: this.number(1, 365), time: DEFAULT_TIME };
    } else if (this.peek() === 'M') {
      this.at++;
      const month = this.number(1, 12);
      this.expect('.');
      const week = this.number(1, 5);
      this.expect('.');
      rule = { kind: 'month', month, week, weekday: this.number(0, 6), time: DEFAULT_TIME };
    } else {
      rule = { kind: 'zero-based', day: this.number(0, 365), time: DEFAULT_TIME };
    }
    if (this.peek() === '/') {
      this.at++;
      rule.time = this.offset(167);
    }
    return rule;
  }

  number(min: number, max: number): number {
    const match = /^\d+/.exec(this.text.slice(this.at));
    if (!match) throw new Error(`number expected at ${this.at}`);
    const n = Number(match[0]);
    if (n < min || n > max) throw new Error(`${n} is out of range ${min}-${max} at ${this.at}`);
    this.at += match[0].length;
    return n;
  }
}

/** The UTC offset in seconds at an instant (seconds since the epoch). */
export function posixOffsetAt(zone: PosixZone, seconds: number): number {
  const dst = zone.daylight;
  if (!dst) return zone.standard;
  // The changes of the year before, this one and the next, in order: the last one at or before
  // the instant says which offset holds. Three years cover rules that cross a year's end.
  const year = new Date(seconds * 1000).getUTCFullYear();
  let latest = -Infinity;
  let result = zone.standard;
  for (let y = year - 1; y <= year + 1; y++) {
    // The start is given in standard local time, the end in daylight saving local time.
    const start = localDate(dst.start, y) - zone.standard;
    const end = localDate(dst.end, y) - dst.offset;
    // On a tie the start wins: rules such as "0/0,J365/25" mean daylight saving all year.
    for (const [at, offset] of [
      [end, zone.standard],
      [start, dst.offset],
    ] as const) {
      if (at <= seconds && at >= latest) {
        latest = at;
        result = offset;
      }
    }
  }
  return result;
}

/** A rule's moment in a year, as local seconds since the epoch (local time read as if UTC). */
function localDate(rule: DateRule, year: number): number {
  const jan1 = Date.UTC(year, 0, 1) / 1000;
  let day: number;
  if (rule.kind === 'zero-based') day = rule.day;
  else if (rule.kind === 'julian') day = rule.day - 1 + (rule.day >= 60 && isLeap(year) ? 1 : 0);
  else {
    const first = new Date(Date.UTC(year, rule.month - 1, 1));
    const inMonth = new Date(Date.UTC(year, rule.month, 0)).getUTCDate();
    let date = 1 + ((rule.weekday - first.getUTCDay() + 7) % 7) + (rule.week - 1) * 7;
    while (date > inMonth) date -= 7;
    day = (Date.UTC(year, rule.month - 1, date) / 1000 - jan1) / DAY;
  }
  return jan1 + day * DAY + rule.time;
}

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}
