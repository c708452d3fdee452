/** A frame as a PNG (for `P/display/png` and the HTTP preview), optionally scaled up. */
import { DISPLAY_HEIGHT, DISPLAY_WIDTH } from '@megabit/contract';
import { pngjs } from '../util/pngjs';
import { assertFrame } from './frame';

export const MAX_PNG_SCALE = 16;

/** Each panel pixel becomes a `scale` x `scale` block (an integer from 1 to 16). */
export function encodeFramePng(frame: Uint8Array, scale = 1): Buffer {
  assertFrame(frame);
  if (!Number.isInteger(scale) || scale < 1 || scale > MAX_PNG_SCALE) {
    throw new RangeError(`PNG scale must be an integer from 1 to ${MAX_PNG_SCALE}, got ${String(scale)}`);
  }
  const width = DISPLAY_WIDTH * scale;
  // pngjs takes RGBA input whatever it writes; the file itself is RGB (colour type 2).
  const { PNG } = pngjs();
  const png = new PNG({ width, height: DISPLAY_HEIGHT * scale });
  const out = png.data;
  for (let y = 0; y < DISPLAY_HEIGHT * scale; y++) {
    const srcRow = Math.floor(y / scale) * DISPLAY_WIDTH;
    for (let x = 0; x < width; x++) {
      const src = (srcRow + Math.floor(x / scale)) * 3;
      const dst = (y * width + x) * 4;
      out[dst] = frame[src]!;
      out[dst + 1] = frame[src + 1]!;
      out[dst + 2] = frame[src + 2]!;
      out[dst + 3] = 255;
    }
  }
  return PNG.sync.write(png, { colorType: 2 });
}
