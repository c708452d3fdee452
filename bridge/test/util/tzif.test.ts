/**
 * Zone offsets from the system's time zone database (TZif files and their POSIX rules), checked
 * against the system's own reader of the same files (glibc's `zdump`). Not against Intl there: ICU
 * carries its own copy of the database, of the Node release's date (Node 24.22: 2026e, Debian 12:
 * 2025b), and releases differ where a zone's future changes are predictions (Casablanca's).
 */
import { execFileSync } from 'node:child_process';
import { timeZoneOffset } from '../../src/sandbox/time-zone';
import { parsePosixZone, posixOffsetAt } from '../../src/util/posix-tz';
import { offsetAt, parseTzif, TzifError } from '../../src/util/tzif';
import { checkTimeZone, wallClockAsUtc, wallClockFormatter } from '../../src/util/wall-clock';
import { ZONEINFO_DIR, zoneFromDatabase } from '../../src/util/zone-database';

const HOUR = 3600;

/** Intl's offset in seconds at an instant (seconds), asked of Intl itself (wallClockAsUtc would read the database too). */
function intlOffset(zone: string, seconds: number): number {
  const parts: Record<string, number> = {};
  for (const p of wallClockFormatter(zone).formatToParts(seconds * 1000)) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return (Date.UTC(parts.year!, parts.month! - 1, parts.day, parts.hour, parts.minute, parts.second) - seconds * 1000) / 1000;
}

/** `zdump -i` offset text ("+0530", "-05", "+1030") in seconds. */
function zdumpOffset(text: string): number {
  const m = /^([+-])(\d\d)(\d\d)?(\d\d)?$/.exec(text);
  if (!m) throw new Error(`zdump offset "${text}"`);
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * HOUR + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0));
}

/**
 * The system database's offsets for `zone` from 2024 to 2046, as glibc's `zdump -i` reads them:
 * the offset at the start, then each change, dated by its local time in the new offset.
 */
function systemOffsets(zone: string): (seconds: number) => number {
  const lines = execFileSync('zdump', ['-i', '-c', '2024,2046', zone], { encoding: 'utf8' }).split('\n');
  let initial: number | undefined;
  const changes: Array<[number, number]> = [];
  for (const line of lines) {
    const [date, time, offset] = line.split('\t');
    if (date === '-') initial = zdumpOffset(offset);
    const d = /^(\d{4})-(\d\d)-(\d\d)$/.exec(date ?? '');
    if (!d) continue;
    const [h, mi, s] = time.split(':').map(Number);
    const at = Date.UTC(Number(d[1]), Number(d[2]) - 1, Number(d[3]), h, mi ?? 0, s ?? 0) / 1000 - zdumpOffset(offset);
    changes.push([at, zdumpOffset(offset)]);
  }
  if (initial === undefined) throw new Error(`zdump gave no offset for ${zone}`);
  return (seconds) => changes.reduce((found, [at, offset]) => (at <= seconds ? offset : found), initial);
}

/**
 * Zones for every shape of rule: northern and southern daylight saving, half- and
 * quarter-hour offsets, a 30-minute shift (Lord Howe), changes at 24:00 (Santiago) and at a
 * negative time (Nuuk), a "negative" daylight saving time (Dublin's winter is its DST), zones
 * without DST now (Tehran, Casablanca's fixed rule after its listed changes), fixed offsets.
 */
const ZONES = [
  'Europe/Berlin',
  'America/New_York',
  'America/St_Johns',
  'America/Santiago',
  'America/Nuuk',
  'Australia/Sydney',
  'Australia/Lord_Howe',
  'Pacific/Chatham',
  'Pacific/Auckland',
  'Europe/Dublin',
  'Asia/Kathmandu',
  'Asia/Kolkata',
  'Asia/Tehran',
  'Africa/Casablanca',
  'UTC',
  'Etc/GMT+5',
];

describe('zones from the system database', () => {
  it.each(ZONES)('%s: the same offsets as zdump, 2024-2045 (the file lists changes to 2037, its POSIX rule gives the rest)', (zone) => {
    const table = zoneFromDatabase(zone);
    if (!table) throw new Error(`${zone} is not in ${ZONEINFO_DIR} (the tzdata package: scripts/check-system-deps.js installs it)`);
    const systemOffset = systemOffsets(zone);
    const step = 10 * 24 * HOUR;
    let previous = Date.UTC(2024, 0, 1) / 1000;
    for (let t = previous; t <= Date.UTC(2045, 11, 31) / 1000; previous = t, t += step) {
      const ours = offsetAt(table, t);
      expect([zone, t, ours]).toEqual([zone, t, systemOffset(t)]);
      // A change in the last step: zdump agrees on the second it happens.
      if (ours !== offsetAt(table, previous)) {
        let [before, after] = [previous, t];
        while (after - before > 1) {
          const mid = Math.floor((before + after) / 2);
          if (offsetAt(table, mid) === ours) after = mid;
          else before = mid;
        }
        expect([zone, before, after, offsetAt(table, before), ours]).toEqual([zone, before, after, systemOffset(before), systemOffset(after)]);
      }
    }
  });

  it("wall clocks and apps' offsets read the database; a zone missing there goes to Intl, one neither knows throws", () => {
    const january = Date.UTC(2026, 0, 15, 12, 0, 0, 999);
    const july = Date.UTC(2026, 6, 15, 12);
    expect(timeZoneOffset('Australia/Sydney')(january)).toBe(660);
    expect(timeZoneOffset('Australia/Sydney')(july)).toBe(600);
    // Whole seconds, as Intl gives them: the same reading from the database and from Intl.
    expect(wallClockAsUtc(january, 'Australia/Sydney')).toBe(Date.UTC(2026, 0, 15, 23));
    expect(wallClockAsUtc(january, 'Australia/Sydney')).toBe((Math.floor(january / 1000) + intlOffset('Australia/Sydney', Math.floor(january / 1000))) * 1000);
    expect(wallClockAsUtc(-1500, 'UTC')).toBe(-2000);
    // Only Intl takes another spelling.
    expect(zoneFromDatabase('europe/berlin')).toBeUndefined();
    expect(timeZoneOffset('europe/berlin')(july)).toBe(120);
    expect(wallClockAsUtc(july, 'europe/berlin')).toBe(july + 2 * HOUR * 1000);
    expect(() => timeZoneOffset('Nowhere/Atlantis')).toThrow(RangeError);
    expect(() => checkTimeZone('Nowhere/Atlantis')).toThrow(RangeError);
  });

  it('reads nothing outside the database, and no file that is not TZif', () => {
    expect(zoneFromDatabase('../../../etc/passwd')).toBeUndefined();
    expect(zoneFromDatabase('/etc/passwd')).toBeUndefined();
    expect(zoneFromDatabase('Europe/../../../etc/passwd')).toBeUndefined();
    expect(zoneFromDatabase('zone1970.tab')).toBeUndefined();
    expect(zoneFromDatabase('Europe')).toBeUndefined();
  });
});

/** A TZif file built by hand: `types` are UTC offsets; version 0 has only the 32-bit block. */
function tzif({
  version,
  times,
  types,
  typeOf,
  footer = '',
  leap = 0,
}: {
  version: 0 | 2;
  times: number[];
  types: number[];
  typeOf: number[];
  footer?: string;
  leap?: number;
}): Uint8Array {
  const block = (timeBytes: 4 | 8): Buffer => {
    // The 32-bit block leaves out what it cannot hold, as zic does.
    const fits = (t: number): boolean => timeBytes === 8 || (t >= -(2 ** 31) && t < 2 ** 31);
    const kept = times.map((t, i) => [t, typeOf[i]]).filter(([t]) => fits(t));
    const head = Buffer.alloc(44);
    head.write('TZif', 0, 'latin1');
    head[4] = version === 0 ? 0 : 0x30 + version;
    for (const [i, n] of [0, 0, leap, kept.length, types.length, 4].entries()) head.writeUInt32BE(n, 20 + 4 * i);
    const body = Buffer.alloc(kept.length * (timeBytes + 1) + types.length * 6 + 4 + leap * (timeBytes + 4));
    let at = 0;
    for (const [t] of kept) at = timeBytes === 4 ? body.writeInt32BE(t, at) : body.writeBigInt64BE(BigInt(t), at);
    for (const [, i] of kept) at = body.writeUInt8(i, at);
    for (const offset of types) {
      at = body.writeInt32BE(offset, at);
      at += 2;
    }
    body.write('ABC\0', at, 'latin1');
    return Buffer.concat([head, body]);
  };
  if (version === 0) return block(4);
  return Buffer.concat([block(4), block(8), Buffer.from(`\n${footer}\n`, 'latin1')]);
}

describe('TZif files', () => {
  it('a version 1 file: its first type before the first change, its last type for good after the last', () => {
    const zone = parseTzif(tzif({ version: 0, times: [1000, 2000], types: [3600, 7200, -1800], typeOf: [1, 2] }));
    expect([offsetAt(zone, 0), offsetAt(zone, 999), offsetAt(zone, 1000), offsetAt(zone, 1999), offsetAt(zone, 2000), offsetAt(zone, 1e10)]).toEqual([
      3600, 3600, 7200, 7200, -1800, -1800,
    ]);
  });

  it('a version 2 file reads its 64-bit block (changes before 1901 too) and its footer after the last change', () => {
    const zone = parseTzif(tzif({ version: 2, times: [-3e9, 0], types: [100, 3600, 0], typeOf: [1, 2], footer: 'EST5EDT,M3.2.0,M11.1.0' }));
    expect(offsetAt(zone, -4e9)).toBe(100);
    expect(offsetAt(zone, -3e9)).toBe(3600);
    expect(offsetAt(zone, Date.UTC(2030, 0, 1) / 1000)).toBe(-5 * HOUR);
    expect(offsetAt(zone, Date.UTC(2030, 6, 1) / 1000)).toBe(-4 * HOUR);
    // An empty footer: the last change holds.
    expect(offsetAt(parseTzif(tzif({ version: 2, times: [0], types: [0, 7200], typeOf: [1] })), 1e10)).toBe(7200);
    // No changes at all: the footer rules every instant.
    expect(offsetAt(parseTzif(tzif({ version: 2, times: [], types: [0], typeOf: [], footer: '<+0545>-5:45' })), -1e10)).toBe(5 * HOUR + 45 * 60);
  });

  it('refuses what is not a well-formed TZif file', () => {
    const good = tzif({ version: 2, times: [0], types: [0, 7200], typeOf: [1], footer: 'CET-1' });
    const bad =
      (bytes: Uint8Array): unknown =>
      () =>
        parseTzif(bytes);
    expect(bad(Buffer.from('# zone1970.tab\n'))).toThrow(TzifError);
    expect(bad(Buffer.concat([Buffer.from('TZIF'), good.subarray(4)]))).toThrow(/magic/);
    expect(bad(good.subarray(0, good.length - 20))).toThrow(TzifError);
    expect(bad(tzif({ version: 2, times: [0], types: [0], typeOf: [3] }))).toThrow(/type 3/);
    expect(bad(tzif({ version: 2, times: [5, 5], types: [0], typeOf: [0, 0] }))).toThrow(/order/);
    expect(bad(tzif({ version: 2, times: [0], types: [0, 7200], typeOf: [1], footer: 'CE-1' }))).toThrow(/footer/);
    expect(bad(tzif({ version: 2, times: [0], types: [0, 7200], typeOf: [1], leap: 1 }))).toThrow(/leap seconds/);
    const version9 = Buffer.from(good);
    version9[4] = 0x39;
    expect(bad(version9)).toThrow(/version/);
  });
});

describe('POSIX TZ rules', () => {
  /** The offset in minutes at a UTC date and time. */
  const at = (rule: string, year: number, month: number, day: number, hour = 0, minute = 0): number =>
    posixOffsetAt(parsePosixZone(rule), Date.UTC(year, month, day, hour, minute) / 1000) / 60;

  it('fixed offsets, with names in <...> and minutes', () => {
    expect(at('UTC0', 2026, 5, 1)).toBe(0);
    expect(at('<+0545>-5:45', 2026, 5, 1)).toBe(345);
    expect(at('<-0330>3:30', 2026, 5, 1)).toBe(-210);
  });

  it('Mm.w.d dates: the w-th weekday of the month, 5 meaning the last; the start in standard time, the end in daylight time', () => {
    const ny = 'EST5EDT,M3.2.0,M11.1.0';
    // 2026: 8 March and 1 November, at 02:00 local.
    expect(at(ny, 2026, 2, 8, 6, 59)).toBe(-300);
    expect(at(ny, 2026, 2, 8, 7, 0)).toBe(-240);
    expect(at(ny, 2026, 10, 1, 5, 59)).toBe(-240);
    expect(at(ny, 2026, 10, 1, 6, 0)).toBe(-300);
    // Southern: daylight saving across the new year.
    const sydney = 'AEST-10AEDT,M10.1.0,M4.1.0/3';
    expect(at(sydney, 2026, 0, 1)).toBe(660);
    expect(at(sydney, 2026, 5, 1)).toBe(600);
  });

  it('Jn counts no 29 February, n counts from 0 with it', () => {
    // J60 is 1 March in every year; day 59 (zero-based) is 29 February in a leap year.
    expect(at('AAA0BBB,J60/0,J300/0', 2028, 1, 29, 12)).toBe(0);
    expect(at('AAA0BBB,J60/0,J300/0', 2028, 2, 1, 0, 0)).toBe(60);
    expect(at('AAA0BBB,59/0,300/0', 2028, 1, 29, 0, 0)).toBe(60);
    expect(at('AAA0BBB,59/0,300/0', 2027, 1, 28, 23, 59)).toBe(0);
    expect(at('AAA0BBB,59/0,300/0', 2027, 2, 1, 0, 0)).toBe(60);
  });

  it('times past 24 h and below 0, negative daylight saving, and daylight saving all year', () => {
    // Santiago: changes at 24:00 of the first Saturday of September and April.
    const santiago = '<-04>4<-03>,M9.1.6/24,M4.1.6/24';
    expect(at(santiago, 2026, 8, 6, 3, 59)).toBe(-240);
    expect(at(santiago, 2026, 8, 6, 4, 0)).toBe(-180);
    // Nuuk: starts at -01:00 local on the last Sunday of March (29 March 2026: 01:00 UTC).
    const nuuk = '<-02>2<-01>,M3.5.0/-1,M10.5.0/0';
    expect(at(nuuk, 2026, 2, 29, 0, 59)).toBe(-120);
    expect(at(nuuk, 2026, 2, 29, 1, 0)).toBe(-60);
    // Dublin: standard time (IST, +1) in summer, "daylight saving" (GMT) in winter.
    const dublin = 'IST-1GMT0,M10.5.0,M3.5.0/1';
    expect(at(dublin, 2026, 0, 15)).toBe(0);
    expect(at(dublin, 2026, 6, 15)).toBe(60);
    // Daylight saving all year: the end of one year meets the start of the next.
    const always = 'EST5EDT4,0/0,J365/25';
    for (const month of [0, 6, 11]) expect(at(always, 2026, month, 1)).toBe(-240);
    expect(at(always, 2026, 0, 1, 4, 0)).toBe(-240);
    expect(at(always, 2026, 0, 1, 5, 0)).toBe(-240);
  });

  it('refuses rules it cannot read', () => {
    for (const rule of [
      '',
      'CE-1',
      'CET',
      'CET-1CEST',
      'CET-1CEST,M3.5.0',
      'CET-1CEST,M13.5.0,M10.5.0',
      'CET-1CEST,M3.6.0,M10.5.0',
      '<+01-1',
      'CET-1CEST,M3.5.0,M10.5.0/168',
      'CET-1 ',
    ]) {
      expect(() => parsePosixZone(rule)).toThrow(Error);
    }
  });
});
