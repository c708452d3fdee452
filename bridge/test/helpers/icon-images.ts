/**
 * Image files for the icon tests, made here: PNGs with pngjs, GIFs with gifenc (an encoder the
 * bridge does not use to decode, so a test cannot pass by sharing a bug), and hand-built bytes
 * for what no encoder writes (a header claiming 65535x65535, a broken LZW stream).
 */
import { GIFEncoder, type Palette } from 'gifenc';
import { PNG } from 'pngjs';

export type Rgba = [number, number, number, number];

/** A PNG of `width` x `height`, each pixel from `colour(x, y)`. */
export function makePng(width: number, height: number, colour: (x: number, y: number) => Rgba): Buffer {
  const png = new PNG({ width, height });
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) png.data.set(colour(x, y), (y * width + x) * 4);
  return PNG.sync.write(png);
}

export interface GifFrame {
  /** One palette index per pixel of the whole picture. */
  indices: number[];
  delayMs: number;
  /** 1 keep, 2 clear to transparent, 3 restore the previous picture. */
  dispose?: number;
  /** This index draws nothing. */
  transparentIndex?: number;
}

/** An animated GIF of full-size frames sharing `palette` (RGB triples). */
export function makeGif(width: number, height: number, palette: Palette, frames: GifFrame[]): Buffer {
  const gif = GIFEncoder();
  for (const f of frames) {
    gif.writeFrame(Uint8Array.from(f.indices), width, height, {
      palette,
      delay: f.delayMs,
      dispose: f.dispose ?? 1,
      ...(f.transparentIndex === undefined ? {} : { transparent: true, transparentIndex: f.transparentIndex }),
    });
  }
  gif.finish();
  return Buffer.from(gif.bytes());
}

/** A GIF with `n` one-colour frames of 2x2. */
export function gifWithFrames(n: number): Buffer {
  return makeGif(
    2,
    2,
    [
      [255, 0, 0],
      [0, 0, 255],
    ],
    Array.from({ length: n }, (_, i) => ({ indices: [i % 2, i % 2, i % 2, i % 2], delayMs: 100 })),
  );
}

/**
 * A GIF header whose logical screen claims 65535x65535 pixels (16 GiB of RGBA), followed by one
 * tiny image: a decoder that trusted the header would allocate it all.
 */
export function gifHeaderBomb(): Buffer {
  const small = gifWithFrames(1);
  const bomb = Buffer.from(small);
  bomb.writeUInt16LE(0xffff, 6);
  bomb.writeUInt16LE(0xffff, 8);
  return bomb;
}
