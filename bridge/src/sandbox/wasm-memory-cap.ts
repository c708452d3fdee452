/**
 * Caps a module's own linear memory by rewriting its binary before it is compiled. Neither
 * Extism 1.0.3 nor worker resource limits bound `memory.grow`, but a declared maximum does: the
 * engine then refuses to grow past it, and the guest's allocator fails instead of the host.
 *
 * Only the memory section (id 5) is rewritten; every other section is copied byte for byte.
 */

const WASM_PAGE_BYTES = 65536;
export const MEMORY_SECTION = 5;
const MAX_U32 = 0xffffffff;

/** The bytes are not a core WebAssembly module this sandbox can run. */
export class WasmFormatError extends Error {}

const MAGIC = [0x00, 0x61, 0x73, 0x6d];

/**
 * Returns `wasm` with every defined memory limited to `maxBytes` (rounded down to whole pages).
 * Throws WasmFormatError for bytes that are not a module, shared or 64-bit memories, and memories
 * that need more than the cap at start.
 */
export function capLinearMemory(wasm: Uint8Array, maxBytes: number): Uint8Array {
  const maxPages = pagesOf(maxBytes);
  return mapSections(wasm, (id, payload) => (id === MEMORY_SECTION ? rewriteMemorySection(payload, maxPages, maxBytes) : null));
}

/** Whole Wasm pages in `maxBytes`; throws when that is not even one. */
export function pagesOf(maxBytes: number): number {
  const maxPages = Math.floor(maxBytes / WASM_PAGE_BYTES);
  if (maxPages < 1) throw new RangeError(`a memory cap of ${maxBytes} bytes is smaller than one Wasm page`);
  return maxPages;
}

/**
 * Walks the sections of a core module. `rewrite` gets each section's id and payload and returns
 * the new payload, or null to copy the section byte for byte.
 */
export function mapSections(wasm: Uint8Array, rewrite: (id: number, payload: Uint8Array) => Uint8Array | null): Uint8Array {
  if (wasm.length < 8 || MAGIC.some((b, i) => wasm[i] !== b)) {
    throw new WasmFormatError('not a WebAssembly module (the file does not start with "\\0asm")');
  }
  const version = wasm[4] | (wasm[5] << 8) | (wasm[6] << 16) | (wasm[7] << 24);
  if (version !== 1) {
    throw new WasmFormatError(`unsupported WebAssembly binary version ${version >>> 0} (components are not apps; build a core module)`);
  }

  const parts: Uint8Array[] = [wasm.subarray(0, 8)];
  const reader = new Reader(wasm, 8);
  while (!reader.done()) {
    const sectionStart = reader.pos;
    const id = reader.byte();
    const size = reader.u32();
    const payloadStart = reader.pos;
    if (payloadStart + size > wasm.length) throw new WasmFormatError(`section ${id} runs past the end of the file`);
    reader.pos = payloadStart + size;
    const replaced = rewrite(id, wasm.subarray(payloadStart, payloadStart + size));
    if (replaced === null) parts.push(wasm.subarray(sectionStart, reader.pos));
    else parts.push(Uint8Array.of(id, ...leb128(replaced.length)), replaced);
  }
  return concat(parts);
}

export function rewriteMemorySection(payload: Uint8Array, maxPages: number, maxBytes: number): Uint8Array {
  const reader = new Reader(payload, 0);
  const count = reader.u32();
  const out: number[] = [...leb128(count)];
  for (let i = 0; i < count; i++) {
    const flags = reader.byte();
    if (flags & 0x04) throw new WasmFormatError('64-bit memories (memory64) are not supported');
    if (flags & 0x02) throw new WasmFormatError('shared memories (threads) are not supported');
    if (flags & ~0x01) throw new WasmFormatError(`memory ${i} has unknown limit flags 0x${flags.toString(16)}`);
    const min = reader.u32();
    const max = flags & 0x01 ? reader.u32() : MAX_U32;
    if (max < min) throw new WasmFormatError(`memory ${i} has a maximum below its minimum`);
    if (min > maxPages) {
      throw new WasmFormatError(`the module needs ${formatMiB(min * WASM_PAGE_BYTES)} of memory at start, more than the ${formatMiB(maxBytes)} cap`);
    }
    out.push(0x01, ...leb128(min), ...leb128(Math.min(max, maxPages)));
  }
  if (!reader.done()) throw new WasmFormatError('the memory section has trailing bytes');
  return Uint8Array.from(out);
}

export function formatMiB(bytes: number): string {
  const mib = bytes / (1024 * 1024);
  return `${Number.isInteger(mib) ? mib : mib.toFixed(2)} MiB`;
}

/** Unsigned LEB128 of a value below 2^32. */
export function leb128(value: number): number[] {
  const out: number[] = [];
  let v = value >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

export class Reader {
  constructor(
    private readonly bytes: Uint8Array,
    public pos: number,
  ) {}

  done(): boolean {
    return this.pos >= this.bytes.length;
  }

  byte(): number {
    if (this.pos >= this.bytes.length) throw new WasmFormatError('the module ends in the middle of a section');
    return this.bytes[this.pos++];
  }

  u32(): number {
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const b = this.byte();
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) {
        if (result > MAX_U32) throw new WasmFormatError('a length or limit does not fit in 32 bits');
        return result;
      }
    }
    throw new WasmFormatError('a LEB128 number is longer than 5 bytes');
  }

  /** Skips a signed LEB128 number of up to 64 bits (its value is not needed). */
  signed(): void {
    for (let i = 0; i < 10; i++) if ((this.byte() & 0x80) === 0) return;
    throw new WasmFormatError('a signed LEB128 number is longer than 10 bytes');
  }
}

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
