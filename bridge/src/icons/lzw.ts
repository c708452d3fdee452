/**
 * GIF's variant of LZW (variable code width from minCodeSize + 1 up to 12 bits, least significant
 * bit first, clear and end codes, no early change), decoding into a buffer of colour indices whose
 * size the caller fixed beforehand: extra codes are ignored, so the output never grows past it.
 */
import { InvalidIconError } from '../errors';

const MAX_CODES = 4096;

/** Fills `out` with the indices in `data`; returns how many it wrote (fewer when the data ends early). */
export function decodeLzw(data: Uint8Array, minCodeSize: number, out: Uint8Array): number {
  if (minCodeSize < 2 || minCodeSize > 8) throw new InvalidIconError(`broken GIF: LZW code size ${minCodeSize} (2 to 8 allowed)`);
  const clear = 1 << minCodeSize;
  const end = clear + 1;
  // Each code's string is its prefix code's string plus one suffix index.
  const prefix = new Uint16Array(MAX_CODES);
  const suffix = new Uint8Array(MAX_CODES);
  const first = new Uint8Array(MAX_CODES);
  const length = new Uint16Array(MAX_CODES);
  for (let c = 0; c < clear; c++) {
    suffix[c] = c;
    first[c] = c;
    length[c] = 1;
  }
  let codeSize = minCodeSize + 1;
  let next = end + 1;
  let previous = -1;
  let written = 0;
  let bits = 0;
  let bitCount = 0;
  let at = 0;

  while (written < out.length) {
    while (bitCount < codeSize && at < data.length) {
      bits |= data[at++]! << bitCount;
      bitCount += 8;
    }
    if (bitCount < codeSize) break;
    const code = bits & ((1 << codeSize) - 1);
    bits >>>= codeSize;
    bitCount -= codeSize;

    if (code === clear) {
      codeSize = minCodeSize + 1;
      next = end + 1;
      previous = -1;
      continue;
    }
    if (code === end) break;
    if (code > next || (previous === -1 && code >= clear)) throw new InvalidIconError('broken GIF: corrupt LZW image data');
    if (previous !== -1 && next < MAX_CODES) {
      // The new entry ends with the first index of this code's string, which for the code being
      // defined right now (code === next) is the first index of the previous one.
      prefix[next] = previous;
      suffix[next] = code < next ? first[code]! : first[previous]!;
      first[next] = first[previous]!;
      length[next] = length[previous]! + 1;
      next++;
      if (next === 1 << codeSize && codeSize < 12) codeSize++;
    }
    written = emit(code, out, written, prefix, suffix, length);
    previous = code;
  }
  return written;
}

/** Writes the string of `code` at `at` (back to front along its prefixes), clipped to `out`. */
function emit(code: number, out: Uint8Array, at: number, prefix: Uint16Array, suffix: Uint8Array, length: Uint16Array): number {
  const n = length[code]!;
  let c = code;
  for (let i = n - 1; i >= 0; i--) {
    if (at + i < out.length) out[at + i] = suffix[c]!;
    c = prefix[c]!;
  }
  return Math.min(out.length, at + n);
}
