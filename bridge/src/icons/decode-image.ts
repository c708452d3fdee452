/**
 * A PNG or GIF file made into an Icon, or refused with a clear error: InvalidIconError for what
 * cannot be read, IconTooLargeError for what is over the limits (checked from the header first).
 */
import type { IconFormat } from '@megabit/contract';
import type { PNG } from 'pngjs';
import { InvalidIconError } from '../errors';
import { errorMessage } from '../util/logger';
import { pngjs } from '../util/pngjs';
import { decodeGif, type DecodedImage } from './gif';
import type { Icon } from './icon';
import { readImageSize } from './image-header';

export function decodeIcon(name: string, bytes: Uint8Array, format: IconFormat): Icon {
  const image = format === 'png' ? decodePng(bytes) : decodeGif(bytes);
  return { name, width: image.width, height: image.height, frames: image.frames };
}

function decodePng(bytes: Uint8Array): DecodedImage {
  const size = readImageSize(bytes, 'png');
  let png: PNG;
  try {
    // pngjs inflates no more than the header's size needs, so a deflate bomb stops there.
    png = pngjs().PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (e) {
    throw new InvalidIconError(`broken PNG: ${errorMessage(e)}`);
  }
  if (png.width !== size.width || png.height !== size.height) throw new InvalidIconError('broken PNG: its size changed while decoding');
  // pngjs gives 8-bit RGBA whatever the file holds (palette, grey, tRNS transparency, 16-bit).
  return { ...size, frames: [{ rgba: new Uint8Array(png.data), delayMs: 0 }] };
}
