/**
 * Measuring and drawing text in the bridge's 5x7 font. Text is handled by code point, so an emoji
 * or other character outside ASCII 32-126 is one fallback glyph, not two.
 */
import { DISPLAY_WIDTH } from '@megabit/contract';
import { setPixel, type Rgb } from '../frame';
import { DESCENDERS, FALLBACK_ROWS, GLYPH_ROWS } from './glyphs';

export const GLYPH_HEIGHT = 7;
/** Rows a line of text takes: a glyph plus the row descenders drop into. */
export const LINE_HEIGHT = GLYPH_HEIGHT + 1;
/** Blank columns between two glyphs. */
export const LETTER_SPACING = 1;

/**
 * The bridge's type sizes: `small` for dense text (a line of 8 rows), `regular` for text that
 * should read from across the room. Both fit 32 rows with room to spare.
 */
export type FontName = 'small' | 'regular';

/** One colour for all the text, or a colour per character (segments, rainbow, gradients). */
export type TextPaint = Rgb | ((charIndex: number, x: number) => Rgb);

export interface Glyph {
  readonly width: number;
  /** Rows below the top of the line where the glyph starts: 1 for descenders, else 0. */
  readonly drop: number;
  /** One bit mask a row, top row first; bit `width - 1 - x` is column x. */
  readonly rows: readonly number[];
}

function parseGlyph(name: string, source: string, drop = 0): Glyph {
  const rows = source.split(' ');
  const width = rows[0]!.length;
  if (rows.length !== GLYPH_HEIGHT || width < 1 || width > 5 || rows.some((r) => r.length !== width || /[^#.]/.test(r))) {
    throw new Error(`font glyph ${JSON.stringify(name)} is malformed: need ${GLYPH_HEIGHT} rows of 1-5 equal "#"/"." columns`);
  }
  return { width, drop, rows: rows.map((r) => parseInt(r.replace(/#/g, '1').replace(/\./g, '0'), 2)) };
}

const GLYPHS = new Map(Object.entries(GLYPH_ROWS).map(([ch, rows]) => [ch, parseGlyph(ch, rows, DESCENDERS.includes(ch) ? 1 : 0)]));
export const FALLBACK_GLYPH = parseGlyph('fallback', FALLBACK_ROWS);

export function hasGlyph(char: string): boolean {
  return GLYPHS.has(char);
}

export function glyphFor(char: string): Glyph {
  return GLYPHS.get(char) ?? FALLBACK_GLYPH;
}

/** Rows a line of text takes in `font`, descenders included. */
export function lineHeight(_font: FontName = 'small'): number {
  return LINE_HEIGHT;
}

/** Width in pixels of `text` drawn on one line, without trailing spacing. */
export function measureText(text: string, _font: FontName = 'small'): number {
  let width = 0;
  let count = 0;
  for (const char of text) {
    width += glyphFor(char).width;
    count++;
  }
  return count === 0 ? 0 : width + (count - 1) * LETTER_SPACING;
}

/**
 * Draws `text` with the top-left corner of its line at (x, y), clipped to the frame. Only lit pixels are
 * written: the background shows through.
 */
export function drawText(frame: Uint8Array, text: string, x: number, y: number, paint: TextPaint, _font: FontName = 'small'): void {
  let cursor = x;
  let index = -1;
  for (const char of text) {
    index++;
    // Long scrolling texts are mostly off-screen: stop at the right edge, skip what is left of it.
    if (cursor >= DISPLAY_WIDTH) return;
    const glyph = glyphFor(char);
    if (cursor + glyph.width <= 0) {
      cursor += glyph.width + LETTER_SPACING;
      continue;
    }
    const color = typeof paint === 'function' ? paint(index, cursor) : paint;
    for (let row = 0; row < GLYPH_HEIGHT; row++) {
      const bits = glyph.rows[row]!;
      for (let col = 0; col < glyph.width; col++) {
        if (bits & (1 << (glyph.width - 1 - col))) setPixel(frame, cursor + col, y + glyph.drop + row, color);
      }
    }
    cursor += glyph.width + LETTER_SPACING;
  }
}
