import { join } from 'node:path';
import { picture } from '../../../sdk/test-support/frame';
import { startTestApp, type TestApp } from '../../../sdk/test-support/apps';

const APP = join(__dirname, '..');

/** One generation of life on the 64x32 torus, on '#'/'.' pictures. */
function life(board: string[]): string[] {
  const h = board.length,
    w = board[0].length;
  const alive = (x: number, y: number) => board[(y + h) % h][(x + w) % w] === '#';
  return board.map((row, y) =>
    [...row]
      .map((_, x) => {
        let n = 0;
        for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) if ((dx || dy) && alive(x + dx, y + dy)) n++;
        return n === 3 || (n === 2 && alive(x, y)) ? '#' : '.';
      })
      .join(''),
  );
}

const count = (board: string[]) => board.join('').split('#').length - 1;

describe('life app', () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('seeds a random board and follows the rules of life from one frame to the next', async () => {
    t = await startTestApp(APP, { config: { density: 0.35 } });
    let board = picture(await t.frame());
    expect(count(board)).toBeGreaterThan(2048 * 0.2);
    for (let gen = 0; gen < 15; gen++) {
      const next = picture(await t.frame());
      expect(next).toEqual(life(board));
      board = next;
    }
  });

  it('draws young cells in the configured colour', async () => {
    t = await startTestApp(APP, { config: { color: '#ff0000' } });
    const frame = await t.frame();
    const reds = [];
    for (let i = 0; i < frame.length; i += 3) if (frame[i] || frame[i + 1] || frame[i + 2]) reds.push((frame[i] << 16) | (frame[i + 1] << 8) | frame[i + 2]);
    expect(new Set(reds)).toEqual(new Set([0xff0000]));
  });

  it('runs a pushed pattern: a glider moves one cell diagonally every 4 generations', async () => {
    t = await startTestApp(APP);
    t.app.pushData(new TextEncoder().encode('.#.\n..#\n###'));
    const first = picture(await t.frame());
    expect(count(first)).toBe(5);
    let board = first;
    for (let i = 0; i < 4; i++) board = picture(await t.frame());
    const shifted = first.map((_, y) => first[(y + 31) % 32].slice(-1) + first[(y + 31) % 32].slice(0, -1));
    expect(board).toEqual(shifted);
  });

  it('reseeds when the game goes stale (a still life)', async () => {
    t = await startTestApp(APP);
    t.app.pushData(new TextEncoder().encode('##\n##'));
    const block = picture(await t.frame());
    expect(count(block)).toBe(4);
    const after = picture(await t.frame());
    expect(count(after)).toBeGreaterThan(100);
    expect(picture(await t.frame())).toEqual(life(after));
  });

  it('reseeds when every cell has died', async () => {
    t = await startTestApp(APP);
    t.app.pushData(new TextEncoder().encode('#'));
    expect(count(picture(await t.frame()))).toBe(1);
    expect(count(picture(await t.frame()))).toBe(0);
    expect(count(picture(await t.frame()))).toBeGreaterThan(100);
  });
});
