/**
 * Measuring and drawing text in the bridge's two sizes (`@megabit/fonts`: Galmuri with UnifontEX
 * behind it). Text is handled by code point and shown in display order, so Hebrew reads right to
 * left; a character the font lacks draws as a hollow box, one per code point.
 */
import { DISPLAY_WIDTH } from '@megabit/contract';
import { loadFont, visualOrder, type FontName, type Glyph, type VisualChar } from '@megabit/fonts';
import { setPixel, type Rgb } from '../frame';

export type { FontName, Glyph };

/** One colour for all the text, or a colour per character (segments, rainbow, gradients). */
export type TextPaint = Rgb | ((charIndex: number, x: number) => Rgb);

/** Rows a line of `small` text takes (the notification band is built around it). */
export const LINE_HEIGHT = loadFont('small').lineHeight;
/** Blank columns between two glyphs. */
export const LETTER_SPACING = loadFont('small').spacing;

export function hasGlyph(char: string, font: FontName = 'small'): boolean {
  return loadFont(font).glyph(char.codePointAt(0) ?? 0) !== undefined;
}

/** The glyph `char` (one code point) draws as: the font's, or the missing-glyph box. */
export function glyphFor(char: string, font: FontName = 'small'): Glyph {
  const f = loadFont(font);
  return f.glyph(char.codePointAt(0) ?? 0) ?? f.missing;
}

/** Rows a line of text takes in `font`, descenders included. */
export function lineHeight(font: FontName = 'small'): number {
  return loadFont(font).lineHeight;
}

/** Width in pixels of `text` drawn on one line, without trailing spacing. */
export function measureText(text: string, font: FontName = 'small'): number {
  const f = loadFont(font);
  let width = 0;
  let count = 0;
  for (const char of text) {
    width += (f.glyph(char.codePointAt(0)!) ?? f.missing).width;
    count++;
  }
  return count === 0 ? 0 : width + (count - 1) * f.spacing;
}

/**
 * Draws `text` with the top-left corner of its line at (x, y), clipped to the frame. Only lit pixels are
 * written: the background shows through. A paint function gets each character's index in reading
 * order, wherever right-to-left text puts it.
 */
export function drawText(frame: Uint8Array, text: string | readonly VisualChar[], x: number, y: number, paint: TextPaint, font: FontName = 'small'): void {
  const f = loadFont(font);
  let cursor = x;
  // Text drawn every frame (screens) comes already in display order: the bidi pass is done once.
  const chars = typeof text === 'string' ? visualOrder(text) : text;
  for (const { codePoint, index } of chars) {
    // Long scrolling texts are mostly off-screen: stop at the right edge, skip what is left of it.
    if (cursor >= DISPLAY_WIDTH) return;
    const glyph = f.glyph(codePoint) ?? f.missing;
    if (cursor + glyph.width > 0) {
      const color = typeof paint === 'function' ? paint(index, cursor) : paint;
      glyph.rows.forEach((bits, row) => {
        for (let col = 0; col < glyph.width; col++) {
          if (bits & (1 << (glyph.width - 1 - col))) setPixel(frame, cursor + col, y + glyph.y + row, color);
        }
      });
    }
    cursor += glyph.width + f.spacing;
  }
}
