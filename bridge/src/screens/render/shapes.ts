/** Lines, rectangles and circles on a frame, clipped to the panel. */
import { DISPLAY_HEIGHT, DISPLAY_WIDTH } from '@megabit/contract';
import { type Rgb, setPixel } from '../../display/frame';

/**
 * A filled rectangle, clipped. The same pixels as display/frame.ts's fillRect, written a row at
 * a time: bars, progress and filled shapes cover large areas every frame.
 */
export function fillRect(frame: Uint8Array, x: number, y: number, width: number, height: number, color: Rgb): void {
  const x0 = Math.max(0, x);
  const y0 = Math.max(0, y);
  const x1 = Math.min(DISPLAY_WIDTH, x + width);
  const y1 = Math.min(DISPLAY_HEIGHT, y + height);
  if (x0 >= x1 || y0 >= y1) return;
  const [r, g, b] = color;
  for (let row = y0; row < y1; row++) {
    const end = (row * DISPLAY_WIDTH + x1) * 3;
    for (let i = (row * DISPLAY_WIDTH + x0) * 3; i < end; i += 3) {
      frame[i] = r;
      frame[i + 1] = g;
      frame[i + 2] = b;
    }
  }
}

/** Bresenham's line from (x0, y0) to (x1, y1), both ends included; integer coordinates. */
export function drawLine(frame: Uint8Array, x0: number, y0: number, x1: number, y1: number, color: Rgb): void {
  const dx = Math.abs(x1 - x0);
  const dy = -Math.abs(y1 - y0);
  const sx = x0 < x1 ? 1 : -1;
  const sy = y0 < y1 ? 1 : -1;
  let err = dx + dy;
  let x = x0;
  let y = y0;
  for (;;) {
    setPixel(frame, x, y, color);
    if (x === x1 && y === y1) return;
    const e2 = 2 * err;
    if (e2 >= dy) {
      err += dy;
      x += sx;
    }
    if (e2 <= dx) {
      err += dx;
      y += sy;
    }
  }
}

/** A rectangle's outline (one pixel wide) or, with `fill`, the whole rectangle. */
export function drawRect(frame: Uint8Array, x: number, y: number, width: number, height: number, color: Rgb, fill: boolean): void {
  if (width <= 0 || height <= 0) return;
  if (fill || width <= 2 || height <= 2) {
    fillRect(frame, x, y, width, height, color);
    return;
  }
  fillRect(frame, x, y, width, 1, color);
  fillRect(frame, x, y + height - 1, width, 1, color);
  fillRect(frame, x, y + 1, 1, height - 2, color);
  fillRect(frame, x + width - 1, y + 1, 1, height - 2, color);
}

/**
 * The midpoint circle around (cx, cy): its outline, or with `fill` every pixel between the
 * outline's left and right points on each row, so a filled circle has the outline's exact shape.
 */
export function drawCircle(frame: Uint8Array, cx: number, cy: number, radius: number, color: Rgb, fill: boolean): void {
  if (radius < 0) return;
  let x = radius;
  let y = 0;
  let err = 1 - radius;
  while (x >= y) {
    if (fill) {
      fillRect(frame, cx - x, cy + y, 2 * x + 1, 1, color);
      fillRect(frame, cx - x, cy - y, 2 * x + 1, 1, color);
      fillRect(frame, cx - y, cy + x, 2 * y + 1, 1, color);
      fillRect(frame, cx - y, cy - x, 2 * y + 1, 1, color);
    } else {
      setPixel(frame, cx + x, cy + y, color);
      setPixel(frame, cx - x, cy + y, color);
      setPixel(frame, cx + x, cy - y, color);
      setPixel(frame, cx - x, cy - y, color);
      setPixel(frame, cx + y, cy + x, color);
      setPixel(frame, cx - y, cy + x, color);
      setPixel(frame, cx + y, cy - x, color);
      setPixel(frame, cx - y, cy - x, color);
    }
    y++;
    if (err < 0) {
      err += 2 * y + 1;
    } else {
      x--;
      err += 2 * (y - x) + 1;
    }
  }
}
