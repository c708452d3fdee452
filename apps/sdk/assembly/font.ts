// Bitmap fonts for ASCII 32-126; other characters draw as '?'.
import { FONT_3X5_ROWS, FONT_5X7_ROWS } from "./font-data";

const FIRST = 32;
const LAST = 126;
const FALLBACK = 63; // '?'

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

  /** Row bits of `code` (leftmost pixel in bit width-1). */
  row(code: i32, y: i32): u32 {
    if (code < FIRST || code > LAST) code = FALLBACK;
    return <u32>unchecked(this.rows[(code - FIRST) * this.height + y]);
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
 * The character code to draw for position `i` of `text`: -1 for the second half of a surrogate
 * pair, so a character outside the BMP draws as one '?'.
 */
export function codeAt(text: string, i: i32): i32 {
  const c = text.charCodeAt(i);
  if (c >= 0xdc00 && c <= 0xdfff && i > 0) {
    const prev = text.charCodeAt(i - 1);
    if (prev >= 0xd800 && prev <= 0xdbff) return -1;
  }
  return c;
}

/** 5x7 monospaced, 6 pixels per character: 10 characters per line, 4 lines. */
export const FONT_5X7 = new Font(5, 7, FONT_5X7_ROWS);
/** 3x5 monospaced, 4 pixels per character: 16 characters per line, 5 lines. */
export const FONT_3X5 = new Font(3, 5, FONT_3X5_ROWS);
