/**
 * Icons: small pictures (at most 32x32) that screens, notifications and apps draw by name. An
 * icon with several frames is animated; each frame keeps its own delay (a GIF's timing).
 * The store that uploads, keeps and lists them lives beside this file; everything that only
 * draws icons needs nothing but an IconSource.
 */
import type { Rgb } from '../display/frame';
import { setPixel } from '../display/frame';

export const MAX_ICON_SIZE = 32;

export interface IconFrame {
  /** width * height * 4 bytes, RGBA, row-major. */
  readonly rgba: Uint8Array;
  /** How long this frame shows before the next, in ms (ignored for a single frame). */
  readonly delayMs: number;
}

export interface Icon {
  readonly name: string;
  readonly width: number;
  readonly height: number;
  readonly frames: readonly IconFrame[];
}

/** Where drawing code looks icons up by name; undefined when there is none by that name. */
export interface IconSource {
  get(name: string): Icon | undefined;
}

/** The frame of `icon` showing `atMs` ms into its animation (it loops). */
export function iconFrameAt(icon: Icon, atMs: number): IconFrame {
  if (icon.frames.length === 1) return icon.frames[0]!;
  const total = icon.frames.reduce((sum, f) => sum + Math.max(1, f.delayMs), 0);
  let t = ((atMs % total) + total) % total;
  for (const frame of icon.frames) {
    const delay = Math.max(1, frame.delayMs);
    if (t < delay) return frame;
    t -= delay;
  }
  return icon.frames[icon.frames.length - 1]!;
}

/**
 * Draws `icon` with its top-left corner at (x, y), clipped to the panel. An LED has no partial
 * transparency: a pixel at least half opaque is drawn in its colour, any other is left alone.
 */
export function drawIcon(frame: Uint8Array, icon: Icon, x: number, y: number, atMs = 0): void {
  const { rgba } = iconFrameAt(icon, atMs);
  for (let row = 0; row < icon.height; row++) {
    for (let col = 0; col < icon.width; col++) {
      const i = (row * icon.width + col) * 4;
      if (rgba[i + 3]! < 128) continue;
      const color: Rgb = [rgba[i]!, rgba[i + 1]!, rgba[i + 2]!];
      setPixel(frame, x + col, y + row, color);
    }
  }
}
