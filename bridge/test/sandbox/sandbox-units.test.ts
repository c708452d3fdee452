import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KV_BAD_KEY, KV_OK, KV_OVER_QUOTA, KvStore } from '../../src/sandbox/kv-store';
import { LogLimiter } from '../../src/sandbox/log-limiter';
import { timeZoneOffset } from '../../src/sandbox/time-zone';
import { tempDir } from '../fixtures/sandbox/harness';

const dir = tempDir();
afterAll(() => dir.cleanup());
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
let n = 0;
const file = (): string => join(dir.path, `units-${++n}.json`);

describe('KvStore', () => {
  test('counts key and value bytes against the quota, also when replacing and deleting', () => {
    const warnings: string[] = [];
    const kv = new KvStore(file(), 10, (m) => warnings.push(m));
    expect(kv.set(bytes('ab'), bytes('12345678'))).toBe(KV_OK);
    expect(kv.bytesUsed).toBe(10);
    expect(kv.set(bytes('c'), new Uint8Array(0))).toBe(KV_OVER_QUOTA);
    expect(kv.set(bytes('ab'), bytes('1234567'))).toBe(KV_OK);
    expect(kv.bytesUsed).toBe(9);
    expect(kv.set(bytes('ab'), bytes('123456789'))).toBe(KV_OVER_QUOTA);
    expect(kv.get(bytes('ab'))).toEqual(bytes('1234567'));
    kv.delete(bytes('ab'));
    expect(kv.bytesUsed).toBe(0);
    expect(warnings).toEqual([]);
  });

  test('keeps its own copy of a value', () => {
    const kv = new KvStore(file(), 100, () => undefined);
    const value = bytes('abc');
    kv.set(bytes('k'), value);
    value[0] = 0x7a;
    expect(kv.get(bytes('k'))).toEqual(bytes('abc'));
  });

  test('rejects empty, long and non-UTF-8 keys', () => {
    const kv = new KvStore(file(), 10_000, () => undefined);
    expect(kv.set(new Uint8Array(0), bytes('v'))).toBe(KV_BAD_KEY);
    expect(kv.set(new Uint8Array(257).fill(0x61), bytes('v'))).toBe(KV_BAD_KEY);
    expect(kv.set(Uint8Array.of(0xff, 0xfe), bytes('v'))).toBe(KV_BAD_KEY);
    expect(kv.set(new Uint8Array(256).fill(0x61), bytes('v'))).toBe(KV_OK);
  });

  test('saves and loads binary values and awkward keys', () => {
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
    expect(loaded.bytesUsed).toBe(kv.bytesUsed);
    expect(loaded.needsSave).toBe(false);
  });

  test.each([
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
    expect(kv.bytesUsed).toBe(0);
    expect(kv.get(bytes('a'))).toBeUndefined();
    expect(readFileSync(path, 'utf8')).toBe(text);
  });
});

describe('LogLimiter', () => {
  test('lets the limit through per one-second window and reports drops once', () => {
    const limiter = new LogLimiter(2);
    expect([limiter.admit(1000), limiter.admit(1100), limiter.admit(1200), limiter.admit(1999)]).toEqual([true, true, false, false]);
    expect(limiter.takeDropped(1500)).toBe(0);
    expect(limiter.takeDropped(2000)).toBe(2);
    expect(limiter.takeDropped(2001)).toBe(0);
    expect(limiter.admit(2002)).toBe(true);
  });

  test('counts drops across several windows until reported', () => {
    const limiter = new LogLimiter(1);
    limiter.admit(0);
    limiter.admit(1);
    limiter.admit(1000);
    limiter.admit(1001);
    limiter.admit(1002);
    expect(limiter.takeDropped(5000)).toBe(3);
  });
});

describe('timeZoneOffset', () => {
  test('follows daylight saving time and odd offsets', () => {
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

  test('throws for an unknown zone', () => {
    expect(() => timeZoneOffset('Nowhere/Atlantis')).toThrow(RangeError);
  });
});
