import type { ScreenContent } from '@megabit/contract';
import { blankFrame, drawText, lineHeight, measureText } from '../../src/display';
import type { Icon } from '../../src/icons/icon';
import { renderScreen } from '../../src/screens/render';
import { frameDifference, litPixels } from '../helpers/display';
import { colorPicture, colorsIn, iconFromPictures } from '../helpers/screen-pictures';

const NO_ICONS = new Map<string, Icon>();
const LONG = 'A text far too long for sixty-four columns';

function render(content: ScreenContent, atMs = 0, icons: Map<string, Icon> = NO_ICONS) {
  const frame = blankFrame();
  const info = renderScreen(frame, content, { atMs, icons });
  return { frame, info };
}

/** What drawText alone paints on a black frame: where the renderer must have put the text. */
function textAt(text: string, x: number, y: number, color: [number, number, number] = [255, 255, 255]): Uint8Array {
  const frame = blankFrame();
  drawText(frame, text, x, y, color, 'small');
  return frame;
}

const count = (rows: string[], char: string) => rows.join('').split(char).length - 1;
/** The row a line of text starts on when centred on the whole panel, and the column text starts on. */
const MID = Math.floor((32 - lineHeight('small')) / 2);
const centred = (text: string) => Math.floor((64 - measureText(text, 'small')) / 2);

describe('screen renderer: text', () => {
  // This test pins today's small font (Galmuri7); the others hold whatever the font draws.
  it('draws a short text in white, centred on the panel, and reports a still picture', () => {
    const { frame, info } = render({ text: 'Hi' });
    // The 13-row line from row 9; its capitals on rows 13-19.
    const expected = [
      '.............',
      '...#..#.#....',
      '...#..#......',
      '...#..#.#....',
      '...####.#....',
      '...#..#.#....',
      '...#..#.#....',
      '...#..#.#....',
      '.............',
    ];
    expect(colorPicture(frame, { '#': '#ffffff' }, 26, 12, 13, 9)).toEqual(expected);
    expect(litPixels(frame)).toHaveLength(count(expected, '#'));
    expect(info).toEqual({ animated: false, frameMs: 0, scrolling: false, scrollPasses: 0, scrollPassMs: 0 });
  });

  it('takes the string, segment and object forms of text alike', () => {
    const plain = render({ text: 'Hi' }).frame;
    expect(frameDifference(render({ text: [{ t: 'H' }, { t: 'i' }] }).frame, plain)).toBe('same');
    expect(frameDifference(render({ text: { value: 'Hi' } }).frame, plain)).toBe('same');
  });

  it('paints each segment in its colour, and one without a colour in the text colour', () => {
    const { frame } = render({ text: { value: [{ t: 'Hi', c: '#ff0000' }, { t: '!' }, { t: 'x', c: '#0000ff' }], color: '#00ff00' } });
    const oracle = blankFrame();
    const colors: [number, number, number][] = [
      [255, 0, 0],
      [255, 0, 0],
      [0, 255, 0],
      [0, 0, 255],
    ];
    drawText(oracle, 'Hi!x', centred('Hi!x'), MID, (i) => colors[i]!, 'small');
    expect(frameDifference(frame, oracle)).toBe('same');
    expect(colorsIn(frame)).toEqual(new Set(['#000000', '#ff0000', '#00ff00', '#0000ff']));
  });

  it('draws in the font asked for, measured and centred by that font', () => {
    const width = measureText('Hi', 'regular');
    const height = lineHeight('regular');
    const oracle = blankFrame();
    drawText(oracle, 'Hi', Math.floor((64 - width) / 2), Math.floor((32 - height) / 2), [255, 255, 255], 'regular');
    expect(frameDifference(render({ text: { value: 'Hi', font: 'regular' } }).frame, oracle)).toBe('same');
  });

  it('aligns text that fits left or right when told to, and centres it vertically above a progress bar', () => {
    const width = measureText('Hi', 'small');
    const left = render({ text: { value: 'Hi', align: 'left' } }).frame;
    expect(frameDifference(left, textAt('Hi', 0, MID))).toBe('same');
    const right = render({ text: { value: 'Hi', align: 'right', color: '#ffcc00' } }).frame;
    expect(frameDifference(right, textAt('Hi', 64 - width, MID, [255, 204, 0]))).toBe('same');
    // 29 rows above the bar (2 rows and a blank one): a line of 8 rows starts at row 10.
    const above = render({ text: 'Hi', progress: { value: 0, background: '#000000' } }).frame;
    expect(frameDifference(above, textAt('Hi', centred('Hi'), Math.floor((29 - lineHeight('small')) / 2)))).toBe('same');
  });

  it('scrolls text wider than the panel in from the right edge at 20 px/s by default', () => {
    const width = measureText(LONG, 'small');
    expect(width).toBeGreaterThan(64);
    const start = render({ text: LONG });
    expect(litPixels(start.frame)).toEqual([]);
    expect(start.info).toMatchObject({ animated: true, scrolling: true, scrollPasses: 0, frameMs: 50 });
    expect(start.info.scrollPassMs).toBe(((64 + width) * 1000) / 20);

    expect(frameDifference(render({ text: LONG }, 1000).frame, textAt(LONG, 44, MID))).toBe('same');
    expect(frameDifference(render({ text: LONG }, 2500).frame, textAt(LONG, 14, MID))).toBe('same');
    expect(frameDifference(render({ text: { value: LONG, speed: 40 } }, 1000).frame, textAt(LONG, 24, MID))).toBe('same');
  });

  it('counts completed passes: the text has left at the left edge and starts again from the right', () => {
    const width = measureText(LONG, 'small');
    const passMs = ((64 + width) * 1000) / 20;
    expect(render({ text: LONG }, passMs - 50).info.scrollPasses).toBe(0);
    const again = render({ text: LONG }, passMs + 1000);
    expect(again.info.scrollPasses).toBe(1);
    expect(frameDifference(again.frame, textAt(LONG, 44, MID))).toBe('same');
    expect(render({ text: LONG }, 3 * passMs).info.scrollPasses).toBe(3);
  });

  it('scrolls short text when told to always, and never scrolls when told never (left-aligned, clipped)', () => {
    const always = render({ text: { value: 'Hi', scroll: 'always' } }, 1000);
    expect(always.info.scrolling).toBe(true);
    expect(frameDifference(always.frame, textAt('Hi', 44, MID))).toBe('same');

    const never = render({ text: { value: LONG, scroll: 'never' } }, 1000);
    expect(never.info).toMatchObject({ animated: false, scrolling: false, scrollPasses: 0 });
    expect(frameDifference(never.frame, textAt(LONG, 0, MID))).toBe('same');
  });

  it('keeps scrolling text inside its area: it never runs over the icon beside it', () => {
    const legend = { b: '#0000ff' };
    const square = iconFromPictures('square', legend, [{ rows: Array(8).fill('bbbbbbbb') as string[] }]);
    const icons = new Map([['square', square]]);
    // Icon at the left, columns 0-7; the text's area is columns 9-63.
    for (const atMs of [0, 1000, 3000, 5000]) {
      const { frame } = render({ text: LONG, icon: 'square' }, atMs, icons);
      expect(colorsIn(frame, 0, 0, 9, 32)).toEqual(new Set(['#000000', '#0000ff']));
    }
    // At 3 s the text has travelled 60 px from column 64: it starts at column 4, cut at column 9.
    const { frame } = render({ text: LONG, icon: 'square' }, 3000, icons);
    const oracle = textAt(LONG, 4, MID);
    expect(colorPicture(frame, { '#': '#ffffff' }, 9, 0, 55, 32)).toEqual(colorPicture(oracle, { '#': '#ffffff' }, 9, 0, 55, 32));
    expect(litPixels(frame).filter((p) => Number(p.split(',')[0]) >= 9).length).toBeGreaterThan(0);
  });

  it('paints rainbow text a hue a character, the hues moving through it over time', () => {
    const rainbow = (atMs: number, colors: [number, number, number][]) => {
      const { frame, info } = render({ text: { value: 'HHH', rainbow: true } }, atMs);
      const oracle = blankFrame();
      drawText(oracle, 'HHH', centred('HHH'), MID, (i) => colors[i]!, 'small');
      expect(frameDifference(frame, oracle)).toBe('same');
      return info;
    };
    // 30 degrees of hue from one character to the next: red, orange, yellow.
    const first = rainbow(0, [
      [255, 0, 0],
      [255, 128, 0],
      [255, 255, 0],
    ]);
    expect(first).toMatchObject({ animated: true, scrolling: false });
    expect(first.frameMs).toBeGreaterThan(0);
    // A quarter second on, every hue has moved 30 degrees along: the first H has gone from red to rose.
    rainbow(250, [
      [255, 0, 128],
      [255, 0, 0],
      [255, 128, 0],
    ]);
    // Slow scrolling does not slow the rainbow down: the screen is redrawn for the faster of the two.
    expect(render({ text: { value: LONG, rainbow: true, speed: 5 } }).info.frameMs).toBe(first.frameMs);
    expect(render({ text: { value: LONG, rainbow: true, speed: 100 } }).info.frameMs).toBe(10);
  });

  it('runs a gradient from the first colour at the first character to the second at the last', () => {
    const { frame, info } = render({ text: { value: 'HHH', gradient: ['#ff0000', '#0000ff'] } });
    expect(info.animated).toBe(false);
    const oracle = blankFrame();
    const colors: [number, number, number][] = [
      [255, 0, 0],
      [128, 0, 128],
      [0, 0, 255],
    ];
    drawText(oracle, 'HHH', centred('HHH'), MID, (i) => colors[i]!, 'small');
    expect(frameDifference(frame, oracle)).toBe('same');
    // The rightmost character gets the second colour whatever its width: it starts where the gradient ends.
    const narrowLast = render({ text: { value: 'HHi', gradient: ['#ff0000', '#0000ff'] } }).frame;
    const second = measureText('HH', 'small') - measureText('H', 'small');
    const end = measureText('HHi', 'small') - measureText('i', 'small');
    const oracleNarrow = blankFrame();
    drawText(
      oracleNarrow,
      'HHi',
      centred('HHi'),
      MID,
      (i) =>
        [
          [255, 0, 0],
          [Math.round(255 * (1 - second / end)), 0, Math.round(255 * (second / end))],
          [0, 0, 255],
        ][i] as [number, number, number],
      'small',
    );
    expect(frameDifference(narrowLast, oracleNarrow)).toBe('same');
  });

  it('scrolls text that would leave less than a column free on either side, as notifications do', () => {
    // Texts of exact widths, built from characters of several widths whatever the font.
    const chars = [...'Hit,fl.Wm1'];
    const ofWidth = (target: number): string => {
      const reach = new Map<number, string>([[0, '']]);
      for (let width = 0; width <= target && !reach.has(target); width++) {
        const text = reach.get(width);
        if (text === undefined) continue;
        for (const c of chars) {
          const longer = text + c;
          const w = measureText(longer, 'small');
          if (w <= target && !reach.has(w)) reach.set(w, longer);
        }
      }
      const found = reach.get(target);
      if (found === undefined) throw new Error(`no text of width ${target}`);
      return found;
    };
    const widest = render({ text: ofWidth(62) });
    expect(widest.info.scrolling).toBe(false);
    expect(frameDifference(widest.frame, textAt(ofWidth(62), 1, MID))).toBe('same');
    expect(render({ text: ofWidth(63) }).info.scrolling).toBe(true);
  });

  it('shows newlines and tabs as spaces, keeping segment colours on their characters', () => {
    const spaced = render({
      text: [
        { t: 'H ', c: '#ff0000' },
        { t: 'i', c: '#00ff00' },
      ],
    }).frame;
    expect(
      frameDifference(
        render({
          text: [
            { t: 'H\n', c: '#ff0000' },
            { t: 'i', c: '#00ff00' },
          ],
        }).frame,
        spaced,
      ),
    ).toBe('same');
    expect(frameDifference(render({ text: 'H\ti' }).frame, render({ text: 'H i' }).frame)).toBe('same');
  });

  it('draws nothing for empty text and never throws on odd but well-typed content', () => {
    expect(litPixels(render({ text: '' }).frame)).toEqual([]);
    expect(litPixels(render({ text: [] }).frame)).toEqual([]);
    const odd: ScreenContent[] = [
      { text: { value: LONG, speed: 0 } },
      { text: { value: LONG, speed: -5 } },
      { text: { value: '😀 é', gradient: ['#ffffff', '#000000'] } },
      { text: { value: [{ t: '' }, { t: 'x', c: '#123456' }], rainbow: true } },
    ];
    for (const content of odd) expect(() => render(content, -100)).not.toThrow();
    expect(render({ text: { value: LONG, speed: -5 } }, 1000).info.frameMs).toBe(50);
  });
});
