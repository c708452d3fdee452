import { join } from 'node:path';
import { colours, litCount, pixel } from '../../../sdk/test-support/frame';
import { startTestApp, type TestApp } from '../../../sdk/test-support/apps';

const APP = join(__dirname, '..');

const rgbOf = (c: number) => [c >> 16, (c >> 8) & 255, c & 255];

describe('plasma app', () => {
  const open: TestApp[] = [];
  afterEach(async () => {
    for (const t of open.splice(0)) await t.close();
  });
  const start = async (config: Record<string, unknown> = {}) => {
    const t = await startTestApp(APP, { config });
    open.push(t);
    return t;
  };

  it('fills the whole display with many colours and moves every tick', async () => {
    const t = await start();
    const first = await t.frame();
    expect(litCount(first)).toBe(64 * 32);
    expect(colours(first).size).toBeGreaterThan(300);
    const second = await t.frame();
    let changed = 0;
    for (let y = 0; y < 32; y++) for (let x = 0; x < 64; x++) if (pixel(first, x, y) !== pixel(second, x, y)) changed++;
    expect(changed).toBeGreaterThan(1000);
  });

  it('is a deterministic animation: two instances show the same frames', async () => {
    const a = await start({ speed: 3 });
    const b = await start({ speed: 3 });
    for (let i = 0; i < 3; i++) expect(Buffer.from(await a.frame()).equals(Buffer.from(await b.frame()))).toBe(true);
  });

  it('keeps to the configured palette', async () => {
    const fire = await start({ palette: 'fire' });
    for (const c of colours(await fire.frame())) {
      const [r, g, b] = rgbOf(c);
      expect(r >= g && g >= b).toBe(true);
    }
    const ocean = await start({ palette: 'ocean' });
    for (const c of colours(await ocean.frame())) {
      const [r, , b] = rgbOf(c);
      expect(b).toBeGreaterThan(r);
    }
  });
});
