import { readFileSync } from 'node:fs';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { packFont, renderModule, readFonts, OUTPUT } = require('../bin/gen-unicode-fonts.js') as {
  packFont(font: { name: string; missing: number[]; glyphs: Record<string, number[]> }): {
    codes: number[];
    meta: number[];
    offsets: number[];
    bits: number[];
    missing: { width: number; y: number; height: number };
  };
  renderModule(fonts: unknown[]): string;
  readFonts(): unknown[];
  OUTPUT: string;
};

describe('Unicode font data for AssemblyScript', () => {
  it('packs glyphs by code point, each one row after row from a byte boundary, leftmost pixel first', () => {
    const packed = packFont({
      name: 't',
      missing: [4, 2, 15, 9, 9, 15],
      // 'B' (3 wide, 2 rows) is listed before 'A' (5 wide, 3 rows) on purpose: codes come out sorted.
      glyphs: { 66: [3, 1, 0b101, 0b011], 65: [5, 0, 0b10001, 0b01110, 0b11111] },
    });
    expect(packed.codes).toEqual([65, 66]);
    expect(packed.meta).toEqual([5, 0, 3, 3, 1, 2]);
    // A: 10001 01110 11111 -> 10001011 10111110 (one bit of padding); B: 101011 -> 10101100.
    expect(packed.offsets).toEqual([0, 2]);
    expect(packed.bits).toEqual([0b10001011, 0b10111110, 0b10101100]);
    expect(packed.missing).toEqual({ width: 4, y: 2, height: 4 });
  });

  it('refuses glyphs it cannot pack', () => {
    expect(() => packFont({ name: 't', missing: [4, 0], glyphs: { 65: [17, 0, 1] } })).toThrow(/17 columns wide/);
    expect(() => packFont({ name: 't', missing: [4, 0], glyphs: { 128512: [4, 0, 1] } })).toThrow(/Basic Multilingual Plane/);
  });

  it('assembly/unicode-font-data.ts is generated from the current @megabit/fonts build', () => {
    expect(readFileSync(OUTPUT, 'utf8')).toBe(renderModule(readFonts()));
  });
});
