import { settingsFrom } from '../../src/config';
import { capBrightness, type NightRules, nightRulesFrom, nightState, notificationVerdict, wakeUntil } from '../../src/schedules';

const ctx = { timeZone: 'Europe/Berlin', location: { latitude: 52.52, longitude: 13.405 } };
const at = (iso: string): number => Date.parse(iso);
const iso = (t: number | undefined): string | undefined => (t === undefined ? undefined : new Date(t).toISOString());

function rules(night: Record<string, unknown>): NightRules {
  const r = nightRulesFrom(settingsFrom({ night }, 'test.yaml', {}).night);
  if (r === undefined) throw new Error('no night window');
  return r;
}

describe('night state', () => {
  const night = rules({ from: '22:00', to: '07:00', brightness: 10, app: 'clock', max_brightness_during_day: 200 });

  it('is off without a window', () => {
    expect(nightRulesFrom(settingsFrom({}, 'defaults', {}).night)).toBeUndefined();
    expect(nightState(undefined, at('2024-06-17T23:00:00+02:00'), ctx)).toEqual({ night: false, awake: false });
  });

  it('by day: the day limit, and night as the next change', () => {
    expect(nightState(night, at('2024-06-17T12:00:00+02:00'), ctx)).toEqual({
      night: false,
      awake: false,
      maxBrightness: 200,
      nextChange: at('2024-06-17T22:00:00+02:00'),
    });
  });

  it('at night: the night brightness, only the night app, and morning as the next change', () => {
    expect(nightState(night, at('2024-06-18T03:00:00+02:00'), ctx)).toEqual({
      night: true,
      awake: false,
      maxBrightness: 10,
      app: 'clock',
      nextChange: at('2024-06-18T07:00:00+02:00'),
    });
  });

  it('follows the sun when its ends are sun events', () => {
    const dark = rules({ from: 'sunset', to: 'sunrise' });
    // Berlin, 2024-06-21: sunset 21:33 CEST.
    expect(nightState(dark, at('2024-06-21T21:25:00+02:00'), ctx).night).toBe(false);
    expect(nightState(dark, at('2024-06-21T21:40:00+02:00'), ctx).night).toBe(true);
  });

  it('wakes for wake_s on a button press at night, extended by another press, and not by day', () => {
    const press = at('2024-06-18T03:00:00+02:00');
    const until = wakeUntil(night, press, ctx) as number;
    expect(iso(until)).toBe('2024-06-18T01:01:00.000Z');
    expect(nightState(night, press + 30_000, ctx, until)).toEqual({ night: true, awake: true, maxBrightness: 200, nextChange: until });
    expect(nightState(night, until, ctx, until)).toMatchObject({ night: true, awake: false, app: 'clock' });
    expect(iso(wakeUntil(night, press + 50_000, ctx))).toBe('2024-06-18T01:01:50.000Z');
    expect(wakeUntil(night, at('2024-06-18T12:00:00+02:00'), ctx)).toBeUndefined();
  });

  it('ends a wake at morning when the night ends first', () => {
    const press = at('2024-06-18T06:59:30+02:00');
    expect(iso(nightState(night, press, ctx, wakeUntil(night, press, ctx)).nextChange)).toBe('2024-06-18T05:00:00.000Z');
  });

  it('caps the brightness asked for, by night and by day', () => {
    expect(capBrightness(128, nightState(night, at('2024-06-18T03:00:00+02:00'), ctx))).toBe(10);
    expect(capBrightness(5, nightState(night, at('2024-06-18T03:00:00+02:00'), ctx))).toBe(5);
    expect(capBrightness(255, nightState(night, at('2024-06-18T12:00:00+02:00'), ctx))).toBe(200);
    expect(capBrightness(255, nightState(undefined, at('2024-06-18T12:00:00+02:00'), ctx))).toBe(255);
  });
});

describe('notifications at night', () => {
  const night = rules({ from: '22:00', to: '07:00' });
  const dark = nightState(night, at('2024-06-18T03:00:00+02:00'), ctx);
  const day = nightState(night, at('2024-06-18T12:00:00+02:00'), ctx);

  it('hold back those below the threshold at night, show the rest and everything by day', () => {
    expect(notificationVerdict('low', night, dark)).toBe('wait');
    expect(notificationVerdict('normal', night, dark)).toBe('wait');
    expect(notificationVerdict('high', night, dark)).toBe('show');
    expect(notificationVerdict('critical', night, dark)).toBe('show');
    expect(notificationVerdict('low', night, day)).toBe('show');
  });

  it('follow the configured threshold and fate, and show while awake', () => {
    const strict = rules({ from: '22:00', to: '07:00', notify_min_priority: 'critical', quiet_notifications: 'drop' });
    const state = nightState(strict, at('2024-06-18T03:00:00+02:00'), ctx);
    expect(notificationVerdict('high', strict, state)).toBe('drop');
    expect(notificationVerdict('critical', strict, state)).toBe('show');
    const press = at('2024-06-18T03:00:00+02:00');
    expect(notificationVerdict('low', night, nightState(night, press, ctx, wakeUntil(night, press, ctx)))).toBe('show');
  });
});
