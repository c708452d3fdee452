/**
 * A frame as a PNG (for `P/display/png` and the HTTP preview), optionally scaled up.
 *
 * Written here rather than with pngjs: a frame is always 8-bit RGB without transparency, which
 * takes the file's three chunks, Node's zlib and a CRC. pngjs (22 modules) then loads only to
 * decode an uploaded icon, not with the bridge's first frame (docs/performance.md, section 4).
 */
import { deflateSync } from 'node:zlib';
import { DISPLAY_HEIGHT, DISPLAY_WIDTH } from '@megabit/contract';
import { crc32 } from '../serial/protocol/crc';
import { assertFrame } from './frame';

export const MAX_PNG_SCALE = 16;

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const BYTES_PER_PIXEL = 3;
const COLOUR_TYPE_RGB = 2;

/** Each panel pixel becomes a `scale` x `scale` block (an integer from 1 to 16). */
export function encodeFramePng(frame: Uint8Array, scale = 1): Buffer {
  assertFrame(frame);
  if (!Number.isInteger(scale) || scale < 1 || scale > MAX_PNG_SCALE) {
    throw new RangeError(`PNG scale must be an integer from 1 to ${MAX_PNG_SCALE}, got ${String(scale)}`);
  }
  const width = DISPLAY_WIDTH * scale;
  const height = DISPLAY_HEIGHT * scale;
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8;
  header[9] = COLOUR_TYPE_RGB;
  // Compression, filter method and interlace stay 0: deflate, adaptive filtering, none.
  return Buffer.concat([SIGNATURE, chunk('IHDR', header), chunk('IDAT', deflateSync(filteredRows(frame, scale))), chunk('IEND', Buffer.alloc(0))]);
}

function chunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/**
 * The scaled image's rows, each behind the filter byte of the filter that leaves it smallest by
 * the usual measure (the sum of the filtered bytes read as signed), as PNG encoders commonly
 * choose; the repeated rows of a scaled image then filter to zeros.
 */
function filteredRows(frame: Uint8Array, scale: number): Buffer {
  const stride = DISPLAY_WIDTH * scale * BYTES_PER_PIXEL;
  const height = DISPLAY_HEIGHT * scale;
  const out = Buffer.alloc((stride + 1) * height);
  let previous = new Uint8Array(stride);
  let row = new Uint8Array(stride);
  const candidate = new Uint8Array(stride);
  const best = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const src = Math.floor(y / scale) * DISPLAY_WIDTH;
    for (let x = 0; x < DISPLAY_WIDTH * scale; x++) {
      const from = (src + Math.floor(x / scale)) * BYTES_PER_PIXEL;
      row[x * 3] = frame[from]!;
      row[x * 3 + 1] = frame[from + 1]!;
      row[x * 3 + 2] = frame[from + 2]!;
    }
    let bestType = 0;
    let bestCost = Infinity;
    for (let type = 0; type <= 4; type++) {
      const cost = filterRow(type, row, previous, candidate);
      if (cost < bestCost) {
        bestCost = cost;
        bestType = type;
        best.set(candidate);
      }
    }
    const at = y * (stride + 1);
    out[at] = bestType;
    out.set(best, at + 1);
    [previous, row] = [row, previous];
  }
  return out;
}

/** Filters one row with PNG filter `type` (0 None, 1 Sub, 2 Up, 3 Average, 4 Paeth) into `out`; returns its cost. */
function filterRow(type: number, row: Uint8Array, above: Uint8Array, out: Uint8Array): number {
  let cost = 0;
  for (let i = 0; i < row.length; i++) {
    const left = i >= BYTES_PER_PIXEL ? row[i - BYTES_PER_PIXEL]! : 0;
    const up = above[i]!;
    const upLeft = i >= BYTES_PER_PIXEL ? above[i - BYTES_PER_PIXEL]! : 0;
    let predicted = 0;
    if (type === 1) predicted = left;
    else if (type === 2) predicted = up;
    else if (type === 3) predicted = (left + up) >> 1;
    else if (type === 4) predicted = paeth(left, up, upLeft);
    const value = (row[i]! - predicted) & 0xff;
    out[i] = value;
    cost += value < 128 ? value : 256 - value;
  }
  return cost;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  if (pa <= pb && pa <= pc) return a;
  return pb <= pc ? b : c;
}
