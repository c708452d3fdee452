import { blankFrame, changedRects, framesEqual, type Rect } from '../../src/display';
import { seededRandom } from '../helpers/seeded-random';

function changedPixels(a: Uint8Array, b: Uint8Array): boolean[][] {
  const grid: boolean[][] = [];
  for (let y = 0; y < 32; y++) {
    grid.push([]);
    for (let x = 0; x < 64; x++) {
      const i = (y * 64 + x) * 3;
      grid[y]!.push(a[i] !== b[i] || a[i + 1] !== b[i + 1] || a[i + 2] !== b[i + 2]);
    }
  }
  return grid;
}

/**
 * Every changed pixel in exactly one rectangle, rectangles inside the panel and not overlapping,
 * no blank borders. Returns the problems found (empty when all is well).
 */
function rectProblems(a: Uint8Array, b: Uint8Array, rects: Rect[]): string[] {
  const changed = changedPixels(a, b);
  const cover = Array.from({ length: 32 }, () => new Array<number>(64).fill(0));
  const problems: string[] = [];
  for (const r of rects) {
    const name = JSON.stringify(r);
    if (r.width < 1 || r.height < 1 || r.x < 0 || r.y < 0 || r.x + r.width > 64 || r.y + r.height > 32) {
      problems.push(`${name} is empty or off the panel`);
      continue;
    }
    const rows = Array.from({ length: r.height }, (_, i) => r.y + i);
    const cols = Array.from({ length: r.width }, (_, i) => r.x + i);
    if (!cols.some((x) => changed[r.y]![x])) problems.push(`${name} has a blank top row`);
    if (!cols.some((x) => changed[r.y + r.height - 1]![x])) problems.push(`${name} has a blank bottom row`);
    if (!rows.some((y) => changed[y]![r.x])) problems.push(`${name} has a blank left column`);
    if (!rows.some((y) => changed[y]![r.x + r.width - 1])) problems.push(`${name} has a blank right column`);
    for (const y of rows) for (const x of cols) cover[y]![x]!++;
  }
  for (let y = 0; y < 32; y++) {
    for (let x = 0; x < 64; x++) {
      const n = cover[y]![x]!;
      if (n > 1) problems.push(`${x},${y} is in ${n} rectangles`);
      if (changed[y]![x] && n === 0) problems.push(`${x},${y} changed but is not covered`);
    }
  }
  return problems;
}

function randomFrame(random: () => number): Uint8Array {
  const frame = blankFrame();
  for (let i = 0; i < frame.length; i++) frame[i] = Math.floor(random() * 256);
  return frame;
}

/** A copy of `frame` with some pixels changed in one channel: sparse dots, blocks or noise. */
function mutate(frame: Uint8Array, random: () => number): Uint8Array {
  const next = frame.slice();
  const touch = (x: number, y: number): void => {
    const i = (y * 64 + x) * 3 + Math.floor(random() * 3);
    next[i] = (next[i]! + 1 + Math.floor(random() * 255)) % 256;
  };
  const kind = Math.floor(random() * 3);
  if (kind === 0) {
    const dots = Math.floor(random() * 40);
    for (let n = 0; n < dots; n++) touch(Math.floor(random() * 64), Math.floor(random() * 32));
  } else if (kind === 1) {
    const blocks = 1 + Math.floor(random() * 5);
    for (let n = 0; n < blocks; n++) {
      const x0 = Math.floor(random() * 64);
      const y0 = Math.floor(random() * 32);
      const w = 1 + Math.floor(random() * 20);
      const h = 1 + Math.floor(random() * 12);
      for (let y = y0; y < Math.min(32, y0 + h); y++) for (let x = x0; x < Math.min(64, x0 + w); x++) touch(x, y);
    }
  } else {
    const density = random();
    for (let y = 0; y < 32; y++) for (let x = 0; x < 64; x++) if (random() < density) touch(x, y);
  }
  return next;
}

describe('frame diff', () => {
  it('equal frames are equal and have no changed rectangles', () => {
    const a = randomFrame(seededRandom(1));
    expect(framesEqual(a, a.slice())).toBe(true);
    expect(changedRects(a, a.slice())).toEqual([]);
    const b = a.slice();
    b[6143] ^= 1;
    expect(framesEqual(a, b)).toBe(false);
    expect(framesEqual(a, a.subarray(0, 100))).toBe(false);
  });

  it('one pixel, one block, and far-apart pixels give the obvious rectangles', () => {
    const a = blankFrame();
    const dot = a.slice();
    dot[(5 * 64 + 7) * 3 + 1] = 1;
    expect(changedRects(a, dot)).toEqual([{ x: 7, y: 5, width: 1, height: 1 }]);

    const block = a.slice();
    for (let y = 10; y < 14; y++) for (let x = 20; x < 30; x++) block[(y * 64 + x) * 3] = 9;
    expect(changedRects(a, block)).toEqual([{ x: 20, y: 10, width: 10, height: 4 }]);

    const corners = a.slice();
    corners[0] = 1;
    corners[(31 * 64 + 63) * 3] = 1;
    expect(changedRects(a, corners)).toEqual([
      { x: 0, y: 0, width: 1, height: 1 },
      { x: 63, y: 31, width: 1, height: 1 },
    ]);
  });

  it('close pixels in a row share a rectangle; a gap dearer than a header splits it', () => {
    const a = blankFrame();
    const near = a.slice();
    near[(3 * 64 + 10) * 3] = 1;
    near[(3 * 64 + 12) * 3] = 1;
    expect(changedRects(a, near)).toEqual([{ x: 10, y: 3, width: 3, height: 1 }]);
    const far = a.slice();
    far[(3 * 64 + 10) * 3] = 1;
    far[(3 * 64 + 20) * 3] = 1;
    expect(changedRects(a, far)).toHaveLength(2);
    expect(changedRects(a, far, { rectOverheadBytes: 100 })).toEqual([{ x: 10, y: 3, width: 11, height: 1 }]);
  });

  it('the checker itself notices uncovered pixels, overlaps and blank borders', () => {
    const a = blankFrame();
    const b = a.slice();
    b[(2 * 64 + 2) * 3] = 1;
    expect(rectProblems(a, b, [])).toEqual(['2,2 changed but is not covered']);
    expect(rectProblems(a, b, [{ x: 1, y: 2, width: 2, height: 1 }])).toEqual(['{"x":1,"y":2,"width":2,"height":1} has a blank left column']);
    expect(
      rectProblems(a, b, [
        { x: 2, y: 2, width: 1, height: 1 },
        { x: 2, y: 2, width: 1, height: 1 },
      ]),
    ).toEqual(['2,2 is in 2 rectangles']);
  });

  it('a full change is one rectangle', () => {
    const a = randomFrame(seededRandom(2));
    const b = a.map((v) => 255 - v);
    expect(changedRects(a, b)).toEqual([{ x: 0, y: 0, width: 64, height: 32 }]);
  });

  it('on random frames the rectangles cover exactly the changed pixels, once each, without blank borders', () => {
    const random = seededRandom(0x5eed);
    for (let trial = 0; trial < 300; trial++) {
      const a = randomFrame(random);
      const b = mutate(a, random);
      expect(rectProblems(a, b, changedRects(a, b))).toEqual([]);
    }
  });

  it('refuses anything that is not a frame', () => {
    expect(() => changedRects(blankFrame(), new Uint8Array(3))).toThrow(/next frame must be a Uint8Array of 6144 bytes/);
  });
});
