import type { ScreenContent } from '@megabit/contract';
import { blankFrame, drawText, lineHeight, measureText } from '../../src/display';
import type { Icon } from '../../src/icons/icon';
import { renderScreen } from '../../src/screens/render';
import { frameDifference, litPixels } from '../helpers/display';
import { colorPicture, colorsIn, iconFromPictures } from '../helpers/screen-pictures';

const LEGEND = { '#': '#ffffff', y: '#ffff00', o: '#ff8000', c: '#00aaff', p: '#00c853', g: '#282828', r: '#ff0000', b: '#0000ff' };
const SUN_ROWS = ['...y....', '.y.y.y..', '..ooo...', 'yyooo.yy', '..ooo...', '.y.y.y..', '...y....', '........'];
const SUN = iconFromPictures('sun', LEGEND, [{ rows: SUN_ROWS }]);
/** Two frames: a red dot, 100 ms, then a blue one, 300 ms. */
const BLINK = iconFromPictures('blink', LEGEND, [
  { rows: ['r.', '..'], delayMs: 100 },
  { rows: ['..', '.b'], delayMs: 300 },
]);
const ICONS = new Map<string, Icon>([
  ['sun', SUN],
  ['blink', BLINK],
]);

function render(content: ScreenContent, atMs = 0) {
  const frame = blankFrame();
  const info = renderScreen(frame, content, { atMs, icons: ICONS });
  return { frame, info };
}

const picture = (frame: Uint8Array, x = 0, y = 0, width = 64, height = 32) => colorPicture(frame, LEGEND, x, y, width, height);

describe('screen renderer: background and icon', () => {
  it('fills the whole panel with the background colour, black by default', () => {
    expect(colorsIn(render({ background: '#102030' }).frame)).toEqual(new Set(['#102030']));
    expect(litPixels(render({}).frame)).toEqual([]);
    // A frame that held something before is cleared.
    const frame = blankFrame().fill(200);
    renderScreen(frame, {}, { atMs: 0, icons: ICONS });
    expect(litPixels(frame)).toEqual([]);
  });

  it('puts an icon at the left edge, vertically centred, with the background through its transparent pixels', () => {
    const { frame, info } = render({ icon: 'sun', background: '#0000ff' });
    expect(picture(frame, 0, 12, 8, 8)).toEqual(SUN_ROWS.map((row) => row.replace(/\./g, 'b')));
    expect(colorsIn(frame, 8, 0, 56, 32)).toEqual(new Set(['#0000ff']));
    expect(colorsIn(frame, 0, 0, 8, 12)).toEqual(new Set(['#0000ff']));
    expect(info.animated).toBe(false);
  });

  it('puts an icon at the right edge when told to', () => {
    const { frame } = render({ icon: { name: 'sun', position: 'right' } });
    expect(picture(frame, 56, 12, 8, 8)).toEqual(SUN_ROWS);
    expect(litPixels(frame).every((p) => Number(p.split(',')[0]) >= 56)).toBe(true);
  });

  it('centres the text in the width the icon leaves, one column from it', () => {
    const oracle = blankFrame();
    const width = measureText('Hi', 'small');
    const y = Math.floor((32 - lineHeight('small')) / 2);
    // Left icon: the text's area is columns 9-63 (55 columns).
    drawText(oracle, 'Hi', 9 + Math.floor((55 - width) / 2), y, [255, 255, 255], 'small');
    const left = render({ text: 'Hi', icon: 'sun' }).frame;
    expect(frameDifference(left, mergeIcon(oracle, 0, 12))).toBe('same');
    // Right icon: the area is columns 0-54.
    const right = render({ text: 'Hi', icon: { name: 'sun', position: 'right' } }).frame;
    const oracleRight = blankFrame();
    drawText(oracleRight, 'Hi', Math.floor((55 - width) / 2), y, [255, 255, 255], 'small');
    expect(frameDifference(right, mergeIcon(oracleRight, 56, 12))).toBe('same');
  });

  it('shows an animated icon frame by frame, and says the screen must be redrawn', () => {
    const first = render({ icon: 'blink' });
    expect(first.info).toMatchObject({ animated: true, frameMs: 100, scrolling: false });
    expect(picture(first.frame, 0, 15, 2, 2)).toEqual(['r.', '..']);
    expect(picture(render({ icon: 'blink' }, 150).frame, 0, 15, 2, 2)).toEqual(['..', '.b']);
    expect(picture(render({ icon: 'blink' }, 420).frame, 0, 15, 2, 2)).toEqual(['r.', '..']);
  });

  it('leaves out an icon the source does not have, and gives its room to the text', () => {
    expect(frameDifference(render({ text: 'Hi', icon: 'nope' }).frame, render({ text: 'Hi' }).frame)).toBe('same');
  });
});

/** `frame` with the sun drawn at (x, y). */
function mergeIcon(frame: Uint8Array, x: number, y: number): Uint8Array {
  const out = frame.slice();
  SUN_ROWS.forEach((row, dy) => {
    [...row].forEach((char, dx) => {
      if (char === '.') return;
      const color = LEGEND[char as keyof typeof LEGEND];
      out.set([parseInt(color.slice(1, 3), 16), parseInt(color.slice(3, 5), 16), parseInt(color.slice(5, 7), 16)], ((y + dy) * 64 + x + dx) * 3);
    });
  });
  return out;
}

describe('screen renderer: progress', () => {
  it('draws the bar along the two bottom rows: the share done in its colour, the rest in its background', () => {
    const { frame } = render({ progress: { value: 25, color: '#ff0000', background: '#0000ff' } });
    expect(picture(frame, 0, 29, 64, 3)).toEqual(['.'.repeat(64), 'r'.repeat(16) + 'b'.repeat(48), 'r'.repeat(16) + 'b'.repeat(48)]);
    expect(colorsIn(frame, 0, 0, 64, 30)).toEqual(new Set(['#000000']));
  });

  it('has default colours for a bare number, and keeps values to 0..100', () => {
    expect(picture(render({ progress: 50 }).frame, 0, 30, 64, 2)).toEqual(Array(2).fill('p'.repeat(32) + 'g'.repeat(32)));
    expect(picture(render({ progress: 0 }).frame, 0, 30, 64, 1)).toEqual(['g'.repeat(64)]);
    expect(picture(render({ progress: 100 }).frame, 0, 30, 64, 1)).toEqual(['p'.repeat(64)]);
    expect(picture(render({ progress: 250 }).frame, 0, 30, 64, 1)).toEqual(['p'.repeat(64)]);
    expect(picture(render({ progress: -3 }).frame, 0, 30, 64, 1)).toEqual(['g'.repeat(64)]);
  });
});

describe('screen renderer: chart', () => {
  it('draws a line chart over the whole panel, scaled from the smallest value (bottom) to the largest (top)', () => {
    const { frame, info } = render({ chart: { type: 'line', values: [0, 10, 5] } });
    expect(info.animated).toBe(false);
    expect(picture(frame)).toEqual([
      '................................cc..............................',
      '...............................c..cc............................',
      '..............................c.....cc..........................',
      '.............................c........cc........................',
      '............................c...........cc......................',
      '...........................c..............cc....................',
      '..........................c.................cc..................',
      '.........................c....................cc................',
      '........................c.......................cc..............',
      '.......................c..........................cc............',
      '......................c.............................cc..........',
      '.....................c................................cc........',
      '....................c...................................cc......',
      '...................c......................................cc....',
      '..................c.........................................cc..',
      '................cc............................................cc',
      '...............c................................................',
      '..............c.................................................',
      '.............c..................................................',
      '............c...................................................',
      '...........c....................................................',
      '..........c.....................................................',
      '.........c......................................................',
      '........c.......................................................',
      '.......c........................................................',
      '......c.........................................................',
      '.....c..........................................................',
      '....c...........................................................',
      '...c............................................................',
      '..c.............................................................',
      '.c..............................................................',
      'c...............................................................',
    ]);
  });

  it('draws bars in equal slots with a blank column between them, the smallest one row tall', () => {
    const { frame } = render({ chart: { type: 'bar', values: [1, 2, 3, 4], color: '#ff0000' } });
    const bar = 'r'.repeat(15);
    const rows = picture(frame);
    // Each bar's top row: 31, 21, 10 and 0 (a third of 31 rows is 10.3, two thirds 20.7).
    expect(rows[0]).toBe(`${'.'.repeat(48)}${bar}.`);
    expect(rows[10]).toBe(`${'.'.repeat(32)}${bar}.${bar}.`);
    expect(rows[9]).toBe(rows[0]);
    expect(rows[21]).toBe(`${'.'.repeat(16)}${bar}.${bar}.${bar}.`);
    expect(rows[20]).toBe(rows[10]);
    expect(rows[31]).toBe(`${bar}.${bar}.${bar}.${bar}.`);
    expect(rows[30]).toBe(rows[21]);
  });

  it('draws equal values as a flat line (or equal bars) at mid-height', () => {
    const line = picture(render({ chart: { type: 'line', values: [7, 7, 7] } }).frame);
    expect(line[15]).toBe('c'.repeat(64));
    expect(line.filter((row) => row.includes('c'))).toHaveLength(1);
    const single = picture(render({ chart: { type: 'line', values: [42] } }).frame);
    expect(single[15]).toBe('c'.repeat(64));
    const bars = picture(render({ chart: { type: 'bar', values: [3, 3] } }).frame);
    expect(bars.findIndex((row) => row.includes('c'))).toBe(15);
    expect(bars[31]).toBe(`${'c'.repeat(31)}.${'c'.repeat(31)}.`);
  });

  it('gives every value one column when there are 64, and shows the newest 64 of more', () => {
    const ramp = Array.from({ length: 64 }, (_, i) => i);
    const rows = picture(render({ chart: { type: 'bar', values: ramp } }).frame);
    expect(rows[31]).toBe('c'.repeat(64));
    // Value i reaches row 31 - round(i / 63 * 31): the two largest both reach the top row.
    const tops = Array.from({ length: 64 }, (_, x) => rows.findIndex((row) => row[x] === 'c'));
    expect(tops).toEqual(ramp.map((i) => 31 - Math.round((i / 63) * 31)));
    expect(rows[0]).toBe(`${'.'.repeat(62)}cc`);
    const more = picture(render({ chart: { type: 'bar', values: [1000, ...ramp] } }).frame);
    expect(more).toEqual(rows);
  });

  it('draws nothing for an empty list', () => {
    expect(litPixels(render({ chart: { type: 'bar', values: [] } }).frame)).toEqual([]);
    expect(litPixels(render({ chart: { type: 'line', values: [] } }).frame)).toEqual([]);
  });
});

describe('screen renderer: combinations', () => {
  // Pins today's small font, Galmuri7 (the text's glyphs, and the band's height: a 13-row line
  // and a row above and below, the icon centred on it).
  it('puts icon and text in a band at the top, the chart below them and the progress bar at the bottom', () => {
    const { frame, info } = render({ text: '21', icon: 'sun', chart: { type: 'bar', values: [1, 3, 2, 5, 4] }, progress: 25 });
    expect(info).toEqual({ animated: false, frameMs: 0, scrolling: false, scrollPasses: 0, scrollPassMs: 0 });
    expect(picture(frame)).toEqual([
      '................................................................',
      '................................................................',
      '................................................................',
      '...y............................................................',
      '.y.y.y..........................................................',
      '..ooo............................###..##........................',
      'yyooo.yy............................#..#........................',
      '..ooo...............................#..#........................',
      '.y.y.y............................##...#........................',
      '...y.............................#.....#........................',
      '.................................#.....#........................',
      '.................................####..#........................',
      '................................................................',
      '................................................................',
      '................................................................',
      '......................................ccccccccccc...............',
      '......................................ccccccccccc...............',
      '......................................ccccccccccc...............',
      '......................................ccccccccccc.ccccccccccc...',
      '......................................ccccccccccc.ccccccccccc...',
      '......................................ccccccccccc.ccccccccccc...',
      '..............ccccccccccc.............ccccccccccc.ccccccccccc...',
      '..............ccccccccccc.............ccccccccccc.ccccccccccc...',
      '..............ccccccccccc.............ccccccccccc.ccccccccccc...',
      '..............ccccccccccc.............ccccccccccc.ccccccccccc...',
      '..............ccccccccccc.ccccccccccc.ccccccccccc.ccccccccccc...',
      '..............ccccccccccc.ccccccccccc.ccccccccccc.ccccccccccc...',
      '..............ccccccccccc.ccccccccccc.ccccccccccc.ccccccccccc...',
      '..ccccccccccc.ccccccccccc.ccccccccccc.ccccccccccc.ccccccccccc...',
      '................................................................',
      'ppppppppppppppppgggggggggggggggggggggggggggggggggggggggggggggggg',
      'ppppppppppppppppgggggggggggggggggggggggggggggggggggggggggggggggg',
    ]);
  });

  it('puts a text alone above a chart in a band of its line plus a row above and below', () => {
    const { frame } = render({ text: 'Hi', chart: { type: 'line', values: [5, 5] } });
    const oracle = blankFrame();
    const band = lineHeight('small') + 2;
    drawText(oracle, 'Hi', Math.floor((64 - measureText('Hi', 'small')) / 2), 1, [255, 255, 255], 'small');
    expect(picture(frame, 0, 0, 64, band)).toEqual(picture(oracle, 0, 0, 64, band));
    // The chart's area is the rows below the band: mid-height is half its height (rounded) above row 31.
    expect(picture(frame)[31 - Math.round((32 - band - 1) / 2)]).toBe('c'.repeat(64));
  });

  it('scrolls text beside an animated icon: the screen is animated at the faster of the two', () => {
    const long = 'Washing machine done, please empty it';
    const { info } = render({ text: { value: long, speed: 50 }, icon: 'blink' }, 0);
    expect(info).toMatchObject({ animated: true, scrolling: true, frameMs: 20 });
    expect(render({ text: { value: long, speed: 5 }, icon: 'blink' }).info.frameMs).toBe(100);
  });
});
