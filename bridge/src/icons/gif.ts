/**
 * Decodes a GIF (87a or 89a) into icon frames: each image is drawn over the picture so far, the
 * way a browser shows it, honouring transparency, interlacing and the disposal methods (keep,
 * clear to transparent, restore the previous picture). The block structure is walked first, so
 * the frame count and every frame's size are checked before any pixel is decoded.
 */
import { IconTooLargeError, InvalidIconError } from '../errors';
import type { IconFrame } from './icon';
import { readImageSize, type ImageSize } from './image-header';
import { decodeLzw } from './lzw';
import { MAX_ICON_FRAMES } from './limits';

/** Browsers show a frame of 0 or 10 ms for 100 ms; animations are made for that. */
const MIN_DELAY_MS = 20;
const DEFAULT_DELAY_MS = 100;

interface GifImage {
  left: number;
  top: number;
  width: number;
  height: number;
  interlaced: boolean;
  palette: Uint8Array;
  minCodeSize: number;
  data: Uint8Array;
  delayMs: number;
  /** Index drawn as nothing, or -1. */
  transparent: number;
  /** 0/1 keep, 2 clear to transparent, 3 restore what was there before. */
  disposal: number;
}

export interface DecodedImage extends ImageSize {
  frames: IconFrame[];
}

export function decodeGif(bytes: Uint8Array): DecodedImage {
  const size = readImageSize(bytes, 'gif');
  const images = readBlocks(bytes, size);
  if (images.length === 0) throw new InvalidIconError('broken GIF: it holds no image');
  return { ...size, frames: compose(images, size) };
}

/** Walks the blocks, collecting each image's descriptor and data; no pixel is decoded here. */
function readBlocks(bytes: Uint8Array, screen: ImageSize): GifImage[] {
  const broken = (what: string): never => {
    throw new InvalidIconError(`broken GIF: ${what}`);
  };
  const byte = (at: number): number => (at < bytes.length ? bytes[at]! : broken('the file ends too early'));
  const u16 = (at: number): number => byte(at) | (byte(at + 1) << 8);
  /** The data sub-blocks from `at`: their bytes joined, and where they end. */
  const subBlocks = (at: number): { data: Uint8Array; end: number } => {
    const parts: Uint8Array[] = [];
    for (let n = byte(at); n !== 0; n = byte(at)) {
      if (at + 1 + n > bytes.length) broken('the file ends too early');
      parts.push(bytes.subarray(at + 1, at + 1 + n));
      at += 1 + n;
    }
    return { data: Buffer.concat(parts), end: at + 1 };
  };
  const paletteAt = (at: number, flags: number): Uint8Array => {
    const n = 3 * (2 << (flags & 7));
    if (at + n > bytes.length) broken('the file ends too early');
    return bytes.subarray(at, at + n);
  };

  const screenFlags = byte(10);
  let at = 13;
  let globalPalette: Uint8Array | undefined;
  if (screenFlags & 0x80) {
    globalPalette = paletteAt(at, screenFlags);
    at += globalPalette.length;
  }
  const images: GifImage[] = [];
  let control = { delayMs: 0, transparent: -1, disposal: 0 };
  while (at < bytes.length) {
    const block = bytes[at]!;
    if (block === 0x3b) break; // trailer
    if (block === 0x21) {
      const label = byte(at + 1);
      if (label === 0xf9 && byte(at + 2) >= 4) {
        const flags = byte(at + 3);
        control = { delayMs: u16(at + 4) * 10, transparent: flags & 1 ? byte(at + 6) : -1, disposal: (flags >> 2) & 7 };
      }
      at = subBlocks(at + 2).end;
    } else if (block === 0x2c) {
      if (images.length === MAX_ICON_FRAMES)
        throw new IconTooLargeError(`the GIF has more than ${MAX_ICON_FRAMES} frames; icons have at most ${MAX_ICON_FRAMES}`);
      const [left, top, width, height, flags] = [u16(at + 1), u16(at + 3), u16(at + 5), u16(at + 7), byte(at + 9)];
      if (width < 1 || height < 1 || left + width > screen.width || top + height > screen.height) {
        broken(`frame ${images.length + 1} (${width}x${height} at ${left},${top}) lies outside the ${screen.width}x${screen.height} picture`);
      }
      at += 10;
      let palette = globalPalette;
      if (flags & 0x80) {
        palette = paletteAt(at, flags);
        at += palette.length;
      }
      if (!palette) broken(`frame ${images.length + 1} has no colour table`);
      const minCodeSize = byte(at);
      const { data, end } = subBlocks(at + 1);
      images.push({ left, top, width, height, interlaced: (flags & 0x40) !== 0, palette: palette!, minCodeSize, data, ...control });
      control = { delayMs: 0, transparent: -1, disposal: 0 };
      at = end;
    } else {
      broken(`unknown block 0x${block.toString(16)} at byte ${at}`);
    }
  }
  return images;
}

/** Draws each image over the picture so far and keeps a copy of the result as its frame. */
function compose(images: GifImage[], screen: ImageSize): IconFrame[] {
  // The background starts transparent, as browsers show it (the GIF's background colour is ignored).
  let canvas = new Uint8Array(screen.width * screen.height * 4);
  const frames: IconFrame[] = [];
  for (const image of images) {
    const before = image.disposal === 3 ? canvas.slice() : undefined;
    const indices = new Uint8Array(image.width * image.height);
    const count = decodeLzw(image.data, image.minCodeSize, indices);
    const rows = image.interlaced ? interlacedRows(image.height) : undefined;
    // Pixels the data leaves out (it ended early) keep what was there.
    for (let i = 0; i < count; i++) {
      const index = indices[i]!;
      if (index === image.transparent) continue;
      const row = rows ? rows[Math.floor(i / image.width)]! : Math.floor(i / image.width);
      const at = ((image.top + row) * screen.width + image.left + (i % image.width)) * 4;
      const p = index * 3;
      // An index past the colour table is black, as most decoders show it.
      canvas[at] = image.palette[p] ?? 0;
      canvas[at + 1] = image.palette[p + 1] ?? 0;
      canvas[at + 2] = image.palette[p + 2] ?? 0;
      canvas[at + 3] = 255;
    }
    frames.push({ rgba: canvas.slice(), delayMs: image.delayMs < MIN_DELAY_MS ? DEFAULT_DELAY_MS : image.delayMs });
    if (image.disposal === 2) {
      for (let row = image.top; row < image.top + image.height; row++) {
        canvas.fill(0, (row * screen.width + image.left) * 4, (row * screen.width + image.left + image.width) * 4);
      }
    } else if (before) {
      canvas = before;
    }
  }
  return frames;
}

/** The picture row of each stored row of an interlaced image (rows 0, 8, 16..., then 4, 12..., then 2, 6..., then 1, 3...). */
function interlacedRows(height: number): number[] {
  const rows: number[] = [];
  for (const [start, step] of [
    [0, 8],
    [4, 8],
    [2, 4],
    [1, 2],
  ] as const) {
    for (let row = start; row < height; row += step) rows.push(row);
  }
  return rows;
}
