/**
 * The location, night and auto-brightness settings: their defaults, the checks across keys, and
 * the schema and the `Settings` interface naming the same keys everywhere (checked by the type
 * checker: `npm run typecheck` fails when they drift, and this file's test reads the result).
 */
import { type Settings, type SETTINGS_SCHEMA, settingsFrom } from '../../src/config';
import { settingsProblems as problems } from '../helpers/settings-problems';

/** The nested key structure a schema node describes; lists and scalars are leaves. */
type SchemaShape<N> = N extends { properties: infer P } ? { -readonly [K in keyof P]: SchemaShape<P[K]> } : 'leaf';
/** The same structure of a TypeScript type; optional keys count as keys. */
type TypeShape<T> = T extends readonly unknown[] ? 'leaf' : T extends object ? { [K in keyof T]-?: TypeShape<NonNullable<T[K]>> } : 'leaf';
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

describe('schedule, night and auto-brightness settings', () => {
  it('are named alike in the schema and the Settings interface', () => {
    const agree: Same<SchemaShape<typeof SETTINGS_SCHEMA>, TypeShape<Settings>> = true;
    expect(agree).toBe(true);
  });

  it('default to no location, no night window, no auto-brightness and the clock as fallback', () => {
    const s = settingsFrom({}, 'defaults', {});
    expect(s.location).toBeUndefined();
    expect(s.display.auto_brightness).toBeUndefined();
    expect(s.rotation.fallback).toBe('clock');
    expect(s.night).toEqual({ brightness: 16, notify_min_priority: 'high', quiet_notifications: 'wait', wake_s: 60 });
  });

  it('fill the auto-brightness defaults once a source is given', () => {
    const s = settingsFrom({ display: { auto_brightness: { topic: 'home/lux' } } }, 'test.yaml', {});
    expect(s.display.auto_brightness).toEqual({
      topic: 'home/lux',
      curve: [
        [0, 8],
        [10, 32],
        [100, 96],
        [1000, 192],
        [10000, 255],
      ],
      smoothing_s: 10,
      hysteresis: 8,
      min_interval_s: 30,
    });
  });

  it('read night ends as times or sun events, and refuse anything else by key', () => {
    expect(problems({ night: { from: 'sunset+30', to: '06:30', app: 'clock' } })).toEqual([]);
    expect(problems({ night: { from: '10pm', to: '06:30' } })).toEqual([expect.stringMatching(/^night\.from must match pattern/)]);
    expect(problems({ night: { from: '22:00' } })).toEqual(['night.from and night.to go together: give both, or neither for no night mode']);
    expect(problems({ night: { from: '22:00', to: '22:00' } })).toEqual(['night.from and night.to are the same: the night would never end']);
    expect(problems({ night: { from: '22:00', to: '06:00', notify_min_priority: 'urgent' } })).toEqual([
      'night.notify_min_priority must be one of low, normal, high, critical',
    ]);
  });

  it('check the auto-brightness source and curve', () => {
    expect(problems({ display: { auto_brightness: {} } })).toEqual(['display.auto_brightness needs "entity" or "topic": where the light level comes from']);
    expect(problems({ display: { auto_brightness: { entity: 'sensor.lux', topic: 'lux' } } })).toEqual([
      'display.auto_brightness: give "entity" or "topic", not both',
    ]);
    const falling = {
      entity: 'sensor.lux',
      curve: [
        [0, 8],
        [100, 50],
        [50, 90],
      ],
    };
    expect(problems({ display: { auto_brightness: falling } })).toEqual([
      'display.auto_brightness.curve: lux must rise from point to point (point 2 is not above point 1)',
    ]);
    expect(
      problems({
        display: {
          auto_brightness: {
            entity: 'sensor.lux',
            curve: [
              [0, 300],
              [10, 5],
            ],
          },
        },
      }),
    ).toEqual(['display.auto_brightness.curve.0.1 must be <= 255']);
  });

  it('take auto-brightness from the environment, the curve as JSON', () => {
    const env = { MEGABIT_DISPLAY_AUTO_BRIGHTNESS_ENTITY: 'sensor.lux', MEGABIT_DISPLAY_AUTO_BRIGHTNESS_CURVE: '[[0, 4], [1000, 255]]' };
    expect(settingsFrom({}, 'test.yaml', env).display.auto_brightness).toMatchObject({
      entity: 'sensor.lux',
      curve: [
        [0, 4],
        [1000, 255],
      ],
    });
    expect(problems({}, { ...env, MEGABIT_DISPLAY_AUTO_BRIGHTNESS_CURVE: '[[0, 4], [1000' })).toEqual([
      'display.auto_brightness.curve (from MEGABIT_DISPLAY_AUTO_BRIGHTNESS_CURVE) must be an array',
    ]);
  });

  it('take the location from the file or the environment, and check the zone', () => {
    expect(settingsFrom({}, 'test.yaml', { MEGABIT_LOCATION_LATITUDE: '52.52', MEGABIT_LOCATION_LONGITUDE: '-13.4' }).location).toEqual({
      latitude: 52.52,
      longitude: -13.4,
    });
    expect(problems({ location: { latitude: 91, longitude: 0 } })).toEqual(['location.latitude must be <= 90']);
    expect(problems({ location: { latitude: 50 } })).toEqual(["location must have required property 'longitude'"]);
    expect(problems({ time_zone: 'Mars/Olympus_Mons' })).toEqual([
      'time_zone "Mars/Olympus_Mons" is not a time zone this machine knows (like "Europe/Berlin")',
    ]);
    expect(problems({ time_zone: 'Europe/Berlin' })).toEqual([]);
  });
});
