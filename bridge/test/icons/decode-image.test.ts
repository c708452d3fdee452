/**
 * PNG and GIF files made into icons: pixels, transparency, frame timing and GIF disposal as a
 * browser shows them, and every way a file is refused (too large from its header alone, too many
 * frames, broken data).
 */
import { IconTooLargeError, InvalidIconError } from '../../src/errors';
import { decodeIcon } from '../../src/icons/decode-image';
import type { Icon } from '../../src/icons/icon';
import { gifHeaderBomb, gifWithFrames, makeGif, makePng } from '../helpers/icon-images';
import { seededRandom } from '../helpers/seeded-random';

const RED = [255, 0, 0];
const BLUE = [0, 0, 255];
const GREEN = [0, 255, 0];
const PALETTE = [RED, BLUE, GREEN, [0, 0, 0]];

/** The RGBA of pixel (x, y) in frame `f`. */
const at = (icon: Icon, f: number, x: number, y: number): number[] => [
  ...icon.frames[f]!.rgba.subarray((y * icon.width + x) * 4, (y * icon.width + x) * 4 + 4),
];

describe('PNG', () => {
  it('keeps every pixel, alpha included', () => {
    const png = makePng(3, 2, (x, y) => [x * 100, y * 200, 7, x === 2 ? 0 : 255]);
    const icon = decodeIcon('p', png, 'png');
    expect([icon.width, icon.height, icon.frames.length]).toEqual([3, 2, 1]);
    expect(at(icon, 0, 1, 1)).toEqual([100, 200, 7, 255]);
    expect(at(icon, 0, 2, 0)[3]).toBe(0);
  });

  it('refuses one over 32 pixels wide or high', () => {
    expect(() =>
      decodeIcon(
        'p',
        makePng(33, 8, () => [1, 2, 3, 255]),
        'png',
      ),
    ).toThrow(new IconTooLargeError('the image is 33x8 pixels; icons are at most 32x32'));
    expect(() =>
      decodeIcon(
        'p',
        makePng(8, 33, () => [1, 2, 3, 255]),
        'png',
      ),
    ).toThrow(IconTooLargeError);
    expect(
      decodeIcon(
        'p',
        makePng(32, 32, () => [1, 2, 3, 255]),
        'png',
      ).width,
    ).toBe(32);
  });

  it('refuses broken image data and a missing header', () => {
    const png = makePng(8, 8, (x) => [x * 30, 0, 0, 255]);
    const broken = Buffer.from(png);
    // Inside the IDAT chunk: its CRC no longer matches.
    broken[broken.length - 20] ^= 0xff;
    expect(() => decodeIcon('p', broken, 'png')).toThrow(InvalidIconError);
    expect(() => decodeIcon('p', png.subarray(0, 12), 'png')).toThrow(new InvalidIconError('broken PNG: no IHDR header'));
  });
});

describe('GIF', () => {
  it('keeps the frames with their own delays and colours', () => {
    const gif = makeGif(2, 1, PALETTE, [
      { indices: [0, 1], delayMs: 100 },
      { indices: [1, 2], delayMs: 250 },
      { indices: [2, 0], delayMs: 40 },
    ]);
    const icon = decodeIcon('g', gif, 'gif');
    expect(icon.frames.map((f) => f.delayMs)).toEqual([100, 250, 40]);
    expect([at(icon, 0, 0, 0), at(icon, 0, 1, 0)]).toEqual([
      [...RED, 255],
      [...BLUE, 255],
    ]);
    expect(at(icon, 2, 0, 0)).toEqual([...GREEN, 255]);
  });

  it('decodes 32x32 frames of 256 colours exactly (LZW codes growing from 9 to 11 bits)', () => {
    const seed = 1515;
    console.log(`seed ${seed}`);
    const random = seededRandom(seed);
    const palette = Array.from({ length: 256 }, (_, i) => [i, 255 - i, (i * 7) & 255]);
    // Runs of a colour, so LZW builds long strings and its table grows past 1024 codes.
    const frame = (): number[] => {
      const out: number[] = [];
      while (out.length < 1024) out.push(...Array<number>(1 + Math.floor(random() * 3)).fill(Math.floor(random() * 256)));
      return out.slice(0, 1024);
    };
    const frames = [frame(), frame()];
    const icon = decodeIcon(
      'g',
      makeGif(
        32,
        32,
        palette,
        frames.map((indices) => ({ indices, delayMs: 100 })),
      ),
      'gif',
    );
    frames.forEach((indices, f) => {
      expect([...icon.frames[f]!.rgba]).toEqual(indices.flatMap((i) => [...palette[i]!, 255]));
    });
  });

  it('draws the transparent index as nothing, and keeps the picture under it (disposal 1)', () => {
    const icon = decodeIcon(
      'g',
      makeGif(2, 1, PALETTE, [
        { indices: [0, 3], delayMs: 100, transparentIndex: 3 },
        { indices: [3, 1], delayMs: 100, transparentIndex: 3 },
      ]),
      'gif',
    );
    expect(at(icon, 0, 1, 0)[3]).toBe(0);
    // Frame 2 leaves pixel 0 alone: frame 1's red shows through.
    expect([at(icon, 1, 0, 0), at(icon, 1, 1, 0)]).toEqual([
      [...RED, 255],
      [...BLUE, 255],
    ]);
  });

  it('clears a frame to transparent after it shows (disposal 2) and restores the picture before it (disposal 3)', () => {
    const cleared = decodeIcon(
      'g',
      makeGif(2, 1, PALETTE, [
        { indices: [0, 0], delayMs: 100, dispose: 2, transparentIndex: 3 },
        { indices: [3, 1], delayMs: 100, transparentIndex: 3 },
      ]),
      'gif',
    );
    expect([at(cleared, 1, 0, 0)[3], at(cleared, 1, 1, 0)]).toEqual([0, [...BLUE, 255]]);
    const restored = decodeIcon(
      'g',
      makeGif(2, 1, PALETTE, [
        { indices: [0, 0], delayMs: 100, transparentIndex: 3 },
        { indices: [1, 1], delayMs: 100, dispose: 3, transparentIndex: 3 },
        { indices: [3, 2], delayMs: 100, transparentIndex: 3 },
      ]),
      'gif',
    );
    // Frame 2 (blue) is undone: frame 3 draws over frame 1's red.
    expect([at(restored, 2, 0, 0), at(restored, 2, 1, 0)]).toEqual([
      [...RED, 255],
      [...GREEN, 255],
    ]);
  });

  it('puts the rows of an interlaced image back in order', () => {
    // An 8-row GIF stores its rows interlaced as 0, 4, 2, 6, 1, 3, 5, 7 (passes of 8, 8, 4 and 2).
    const stored = [0, 4, 2, 6, 1, 3, 5, 7];
    const palette = Array.from({ length: 8 }, (_, row) => [row * 30, 0, 0]);
    const gif = Buffer.from(makeGif(1, 8, palette, [{ indices: stored, delayMs: 100 }]));
    const descriptor = gif.indexOf(0x2c, 13 + 3 * 8);
    gif[descriptor + 9]! |= 0x40;
    const icon = decodeIcon('g', gif, 'gif');
    expect(Array.from({ length: 8 }, (_, y) => at(icon, 0, 0, y)[0])).toEqual([0, 30, 60, 90, 120, 150, 180, 210]);
  });

  it('refuses a header claiming 65535x65535 from its first 13 bytes, before reading anything else', () => {
    const bomb = gifHeaderBomb();
    const refusal = new IconTooLargeError('the image is 65535x65535 pixels; icons are at most 32x32');
    expect(() => decodeIcon('g', bomb, 'gif')).toThrow(refusal);
    // Cut after the logical screen: the refusal is the same, so nothing past it was read.
    expect(() => decodeIcon('g', bomb.subarray(0, 13), 'gif')).toThrow(refusal);
  });

  it('takes 64 frames and refuses 65 while walking the blocks', () => {
    expect(decodeIcon('g', gifWithFrames(64), 'gif').frames).toHaveLength(64);
    expect(() => decodeIcon('g', gifWithFrames(65), 'gif')).toThrow(new IconTooLargeError('the GIF has more than 64 frames; icons have at most 64'));
  });

  it('refuses a file cut short, a frame outside the picture and broken LZW data', () => {
    const gif = gifWithFrames(3);
    expect(() => decodeIcon('g', gif.subarray(0, gif.length - 12), 'gif')).toThrow(new InvalidIconError('broken GIF: the file ends too early'));
    const outside = Buffer.from(gifWithFrames(1));
    const descriptor = outside.indexOf(0x2c, 13);
    outside.writeUInt16LE(5, descriptor + 1); // left = 5 in a 2-pixel-wide picture
    expect(() => decodeIcon('g', outside, 'gif')).toThrow(/lies outside the 2x2 picture/);
    // Literal 0 (3 bits: 000) then code 7 (111), which no table entry could be yet.
    const lzw = [0x02, 0x01, 0b00111000, 0x00];
    const handMade = Buffer.from([...Buffer.from('GIF89a'), 2, 0, 2, 0, 0x80, 0, 0, ...RED, ...BLUE, 0x2c, 0, 0, 0, 0, 2, 0, 2, 0, 0, ...lzw, 0x3b]);
    expect(() => decodeIcon('g', handMade, 'gif')).toThrow(new InvalidIconError('broken GIF: corrupt LZW image data'));
  });
});
