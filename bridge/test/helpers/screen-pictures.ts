/** Frames as pictures with one character a colour, for the screen renderer's pixel tests. */
import { DISPLAY_HEIGHT, DISPLAY_WIDTH } from '@megabit/contract';
import type { Icon } from '../../src/icons/icon';
import { rgbAt } from './display';

/** Which character stands for which `#rrggbb` colour; black is '.' unless the legend says otherwise. */
export type Legend = Record<string, string>;

function hex([r, g, b]: [number, number, number]): string {
  return `#${[r, g, b].map((v) => v.toString(16).padStart(2, '0')).join('')}`;
}

/** The region, one string a row, each pixel the legend's character for its colour ('?' for any other). */
export function colorPicture(frame: Uint8Array, legend: Legend, x0 = 0, y0 = 0, width = DISPLAY_WIDTH, height = DISPLAY_HEIGHT): string[] {
  const byColor = new Map<string, string>([['#000000', '.']]);
  for (const [char, color] of Object.entries(legend)) byColor.set(color.toLowerCase(), char);
  const rows: string[] = [];
  for (let y = y0; y < y0 + height; y++) {
    let row = '';
    for (let x = x0; x < x0 + width; x++) row += byColor.get(hex(rgbAt(frame, x, y))) ?? '?';
    rows.push(row);
  }
  return rows;
}

/** The distinct colours (as `#rrggbb`) in a region. */
export function colorsIn(frame: Uint8Array, x0 = 0, y0 = 0, width = DISPLAY_WIDTH, height = DISPLAY_HEIGHT): Set<string> {
  const set = new Set<string>();
  for (let y = y0; y < y0 + height; y++) for (let x = x0; x < x0 + width; x++) set.add(hex(rgbAt(frame, x, y)));
  return set;
}

/** An icon from pictures of its frames: each character a pixel, `legend` its colour, '.' transparent. */
export function iconFromPictures(name: string, legend: Legend, frames: { rows: string[]; delayMs?: number }[]): Icon {
  const height = frames[0]!.rows.length;
  const width = frames[0]!.rows[0]!.length;
  return {
    name,
    width,
    height,
    frames: frames.map(({ rows, delayMs = 100 }) => {
      const rgba = new Uint8Array(width * height * 4);
      rows.forEach((row, y) => {
        [...row].forEach((char, x) => {
          if (char === '.') return;
          const color = legend[char]!;
          const i = (y * width + x) * 4;
          rgba.set([parseInt(color.slice(1, 3), 16), parseInt(color.slice(3, 5), 16), parseInt(color.slice(5, 7), 16), 255], i);
        });
      });
      return { rgba, delayMs };
    }),
  };
}
