/** Frame updates as WRITE_RECTs: lossless, within the packet size, the cheaper format per band. */
import { FRAME_BYTES } from '@megabit/contract';
import { frameUpdate } from '../../src/serial/frame-encoder';
import { decodeLevelRice, encodeMessage, type LevelClasses, levelClasses, levelRiceRowsAbove, MAX_PACKET, PixelFormat, quantise } from '../../src/serial/protocol';
import { patternFrame } from '../helpers/serial/link-test-kit';
import { solidFrame } from '../helpers/display';

/** Applies WRITE_RECTs to a draw buffer the way the device does (LEVEL_RICE given its classes). */
function apply(buffer: Uint8Array, rects: ReturnType<typeof frameUpdate>, classes?: LevelClasses): Uint8Array {
  const out = Uint8Array.from(buffer);
  for (const r of rects) {
    const pixels = new Uint8Array(r.w * r.h * 3);
    if (r.format === PixelFormat.RGB888) pixels.set(r.pixels);
    else if (r.format === PixelFormat.LEVEL_RICE) {
      if (!classes) throw new Error('LEVEL_RICE without level classes');
      const above = levelRiceRowsAbove(out, 64, r.x, r.y, r.w).map((v) => classes.classOf[v]);
      const decoded = decodeLevelRice(r.pixels, r.w, r.h, classes.count, above);
      if (!decoded) throw new Error('LEVEL_RICE does not decode');
      pixels.set(decoded.map((c) => classes.valueOf[c]));
    } else {
      let at = 0;
      for (let i = 0; i < r.pixels.length; i += 4) {
        for (let k = 0; k < r.pixels[i]; k++) pixels.set(r.pixels.subarray(i + 1, i + 4), at++ * 3);
      }
      expect(at).toBe(r.w * r.h);
    }
    for (let row = 0; row < r.h; row++) out.set(pixels.subarray(row * r.w * 3, (row + 1) * r.w * 3), ((r.y + row) * 64 + r.x) * 3);
  }
  return out;
}

function wireSize(rect: ReturnType<typeof frameUpdate>[number]): number {
  // Without COBS framing: the packet the size limit is about.
  return rect.pixels.length + 5 + 5;
}

describe('frameUpdate', () => {
  it.each([MAX_PACKET, 512, 200, 64])('sends a whole frame in packets of at most %i bytes, losslessly', (limit) => {
    const frame = patternFrame(11);
    const rects = frameUpdate(undefined, frame, limit);
    for (const r of rects) expect(wireSize(r)).toBeLessThanOrEqual(limit);
    for (const r of rects) expect(() => encodeMessage(r)).not.toThrow();
    expect(apply(new Uint8Array(FRAME_BYTES), rects)).toEqual(frame);
  });

  it('covers only what changed', () => {
    const before = patternFrame(12);
    const after = Uint8Array.from(before);
    after.set([9, 9, 9], (5 * 64 + 7) * 3);
    after.set([9, 9, 9], (30 * 64 + 60) * 3);
    const rects = frameUpdate(before, after, MAX_PACKET);
    expect(rects.map((r) => [r.x, r.y, r.w, r.h])).toEqual([
      [7, 5, 1, 1],
      [60, 30, 1, 1],
    ]);
    expect(apply(before, rects)).toEqual(after);
  });

  it('sends nothing for an unchanged frame', () => {
    expect(frameUpdate(patternFrame(1), patternFrame(1), MAX_PACKET)).toEqual([]);
  });

  it('uses RLE888 for a flat frame (one packet) and RGB888 for noise', () => {
    const flat = frameUpdate(undefined, solidFrame(10, 20, 30), MAX_PACKET);
    expect(flat).toHaveLength(1);
    expect(flat[0]).toMatchObject({ format: PixelFormat.RLE888, x: 0, y: 0, w: 64, h: 32 });
    expect(flat[0].pixels).toHaveLength(Math.ceil(2048 / 255) * 4);
    const noisy = frameUpdate(undefined, patternFrame(13), MAX_PACKET);
    expect(noisy.every((r) => r.format === PixelFormat.RGB888)).toBe(true);
  });

  it('splits runs longer than 255 pixels', () => {
    const rects = frameUpdate(undefined, solidFrame(1, 2, 3), MAX_PACKET);
    const counts = [];
    for (let i = 0; i < rects[0].pixels.length; i += 4) counts.push(rects[0].pixels[i]);
    expect(counts.every((c) => c >= 1 && c <= 255)).toBe(true);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(2048);
  });

  describe('glyphs apart on one background (a notification text changing colour)', () => {
    type Colour = (x: number, y: number) => [number, number, number];
    /** Six 3x7 glyphs 4 pixels apart in rows 12..18 of a black frame: six rectangles to the diff. */
    function textFrame(colour: Colour): Uint8Array {
      const frame = new Uint8Array(FRAME_BYTES);
      for (let glyph = 0; glyph < 6; glyph++) {
        for (let y = 12; y < 19; y++) {
          for (let x = 2 + glyph * 7; x < 5 + glyph * 7; x++) if ((x + y) % 3 !== 0) frame.set(colour(x, y), (y * 64 + x) * 3);
        }
      }
      return frame;
    }
    const plain =
      (r: number, g: number, b: number): Colour =>
      () => [r, g, b];
    const boxOf = (rects: ReturnType<typeof frameUpdate>) => rects.map((r) => [r.x, r.y, r.w, r.h]);

    it.each([
      ['a 1.3 device (LEVEL_RICE)', levelClasses(8)],
      ['an older device (RGB888, RLE888)', undefined],
    ])('go out as one rectangle around them when that costs less: %s', (_, classes) => {
      const held = (frame: Uint8Array): Uint8Array => (classes ? quantise(frame, classes) : frame);
      const before = held(textFrame(plain(255, 128, 200)));
      const after = held(textFrame(plain(255, 160, 140)));
      const rects = frameUpdate(before, after, MAX_PACKET, classes);
      expect(boxOf(rects)).toEqual([[2, 12, 38, 7]]);
      expect(apply(before, rects, classes)).toEqual(after);
    });

    it('stay apart when the box around them would cost more (every pixel its own colour)', () => {
      const before = textFrame(plain(255, 128, 200));
      const after = textFrame((x, y) => [x * 4, y * 8, (x * y) & 0xff]);
      const rects = frameUpdate(before, after, MAX_PACKET);
      expect(rects).toHaveLength(6);
      expect(apply(before, rects)).toEqual(after);
    });
  });
});
