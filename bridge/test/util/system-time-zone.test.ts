/** `time_zone: system` without building a DateTimeFormat: the zone /etc/localtime links to. */
import { execFile } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { systemTimeZone, zoneOfLocaltimeLink } from '../../src/util/system-time-zone';
import { wallClockAsUtc } from '../../src/util/wall-clock';
import { BRIDGE_CLI } from '../helpers/bridge-process';

it('a link into the zone database names its zone, under posix/ and right/ too, absolute or relative', () => {
  expect(zoneOfLocaltimeLink('/usr/share/zoneinfo/Europe/Berlin')).toBe('Europe/Berlin');
  expect(zoneOfLocaltimeLink('/usr/share/zoneinfo/Etc/UTC')).toBe('Etc/UTC');
  expect(zoneOfLocaltimeLink('/usr/share/zoneinfo/America/Argentina/Buenos_Aires')).toBe('America/Argentina/Buenos_Aires');
  expect(zoneOfLocaltimeLink('/usr/share/zoneinfo/Etc/GMT-14')).toBe('Etc/GMT-14');
  expect(zoneOfLocaltimeLink('/usr/share/zoneinfo/posix/Asia/Tokyo')).toBe('Asia/Tokyo');
  expect(zoneOfLocaltimeLink('/usr/share/zoneinfo/right/Europe/London')).toBe('Europe/London');
  expect(zoneOfLocaltimeLink('../usr/share/zoneinfo/Pacific/Auckland')).toBe('Pacific/Auckland');
  expect(zoneOfLocaltimeLink('/var/db/timezone/zoneinfo/Australia/Sydney')).toBe('Australia/Sydney');
  expect(zoneOfLocaltimeLink('UTC')).toBeUndefined();
  expect(zoneOfLocaltimeLink('/etc/my-localtime')).toBeUndefined();
  expect(zoneOfLocaltimeLink('/usr/share/zoneinfo/')).toBeUndefined();
});

it("this machine's zone reads the same wall clock as the one Intl resolves", () => {
  const zone = systemTimeZone();
  const intlZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  // A January and a July instant: both sides of any daylight saving time.
  for (const instant of [Date.UTC(2026, 0, 15, 12), Date.UTC(2026, 6, 15, 12)]) {
    expect(wallClockAsUtc(instant, zone)).toBe(wallClockAsUtc(instant, intlZone));
  }
  // Here /etc/localtime is a link into the database, so the name came from it, not from Intl.
  if (process.env.TZ === undefined) expect(zone).toBe(zoneOfLocaltimeLink(readlinkSync('/etc/localtime')));
});

it('with TZ set, Intl answers, as it reads TZ first', async () => {
  // In a fresh process on the build: ICU settles its default zone once per process.
  const script = `process.stdout.write(require(${JSON.stringify(join(BRIDGE_CLI, '..', 'util', 'system-time-zone.js'))}).systemTimeZone())`;
  const { stdout } = await promisify(execFile)(process.execPath, ['-e', script], { env: { ...process.env, TZ: 'Asia/Tokyo' }, timeout: 20_000 });
  expect(stdout).toBe('Asia/Tokyo');
});
