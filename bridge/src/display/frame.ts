/**
 * Small helpers over the contract's frame format: 64x32 RGB888, row-major, 3 bytes a pixel.
 * Everything here clips to the panel, so callers may draw partly (or wholly) off-screen.
 */
import { DISPLAY_HEIGHT, DISPLAY_WIDTH, FRAME_BYTES } from '@megabit/contract';

export type Rgb = readonly [r: number, g: number, b: number];

/**
 * The panel's size (the contract's DISPLAY_WIDTH and DISPLAY_HEIGHT) for per-pixel loops, here,
 * in the diff and in the serial encoder. Read through the contract's package index, each name is
 * a getter (what TypeScript emits for `export *`), a closure of one function literal for every
 * re-exported name: its lookup of the name sees all of them and stays generic. Per pixel, those
 * getters took a seventh of a replayed frame update's samples (docs/performance.md, section 1,
 * "Fewer allocations per band").
 */
export const WIDTH = DISPLAY_WIDTH;
export const HEIGHT = DISPLAY_HEIGHT;

export const BLACK: Rgb = [0, 0, 0];
export const WHITE: Rgb = [255, 255, 255];

export function blankFrame(): Uint8Array {
  return new Uint8Array(FRAME_BYTES);
}

export function isFrame(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array && value.length === FRAME_BYTES;
}

/** Throws a clear error for anything that is not a frame, naming what it got instead. */
export function assertFrame(value: unknown, what = 'frame'): asserts value is Uint8Array {
  if (isFrame(value)) return;
  const got = value instanceof Uint8Array ? `${value.length} bytes` : typeof value;
  throw new TypeError(`${what} must be a Uint8Array of ${FRAME_BYTES} bytes (64x32 RGB888), got ${got}`);
}

/** `#rrggbb` to a colour; undefined for anything else. */
export function parseHexColor(text: string): Rgb | undefined {
  const m = /^#([0-9a-fA-F]{2})([0-9a-fA-F]{2})([0-9a-fA-F]{2})$/.exec(text);
  if (!m) return undefined;
  return [parseInt(m[1]!, 16), parseInt(m[2]!, 16), parseInt(m[3]!, 16)];
}

/** The colour scaled by `factor` (0..1), for dimmer accents drawn in a notification's colour. */
export function scaleColor(color: Rgb, factor: number): Rgb {
  return [Math.round(color[0] * factor), Math.round(color[1] * factor), Math.round(color[2] * factor)];
}

export function setPixel(frame: Uint8Array, x: number, y: number, color: Rgb): void {
  if (x < 0 || y < 0 || x >= WIDTH || y >= HEIGHT) return;
  const i = (y * WIDTH + x) * 3;
  frame[i] = color[0];
  frame[i + 1] = color[1];
  frame[i + 2] = color[2];
}

export function fillRect(frame: Uint8Array, x: number, y: number, width: number, height: number, color: Rgb): void {
  const x0 = Math.max(0, x);
  const y0 = Math.max(0, y);
  const x1 = Math.min(WIDTH, x + width);
  const y1 = Math.min(HEIGHT, y + height);
  for (let row = y0; row < y1; row++) {
    for (let col = x0; col < x1; col++) setPixel(frame, col, row, color);
  }
}
