/**
 * An independent rendering of text from the glyph drawings (fonts/*.txt), to compare app frames
 * against: what the SDK's Canvas.text must have drawn.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { H, W } from './frame';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { parseFont, FONTS } = require('../bin/gen-fonts.js') as {
  parseFont(text: string, width: number, height: number, label: string): number[];
  FONTS: { name: string; file: string; width: number; height: number }[];
};

export type FontName = '5x7' | '3x5';

interface Glyphs {
  width: number;
  height: number;
  rows: number[];
}

const cache = new Map<FontName, Glyphs>();

function glyphs(name: FontName): Glyphs {
  let g = cache.get(name);
  if (!g) {
    const f = FONTS.find((x) => x.file === `font${name}.txt`);
    if (!f) throw new Error(`no font ${name}`);
    g = { width: f.width, height: f.height, rows: parseFont(readFileSync(join(__dirname, '..', 'fonts', f.file), 'utf8'), f.width, f.height, f.file) };
    cache.set(name, g);
  }
  return g;
}

function glyphRows(g: Glyphs, ch: string): number[] {
  let code = ch.charCodeAt(0);
  if (code < 32 || code > 126) code = 63;
  return g.rows.slice((code - 32) * g.height, (code - 31) * g.height);
}

export interface TextStyle {
  font: FontName;
  proportional?: boolean;
  scale?: number;
}

function extent(g: Glyphs, rows: number[]): { left: number; width: number } {
  const mask = rows.reduce((a, b) => a | b, 0);
  if (mask === 0) return { left: 0, width: (g.width >> 1) + 1 - 1 };
  let left = 0;
  while (!(mask & (1 << (g.width - 1 - left)))) left++;
  let right = g.width - 1;
  while (!(mask & (1 << (g.width - 1 - right)))) right--;
  return { left, width: right - left + 1 };
}

export function measure(text: string, style: TextStyle): number {
  const g = glyphs(style.font);
  const scale = style.scale ?? 1;
  const chars = [...text];
  if (chars.length === 0) return 0;
  const advances = chars.map((ch) => (style.proportional ? extent(g, glyphRows(g, ch)).width : g.width) + 1);
  return (advances.reduce((a, b) => a + b, 0) - 1) * scale;
}

/** The 64x32 picture ('#' lit) of `text` drawn at (x, y) on an empty canvas. */
export function textPicture(text: string, x: number, y: number, style: TextStyle): string[] {
  const g = glyphs(style.font);
  const scale = style.scale ?? 1;
  const canvas = Array.from({ length: H }, () => Array<string>(W).fill('.'));
  let pen = x;
  for (const ch of text) {
    const rows = glyphRows(g, ch);
    const { left, width } = style.proportional ? extent(g, rows) : { left: 0, width: g.width };
    rows.forEach((bits, row) => {
      for (let col = left; col < g.width; col++) {
        if (!(bits & (1 << (g.width - 1 - col)))) continue;
        for (let dy = 0; dy < scale; dy++)
          for (let dx = 0; dx < scale; dx++) {
            const px = pen + (col - left) * scale + dx;
            const py = y + row * scale + dy;
            if (px >= 0 && px < W && py >= 0 && py < H) canvas[py][px] = '#';
          }
      }
    });
    pen += (width + 1) * scale;
  }
  return canvas.map((r) => r.join(''));
}

/** `text` centred horizontally like Canvas.textCentered. */
export function centeredPicture(text: string, y: number, style: TextStyle): string[] {
  return textPicture(text, Math.trunc((W - measure(text, style)) / 2), y, style);
}

/** Keeps only rows y0..y0+h-1 of a picture. */
export function rows(picture: string[], y0: number, h: number): string[] {
  return picture.slice(y0, y0 + h);
}
