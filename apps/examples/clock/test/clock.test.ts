import { join } from 'node:path';
import { colours, picture, pixel } from '../../../sdk/test-support/frame';
import { startTestApp, type TestApp } from '../../../sdk/test-support/apps';
import { centeredPicture, rows } from '../../../sdk/test-support/text-oracle';

const APP = join(__dirname, '..');
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const pad = (n: number) => String(n).padStart(2, '0');

/** What the clock shows at `ms` (already shifted to local time), as the rows it occupies. */
function expected(ms: number, hour24: boolean): { time: string[]; date: string[] } {
  const d = new Date(ms);
  const h = d.getUTCHours();
  const hours = hour24 ? pad(h) : String(h % 12 === 0 ? 12 : h % 12);
  let date = `${DAYS[d.getUTCDay()]} ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]}`;
  if (!hour24) date = `${h >= 12 ? 'PM' : 'AM'} ${date}`;
  return {
    time: rows(centeredPicture(`${hours}:${pad(d.getUTCMinutes())}`, 1, { font: '5x7', scale: 2 }), 1, 14),
    date: rows(centeredPicture(date, 22, { font: '3x5' }), 22, 5),
  };
}

/** Runs a tick and checks it against the time just before or just after (a minute may turn). */
async function tickMatches(t: TestApp, offsetMin: number, hour24: boolean): Promise<Uint8Array> {
  const before = Date.now() + offsetMin * 60_000;
  const frame = await t.frame();
  const after = Date.now() + offsetMin * 60_000;
  const shown = { time: picture(frame, 0, 1, 64, 14), date: picture(frame, 0, 22, 64, 5) };
  const candidates = [expected(before, hour24), expected(after, hour24)];
  expect(candidates).toContainEqual(shown);
  return frame;
}

describe('clock app', () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('shows UTC time and date in 24-hour form by default, with a seconds bar', async () => {
    t = await startTestApp(APP, { timeZone: 'UTC' });
    const frame = await tickMatches(t, 0, true);
    const seconds = new Date().getUTCSeconds();
    // The bar: lit part brighter than the track; at second 0 only the track shows.
    const bar = picture(frame, 0, 17, 64, 1)[0];
    expect(bar).toBe('#'.repeat(64));
    if (seconds > 2 && seconds < 58) expect(pixel(frame, 0, 17)).not.toBe(pixel(frame, 63, 17));
  });

  it('uses the bridge time zone for local time', async () => {
    t = await startTestApp(APP, { timeZone: 'Asia/Kolkata' });
    await tickMatches(t, 330, true);
  });

  it('follows config: 12-hour clock with AM/PM and a custom colour', async () => {
    t = await startTestApp(APP, { timeZone: 'UTC', config: { hour24: false, color: '#00ff00' } });
    const frame = await tickMatches(t, 0, false);
    expect([...colours(frame, 0, 1, 64, 14)]).toEqual([0x00ff00]);
    t.app.setConfig({ hour24: true, color: '#ff0000' });
    const next = await tickMatches(t, 0, true);
    expect([...colours(next, 0, 22, 64, 5)]).toEqual([0xff0000]);
  });
});
