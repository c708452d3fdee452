import { DISPLAY_WIDTH } from '@megabit/contract';
import { blankFrame, drawText, type FontName, glyphFor, hasGlyph, LINE_HEIGHT, lineHeight, measureText } from '../../src/display';
import { byRowThenColumn, litPixels, patternPixels, rgbAt } from '../helpers/display';

const FONTS: FontName[] = ['small', 'regular'];
const printable = Array.from({ length: 126 - 32 + 1 }, (_, i) => String.fromCharCode(32 + i));
/** One string a script or symbol set the fonts must carry. */
const SCRIPTS: Record<string, string> = {
  'Latin-1': 'é ü ß À Ñ ç ø å',
  'Latin Extended-A': 'ł ř ő Ž ą ę Ğ ş',
  Greek: 'Καλημέρα κόσμε λ Ω',
  Cyrillic: 'Привет мир Ж ё Ї',
  Hebrew: 'שלום עולם א ת',
  arrows: '←↑→↓',
  symbols: '° € ± • ♥ ✓',
};

/** The picture of one character drawn alone at (0, 0), as sorted "x,y" pixels. */
function pixelsOf(char: string, font: FontName): string[] {
  const frame = blankFrame();
  drawText(frame, char, 0, 0, [9, 9, 9], font);
  return litPixels(frame).sort(byRowThenColumn);
}

/** The leftmost and rightmost lit columns of a frame. */
function litColumns(frame: Uint8Array): [number, number] {
  const xs = litPixels(frame).map((p) => Number(p.split(',')[0]));
  return [Math.min(...xs), Math.max(...xs)];
}

/** `chars` drawn one at a time from the left, in the order given (no reordering). */
function oneByOne(chars: string, font: FontName): Uint8Array {
  const frame = blankFrame();
  let x = 0;
  for (const char of chars) {
    drawText(frame, char, x, 0, [9, 9, 9], font);
    x += glyphFor(char, font).width + 1;
  }
  return frame;
}

describe.each(FONTS)('%s font', (font) => {
  const box = pixelsOf('\u{E000}', font);

  it('has a glyph for every printable ASCII character, only the space blank, few drawn alike', () => {
    const alike = new Map<string, string>();
    for (const char of printable) {
      expect(hasGlyph(char, font)).toBe(true);
      const glyph = glyphFor(char, font);
      expect(glyph.width).toBeGreaterThanOrEqual(1);
      expect(glyph.y + glyph.rows.length).toBeLessThanOrEqual(lineHeight(font));
      for (const bits of glyph.rows) expect(bits).toBeLessThan(2 ** glyph.width);
      expect(glyph.rows.some((bits) => bits !== 0)).toBe(char !== ' ');
      const key = `${glyph.width}:${glyph.y}:${glyph.rows.join(',')}`;
      alike.set(key, (alike.get(key) ?? '') + char);
    }
    // Galmuri's own look-alikes; every other character has a picture of its own.
    expect([...alike.values()].filter((chars) => chars.length > 1)).toEqual(font === 'small' ? ['0O', 'I|'] : ['l|']);
  });

  it.each(Object.entries(SCRIPTS))('draws %s (%s) with real glyphs, none of them the missing-glyph box', (_script, text) => {
    for (const char of text.replace(/ /g, '')) {
      expect([char, hasGlyph(char, font)]).toEqual([char, true]);
      const pixels = pixelsOf(char, font);
      expect(pixels.length).toBeGreaterThan(0);
      expect([char, pixels]).not.toEqual([char, box]);
    }
  });

  it('draws a character it lacks as a hollow box, one per code point, also outside the BMP', () => {
    const missing = glyphFor('\u{1F600}', font);
    expect(hasGlyph('\u{1F600}', font)).toBe(false);
    expect(hasGlyph('\u{E000}', font)).toBe(false);
    expect(glyphFor('\u{E000}', font)).toBe(missing);
    const { width, rows } = missing;
    const picture = rows.map((_, r) => (r === 0 || r === rows.length - 1 ? '#'.repeat(width) : `#${'.'.repeat(width - 2)}#`));
    expect(box).toEqual(patternPixels(picture, 0, missing.y));
    // As tall as a capital, sitting on the same baseline.
    const H = glyphFor('H', font);
    expect([missing.y, rows.length]).toEqual([H.y, H.rows.length]);
    expect(measureText('a\u{1F600}b', font)).toBe(glyphFor('a', font).width + width + glyphFor('b', font).width + 2);
    expect(pixelsOf('?', font)).not.toEqual(box);
  });

  it('measures exactly the columns drawText lights, in every script', () => {
    for (const text of [...Object.values(SCRIPTS), 'Température 21 °C', 'Hi!', 'x\u{1F600}y']) {
      const frame = blankFrame();
      drawText(frame, text, 1, 0, [9, 9, 9], font);
      const width = measureText(text, font);
      if (width > DISPLAY_WIDTH - 1) continue; // what is clipped cannot be counted
      expect([text, litColumns(frame)]).toEqual([text, [1, width]]);
    }
    expect(measureText('', font)).toBe(0);
  });

  it('shows Hebrew right to left, a number in it left to right', () => {
    const text = 'שלום 123 עולם';
    const frame = blankFrame();
    drawText(frame, text, 0, 0, [9, 9, 9], font);
    expect(litPixels(frame)).toEqual(litPixels(oneByOne('םלוע 123 םולש', font)));
    expect(litPixels(frame)).not.toEqual(litPixels(oneByOne(text, font)));
  });

  it('paints by character in reading order, wherever right-to-left text puts the character', () => {
    const calls: [number, number][] = [];
    drawText(
      blankFrame(),
      'אב c',
      0,
      0,
      (index, x) => {
        calls.push([index, x]);
        return [9, 9, 9];
      },
      font,
    );
    const wide = (c: string) => glyphFor(c, font).width + 1;
    // Shown as "c בא": the c (index 3) first, then the space, then ב (1), then א (0).
    expect(calls).toEqual([
      [3, 0],
      [2, wide('c')],
      [1, wide('c') + wide(' ')],
      [0, wide('c') + wide(' ') + wide('ב')],
    ]);
  });

  it('renders a notification text with accents and symbols', () => {
    const frame = blankFrame();
    drawText(frame, 'Température 21 °C', 0, 0, [255, 255, 255], font);
    let x = 0;
    for (const char of 'Température 21 °C') {
      if (char !== ' ') expect(pixelsOf(char, font).length).toBeGreaterThan(0);
      x += glyphFor(char, font).width + 1;
    }
    expect(x - 1).toBe(measureText('Température 21 °C', font));
    expect(litPixels(frame).length).toBeGreaterThan(0);
  });
});

describe('bridge text sizes', () => {
  it('small is a 13-row line, regular a 17-row one: both fit the 32-row panel with room', () => {
    expect([lineHeight('small'), lineHeight('regular'), LINE_HEIGHT]).toEqual([13, 17, 13]);
    expect(lineHeight()).toBe(lineHeight('small'));
  });

  it("draws Galmuri7's and Galmuri11's H and e with the accent above", () => {
    const H = glyphFor('H', 'small');
    expect(pixelsOf('H', 'small')).toEqual(patternPixels(['#..#', '#..#', '#..#', '####', '#..#', '#..#', '#..#'], 0, H.y));
    expect(pixelsOf('é', 'small')).toEqual(patternPixels(['..#.', '.#..', '....', '.##.', '#..#', '####', '#...', '.###'], 0, H.y - 1));
    const bigH = glyphFor('H', 'regular');
    expect([bigH.width, bigH.rows.length]).toEqual([7, 11]);
  });

  it('letters with descenders reach below the baseline', () => {
    const H = glyphFor('H', 'small');
    for (const char of 'gpqy') {
      const g = glyphFor(char, 'small');
      expect(g.y + g.rows.length).toBeGreaterThan(H.y + H.rows.length);
    }
  });

  it('writes only lit pixels, so the background shows through', () => {
    const frame = blankFrame().fill(7);
    drawText(frame, 'T', 0, 0, [1, 2, 3]);
    const T = glyphFor('T');
    expect(rgbAt(frame, 0, T.y)).toEqual([1, 2, 3]);
    expect(rgbAt(frame, 0, T.y + 3)).toEqual([7, 7, 7]);
  });

  it('clips at every edge without wrapping onto other rows', () => {
    const H = glyphFor('H');
    const left = blankFrame();
    drawText(left, 'H', -3, 0, [9, 9, 9]);
    expect(litPixels(left).sort(byRowThenColumn)).toEqual(patternPixels(['#', '#', '#', '#', '#', '#', '#'], 0, H.y));

    const right = blankFrame();
    drawText(right, 'H', DISPLAY_WIDTH - 1, 0, [9, 9, 9]);
    expect(litPixels(right).sort(byRowThenColumn)).toEqual(patternPixels(['#', '#', '#', '#', '#', '#', '#'], DISPLAY_WIDTH - 1, H.y));

    const corners = blankFrame();
    drawText(corners, 'H', 0, -H.y - 6, [9, 9, 9]);
    drawText(corners, 'H', 0, 31 - H.y, [9, 9, 9]);
    expect(litPixels(corners)).toEqual(['0,0', '3,0', '0,31', '3,31']);

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
    expect(litPixels(frame).sort(byRowThenColumn)).toEqual(patternPixels(['#..#', '#..#', '#..#', '####', '#..#', '#..#', '#..#'], 0, glyphFor('H').y));
  });
});
