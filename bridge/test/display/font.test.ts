import { DISPLAY_WIDTH } from '@megabit/contract';
import { blankFrame, drawText, glyphFor, GLYPH_HEIGHT, hasGlyph, measureText } from '../../src/display';
import { byRowThenColumn, litPixels, patternPixels, rgbAt } from '../helpers/display';

const printable = Array.from({ length: 126 - 32 + 1 }, (_, i) => String.fromCharCode(32 + i));

describe('5x7 font', () => {
  it('has a well-formed glyph for every printable ASCII character, each one different', () => {
    const seen = new Map<string, string>();
    for (const char of printable) {
      expect(hasGlyph(char)).toBe(true);
      const glyph = glyphFor(char);
      expect(glyph.rows).toHaveLength(GLYPH_HEIGHT);
      expect(glyph.width).toBeGreaterThanOrEqual(1);
      expect(glyph.width).toBeLessThanOrEqual(5);
      for (const bits of glyph.rows) expect(bits).toBeLessThan(1 << glyph.width);
      if (char !== ' ') expect(glyph.rows.some((bits) => bits !== 0)).toBe(true);
      const key = `${glyph.width}:${glyph.drop}:${glyph.rows.join(',')}`;
      expect(seen.get(key)).toBeUndefined();
      seen.set(key, char);
    }
  });

  it('anything else is one fallback glyph a code point, including characters outside the BMP', () => {
    for (const char of ['é', '€', '\u0007', '😀']) expect(hasGlyph(char)).toBe(false);
    expect(glyphFor('é')).toBe(glyphFor('😀'));
    expect(glyphFor('é')).not.toBe(glyphFor('e'));
    expect(measureText('😀')).toBe(5);
    expect(measureText('a😀b')).toBe(5 + 1 + 5 + 1 + 5);
  });

  it('measures glyph widths plus one column between glyphs', () => {
    expect(measureText('')).toBe(0);
    expect(measureText('A')).toBe(5);
    expect(measureText('AB')).toBe(11);
    expect(measureText(' ')).toBe(3);
    expect(measureText('Hi!')).toBe(5 + 1 + 1 + 1 + 1);
  });

  it('draws the expected pixels of each glyph, in the given colour', () => {
    const frame = blankFrame();
    drawText(frame, 'Hi', 2, 3, [255, 0, 0]);
    const expected = [
      ...patternPixels(['#...#', '#...#', '#...#', '#####', '#...#', '#...#', '#...#'], 2, 3),
      ...patternPixels(['#', '.', '#', '#', '#', '#', '#'], 8, 3),
    ].sort(byRowThenColumn);
    expect(litPixels(frame)).toEqual(expected);
    expect(rgbAt(frame, 2, 3)).toEqual([255, 0, 0]);
  });

  it('letters with descenders hang one row below the others', () => {
    const frame = blankFrame();
    drawText(frame, 'op', 0, 0, [9, 9, 9]);
    const expected = [
      ...patternPixels(['.....', '.....', '.###.', '#...#', '#...#', '#...#', '.###.'], 0, 0),
      ...patternPixels(['.....', '####.', '#...#', '#...#', '####.', '#....', '#....'], 6, 1),
    ].sort(byRowThenColumn);
    expect(litPixels(frame)).toEqual(expected);
    for (const char of 'gpqy') expect(glyphFor(char).drop).toBe(1);
    for (const char of 'oj,A') expect(glyphFor(char).drop).toBe(0);
  });

  it('writes only lit pixels, so the background shows through', () => {
    const frame = blankFrame().fill(7);
    drawText(frame, 'T', 0, 0, [1, 2, 3]);
    expect(rgbAt(frame, 2, 6)).toEqual([1, 2, 3]);
    expect(rgbAt(frame, 0, 6)).toEqual([7, 7, 7]);
  });

  it('clips at every edge without wrapping onto other rows', () => {
    const left = blankFrame();
    drawText(left, 'H', -4, 0, [9, 9, 9]);
    expect(litPixels(left)).toEqual(['0,0', '0,1', '0,2', '0,3', '0,4', '0,5', '0,6']);

    const right = blankFrame();
    drawText(right, 'H', DISPLAY_WIDTH - 1, 0, [9, 9, 9]);
    expect(litPixels(right)).toEqual(['63,0', '63,1', '63,2', '63,3', '63,4', '63,5', '63,6']);

    const corners = blankFrame();
    drawText(corners, 'H', 0, -6, [9, 9, 9]);
    drawText(corners, 'H', 0, 31, [9, 9, 9]);
    expect(litPixels(corners)).toEqual(['0,0', '4,0', '0,31', '4,31']);

    const far = blankFrame();
    drawText(far, 'far away', 500, 500, [9, 9, 9]);
    drawText(far, 'x'.repeat(300), -2000, 0, [9, 9, 9]);
    expect(litPixels(far)).toEqual([]);
  });

  it('a long text is drawn correctly where its visible part starts mid-string', () => {
    const text = `${'.'.repeat(40)}H`;
    const start = -measureText('.'.repeat(40)) - 1;
    const frame = blankFrame();
    drawText(frame, text, start, 0, [9, 9, 9]);
    expect(litPixels(frame).sort(byRowThenColumn)).toEqual(patternPixels(['#...#', '#...#', '#...#', '#####', '#...#', '#...#', '#...#'], 0, 0));
  });
});
