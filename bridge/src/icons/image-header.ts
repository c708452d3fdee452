/**
 * The width and height an image file declares, read from its first bytes (PNG's IHDR chunk, GIF's
 * logical screen descriptor) so that oversized pictures are refused before anything is decoded.
 */
import type { IconFormat } from '@megabit/contract';
import { IconTooLargeError, InvalidIconError } from '../errors';
import { MAX_ICON_SIZE } from './limits';

export interface ImageSize {
  width: number;
  height: number;
}

export function readImageSize(bytes: Uint8Array, format: IconFormat): ImageSize {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let size: ImageSize;
  if (format === 'png') {
    // Signature (8), then the first chunk must be IHDR: length (4), type (4), width, height (4 each, big-endian).
    if (bytes.length < 24 || String.fromCharCode(...bytes.subarray(12, 16)) !== 'IHDR') throw new InvalidIconError('broken PNG: no IHDR header');
    size = { width: view.getUint32(16), height: view.getUint32(20) };
  } else {
    // "GIF87a"/"GIF89a" (6), then the logical screen: width, height (2 each, little-endian).
    if (bytes.length < 13 || !/^GIF8[79]a$/.test(String.fromCharCode(...bytes.subarray(0, 6))))
      throw new InvalidIconError('broken GIF: no GIF87a/GIF89a header');
    size = { width: view.getUint16(6, true), height: view.getUint16(8, true) };
  }
  if (size.width < 1 || size.height < 1) throw new InvalidIconError(`broken ${format.toUpperCase()}: it is ${size.width}x${size.height} pixels`);
  checkIconSize(size);
  return size;
}

export function checkIconSize({ width, height }: ImageSize): void {
  if (width > MAX_ICON_SIZE || height > MAX_ICON_SIZE) {
    throw new IconTooLargeError(`the image is ${width}x${height} pixels; icons are at most ${MAX_ICON_SIZE}x${MAX_ICON_SIZE}`);
  }
}
