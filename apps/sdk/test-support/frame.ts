/** Reading 64x32 RGB888 frames in tests. */
import { DISPLAY_HEIGHT, DISPLAY_WIDTH } from '@megabit/contract';

export const W = DISPLAY_WIDTH;
export const H = DISPLAY_HEIGHT;

export function pixel(frame: Uint8Array, x: number, y: number): number {
  const i = (y * W + x) * 3;
  return (frame[i] << 16) | (frame[i + 1] << 8) | frame[i + 2];
}

/** Lit (non-black) pixels as a '#'/'.' picture of the region, one string per row. */
export function picture(frame: Uint8Array, x0 = 0, y0 = 0, w = W, h = H): string[] {
  const rows: string[] = [];
  for (let y = y0; y < y0 + h; y++) {
    let row = '';
    for (let x = x0; x < x0 + w; x++) row += pixel(frame, x, y) !== 0 ? '#' : '.';
    rows.push(row);
  }
  return rows;
}

/** The distinct colours of the lit pixels in a region. */
export function colours(frame: Uint8Array, x0 = 0, y0 = 0, w = W, h = H): Set<number> {
  const set = new Set<number>();
  for (let y = y0; y < y0 + h; y++)
    for (let x = x0; x < x0 + w; x++) {
      const c = pixel(frame, x, y);
      if (c !== 0) set.add(c);
    }
  return set;
}

export function litCount(frame: Uint8Array, x0 = 0, y0 = 0, w = W, h = H): number {
  return picture(frame, x0, y0, w, h).join('').split('#').length - 1;
}
