/**
 * Reading the converted fonts (data/<name>.json, written by scripts/convert.js at build time):
 * each glyph trimmed to its ink, its rows counted from the top of the line.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The text sizes: `small` (a 13-row line) for dense text, `regular` (17 rows) to read from afar. */
export type FontName = 'small' | 'regular';
export const FONT_NAMES: readonly FontName[] = ['small', 'regular'];

export interface Glyph {
  /** Columns from the first to the last lit one (a blank glyph: the room it takes). */
  readonly width: number;
  /** Row of the line where `rows` start. */
  readonly y: number;
  /** One bit mask a row; bit `width - 1 - x` is column x. */
  readonly rows: readonly number[];
}

export interface BitmapFont {
  readonly name: FontName;
  readonly lineHeight: number;
  /** Rows from the top of the line to the baseline. */
  readonly baseline: number;
  /** Blank columns between two glyphs. */
  readonly spacing: number;
  /** The box drawn for a character the font lacks. */
  readonly missing: Glyph;
  /** The glyph of a code point, or undefined when the font lacks it. */
  glyph(codePoint: number): Glyph | undefined;
}

interface FontFile {
  name: string;
  lineHeight: number;
  baseline: number;
  spacing: number;
  missing: number[];
  glyphs: Record<string, number[]>;
}

/** Where the build wrote a size's data (the SDK's generator reads it too). */
export function fontDataFile(name: FontName): string {
  // From src/ (tests) and dist/ (the built package) alike.
  return join(__dirname, '..', 'data', `${name}.json`);
}

function toGlyph(entry: number[], where: string): Glyph {
  const [width, y, ...rows] = entry;
  if (width === undefined || y === undefined || width < 1 || rows.some((bits) => bits < 0 || bits >= 2 ** width)) {
    throw new Error(`${where}: malformed glyph ${JSON.stringify(entry)}`);
  }
  return { width, y, rows };
}

function readFont(name: FontName): BitmapFont {
  const file = fontDataFile(name);
  let data: FontFile;
  try {
    data = JSON.parse(readFileSync(file, 'utf8')) as FontFile;
  } catch (e) {
    throw new Error(`font ${name}: cannot read ${file} (it is made by \`npm run build\`): ${(e as Error).message}`);
  }
  const glyphs = new Map<number, Glyph>();
  for (const [codePoint, entry] of Object.entries(data.glyphs)) glyphs.set(Number(codePoint), toGlyph(entry, `${file} U+${Number(codePoint).toString(16)}`));
  return {
    name,
    lineHeight: data.lineHeight,
    baseline: data.baseline,
    spacing: data.spacing,
    missing: toGlyph(data.missing, `${file} missing`),
    glyph: (codePoint) => glyphs.get(codePoint),
  };
}

const loaded = new Map<FontName, BitmapFont>();

/** A size's font, read once. */
export function loadFont(name: FontName): BitmapFont {
  let font = loaded.get(name);
  if (!font) {
    font = readFont(name);
    loaded.set(name, font);
  }
  return font;
}
