import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KV_BAD_KEY, KV_OK, KV_OVER_QUOTA, KvStore } from '../../src/sandbox/kv-store';
import { KV_FLOOD_REFUSALS, KV_FLOOD_WINDOW_MS, KvFloodMeter } from '../../src/sandbox/kv-flood';
import { LOG_FLOOD_FACTOR, LOG_FLOOD_WINDOWS, LogLimiter } from '../../src/sandbox/log-limiter';
import { timeZoneOffset } from '../../src/sandbox/time-zone';
import { tempDir } from '../helpers/sandbox/harness';

const dir = tempDir();
afterAll(() => dir.cleanup());
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
let n = 0;
const file = (): string => join(dir.path, `units-${++n}.json`);

describe('KvStore', () => {
  it('counts key and value bytes against the quota, also when replacing and deleting', () => {
    const warnings: string[] = [];
    const kv = new KvStore(file(), 10, (m) => warnings.push(m));
    expect(kv.set(bytes('ab'), bytes('12345678'))).toBe(KV_OK); // 10 of 10 bytes
    expect(kv.set(bytes('c'), new Uint8Array(0))).toBe(KV_OVER_QUOTA);
    expect(kv.set(bytes('ab'), bytes('1234567'))).toBe(KV_OK); // a replacement counts once: 9
    expect(kv.set(bytes('ab'), bytes('123456789'))).toBe(KV_OVER_QUOTA);
    expect(kv.get(bytes('ab'))).toEqual(bytes('1234567'));
    expect(kv.set(bytes('c'), new Uint8Array(0))).toBe(KV_OK); // 10 again
    expect(kv.set(bytes('d'), new Uint8Array(0))).toBe(KV_OVER_QUOTA);
    kv.delete(bytes('ab'));
    kv.delete(bytes('c'));
    expect(kv.set(bytes('x'), bytes('123456789'))).toBe(KV_OK); // all 10 free again
    expect(warnings).toEqual([]);
  });

  it('keeps its own copy of a value', () => {
    const kv = new KvStore(file(), 100, () => undefined);
    const value = bytes('abc');
    kv.set(bytes('k'), value);
    value[0] = 0x7a;
    expect(kv.get(bytes('k'))).toEqual(bytes('abc'));
  });

  it('rejects empty, long and non-UTF-8 keys', () => {
    const kv = new KvStore(file(), 10_000, () => undefined);
    expect(kv.set(new Uint8Array(0), bytes('v'))).toBe(KV_BAD_KEY);
    expect(kv.set(new Uint8Array(257).fill(0x61), bytes('v'))).toBe(KV_BAD_KEY);
    expect(kv.set(Uint8Array.of(0xff, 0xfe), bytes('v'))).toBe(KV_BAD_KEY);
    expect(kv.set(new Uint8Array(256).fill(0x61), bytes('v'))).toBe(KV_OK);
  });

  it('saves and loads binary values and awkward keys', () => {
    const path = file();
    const kv = new KvStore(path, 1000, () => undefined);
    kv.set(bytes('__proto__'), Uint8Array.of(0, 255, 10));
    kv.set(bytes('\uFEFFbom'), bytes('x'));
    kv.set(bytes('Grüße'), new Uint8Array(0));
    expect(kv.needsSave).toBe(true);
    kv.save();
    expect(kv.needsSave).toBe(false);
    const loaded = new KvStore(path, 1000, () => undefined);
    expect(loaded.get(bytes('__proto__'))).toEqual(Uint8Array.of(0, 255, 10));
    expect(loaded.get(bytes('\uFEFFbom'))).toEqual(bytes('x'));
    expect(loaded.get(bytes('bom'))).toBeUndefined();
    expect(loaded.get(bytes('Grüße'))).toEqual(new Uint8Array(0));
    expect(loaded.needsSave).toBe(false);
    // The loaded entries count against the quota: 12 + 7 + 7 bytes fill a 26-byte quota.
    const full = new KvStore(path, 26, () => undefined);
    expect(full.set(bytes('z'), new Uint8Array(0))).toBe(KV_OVER_QUOTA);
    expect(full.set(bytes('Grüße'), new Uint8Array(0))).toBe(KV_OK);
  });

  it.each([
    ['not JSON', 'hello'],
    ['another format', '{"format":"other","entries":{}}'],
    ['entries not an object', '{"format":"megabit-kv/1","entries":[]}'],
    ['a value that is not base64', '{"format":"megabit-kv/1","entries":{"a":"%%%"}}'],
    ['an empty key', '{"format":"megabit-kv/1","entries":{"":"YQ=="}}'],
  ])('a corrupt file (%s) loads as an empty store with a warning', (_, text) => {
    const path = file();
    writeFileSync(path, text);
    const warnings: string[] = [];
    const kv = new KvStore(path, 1000, (m) => warnings.push(m));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('is corrupt');
    expect(kv.get(bytes('a'))).toBeUndefined();
    expect(readFileSync(path, 'utf8')).toBe(text);
    expect(kv.set(bytes('a'), new Uint8Array(999))).toBe(KV_OK); // the whole quota is free
  });
});

describe('LogLimiter', () => {
  it('lets the limit through per one-second window and reports drops once', () => {
    const limiter = new LogLimiter(2);
    expect([limiter.admit(1000), limiter.admit(1100), limiter.admit(1200), limiter.admit(1999)]).toEqual([true, true, false, false]);
    expect(limiter.takeDropped(1500)).toBe(0);
    expect(limiter.takeDropped(2000)).toBe(2);
    expect(limiter.takeDropped(2001)).toBe(0);
    expect(limiter.admit(2002)).toBe(true);
  });

  it('counts drops across several windows until reported', () => {
    const limiter = new LogLimiter(1);
    limiter.admit(0);
    limiter.admit(1);
    limiter.admit(1000);
    limiter.admit(1001);
    limiter.admit(1002);
    expect(limiter.takeDropped(5000)).toBe(3);
  });
});

/** Logs `lines` lines spread over the one-second window starting at `start`. */
function logWindow(limiter: LogLimiter, start: number, lines: number): void {
  for (let i = 0; i < lines; i++) limiter.admit(start + Math.floor((i * 999) / lines));
}

describe('LogLimiter flood policy', () => {
  const limit = 20;

  it('a log kept far over the limit for LOG_FLOOD_WINDOWS seconds is a flood, with its rate in the reason', () => {
    const limiter = new LogLimiter(limit);
    for (let w = 0; w < LOG_FLOOD_WINDOWS; w++) {
      expect(limiter.flood).toBeNull();
      logWindow(limiter, w * 1000, 10_000);
    }
    // The last window is judged when the next line (or the end of a tick) rolls it over.
    expect(limiter.takeDropped(LOG_FLOOD_WINDOWS * 1000)).toBeGreaterThan(0);
    expect(limiter.flood).toBe(`log flood: about 10000 lines a second for ${LOG_FLOOD_WINDOWS}.0 s (limit: 20 per second)`);
  });

  it('a burst, however large, followed by a quiet second is no flood', () => {
    const limiter = new LogLimiter(limit);
    for (let w = 0; w < 3 * LOG_FLOOD_WINDOWS; w++) {
      // Every other second is silent: the streak never gets past one window.
      if (w % 2 === 0) logWindow(limiter, w * 1000, 50_000);
    }
    limiter.takeDropped(100_000);
    expect(limiter.flood).toBeNull();
  });

  it('an app steadily a little over its limit loses lines but is no flood', () => {
    const limiter = new LogLimiter(limit);
    let dropped = 0;
    for (let w = 0; w < 3 * LOG_FLOOD_WINDOWS; w++) {
      logWindow(limiter, w * 1000, LOG_FLOOD_FACTOR * limit - 1);
      dropped += limiter.takeDropped(w * 1000 + 999);
    }
    dropped += limiter.takeDropped(100_000);
    expect(dropped).toBe(3 * LOG_FLOOD_WINDOWS * (LOG_FLOOD_FACTOR * limit - 1 - limit));
    expect(limiter.flood).toBeNull();
  });

  it('one calm second breaks the streak', () => {
    const limiter = new LogLimiter(limit);
    for (let w = 0; w < LOG_FLOOD_WINDOWS - 1; w++) logWindow(limiter, w * 1000, 10_000);
    logWindow(limiter, (LOG_FLOOD_WINDOWS - 1) * 1000, limit);
    for (let w = LOG_FLOOD_WINDOWS; w < 2 * LOG_FLOOD_WINDOWS - 1; w++) logWindow(limiter, w * 1000, 10_000);
    limiter.takeDropped(2 * LOG_FLOOD_WINDOWS * 1000);
    expect(limiter.flood).toBeNull();
  });
});

describe('KvFloodMeter', () => {
  it('more than KV_FLOOD_REFUSALS refused writes within KV_FLOOD_WINDOW_MS is a flood', () => {
    const meter = new KvFloodMeter(16_384);
    for (let i = 0; i < KV_FLOOD_REFUSALS; i++) meter.refused(i);
    expect(meter.flood).toBeNull();
    meter.refused(KV_FLOOD_REFUSALS);
    expect(meter.flood).toMatch(/^KV flood: 5001 writes refused in 5\.0 s for going over the 16384-byte quota \(limit: 5000 per 10 s\)$/);
  });

  it('an app that hits the quota once, or now and then, is no flood', () => {
    const once = new KvFloodMeter(100);
    once.refused(0);
    expect(once.flood).toBeNull();
    // One refused retry per tick at 30 fps, for a minute: 1800 refusals, 300 per window.
    const retrying = new KvFloodMeter(100);
    for (let i = 0; i < 1800; i++) retrying.refused(i * (1000 / 30));
    expect(retrying.flood).toBeNull();
  });

  it('the window slides: refusals older than KV_FLOOD_WINDOW_MS no longer count', () => {
    const meter = new KvFloodMeter(100);
    const step = KV_FLOOD_WINDOW_MS / KV_FLOOD_REFUSALS + 1;
    for (let i = 0; i < 3 * KV_FLOOD_REFUSALS; i++) meter.refused(i * step);
    expect(meter.flood).toBeNull();
  });
});

describe('timeZoneOffset', () => {
  it('follows daylight saving time and odd offsets', () => {
    const berlin = timeZoneOffset('Europe/Berlin');
    expect(berlin(Date.UTC(2026, 0, 15, 12))).toBe(60);
    expect(berlin(Date.UTC(2026, 6, 15, 12))).toBe(120);
    // 2026-03-29 01:00 UTC: Berlin switches from +1 to +2.
    expect(berlin(Date.UTC(2026, 2, 29, 0, 59))).toBe(60);
    expect(berlin(Date.UTC(2026, 2, 29, 1, 0))).toBe(120);
    expect(timeZoneOffset('America/St_Johns')(Date.UTC(2026, 0, 15))).toBe(-210);
    expect(timeZoneOffset('Asia/Kathmandu')(Date.UTC(2026, 0, 15))).toBe(345);
    expect(timeZoneOffset('UTC')(Date.now())).toBe(0);
  });

  it('throws for an unknown zone', () => {
    expect(() => timeZoneOffset('Nowhere/Atlantis')).toThrow(RangeError);
  });
});
