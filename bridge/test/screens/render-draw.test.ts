import type { DrawCommand, ScreenContent } from '@megabit/contract';
import { blankFrame, drawText } from '../../src/display';
import type { Icon } from '../../src/icons/icon';
import { renderScreen } from '../../src/screens/render';
import { frameDifference, litPixels } from '../helpers/display';
import { colorPicture } from '../helpers/screen-pictures';

const LEGEND = { '#': '#ffffff', r: '#ff0000', b: '#0000ff', g: '#00ff00', k: '#101010' };

function draw(commands: DrawCommand[], extra: ScreenContent = {}): Uint8Array {
  const frame = blankFrame();
  renderScreen(frame, { ...extra, draw: commands }, { atMs: 0, icons: new Map<string, Icon>() });
  return frame;
}

const picture = (frame: Uint8Array, x: number, y: number, width: number, height: number) => colorPicture(frame, LEGEND, x, y, width, height);

describe('screen renderer: draw list', () => {
  it('sets single pixels', () => {
    const frame = draw([
      { pixel: [3, 2], color: '#ff0000' },
      { pixel: [63, 31], color: '#0000ff' },
    ]);
    expect(litPixels(frame)).toEqual(['3,2', '63,31']);
    expect(picture(frame, 2, 1, 3, 3)).toEqual(['...', '.r.', '...']);
  });

  it("draws lines pixel by pixel as Bresenham's algorithm does, both ends included", () => {
    expect(picture(draw([{ line: [0, 0, 5, 2], color: '#ffffff' }]), 0, 0, 6, 3)).toEqual(['##....', '..##..', '....##']);
    // The same line drawn from the other end, and a vertical one.
    expect(picture(draw([{ line: [5, 2, 0, 0], color: '#ffffff' }]), 0, 0, 6, 3)).toEqual(['##....', '..##..', '....##']);
    expect(picture(draw([{ line: [1, 0, 1, 2], color: '#ffffff' }]), 0, 0, 3, 3)).toEqual(['.#.', '.#.', '.#.']);
  });

  it('draws rectangles as an outline, or filled', () => {
    expect(picture(draw([{ rect: [1, 1, 5, 4], color: '#00ff00' }]), 0, 0, 7, 6)).toEqual(['.......', '.ggggg.', '.g...g.', '.g...g.', '.ggggg.', '.......']);
    expect(picture(draw([{ rect: [1, 1, 5, 4], color: '#00ff00', fill: true }]), 0, 0, 7, 6)).toEqual([
      '.......',
      '.ggggg.',
      '.ggggg.',
      '.ggggg.',
      '.ggggg.',
      '.......',
    ]);
    expect(litPixels(draw([{ rect: [1, 1, 0, 4], color: '#00ff00' }]))).toEqual([]);
  });

  it('draws midpoint circles as an outline, or filled to the same shape', () => {
    expect(picture(draw([{ circle: [4, 4, 3], color: '#ff0000' }]), 1, 1, 7, 7)).toEqual([
      '..rrr..',
      '.r...r.',
      'r.....r',
      'r.....r',
      'r.....r',
      '.r...r.',
      '..rrr..',
    ]);
    expect(picture(draw([{ circle: [4, 4, 3], color: '#ff0000', fill: true }]), 1, 1, 7, 7)).toEqual([
      '..rrr..',
      '.rrrrr.',
      'rrrrrrr',
      'rrrrrrr',
      'rrrrrrr',
      '.rrrrr.',
      '..rrr..',
    ]);
    expect(litPixels(draw([{ circle: [4, 4, 0], color: '#ff0000' }]))).toEqual(['4,4']);
  });

  it('writes text with the top-left corner of its line at x/y, in the font asked for', () => {
    const oracle = blankFrame();
    drawText(oracle, '42', 10, 5, [0, 0, 255], 'small');
    expect(frameDifference(draw([{ text: '42', at: [10, 5], color: '#0000ff', font: 'small' }]), oracle)).toBe('same');
    // Pins today's small font (Galmuri7): capitals and digits start 4 rows into the line.
    expect(picture(draw([{ text: '1', at: [0, 0], color: '#ffffff' }]), 0, 0, 3, 12)).toEqual([
      '...',
      '...',
      '...',
      '...',
      '##.',
      '.#.',
      '.#.',
      '.#.',
      '.#.',
      '.#.',
      '.#.',
      '...',
    ]);
  });

  it('paints bitmaps row by row, leaving null pixels (and missing ones) as they were', () => {
    const frame = draw([{ bitmap: [2, 1, 3, 2], pixels: ['#ff0000', null, '#0000ff', null, '#00ff00'] }], { background: '#101010' });
    expect(picture(frame, 1, 0, 5, 4)).toEqual(['kkkkk', 'krkbk', 'kkgkk', 'kkkkk']);
  });

  it('paints in list order, after (over) everything else', () => {
    const frame = draw(
      [
        { rect: [0, 0, 64, 32], color: '#ff0000', fill: true },
        { pixel: [1, 1], color: '#0000ff' },
      ],
      { text: 'Hi', progress: 50 },
    );
    expect(picture(frame, 0, 0, 3, 3)).toEqual(['rrr', 'rbr', 'rrr']);
    expect(litPixels(frame)).toHaveLength(64 * 32);
    expect(colorPicture(frame, LEGEND, 0, 0, 64, 32).every((row) => /^[rb]+$/.test(row))).toBe(true);
  });

  it('clips shapes partly off the panel and rounds fractional coordinates', () => {
    const diagonal = litPixels(draw([{ line: [-10, -10, 2, 2], color: '#ffffff' }]));
    expect(diagonal).toEqual(['0,0', '1,1', '2,2']);
    expect(litPixels(draw([{ circle: [0, 0, 1], color: '#ffffff', fill: true }]))).toEqual(['0,0', '1,0', '0,1']);
    expect(litPixels(draw([{ pixel: [2.4, 0.6], color: '#ffffff' }]))).toEqual(['2,1']);
  });

  it('leaves out primitives beyond the coordinate limit instead of working through them', () => {
    const frame = draw([
      { line: [0, 0, 1e12, 5], color: '#ffffff' },
      { circle: [32, 16, 1e9], color: '#ffffff' },
      { rect: [0, 0, 1e7, 2], color: '#ffffff' },
      { pixel: [Number.NaN, 1], color: '#ffffff' },
      { pixel: [5, 5], color: '#ff0000' },
    ]);
    expect(litPixels(frame)).toEqual(['5,5']);
  });
});
