/**
 * A GIF of the frames the page showed, each lasting as long as it was actually on screen: the
 * delays come from the arrival times of the frames, not from a fixed rate.
 */
import { DISPLAY_HEIGHT, DISPLAY_WIDTH, FRAME_BYTES } from '@megabit/contract';
import { GIFEncoder, applyPalette, quantize, type Palette } from 'gifenc';
import { ledDisk } from './led-layout';

export type PanelStyle = 'led' | 'pixels';

/** Pixels per LED in the GIF. */
export const GIF_SCALE = 8;
/** A recording stops by itself after this long, so a forgotten one cannot eat the tab's memory. */
export const MAX_RECORDING_MS = 120_000;

interface Shown {
  frame: Uint8Array;
  at: number;
}

/**
 * GIF delays (hundredths of a second) of frames shown at `times` until `endAt` (ms). Rounding the
 * cumulative times rather than each gap keeps the total length exact.
 */
export function gifDelays(times: readonly number[], endAt: number): number[] {
  const start = times[0] ?? endAt;
  const cs = (t: number): number => Math.round((t - start) / 10);
  return times.map((t, i) => Math.max(1, cs(i + 1 < times.length ? times[i + 1] : endAt) - cs(t)));
}

export class GifRecording {
  private readonly shown: Shown[] = [];

  constructor(
    readonly startedAt: number,
    readonly style: PanelStyle,
  ) {}

  get frameCount(): number {
    return this.shown.length;
  }

  /** A frame appeared at `at` (ms, same clock as `startedAt`). The bytes are copied. */
  add(frame: Uint8Array, at: number): void {
    if (frame.length !== FRAME_BYTES) return;
    this.shown.push({ frame: frame.slice(), at: Math.max(at, this.startedAt) });
  }

  isOverTime(now: number): boolean {
    return now - this.startedAt >= MAX_RECORDING_MS;
  }

  /** The GIF of everything shown until `endAt`, or undefined when no frame was shown. */
  encode(endAt: number): Uint8Array<ArrayBuffer> | undefined {
    if (this.shown.length === 0) return undefined;
    const delays = gifDelays(
      this.shown.map((s) => s.at),
      endAt,
    );
    const gif = GIFEncoder();
    const width = DISPLAY_WIDTH * GIF_SCALE;
    const height = DISPLAY_HEIGHT * GIF_SCALE;
    const disk = this.style === 'led' ? ledDisk(GIF_SCALE) : undefined;
    this.shown.forEach((s, i) => {
      const { palette, index } = indexFrame(s.frame);
      gif.writeFrame(scaleIndexed(index, disk), width, height, { palette, delay: delays[i] * 10, repeat: 0 });
    });
    gif.finish();
    return gif.bytes();
  }
}

/** Palette index 0 is black: the gap between LEDs. */
function indexFrame(frame: Uint8Array): { palette: Palette; index: Uint8Array } {
  const pixels = DISPLAY_WIDTH * DISPLAY_HEIGHT;
  const palette: Palette = [[0, 0, 0]];
  const seen = new Map<number, number>([[0, 0]]);
  const index = new Uint8Array(pixels);
  for (let p = 0; p < pixels; p++) {
    const rgb = (frame[p * 3] << 16) | (frame[p * 3 + 1] << 8) | frame[p * 3 + 2];
    let i = seen.get(rgb);
    if (i === undefined) {
      if (palette.length === 256) return quantizedFrame(frame);
      i = palette.length;
      seen.set(rgb, i);
      palette.push([frame[p * 3], frame[p * 3 + 1], frame[p * 3 + 2]]);
    }
    index[p] = i;
  }
  return { palette, index };
}

/** More than 256 colours: the nearest 255 plus black. */
function quantizedFrame(frame: Uint8Array): { palette: Palette; index: Uint8Array } {
  const pixels = DISPLAY_WIDTH * DISPLAY_HEIGHT;
  const rgba = new Uint8Array(pixels * 4);
  for (let p = 0; p < pixels; p++) {
    rgba.set(frame.subarray(p * 3, p * 3 + 3), p * 4);
    rgba[p * 4 + 3] = 255;
  }
  const palette = [[0, 0, 0], ...quantize(rgba, 255)];
  return { palette, index: applyPalette(rgba, palette) };
}

function scaleIndexed(index: Uint8Array, disk: Uint8Array | undefined): Uint8Array {
  const s = GIF_SCALE;
  const width = DISPLAY_WIDTH * s;
  const out = new Uint8Array(width * DISPLAY_HEIGHT * s);
  for (let y = 0; y < DISPLAY_HEIGHT * s; y++) {
    const row = (y / s) | 0;
    const dy = y % s;
    for (let x = 0; x < width; x++) {
      const col = (x / s) | 0;
      const lit = disk === undefined || disk[dy * s + (x % s)] === 1;
      out[y * width + x] = lit ? index[row * DISPLAY_WIDTH + col] : 0;
    }
  }
  return out;
}
