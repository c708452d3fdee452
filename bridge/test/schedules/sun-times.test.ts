/**
 * Sun times against published almanac values (rounded to the minute by their publishers), each
 * within two minutes; and the local-date arithmetic they rest on.
 */
import { instantOf, localTime, sunEventOn } from '../../src/schedules';

const day = (iso: string): number => Date.parse(`${iso}T00:00:00Z`) / 86_400_000;
const minutesOff = (actual: number | undefined, iso: string): number => Math.abs((actual as number) - Date.parse(iso)) / 60_000;

describe('sun times', () => {
  it('matches London at the 2024 summer solstice: sunrise 04:43, sunset 21:21 BST', () => {
    const london = { latitude: 51.5074, longitude: -0.1278 };
    expect(minutesOff(sunEventOn('sunrise', day('2024-06-21'), 'Europe/London', london), '2024-06-21T04:43:00+01:00')).toBeLessThanOrEqual(2);
    expect(minutesOff(sunEventOn('sunset', day('2024-06-21'), 'Europe/London', london), '2024-06-21T21:21:00+01:00')).toBeLessThanOrEqual(2);
  });

  it('matches New York at the 2024 winter solstice: sunrise 07:16, sunset 16:32 EST', () => {
    const nyc = { latitude: 40.7128, longitude: -74.006 };
    expect(minutesOff(sunEventOn('sunrise', day('2024-12-21'), 'America/New_York', nyc), '2024-12-21T07:16:00-05:00')).toBeLessThanOrEqual(2);
    expect(minutesOff(sunEventOn('sunset', day('2024-12-21'), 'America/New_York', nyc), '2024-12-21T16:32:00-05:00')).toBeLessThanOrEqual(2);
  });

  it('puts civil dawn before sunrise and dusk after sunset', () => {
    const berlin = { latitude: 52.52, longitude: 13.405 };
    const d = day('2024-03-31');
    const [dawn, rise, set, dusk] = (['dawn', 'sunrise', 'sunset', 'dusk'] as const).map((e) => sunEventOn(e, d, 'Europe/Berlin', berlin) as number);
    expect(dawn).toBeLessThan(rise);
    expect(set).toBeLessThan(dusk);
    // Each event falls on the local date asked for.
    for (const t of [dawn, rise, set, dusk]) expect(localTime(t, 'Europe/Berlin').day).toBe(d);
  });

  it('has no sunset where the sun does not set', () => {
    expect(sunEventOn('sunset', day('2024-06-21'), 'Europe/Oslo', { latitude: 69.65, longitude: 18.96 })).toBeUndefined();
  });
});

describe('local dates and times', () => {
  it('reads the local date, time and weekday of an instant in a zone', () => {
    const t = localTime(Date.parse('2024-06-17T23:30:00Z'), 'Europe/Berlin');
    expect(t).toEqual({ day: day('2024-06-18'), minutes: 90, weekday: 2 });
  });

  it('finds the instant of a local time on both daylight saving days', () => {
    expect(new Date(instantOf(day('2024-03-31'), 150, 'Europe/Berlin')).toISOString()).toBe('2024-03-31T01:30:00.000Z');
    expect(new Date(instantOf(day('2024-10-27'), 150, 'Europe/Berlin')).toISOString()).toBe('2024-10-27T00:30:00.000Z');
    expect(new Date(instantOf(day('2024-10-27'), 210, 'Europe/Berlin')).toISOString()).toBe('2024-10-27T02:30:00.000Z');
  });
});
