import { inflateSync } from 'node:zlib';
import { PNG } from 'pngjs';
import { blankFrame, encodeFramePng } from '../../src/display';
import { seededRandom } from '../helpers/seeded-random';

function randomFrame(): Uint8Array {
  const random = seededRandom(42);
  const frame = blankFrame();
  for (let i = 0; i < frame.length; i++) frame[i] = Math.floor(random() * 256);
  return frame;
}

describe('encodeFramePng', () => {
  it('decodes back to the same pixels at scale 1', () => {
    const frame = randomFrame();
    const png = PNG.sync.read(encodeFramePng(frame));
    expect([png.width, png.height]).toEqual([64, 32]);
    for (let p = 0; p < 64 * 32; p++) {
      expect([...png.data.subarray(p * 4, p * 4 + 4)]).toEqual([frame[p * 3], frame[p * 3 + 1], frame[p * 3 + 2], 255]);
    }
  });

  it('scales each pixel up to a block', () => {
    const frame = randomFrame();
    const png = PNG.sync.read(encodeFramePng(frame, 3));
    expect([png.width, png.height]).toEqual([192, 96]);
    for (let y = 0; y < 96; y++) {
      for (let x = 0; x < 192; x++) {
        const src = (Math.floor(y / 3) * 64 + Math.floor(x / 3)) * 3;
        const dst = (y * 192 + x) * 4;
        if (png.data[dst] !== frame[src] || png.data[dst + 1] !== frame[src + 1] || png.data[dst + 2] !== frame[src + 2]) {
          throw new Error(`pixel ${x},${y} differs`);
        }
      }
    }
  });

  it('picks a filter per row, each of the five where it fits, and decodes to the same pixels', () => {
    const frames = [blankFrame(), randomFrame()];
    // Smooth gradients across and down, and their mix: Sub, Up, Average and Paeth win on them.
    for (const [fx, fy] of [
      [4, 0],
      [0, 8],
      [3, 5],
      [1, 1],
    ]) {
      const frame = blankFrame();
      for (let y = 0; y < 32; y++) for (let x = 0; x < 64; x++) frame.set([(x * fx + y * fy) & 0xff, (x * fy) & 0xff, (y * fx + x) & 0xff], (y * 64 + x) * 3);
      frames.push(frame);
    }
    const filters = new Set<number>();
    for (const frame of frames) {
      const file = encodeFramePng(frame);
      const png = PNG.sync.read(file);
      const pixels = [...png.data].filter((_, i) => i % 4 !== 3);
      expect(Buffer.from(pixels).equals(Buffer.from(frame))).toBe(true);
      // IHDR is 8 + 25 bytes in; the one IDAT chunk follows it.
      const idatLength = file.readUInt32BE(33);
      const rows = inflateSync(file.subarray(41, 41 + idatLength));
      for (let y = 0; y < 32; y++) filters.add(rows[y * (64 * 3 + 1)]!);
    }
    expect([...filters].sort()).toEqual([0, 1, 2, 3, 4]);
  });

  it('refuses bad frames and scales', () => {
    expect(() => encodeFramePng(new Uint8Array(5))).toThrow(/6144 bytes/);
    expect(() => encodeFramePng(blankFrame(), 0)).toThrow(/scale must be an integer from 1 to 16/);
    expect(() => encodeFramePng(blankFrame(), 1.5)).toThrow(/scale/);
    expect(() => encodeFramePng(blankFrame(), 17)).toThrow(/scale/);
  });
});
