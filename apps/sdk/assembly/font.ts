// Bitmap fonts. FONT_3X5 and FONT_5X7 are compact ASCII-only fonts (32-126), chosen explicitly
// where space is short; the Unicode fonts (FONT_SMALL, the default for text, and FONT_REGULAR,
// unicode-font.ts) build on this class. A character a font lacks draws as a box.
import { FONT_3X5_ROWS, FONT_5X7_ROWS } from "./font-data";

const FIRST = 32;
const LAST = 126;

export class Font {
  constructor(
    /** Cell width and height in pixels. */
    readonly width: i32,
    readonly height: i32,
    private readonly rows: StaticArray<u8>,
    /** Proportional fonts advance by each glyph's inked width; monospaced by the cell width. */
    readonly proportional: bool = false,
    /** Blank columns between glyphs. */
    readonly spacing: i32 = 1,
  ) {}

  /** The same glyphs, advancing by each glyph's inked width (more text fits on 64 pixels). */
  asProportional(): Font { return new Font(this.width, this.height, this.rows, true, this.spacing); }
  asMonospaced(): Font { return new Font(this.width, this.height, this.rows, false, this.spacing); }

  /** Row bits of `code` (leftmost pixel in bit width-1); the missing-glyph box for one it lacks. */
  row(code: i32, y: i32): u32 {
    if (code < FIRST || code > LAST) return this.missingRow(y);
    return <u32>unchecked(this.rows[(code - FIRST) * this.height + y]);
  }

  /**
   * A hollow box as wide as the cell and one row shorter, on the cell's bottom row: a box filling
   * the whole 3x5 cell would be that font's digit 0.
   */
  private missingRow(y: i32): u32 {
    if (y < 1 || y >= this.height) return 0;
    const full: u32 = (1 << <u32>this.width) - 1;
    return y == 1 || y == this.height - 1 ? full : (1 << <u32>(this.width - 1)) | 1;
  }

  /** First inked column and inked width of a glyph (a blank glyph: 0 and width/2 + 1). */
  inkLeft(code: i32): i32 {
    const mask = this.mask(code);
    if (mask == 0) return 0;
    return this.width - 32 + clz(mask);
  }

  inkWidth(code: i32): i32 {
    const mask = this.mask(code);
    if (mask == 0) return (this.width >> 1) + 1 - this.spacing;
    return 32 - clz(mask) - ctz(mask);
  }

  /** Horizontal pixels one character takes, spacing included. */
  advance(code: i32): i32 {
    return (this.proportional ? this.inkWidth(code) : this.width) + this.spacing;
  }

  /** Width in pixels of `text` drawn on one line (no trailing spacing). */
  measure(text: string): i32 {
    let w = 0;
    let n = 0;
    for (let i = 0; i < text.length; i++) {
      const code = codeAt(text, i);
      if (code < 0) continue;
      w += this.advance(code);
      n++;
    }
    return n == 0 ? 0 : w - this.spacing;
  }

  /**
   * Splits `text` into lines at most `width` pixels wide: at spaces where possible, inside a word
   * only when the word alone is too wide. Newlines in the text start new lines.
   */
  wrap(text: string, width: i32): string[] {
    const lines = new Array<string>();
    const paragraphs = text.split("\n");
    for (let p = 0; p < paragraphs.length; p++) {
      const words = paragraphs[p].split(" ");
      let line = "";
      for (let w = 0; w < words.length; w++) {
        let word = words[w];
        if (word.length == 0) continue;
        const joined = line.length == 0 ? word : line + " " + word;
        if (this.measure(joined) <= width) { line = joined; continue; }
        if (line.length > 0) lines.push(line);
        // A word wider than a line is cut where it stops fitting.
        while (this.measure(word) > width) {
          let n = 1;
          while (n < word.length && this.measure(word.substring(0, n + 1)) <= width) n++;
          lines.push(word.substring(0, n));
          word = word.substring(n);
        }
        line = word;
      }
      if (line.length > 0 || paragraphs[p].length == 0) lines.push(line);
    }
    return lines;
  }

  private mask(code: i32): u32 {
    let m: u32 = 0;
    for (let y = 0; y < this.height; y++) m |= this.row(code, y);
    return m;
  }
}

/**
 * The code point to draw for position `i` of `text`: a surrogate pair's whole code point at its
 * first half and -1 at its second, so a character outside the BMP draws once (as the box, in a
 * font without it).
 */
export function codeAt(text: string, i: i32): i32 {
  const c = text.charCodeAt(i);
  if (c >= 0xdc00 && c <= 0xdfff && i > 0) {
    const prev = text.charCodeAt(i - 1);
    if (prev >= 0xd800 && prev <= 0xdbff) return -1;
  }
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
    const next = text.charCodeAt(i + 1);
    if (next >= 0xdc00 && next <= 0xdfff) return 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
  }
  return c;
}

/** 5x7 monospaced, ASCII only (a box for anything else), 6 pixels per character: 10 characters per line, 4 lines. */
export const FONT_5X7 = new Font(5, 7, FONT_5X7_ROWS);
/** 3x5 monospaced, ASCII only (a box for anything else), 4 pixels per character: 16 characters per line, 5 lines. */
export const FONT_3X5 = new Font(3, 5, FONT_3X5_ROWS);
