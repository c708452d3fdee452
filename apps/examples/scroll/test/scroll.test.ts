import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { colours, picture } from '../../../sdk/test-support/frame';
import { startTestApp, type TestApp } from '../../../sdk/test-support/apps';
import { measure, textPicture } from '../../../sdk/test-support/text-oracle';

const APP = join(__dirname, '..');

describe('scroll app', () => {
  const open: TestApp[] = [];
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'megabit-scroll-test-'));
  });
  afterEach(async () => {
    for (const t of open.splice(0)) await t.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const start = async (config: Record<string, unknown>, kvFile = join(dir, 'kv.json')) => {
    const t = await startTestApp(APP, { config, kvFile });
    open.push(t);
    return t;
  };

  it('moves the configured text one pixel left per tick, in the configured colour', async () => {
    const t = await start({ text: 'Hi there', color: '#ff8800' });
    for (let tick = 0; tick < 5; tick++) {
      const frame = await t.frame();
      expect(picture(frame)).toEqual(textPicture('Hi there', 64 - tick, 9, { font: 'small' }));
      if (tick > 0) expect([...colours(frame)]).toEqual([0xff8800]);
    }
  });

  it('scrolls text in any language the fonts carry, Hebrew in display order', async () => {
    const text = 'Ж λ ł → שלום 21';
    const t = await start({ text, font: 'regular', speed: 8 });
    for (let tick = 0; tick < 4; tick++) {
      expect(picture(await t.frame())).toEqual(textPicture(text, 64 - tick * 8, 7, { font: 'regular' }));
    }
  });

  it('wraps around after the text has left the display', async () => {
    const text = 'ab';
    const t = await start({ text, speed: 8, font: '3x5' });
    const period = 64 + measure(text, { font: '3x5' });
    const seen: string[][] = [];
    for (let tick = 0; tick * 8 < period + 16; tick++) seen.push(picture(await t.frame()));
    const wrapped = Math.ceil(period / 8);
    expect(seen[wrapped]).toEqual(textPicture(text, 64 - ((wrapped * 8) % period), 13, { font: '3x5' }));
  });

  it('keeps the scroll position in KV across a restart', async () => {
    const kvFile = join(dir, 'kept.json');
    const first = await start({ text: 'Persistent' }, kvFile);
    for (let i = 0; i < 10; i++) await first.frame();
    await first.close();
    open.splice(open.indexOf(first), 1);
    const second = await start({ text: 'Persistent' }, kvFile);
    expect(picture(await second.frame())).toEqual(textPicture('Persistent', 64 - 10, 9, { font: 'small' }));
  });

  it('restarts from the right edge when the text changes', async () => {
    const t = await start({ text: 'one' });
    for (let i = 0; i < 7; i++) await t.frame();
    t.app.setConfig({ text: 'two' });
    expect(picture(await t.frame())).toEqual(textPicture('two', 64, 9, { font: 'small' }));
    expect(picture(await t.frame())).toEqual(textPicture('two', 63, 9, { font: 'small' }));
  });
});
