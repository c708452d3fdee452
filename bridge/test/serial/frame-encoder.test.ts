/** Frame updates as WRITE_RECTs: lossless, within the packet size, the cheaper format per band. */
import { FRAME_BYTES } from '@megabit/contract';
import { frameUpdate } from '../../src/serial/frame-encoder';
import { encodeMessage, MAX_PACKET, PixelFormat } from '../../src/serial/protocol';
import { patternFrame } from '../helpers/serial/link-test-kit';
import { solidFrame } from '../helpers/display';

/** Applies WRITE_RECTs to a draw buffer the way the device does. */
function apply(buffer: Uint8Array, rects: ReturnType<typeof frameUpdate>): Uint8Array {
  const out = Uint8Array.from(buffer);
  for (const r of rects) {
    const pixels = new Uint8Array(r.w * r.h * 3);
    if (r.format === PixelFormat.RGB888) pixels.set(r.pixels);
    else {
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
});
