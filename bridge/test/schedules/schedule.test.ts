/**
 * Schedules evaluated at instants given as ISO strings with their offsets, so every expectation
 * is readable as a wall-clock time in Berlin and none depends on this machine's clock or zone.
 */
import { parseScheduleValue, type Schedule } from '@megabit/contract';
import { isInSchedule, nextChange, type ScheduleContext, usesSun } from '../../src/schedules';
import { seededRandom } from '../helpers/seeded-random';

const BERLIN: ScheduleContext = { timeZone: 'Europe/Berlin', location: { latitude: 52.52, longitude: 13.405 } };

function schedule(value: unknown): Schedule {
  const parsed = parseScheduleValue(value);
  if (!parsed.ok) throw new Error(parsed.error.message);
  return parsed.value;
}

const at = (iso: string): number => Date.parse(iso);
const open = (s: Schedule, iso: string, ctx = BERLIN): boolean => isInSchedule(s, at(iso), ctx);
const next = (s: Schedule, iso: string, ctx = BERLIN): string | undefined => {
  const t = nextChange(s, at(iso), ctx);
  return t === undefined ? undefined : new Date(t).toISOString();
};

describe('clock windows', () => {
  // 2024-06-17 is a Monday.
  const mornings = schedule({ days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '07:00', to: '09:30' });

  it('is closed before the window, open from its start, closed from its end', () => {
    expect(open(mornings, '2024-06-17T06:59:59+02:00')).toBe(false);
    expect(open(mornings, '2024-06-17T07:00:00+02:00')).toBe(true);
    expect(open(mornings, '2024-06-17T09:29:59+02:00')).toBe(true);
    expect(open(mornings, '2024-06-17T09:30:00+02:00')).toBe(false);
  });

  it('is closed on the days it does not name', () => {
    expect(open(mornings, '2024-06-22T08:00:00+02:00')).toBe(false);
    expect(open(mornings, '2024-06-23T08:00:00+02:00')).toBe(false);
    expect(open(mornings, '2024-06-24T08:00:00+02:00')).toBe(true);
  });

  it('tells the next change: the end when open, the next start when closed, over a weekend', () => {
    expect(next(mornings, '2024-06-17T08:00:00+02:00')).toBe('2024-06-17T07:30:00.000Z');
    expect(next(mornings, '2024-06-17T10:00:00+02:00')).toBe('2024-06-18T05:00:00.000Z');
    expect(next(mornings, '2024-06-21T10:00:00+02:00')).toBe('2024-06-24T05:00:00.000Z');
  });

  it('covers the next morning with a window that crosses midnight, by the day it starts on', () => {
    const late = schedule({ days: ['mon'], from: '22:00', to: '02:00' });
    expect(open(late, '2024-06-18T01:00:00+02:00')).toBe(true); // Tue 01:00
    expect(open(late, '2024-06-17T01:00:00+02:00')).toBe(false); // Mon 01:00 belongs to Sunday's night
    expect(open(late, '2024-06-17T21:59:00+02:00')).toBe(false);
    expect(open(late, '2024-06-18T02:00:00+02:00')).toBe(false);
    expect(next(late, '2024-06-17T23:00:00+02:00')).toBe('2024-06-18T00:00:00.000Z');
  });

  it('is open while any of several windows is, and flips only where the union does', () => {
    const s = schedule([
      { from: '07:00', to: '09:00' },
      { from: '08:30', to: '10:00' },
      { days: ['sat', 'sun'], from: '12:00', to: '13:00' },
    ]);
    expect(open(s, '2024-06-17T09:30:00+02:00')).toBe(true);
    expect(open(s, '2024-06-17T12:30:00+02:00')).toBe(false);
    expect(open(s, '2024-06-22T12:30:00+02:00')).toBe(true);
    // 09:00 ends one window inside the other: no change there.
    expect(next(s, '2024-06-17T07:30:00+02:00')).toBe('2024-06-17T08:00:00.000Z');
  });

  it('reads whole days from days alone, and gives no change for a schedule always open', () => {
    const weekend = schedule({ days: ['sat', 'sun'] });
    expect(open(weekend, '2024-06-22T00:00:00+02:00')).toBe(true);
    expect(open(weekend, '2024-06-23T23:59:59+02:00')).toBe(true);
    expect(open(weekend, '2024-06-24T00:00:00+02:00')).toBe(false);
    expect(next(weekend, '2024-06-19T12:00:00+02:00')).toBe('2024-06-21T22:00:00.000Z');
    const always = schedule({ from: '00:00', to: '00:00' });
    expect(open(always, '2024-06-19T12:00:00+02:00')).toBe(true);
    expect(next(always, '2024-06-19T12:00:00+02:00')).toBeUndefined();
  });

  it('uses the zone it is given, not the machine', () => {
    const s = schedule({ from: '07:00', to: '08:00' });
    const tokyo: ScheduleContext = { timeZone: 'Asia/Tokyo' };
    expect(open(s, '2024-06-17T07:30:00+09:00', tokyo)).toBe(true);
    expect(open(s, '2024-06-17T07:30:00+09:00')).toBe(false);
  });
});

describe('daylight saving changes in Europe/Berlin', () => {
  // 2024-03-31: 02:00 CET becomes 03:00 CEST. 2024-10-27: 03:00 CEST becomes 02:00 CET.
  it('keeps wall-clock times on the spring day: a night window is an hour shorter', () => {
    const night = schedule({ from: '22:00', to: '06:00' });
    expect(next(night, '2024-03-30T23:00:00+01:00')).toBe('2024-03-31T04:00:00.000Z'); // 06:00 CEST
    expect(open(night, '2024-03-31T05:30:00+02:00')).toBe(true);
    expect(open(night, '2024-03-31T06:00:00+02:00')).toBe(false);
    expect(next(night, '2024-03-31T12:00:00+02:00')).toBe('2024-03-31T20:00:00.000Z'); // 22:00 CEST
  });

  it('opens a window that starts in the skipped hour when the hour ends, as calendars do', () => {
    const s = schedule({ from: '02:30', to: '04:00' });
    expect(next(s, '2024-03-31T01:00:00+01:00')).toBe('2024-03-31T01:30:00.000Z'); // 03:30 CEST
    expect(open(s, '2024-03-31T03:15:00+02:00')).toBe(false);
    expect(open(s, '2024-03-31T03:45:00+02:00')).toBe(true);
  });

  it('moves a window in the skipped hour past it, and never makes a window 24 hours long', () => {
    const inGap = schedule({ from: '02:15', to: '02:45' });
    expect(next(inGap, '2024-03-31T00:00:00+01:00')).toBe('2024-03-31T01:15:00.000Z'); // 03:15 CEST
    expect(next(inGap, '2024-03-31T03:20:00+02:00')).toBe('2024-03-31T01:45:00.000Z');
    // 02:30 reads as 03:30, the same instant as its end: empty that day.
    const squeezed = schedule({ from: '02:30', to: '03:30' });
    expect(open(squeezed, '2024-03-31T12:00:00+02:00')).toBe(false);
    expect(next(squeezed, '2024-03-31T00:00:00+01:00')).toBe('2024-04-01T00:30:00.000Z');
  });

  it('keeps wall-clock times on the autumn day: a night window is an hour longer', () => {
    const night = schedule({ from: '22:00', to: '06:00' });
    expect(next(night, '2024-10-26T23:00:00+02:00')).toBe('2024-10-27T05:00:00.000Z'); // 06:00 CET
    expect(open(night, '2024-10-27T02:30:00+02:00')).toBe(true);
    expect(open(night, '2024-10-27T02:30:00+01:00')).toBe(true);
  });

  it('reads a time the autumn day repeats as its first occurrence', () => {
    const s = schedule({ from: '02:30', to: '04:00' });
    expect(open(s, '2024-10-27T02:30:00+02:00')).toBe(true);
    expect(open(s, '2024-10-27T02:15:00+01:00')).toBe(true);
    expect(next(s, '2024-10-27T01:00:00+02:00')).toBe('2024-10-27T00:30:00.000Z');
  });
});

describe('sun windows', () => {
  // Berlin on 2024-06-21: sunrise 04:43, sunset 21:33 CEST (published almanac values).
  const dark = schedule({ sun: { after: 'sunset', before: 'sunrise' } });

  it('is open from sunset to the next sunrise', () => {
    expect(usesSun(dark)).toBe(true);
    expect(open(dark, '2024-06-21T21:30:00+02:00')).toBe(false);
    expect(open(dark, '2024-06-21T21:36:00+02:00')).toBe(true);
    expect(open(dark, '2024-06-22T02:00:00+02:00')).toBe(true);
    expect(open(dark, '2024-06-22T04:47:00+02:00')).toBe(false);
  });

  it('gives sunset as the next change, within two minutes of the published time', () => {
    const t = nextChange(dark, at('2024-06-21T12:00:00+02:00'), BERLIN) as number;
    expect(Math.abs(t - at('2024-06-21T21:33:00+02:00'))).toBeLessThanOrEqual(120_000);
  });

  it('shifts an event by its offset, and mixes with clock times', () => {
    const s = schedule({ from: 'sunset+30', to: '23:30' });
    expect(open(s, '2024-06-21T21:50:00+02:00')).toBe(false);
    expect(open(s, '2024-06-21T22:10:00+02:00')).toBe(true);
    expect(open(s, '2024-06-21T23:31:00+02:00')).toBe(false);
  });

  it('stays closed without a location, and for an event the day does not have', () => {
    expect(open(dark, '2024-06-22T02:00:00+02:00', { timeZone: 'Europe/Berlin' })).toBe(false);
    expect(next(dark, '2024-06-22T02:00:00+02:00', { timeZone: 'Europe/Berlin' })).toBeUndefined();
    // Tromsø in midsummer: the sun never sets.
    const tromso: ScheduleContext = { timeZone: 'Europe/Oslo', location: { latitude: 69.65, longitude: 18.96 } };
    expect(open(dark, '2024-06-21T23:59:00+02:00', tromso)).toBe(false);
    expect(usesSun(schedule({ from: '07:00', to: '08:00' }))).toBe(false);
  });
});

describe('nextChange against isInSchedule', () => {
  const SEED = 4242;

  it(`flips exactly at the instant it gives, and nowhere before it (random schedules, seed ${SEED})`, () => {
    const random = seededRandom(SEED);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
    const time = (): string => `${String(Math.floor(random() * 24)).padStart(2, '0')}:${pick(['00', '15', '30', '45'])}`;
    const end = (): string => (random() < 0.3 ? `${pick(['sunrise', 'sunset', 'dawn', 'dusk'])}${pick(['', '+20', '-45'])}` : time());
    const days = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
    // Around both of Berlin's 2024 daylight saving changes, and an ordinary week.
    const starts = [Date.parse('2024-03-28T00:00:00Z'), Date.parse('2024-10-24T00:00:00Z'), Date.parse('2024-06-10T00:00:00Z')];
    let flips = 0;
    for (let n = 0; n < 25; n++) {
      const windows = Array.from({ length: 1 + Math.floor(random() * 3) }, () => ({
        ...(random() < 0.5
          ? {
              days: days
                .filter(() => random() < 0.5)
                .concat(pick(days))
                .filter((d, i, all) => all.indexOf(d) === i),
            }
          : {}),
        from: end(),
        to: end(),
      }));
      const s = schedule(windows);
      for (let k = 0; k < 8; k++) {
        const t = pick(starts) + Math.floor(random() * 7 * 86_400_000);
        const now = isInSchedule(s, t, BERLIN);
        const change = nextChange(s, t, BERLIN);
        if (change === undefined) continue;
        flips++;
        const context = JSON.stringify({ windows, at: new Date(t).toISOString(), change: new Date(change).toISOString() });
        expect([context, isInSchedule(s, change, BERLIN)]).toEqual([context, !now]);
        expect([context, isInSchedule(s, change - 1, BERLIN)]).toEqual([context, now]);
        for (let j = 0; j < 5; j++) {
          const between = t + Math.floor(random() * (change - t));
          expect([context, isInSchedule(s, between, BERLIN)]).toEqual([context, now]);
        }
      }
    }
    expect(flips).toBeGreaterThan(150);
  });
});
