// Copies between the app's linear memory and Extism memory blocks (the ABI's only way to pass
// bytes). Eight bytes per kernel call, because every kernel call crosses into the host.
import { alloc, free, length, load_u64, load_u8, store_u64, store_u8 } from "./host";

/** Copies `byteLength` bytes at `ptr` into a new block and returns its offset. */
export function blockFromMemory(ptr: usize, byteLength: i32): u64 {
  const offset = alloc(<u64>byteLength);
  let i = 0;
  for (; i + 8 <= byteLength; i += 8) store_u64(offset + <u64>i, load<u64>(ptr + <usize>i));
  for (; i < byteLength; i++) store_u8(offset + <u64>i, load<u8>(ptr + <usize>i));
  return offset;
}

export function blockFromBytes(bytes: Uint8Array): u64 {
  return blockFromMemory(bytes.dataStart, bytes.length);
}

export function blockFromString(text: string): u64 {
  const utf8 = String.UTF8.encode(text);
  return blockFromMemory(changetype<usize>(utf8), utf8.byteLength);
}

/** Reads a block the host handed over and frees it; offset 0 ("nothing") gives null. */
export function takeBytes(offset: u64): Uint8Array | null {
  if (offset == 0) return null;
  const n = <i32>length(offset);
  const out = new Uint8Array(n);
  const ptr = out.dataStart;
  let i = 0;
  for (; i + 8 <= n; i += 8) store<u64>(ptr + <usize>i, load_u64(offset + <u64>i));
  for (; i < n; i++) store<u8>(ptr + <usize>i, load_u8(offset + <u64>i));
  free(offset);
  return out;
}

export function takeString(offset: u64): string | null {
  const bytes = takeBytes(offset);
  if (bytes === null) return null;
  return utf8ToString(bytes);
}

/**
 * Decodes UTF-8 leniently: each invalid sequence becomes one U+FFFD and decoding goes on (data
 * payloads are arbitrary bytes; the standard library's decoder garbles what follows an error).
 */
export function utf8ToString(bytes: Uint8Array): string {
  const n = bytes.length;
  // Never more UTF-16 units than bytes.
  const out = new Uint16Array(n);
  let o = 0;
  let i = 0;
  while (i < n) {
    const b0 = <u32>unchecked(bytes[i]);
    if (b0 < 0x80) { unchecked(out[o++] = <u16>b0); i++; continue; }
    let need = 0, lo: u32 = 0x80, hi: u32 = 0xbf, cp: u32 = 0;
    if (b0 >= 0xc2 && b0 <= 0xdf) { need = 1; cp = b0 & 0x1f; }
    else if (b0 >= 0xe0 && b0 <= 0xef) { need = 2; cp = b0 & 0x0f; if (b0 == 0xe0) lo = 0xa0; if (b0 == 0xed) hi = 0x9f; }
    else if (b0 >= 0xf0 && b0 <= 0xf4) { need = 3; cp = b0 & 0x07; if (b0 == 0xf0) lo = 0x90; if (b0 == 0xf4) hi = 0x8f; }
    let used = 1;
    while (need > 0 && i + used < n) {
      const b = <u32>unchecked(bytes[i + used]);
      if (b < lo || b > hi) break;
      cp = (cp << 6) | (b & 0x3f);
      lo = 0x80; hi = 0xbf;
      used++;
      need--;
    }
    i += used;
    if (need > 0 || used == 1) { unchecked(out[o++] = 0xfffd); continue; }
    if (cp >= 0x10000) {
      cp -= 0x10000;
      unchecked(out[o++] = <u16>(0xd800 | (cp >> 10)));
      unchecked(out[o++] = <u16>(0xdc00 | (cp & 0x3ff)));
    } else unchecked(out[o++] = <u16>cp);
  }
  return String.UTF16.decodeUnsafe(out.dataStart, <usize>o << 1);
}
