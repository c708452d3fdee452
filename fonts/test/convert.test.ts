import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FONT_NAMES, fontDataFile, loadFont } from '../src';

interface RawGlyph {
  advance: number;
  width: number;
  left: number;
  top: number;
  rows: number[];
}
interface Source {
  name: string;
  glyph(cp: number): RawGlyph | undefined;
}
interface SizeFile {
  lineHeight: number;
  baseline: number;
  sources: { font: string; glyphs: number }[];
  missing: number[];
  glyphs: Record<string, number[]>;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { parseBdf } = require('../scripts/bdf') as { parseBdf(text: string, wanted: (cp: number) => boolean): Map<number, RawGlyph> };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { trimToInk } = require('../scripts/glyph') as { trimToInk(raw: RawGlyph): { width: number; top: number; rows: number[] } };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { buildSize } = require('../scripts/convert') as { buildSize(name: string, sources: Source[], box: { ascent: number; descent: number }): SizeFile };

const DATA = join(__dirname, '..', 'data');
const picture = (width: number, rows: number[]) => rows.map((bits) => bits.toString(2).padStart(width, '0').replace(/0/g, '.').replace(/1/g, '#'));

const BDF = `STARTFONT 2.1
CHARS 2
STARTCHAR A
ENCODING 65
DWIDTH 6 0
BBX 5 3 0 0
BITMAP
20
50
F8
ENDCHAR
STARTCHAR g
ENCODING 103
DWIDTH 5 0
BBX 3 4 1 -2
BITMAP
E0
A0
E0
20
ENDCHAR
ENDFONT
`;

describe('font conversion', () => {
  it('reads BDF glyphs: rows, advance and place against the baseline', () => {
    const glyphs = parseBdf(BDF, () => true);
    expect(glyphs.get(65)).toEqual({ advance: 6, width: 5, left: 0, top: 3, rows: [0b00100, 0b01010, 0b11111] });
    expect(glyphs.get(103)).toEqual({ advance: 5, width: 3, left: 1, top: 2, rows: [0b111, 0b101, 0b111, 0b001] });
    expect([...parseBdf(BDF, (cp) => cp === 103).keys()]).toEqual([103]);
  });

  it('trims a glyph to its lit pixels; a blank one keeps its advance less the spacing', () => {
    expect(trimToInk({ advance: 8, width: 6, left: 0, top: 5, rows: [0, 0b011000, 0b001100, 0] })).toEqual({ width: 3, top: 4, rows: [0b110, 0b011] });
    expect(trimToInk({ advance: 3, width: 0, left: 0, top: 0, rows: [] })).toEqual({ width: 2, top: 0, rows: [] });
  });

  it('takes each character from the first source that has it in a shape fitting the line', () => {
    const glyph = (top: number, height: number): RawGlyph => ({ advance: 3, width: 2, left: 0, top, rows: Array(height).fill(0b11) });
    const first: Source = { name: 'first', glyph: (cp) => (cp === 0x48 ? glyph(5, 5) : cp === 0x49 ? glyph(9, 9) : undefined) };
    const second: Source = { name: 'second', glyph: (cp) => (cp === 0x49 || cp === 0x4a ? glyph(6, 6) : cp === 0x4b ? glyph(8, 8) : undefined) };
    const size = buildSize('t', [first, second], { ascent: 7, descent: 1 });
    // I: too tall in the first source even moved down, so the second's; J only the second has;
    // K reaches one row too high, so it moves down one row; L nobody has.
    expect(size.sources).toEqual([
      { font: 'first', glyphs: 1 },
      { font: 'second', glyphs: 3 },
    ]);
    expect(size.lineHeight).toBe(8);
    expect(size.glyphs[0x49]).toEqual([2, 1, 3, 3, 3, 3, 3, 3]);
    expect(size.glyphs[0x4b]!.slice(0, 2)).toEqual([2, 0]);
    expect(size.glyphs[0x4c]).toBeUndefined();
    // The box: as tall as H (5 rows), on the baseline, hollow.
    expect(picture(size.missing[0]!, size.missing.slice(2))).toEqual(['####', '#..#', '#..#', '#..#', '####']);
    expect(size.missing[1]).toBe(2);
  });
});

describe.each(FONT_NAMES)('the built %s font', (name) => {
  const data = JSON.parse(readFileSync(fontDataFile(name), 'utf8')) as SizeFile;

  it('keeps every glyph inside its line and uses each of its sources', () => {
    for (const [cp, [width, y, ...rows]] of Object.entries(data.glyphs)) {
      expect([cp, y! >= 0 && y! + rows.length <= data.lineHeight, rows.every((bits) => bits < 2 ** width!)]).toEqual([cp, true, true]);
    }
    for (const source of data.sources) expect([source.font, source.glyphs > 0]).toEqual([source.font, true]);
    expect(loadFont(name).lineHeight).toBe(data.lineHeight);
  });

  it('has UnifontEX’s Hebrew letters, pixel for pixel', () => {
    const [width, , ...rows] = data.glyphs[0x5d0]!;
    expect(picture(width!, rows)).toEqual(['#....#', '#....#', '.#...#', '..#..#', '.#.##.', '#..#..', '#...#.', '#....#', '#....#']);
  });
});

describe('licences', () => {
  it('ship beside the converted glyphs', () => {
    for (const file of ['LICENSE-Galmuri.txt', 'LICENSE-UnifontEX.txt']) {
      expect(existsSync(join(DATA, file))).toBe(true);
      expect(readFileSync(join(DATA, file), 'utf8')).toMatch(/SIL Open Font License, Version 1\.1/);
    }
    expect(readFileSync(join(DATA, 'LICENSE-Galmuri.txt'), 'utf8')).toMatch(/Lee Minseo/);
    expect(readFileSync(join(DATA, 'LICENSE-UnifontEX.txt'), 'utf8')).toMatch(/Roman Czyborra/);
  });
});
