// The Unicode fonts: Latin (with Latin-1 and Extended-A), Greek, Cyrillic, Hebrew, arrows and
// symbols, from Galmuri and UnifontEX (SIL OFL 1.1), converted when the SDK is built.
import { Font } from "./font";
import {
  REGULAR_BITS, REGULAR_CODES, REGULAR_LINE_HEIGHT, REGULAR_META, REGULAR_MISSING, REGULAR_OFFSETS, REGULAR_SPACING,
  SMALL_BITS, SMALL_CODES, SMALL_LINE_HEIGHT, SMALL_META, SMALL_MISSING, SMALL_OFFSETS, SMALL_SPACING,
} from "./unicode-font-data";

/** Glyphs are at most this wide; row bits put a glyph's leftmost pixel in bit MAX_WIDTH - 1. */
const MAX_WIDTH = 16;
const NO_ROWS: StaticArray<u8> = [];

/**
 * A proportional font of glyphs trimmed to their ink, `height` being the whole line (accents
 * above, descenders below). Row numbers count from the top of the line.
 */
export class UnicodeFont extends Font {
  constructor(
    lineHeight: i32,
    spacing: i32,
    private readonly codes: StaticArray<u16>,
    /** Width, first row and row count of each glyph. */
    private readonly meta: StaticArray<u8>,
    /** Byte in `bits` where each glyph's pixels start. */
    private readonly offsets: StaticArray<u16>,
    private readonly bits: StaticArray<u8>,
    /** The missing-glyph box: width, first row, height. */
    private readonly missing: StaticArray<u8>,
  ) {
    super(MAX_WIDTH, lineHeight, NO_ROWS, true, spacing);
  }

  /** Whether the font has a glyph of its own for `code` (not the box). */
  has(code: i32): bool {
    return this.find(code) >= 0;
  }

  /** Unicode fonts are proportional only: their glyphs have no common cell. */
  asProportional(): Font { return this; }
  asMonospaced(): Font { return this; }

  row(code: i32, y: i32): u32 {
    const g = this.find(code);
    if (g < 0) return this.boxRow(y);
    const width = <i32>unchecked(this.meta[g * 3]);
    const top = <i32>unchecked(this.meta[g * 3 + 1]);
    const rows = <i32>unchecked(this.meta[g * 3 + 2]);
    if (y < top || y >= top + rows) return 0;
    let bit = (<i32>unchecked(this.offsets[g])) * 8 + (y - top) * width;
    let bits: u32 = 0;
    for (let i = 0; i < width; i++, bit++) {
      bits = (bits << 1) | ((<u32>unchecked(this.bits[bit >> 3]) >> <u32>(7 - (bit & 7))) & 1);
    }
    return bits << <u32>(MAX_WIDTH - width);
  }

  inkLeft(_code: i32): i32 {
    return 0;
  }

  inkWidth(code: i32): i32 {
    const g = this.find(code);
    return g < 0 ? <i32>this.missing[0] : <i32>unchecked(this.meta[g * 3]);
  }

  private boxRow(y: i32): u32 {
    const width = <i32>this.missing[0];
    const top = <i32>this.missing[1];
    const bottom = top + <i32>this.missing[2] - 1;
    if (y < top || y > bottom) return 0;
    const full: u32 = ((1 << <u32>width) - 1) << <u32>(MAX_WIDTH - width);
    if (y == top || y == bottom) return full;
    return (1 << <u32>(MAX_WIDTH - 1)) | (1 << <u32>(MAX_WIDTH - width));
  }

  /** The glyph number of `code`, or -1 (binary search over the sorted code points). */
  private find(code: i32): i32 {
    let low = 0;
    let high = this.codes.length - 1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      const c = <i32>unchecked(this.codes[mid]);
      if (c == code) return mid;
      if (c < code) low = mid + 1;
      else high = mid - 1;
    }
    return -1;
  }
}

/** Galmuri7 (Galmuri9 for Greek and Cyrillic, UnifontEX for Hebrew and symbols): a 13-row line. */
@lazy export const FONT_SMALL = new UnicodeFont(SMALL_LINE_HEIGHT, SMALL_SPACING, SMALL_CODES, SMALL_META, SMALL_OFFSETS, SMALL_BITS, SMALL_MISSING);
/** Galmuri11 (UnifontEX for Hebrew and symbols): a 17-row line, to read from across the room. */
@lazy export const FONT_REGULAR = new UnicodeFont(REGULAR_LINE_HEIGHT, REGULAR_SPACING, REGULAR_CODES, REGULAR_META, REGULAR_OFFSETS, REGULAR_BITS, REGULAR_MISSING);
