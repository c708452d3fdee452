/**
 * Auto-brightness fed reading series on an injected clock (milliseconds from 0): a jittering
 * sensor must not flicker the panel, a real change must be followed, and limits apply at once.
 */
import { AutoBrightness, type AutoBrightnessOptions, autoBrightnessOptions, curveAt, luxScale } from '../../src/schedules';
import { settingsFrom } from '../../src/config';
import { seededRandom } from '../helpers/seeded-random';

const SEED = 1717;
const settings = settingsFrom({ display: { auto_brightness: { entity: 'sensor.lux' } } }, 'test.yaml', {}).display.auto_brightness!;
const DEFAULTS = autoBrightnessOptions(settings);
const MIN_INTERVAL_MS = DEFAULTS.minIntervalMs;

/** Feeds one reading a second from `series(t)` and returns each change as [time, brightness]. */
function run(auto: AutoBrightness, from: number, to: number, series: (t: number) => number): Array<[number, number]> {
  const changes: Array<[number, number]> = [];
  for (let t = from; t < to; t += 1000) {
    auto.reading(series(t), t);
    const b = auto.update(t);
    if (b !== undefined) changes.push([t, b]);
  }
  return changes;
}

/** Lux around `centre`, each reading off by up to `factor` either way (multiplied or divided). */
function jitter(centre: number, factor: number, random: () => number): () => number {
  return () => centre * factor ** (random() * 2 - 1);
}

describe('the curve', () => {
  it('passes through its points and joins them along log-lux', () => {
    const curve = settings.curve;
    expect(curveAt(curve, luxScale(0))).toBe(8);
    expect(curveAt(curve, luxScale(100))).toBe(96);
    expect(curveAt(curve, luxScale(50_000))).toBe(255);
    const between = curveAt(curve, luxScale(316));
    expect(between).toBeGreaterThan(140);
    expect(between).toBeLessThan(150);
  });
});

describe('AutoBrightness', () => {
  it(`changes at most once per ${MIN_INTERVAL_MS / 1000} s on a sensor jittering by a factor of two (seed ${SEED}), where a bare mapping flickers`, () => {
    const bare = new AutoBrightness({ ...DEFAULTS, smoothingMs: 0, hysteresis: 0, minIntervalMs: 0 });
    expect(run(bare, 0, 600_000, jitter(100, 2, seededRandom(SEED))).length).toBeGreaterThan(300);

    const changes = run(new AutoBrightness(DEFAULTS), 0, 600_000, jitter(100, 2, seededRandom(SEED)));
    expect(changes[0]).toEqual([0, expect.any(Number)]);
    for (let i = 1; i < changes.length; i++) expect(changes[i][0] - changes[i - 1][0]).toBeGreaterThanOrEqual(MIN_INTERVAL_MS);
  });

  it(`holds still on a sensor jittering by 25% (seed ${SEED}), once the first reading has settled`, () => {
    const auto = new AutoBrightness(DEFAULTS);
    const changes = run(auto, 0, 600_000, jitter(100, 1.25, seededRandom(SEED)));
    // The first reading is taken as it is; at most one correction follows, in the first minute,
    // while the smoothing settles (a few time constants), and then nothing for nine minutes.
    expect(changes.length).toBeLessThanOrEqual(2);
    expect(changes.every(([t]) => t <= 60_000)).toBe(true);
    expect(Math.abs((auto.brightness as number) - 96)).toBeLessThanOrEqual(DEFAULTS.hysteresis);
  });

  it('follows a real change through the jitter, within the hysteresis band', () => {
    const random = seededRandom(SEED);
    const auto = new AutoBrightness(DEFAULTS);
    run(auto, 0, 300_000, jitter(100, 2, random));
    const changes = run(auto, 300_000, 420_000, jitter(5000, 2, random));
    const expected = Math.round(curveAt(settings.curve, luxScale(5000)));
    expect(changes.length).toBeGreaterThan(0);
    expect(Math.abs((auto.brightness as number) - expected)).toBeLessThanOrEqual(DEFAULTS.hysteresis);
    expect(changes[0][0] - 300_000).toBeLessThanOrEqual(MIN_INTERVAL_MS);
  });

  it('settles by nextUpdate alone when the sensor reports only on change', () => {
    const auto = new AutoBrightness(DEFAULTS);
    auto.reading(10, 0);
    expect(auto.update(0)).toBe(32);
    auto.reading(10_000, 60_000);
    let now = 60_000;
    const times: number[] = [];
    for (let t = auto.nextUpdate(now); t !== undefined && times.length < 100; t = auto.nextUpdate(now)) {
      now = t;
      if (auto.update(now) !== undefined) times.push(now);
    }
    expect(auto.brightness).toBeGreaterThanOrEqual(255 - DEFAULTS.hysteresis);
    expect(times.length).toBeGreaterThan(0);
    for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(MIN_INTERVAL_MS);
    expect(auto.nextUpdate(now)).toBeUndefined();
  });

  it('applies a lower limit at once, and keeps to it', () => {
    const options: AutoBrightnessOptions = { ...DEFAULTS, smoothingMs: 0 };
    const auto = new AutoBrightness(options);
    auto.reading(10_000, 0);
    expect(auto.update(0)).toBe(255);
    expect(auto.update(1000, { max: 16 })).toBe(16);
    auto.reading(100_000, 60_000);
    expect(auto.update(60_000, { max: 16 })).toBeUndefined();
    // The limit lifts (morning): back up, by the usual rules.
    expect(auto.update(61_000)).toBe(255);
  });

  it('ignores readings that are not a light level', () => {
    const auto = new AutoBrightness(DEFAULTS);
    auto.reading(Number.NaN, 0);
    auto.reading(-5, 0);
    expect(auto.update(0)).toBeUndefined();
    expect(auto.brightness).toBeUndefined();
  });
});
