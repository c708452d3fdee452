/**
 * pngjs, loaded on first use: only to decode an uploaded icon (icons/decode-image.ts). Frame PNGs
 * (`P/display/png`) are written without it (display/png.ts), so a bridge without uploaded icons
 * never loads it, and its module load is never on the way to the first frame.
 */
type Pngjs = typeof import('pngjs');

let loaded: Pngjs | undefined;

export function pngjs(): Pngjs {
  loaded ??= require('pngjs') as Pngjs;
  return loaded;
}
