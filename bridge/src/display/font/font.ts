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

/** Width in pixels of `text` drawn on one line, without trailing spacing. */
export function measureText(text: string): number {
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
export function drawText(frame: Uint8Array, text: string, x: number, y: number, color: Rgb): void {
  let cursor = x;
  for (const char of text) {
    // Long scrolling texts are mostly off-screen: stop at the right edge, skip what is left of it.
    if (cursor >= DISPLAY_WIDTH) return;
    const glyph = glyphFor(char);
    if (cursor + glyph.width <= 0) {
      cursor += glyph.width + LETTER_SPACING;
      continue;
    }
    for (let row = 0; row < GLYPH_HEIGHT; row++) {
      const bits = glyph.rows[row]!;
      for (let col = 0; col < glyph.width; col++) {
        if (bits & (1 << (glyph.width - 1 - col))) setPixel(frame, cursor + col, y + glyph.drop + row, color);
      }
    }
    cursor += glyph.width + LETTER_SPACING;
  }
}
