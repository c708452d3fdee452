/**
 * pngjs, loaded on first use: a start draws and publishes its first frame without any PNG (the
 * first `P/display/png` goes out once the connection is up; uploaded icons are decoded when
 * there are any), so its module load is not on the way to the first frame.
 */
type Pngjs = typeof import('pngjs');

let loaded: Pngjs | undefined;

export function pngjs(): Pngjs {
  loaded ??= require('pngjs') as Pngjs;
  return loaded;
}
