/**
 * An independent rendering of text from the glyph drawings (fonts/*.txt) and from the converted
 * Unicode fonts as the bridge reads them (@megabit/fonts), to compare app frames against: what
 * the SDK's Canvas.text must have drawn.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadFont, visualOrder } from '@megabit/fonts';
import { H, W } from './frame';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { parseFont, FONTS } = require('../bin/gen-fonts.js') as {
  parseFont(text: string, width: number, height: number, label: string): number[];
  FONTS: { name: string; file: string; width: number; height: number }[];
};

export type CellFontName = '5x7' | '3x5';
export type FontName = CellFontName | 'small' | 'regular';

interface Glyphs {
  width: number;
  height: number;
  rows: number[];
}

const cache = new Map<CellFontName, Glyphs>();

function glyphs(name: CellFontName): Glyphs {
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
  const code = ch.codePointAt(0)!;
  if (code < 32 || code > 126) return missingBox(g);
  return g.rows.slice((code - 32) * g.height, (code - 31) * g.height);
}

/** A character a cell font lacks: a hollow box as wide as the cell, one row shorter, at its bottom. */
function missingBox(g: Glyphs): number[] {
  const full = 2 ** g.width - 1;
  const sides = 2 ** (g.width - 1) + 1;
  return Array.from({ length: g.height }, (_, y) => (y === 0 ? 0 : y === 1 || y === g.height - 1 ? full : sides));
}

/** A Unicode font's glyphs in the cell shape this oracle draws: the line's rows, `width` wide. */
function unicodeGlyph(name: 'small' | 'regular', codePoint: number): { rows: number[]; width: number } {
  const font = loadFont(name);
  const glyph = font.glyph(codePoint) ?? font.missing;
  return { width: glyph.width, rows: Array.from({ length: font.lineHeight }, (_, y) => glyph.rows[y - glyph.y] ?? 0) };
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
  if (style.font === 'small' || style.font === 'regular') {
    const font = style.font;
    const widths = [...text].map((ch) => unicodeGlyph(font, ch.codePointAt(0)!).width + 1);
    return widths.length === 0 ? 0 : (widths.reduce((a, b) => a + b, 0) - 1) * (style.scale ?? 1);
  }
  const g = glyphs(style.font);
  const scale = style.scale ?? 1;
  const chars = [...text];
  if (chars.length === 0) return 0;
  const advances = chars.map((ch) => (style.proportional ? extent(g, glyphRows(g, ch)).width : g.width) + 1);
  return (advances.reduce((a, b) => a + b, 0) - 1) * scale;
}

/** The 64x32 picture ('#' lit) of `text` drawn at (x, y) on an empty canvas. */
export function textPicture(text: string, x: number, y: number, style: TextStyle): string[] {
  if (style.font === 'small' || style.font === 'regular') return unicodePicture(text, x, y, style.font, style.scale ?? 1);
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

/** Unicode text in display order (right-to-left runs reversed), each glyph trimmed to its ink. */
function unicodePicture(text: string, x: number, y: number, font: 'small' | 'regular', scale: number): string[] {
  const canvas = Array.from({ length: H }, () => Array<string>(W).fill('.'));
  let pen = x;
  for (const { codePoint } of visualOrder(text)) {
    const { rows, width } = unicodeGlyph(font, codePoint);
    rows.forEach((bits, row) => {
      for (let col = 0; col < width; col++) {
        if (!(bits & (1 << (width - 1 - col)))) continue;
        for (let dy = 0; dy < scale; dy++)
          for (let dx = 0; dx < scale; dx++) {
            const px = pen + col * scale + dx;
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
