/**
 * What changed between two frames, as rectangles the serial link can send instead of a full frame.
 *
 * Rectangles are chosen by a simple cost model: a rectangle costs `rectOverheadBytes` (its header
 * on the wire) plus 3 bytes a pixel. Changed runs in a row are joined across gaps cheaper to send
 * than a second header; a run is merged into the rectangle above it when the union costs no more
 * than sending both. The result always covers every changed pixel, rectangles never overlap, and
 * each rectangle's edges touch a changed pixel (no blank border).
 */
import { assertFrame, HEIGHT, WIDTH } from './frame';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface DiffOptions {
  /** Bytes a rectangle costs on the wire besides its pixels; 8 unless told. */
  rectOverheadBytes?: number;
}

const BYTES_PER_PIXEL = 3;

function asBuffer(frame: Uint8Array): Buffer {
  return Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength);
}

/** True when both frames hold the same pixels (a native memcmp). */
export function framesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && asBuffer(a).equals(asBuffer(b));
}

function pixelChanged(a: Uint8Array, b: Uint8Array, x: number, y: number): boolean {
  const i = (y * WIDTH + x) * BYTES_PER_PIXEL;
  return a[i] !== b[i] || a[i + 1] !== b[i + 1] || a[i + 2] !== b[i + 2];
}

/** Changed runs of row `y` as [x0, x1] inclusive, joined across gaps cheaper than a new header. */
function rowSpans(a: Uint8Array, b: Uint8Array, y: number, overhead: number): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  for (let x = 0; x < WIDTH; x++) {
    if (!pixelChanged(a, b, x, y)) continue;
    const last = spans[spans.length - 1];
    if (last && (x - last[1] - 1) * BYTES_PER_PIXEL <= overhead) last[1] = x;
    else spans.push([x, x]);
  }
  return spans;
}

const area = (r: Rect): number => r.width * r.height;

function intersects(a: Rect, b: Rect): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

function union(a: Rect, b: Rect): Rect {
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  return {
    x,
    y,
    width: Math.max(a.x + a.width, b.x + b.width) - x,
    height: Math.max(a.y + a.height, b.y + b.height) - y,
  };
}

export function changedRects(previous: Uint8Array, next: Uint8Array, options: DiffOptions = {}): Rect[] {
  assertFrame(previous, 'previous frame');
  assertFrame(next, 'next frame');
  const overhead = options.rectOverheadBytes ?? 8;
  const rects: Rect[] = [];
  for (let y = 0; y < HEIGHT; y++) {
    // Rectangles that reached the row above may grow into this row, each by one run at most.
    const open = rects.filter((r) => r.y + r.height === y);
    for (const [x0, x1] of rowSpans(previous, next, y, overhead)) {
      const span: Rect = { x: x0, y, width: x1 - x0 + 1, height: 1 };
      const index = open.findIndex((r) => {
        const merged = union(r, span);
        const cheaper = area(merged) * BYTES_PER_PIXEL <= (area(r) + area(span)) * BYTES_PER_PIXEL + overhead;
        return cheaper && rects.every((other) => other === r || !intersects(merged, other));
      });
      if (index < 0) {
        rects.push(span);
        continue;
      }
      const target = open[index]!;
      Object.assign(target, union(target, span));
      open.splice(index, 1);
    }
  }
  return rects;
}
