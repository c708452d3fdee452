/**
 * FONT_SMALL and FONT_REGULAR (Galmuri and UnifontEX, converted at build time), right-to-left
 * order and the missing-glyph box, drawn by a probe app (text-probe) in the bridge's real sandbox and compared
 * with the same fonts as the bridge reads them (text-oracle.ts).
 */
import { join } from 'node:path';
import { startTestApp, type TestApp } from '../test-support/apps';
import { picture } from '../test-support/frame';
import { type FontName, measure, textPicture } from '../test-support/text-oracle';

const PROBE = join(__dirname, 'text-probe');
const SCRIPTS: Record<string, string> = {
  'Latin-1': 'é ü ß À Ñ ç',
  'Latin Extended-A': 'ł ř ő Ž ą Ğ',
  Greek: 'Καλημέρα λ Ω',
  Cyrillic: 'Привет Ж ё',
  Hebrew: 'שלום א ת',
  arrows: '←↑→↓',
  symbols: '° € ± • ♥ ✓',
};

let t: TestApp;
// Long enough to build the probe first when its build is missing or stale.
beforeAll(async () => {
  t = await startTestApp(PROBE, { config: { text: '' } });
}, 120_000);
afterAll(async () => {
  await t.close();
});

interface Drawn {
  pic: string[];
  measure: number;
  end: number;
  height: number;
  has: string;
}

/** `text` drawn by the probe in `font` at (x, 0). */
async function draw(text: string, font: FontName, x = 0): Promise<Drawn> {
  t.app.setConfig({ font, text, x });
  t.logs.length = 0;
  const frame = await t.app.run();
  const line = t.logs.map((l) => l.message).find((m) => m.startsWith('measure '));
  const match = /^measure (-?\d+) end (-?\d+) height (\d+) has ([01]*)$/.exec(line ?? '');
  if (!frame || !match) throw new Error(`probe drew nothing or logged ${JSON.stringify(t.logs)}`);
  return { pic: picture(frame), measure: Number(match[1]), end: Number(match[2]), height: Number(match[3]), has: match[4]! };
}

/** Lit columns of a picture, first and last. */
function litColumns(pic: string[]): [number, number] {
  const columns = pic.flatMap((row) => [...row].flatMap((c, x) => (c === '#' ? [x] : [])));
  return [Math.min(...columns), Math.max(...columns)];
}

/** Characters drawn one at a time from the left by the oracle, in the order given. */
function oneByOne(chars: string, font: FontName): string[] {
  const pic = textPicture('', 0, 0, { font }).map((row) => [...row]);
  let x = 0;
  for (const char of chars) {
    textPicture(char, x, 0, { font }).forEach((row, y) => {
      [...row].forEach((c, px) => {
        if (c === '#') pic[y]![px] = '#';
      });
    });
    x += measure(char, { font }) + 1;
  }
  return pic.map((row) => row.join(''));
}

describe.each(['small', 'regular'] as const)('FONT_%s in an app', (font) => {
  const box = textPicture('\u{E000}', 0, 0, { font });

  it('is a line of 13 (small) or 17 (regular) rows', async () => {
    expect((await draw('x', font)).height).toBe(font === 'small' ? 13 : 17);
  });

  it.each(Object.entries(SCRIPTS))('draws %s (%s) from its own glyphs, none the missing-glyph box', async (_script, text) => {
    const drawn = await draw(text, font);
    expect(drawn.has).toBe('1'.repeat([...text].length));
    expect(drawn.pic).toEqual(textPicture(text, 0, 0, { font }));
    for (const char of text.replace(/ /g, '')) expect([char, textPicture(char, 0, 0, { font })]).not.toEqual([char, box]);
  });

  it('shows a Hebrew sentence right to left, its number left to right', async () => {
    const drawn = await draw('שלום 123 עולם', font);
    expect(drawn.pic).toEqual(oneByOne('םלוע 123 םולש', font));
    expect(drawn.pic).not.toEqual(oneByOne('שלום 123 עולם', font));
  });

  it('orders mixed-direction text as the bridge does (numbers, neutrals, mirrored brackets)', async () => {
    for (const text of ['מחיר 1,250.50 ₪', 'שלום, world!', 'ab אב - גד', '(עולם) 5', '-5 מעלות', 'אב c']) {
      expect([text, (await draw(text, font)).pic]).toEqual([text, textPicture(text, 0, 0, { font })]);
    }
  });

  it('draws a character it lacks as a hollow box, one per code point', async () => {
    const drawn = await draw('a\u{1F600}\u{E000}', font);
    expect(drawn.has).toBe('100');
    const a = measure('a', { font });
    const boxWidth = measure('\u{E000}', { font });
    expect(drawn.pic).toEqual(oneByOne('a\u{E000}\u{E000}', font));
    expect(drawn.measure).toBe(a + 1 + boxWidth + 1 + boxWidth);
    // The box: a rectangle's outline.
    const rows = box.filter((row) => row.includes('#')).map((row) => row.slice(0, boxWidth));
    expect(rows[0]).toBe('#'.repeat(boxWidth));
    expect(rows.at(-1)).toBe('#'.repeat(boxWidth));
    for (const row of rows.slice(1, -1)) expect(row).toBe(`#${'.'.repeat(boxWidth - 2)}#`);
  });

  it('measures exactly the columns it lights, and returns the pen just after them', async () => {
    for (const text of ['Température 21 °C', 'שלום 5', 'Ω→Ж✓']) {
      const drawn = await draw(text, font, 2);
      expect(drawn.measure).toBe(measure(text, { font }));
      expect(drawn.end).toBe(2 + drawn.measure);
      if (drawn.end <= 64) expect([text, litColumns(drawn.pic)]).toEqual([text, [2, 1 + drawn.measure]]);
    }
  });
});

describe('the ASCII fonts in an app', () => {
  it('draw a character outside ASCII as a hollow box one row shorter than the cell, never as another character', async () => {
    const small = await draw('é😀', '3x5');
    expect(small.pic.slice(0, 5).map((row) => row.slice(0, 8))).toEqual(['........', '###.###.', '#.#.#.#.', '#.#.#.#.', '###.###.']);
    expect(small.pic).toEqual(textPicture('é😀', 0, 0, { font: '3x5' }));
    const big = await draw('é', '5x7');
    expect(big.pic.slice(0, 7).map((row) => row.slice(0, 6))).toEqual(['......', '#####.', '#...#.', '#...#.', '#...#.', '#...#.', '#####.']);
    // Unlike every ASCII character, also the digit 0 and the question mark.
    for (const font of ['3x5', '5x7'] as const) {
      const box = textPicture('é', 0, 0, { font });
      for (let code = 32; code <= 126; code++) expect([code, textPicture(String.fromCharCode(code), 0, 0, { font })]).not.toEqual([code, box]);
    }
  });
});
