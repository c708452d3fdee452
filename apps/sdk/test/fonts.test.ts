import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { parseFont, renderModule, FONTS } = require('../bin/gen-fonts.js') as {
  parseFont(text: string, width: number, height: number, label: string): number[];
  renderModule(dir: string): string;
  FONTS: { name: string; file: string; width: number; height: number }[];
};

const SDK = join(__dirname, '..');

describe('bitmap fonts', () => {
  it('assembly/font-data.ts is generated from the current drawings', () => {
    expect(readFileSync(join(SDK, 'assembly', 'font-data.ts'), 'utf8')).toBe(renderModule(join(SDK, 'fonts')));
  });

  it.each(FONTS)('$file draws every printable ASCII character, each one distinct', ({ file, width, height }) => {
    const rows = parseFont(readFileSync(join(SDK, 'fonts', file), 'utf8'), width, height, file);
    expect(rows).toHaveLength(95 * height);
    const glyphs = Array.from({ length: 95 }, (_, i) => rows.slice(i * height, (i + 1) * height).join(','));
    expect(new Set(glyphs).size).toBe(95);
    // Only the space is blank.
    expect(glyphs.filter((g) => /^[0,]+$/.test(g))).toEqual([glyphs[0]]);
  });

  it('rejects drawings with a wrong size, a missing or a repeated character', () => {
    expect(() => parseFont('A .#. #.#', 3, 5, 't')).toThrow(/has 2 rows, expected 5/);
    expect(() => parseFont('A .#. #.# ### #.# #.##', 3, 5, 't')).toThrow(/row "#.##"/);
    expect(() => parseFont('A ... ... ... ... ...\nA ... ... ... ... ...', 3, 5, 't')).toThrow(/drawn twice/);
    expect(() => parseFont('A ... ... ... ... ...', 3, 5, 't')).toThrow(/no drawing for " "/);
  });
});
