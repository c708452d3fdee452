/**
 * Bounds everything a module can make the engine allocate, by reading (and where needed
 * rewriting) its binary before it is compiled, on the bridge's main thread, in time linear in its
 * size. What the engine allocates for a module is not bounded by the worker's heap limit: 8
 * tables of 10M entries made V8 run out of memory and abort the whole process. So:
 * - linear memory gets a declared maximum (wasm-memory-cap.ts), at most one memory;
 * - tables: at most MAX_TABLES, each starting at no more than MAX_TABLE_ENTRIES and given that as
 *   its declared maximum, so `table.grow` past it returns -1 inside the app;
 * - globals, element segments (and their entries) and data segments: capped counts, since they
 *   are fixed at load time;
 * - only function types (no GC structs and arrays, which would allocate on the engine's heap),
 *   at most MAX_TYPES of them.
 * A module over a limit is refused with the reason (WasmFormatError), before any engine sees it.
 */
import { WasmFormatError, MEMORY_SECTION, Reader, leb128, mapSections, pagesOf, rewriteMemorySection } from './wasm-memory-cap';

export const MAX_TABLES = 4;
export const MAX_TABLE_ENTRIES = 65_536;
export const MAX_GLOBALS = 10_000;
export const MAX_ELEMENT_SEGMENTS = 10_000;
/** Entries of all element segments together. */
export const MAX_ELEMENT_ENTRIES = 4 * MAX_TABLE_ENTRIES;
export const MAX_DATA_SEGMENTS = 65_536;
export const MAX_MEMORIES = 1;
/** Function signatures; engines keep them in a table shared by the whole process. */
export const MAX_TYPES = 10_000;

const TYPE_SECTION = 1;
const TABLE_SECTION = 4;
const GLOBAL_SECTION = 6;
const ELEMENT_SECTION = 9;
const DATA_SECTION = 11;
const DATA_COUNT_SECTION = 12;

const FUNC_TYPE = 0x60;
const FUNCREF = 0x70;
const EXTERNREF = 0x6f;
/** i32, i64, f32, f64, v128, funcref, externref: the value types of Wasm 2.0. */
const VALUE_TYPES: ReadonlySet<number> = new Set([0x7f, 0x7e, 0x7d, 0x7c, 0x7b, FUNCREF, EXTERNREF]);

/** `wasm` with its memory and tables capped; throws WasmFormatError when a limit is passed. */
export function limitModule(wasm: Uint8Array, memoryBytes: number): Uint8Array {
  const maxPages = pagesOf(memoryBytes);
  return mapSections(wasm, (id, payload) => {
    switch (id) {
      case TYPE_SECTION:
        checkTypes(payload);
        return null;
      case TABLE_SECTION:
        return rewriteTables(payload);
      case MEMORY_SECTION:
        checkCount(payload, MAX_MEMORIES, 'memories');
        return rewriteMemorySection(payload, maxPages, memoryBytes);
      case GLOBAL_SECTION:
        checkCount(payload, MAX_GLOBALS, 'globals');
        return null;
      case ELEMENT_SECTION:
        checkElements(payload);
        return null;
      case DATA_SECTION:
      case DATA_COUNT_SECTION:
        checkCount(payload, MAX_DATA_SEGMENTS, 'data segments');
        return null;
      default:
        return null;
    }
  });
}

/** The count that opens a vector section, checked against `max`. */
function checkCount(payload: Uint8Array, max: number, what: string): number {
  const count = new Reader(payload, 0).u32();
  if (count > max) throw new WasmFormatError(`the module declares ${count} ${what}; an app may have at most ${max}`);
  return count;
}

function checkTypes(payload: Uint8Array): void {
  const reader = new Reader(payload, 0);
  const count = checkCount(payload, MAX_TYPES, 'types');
  reader.u32();
  for (let i = 0; i < count; i++) {
    const form = reader.byte();
    if (form !== FUNC_TYPE) throw new WasmFormatError(`type ${i} is not a function type (form 0x${form.toString(16)}): GC types are not supported`);
    for (let list = 0; list < 2; list++) {
      const n = reader.u32();
      for (let j = 0; j < n; j++) {
        const t = reader.byte();
        if (!VALUE_TYPES.has(t)) throw new WasmFormatError(`type ${i} uses value type 0x${t.toString(16)}, which is not supported`);
      }
    }
  }
  if (!reader.done()) throw new WasmFormatError('the type section has trailing bytes');
}

/** Every table gets MAX_TABLE_ENTRIES (or its own lower maximum) as its declared maximum. */
function rewriteTables(payload: Uint8Array): Uint8Array {
  const reader = new Reader(payload, 0);
  const count = checkCount(payload, MAX_TABLES, 'tables');
  reader.u32();
  const out: number[] = [...leb128(count)];
  for (let i = 0; i < count; i++) {
    const type = reader.byte();
    if (type !== FUNCREF && type !== EXTERNREF) {
      throw new WasmFormatError(`table ${i} has element type 0x${type.toString(16)}; apps may use funcref and externref tables`);
    }
    const flags = reader.byte();
    if (flags & ~0x01) throw new WasmFormatError(`table ${i} has unsupported limit flags 0x${flags.toString(16)} (64-bit or shared tables)`);
    const min = reader.u32();
    const max = flags & 0x01 ? reader.u32() : Infinity;
    if (max < min) throw new WasmFormatError(`table ${i} has a maximum below its minimum`);
    if (min > MAX_TABLE_ENTRIES) {
      throw new WasmFormatError(`table ${i} starts with ${min} entries; an app's table may have at most ${MAX_TABLE_ENTRIES}`);
    }
    out.push(type, 0x01, ...leb128(min), ...leb128(Math.min(max, MAX_TABLE_ENTRIES)));
  }
  if (!reader.done()) throw new WasmFormatError('the table section has trailing bytes');
  return Uint8Array.from(out);
}

/** Counts segments and their entries; the encoding has 8 forms (flags 0-7), see the core spec. */
function checkElements(payload: Uint8Array): void {
  const reader = new Reader(payload, 0);
  const count = checkCount(payload, MAX_ELEMENT_SEGMENTS, 'element segments');
  reader.u32();
  let entries = 0;
  for (let i = 0; i < count; i++) {
    const flags = reader.u32();
    if (flags > 7) throw new WasmFormatError(`element segment ${i} has unknown flags ${flags}`);
    const active = (flags & 0x01) === 0;
    const explicitTable = (flags & 0x02) !== 0;
    const usesExpressions = (flags & 0x04) !== 0;
    if (active && explicitTable) reader.u32();
    if (active) skipConstantExpression(reader, i);
    // Forms 1-3 and 5-7 name their element kind (one byte) or reference type (one byte in Wasm 2.0).
    if (!active || explicitTable) reader.byte();
    const n = reader.u32();
    entries += n;
    if (entries > MAX_ELEMENT_ENTRIES) {
      throw new WasmFormatError(`the module's element segments hold more than ${MAX_ELEMENT_ENTRIES} entries, the most an app may have`);
    }
    for (let j = 0; j < n; j++) {
      if (usesExpressions) skipConstantExpression(reader, i);
      else reader.u32();
    }
  }
  if (!reader.done()) throw new WasmFormatError('the element section has trailing bytes');
}

/** Skips one constant expression (offsets and element entries) up to its `end`. */
function skipConstantExpression(reader: Reader, segment: number): void {
  for (;;) {
    const opcode = reader.byte();
    switch (opcode) {
      case 0x0b: // end
        return;
      case 0x41: // i32.const
      case 0x42: // i64.const
        reader.signed();
        break;
      case 0x23: // global.get
      case 0xd2: // ref.func
        reader.u32();
        break;
      case 0xd0: // ref.null t
        reader.byte();
        break;
      case 0x6a:
      case 0x6b:
      case 0x6c: // i32.add, sub, mul (extended constant expressions)
      case 0x7c:
      case 0x7d:
      case 0x7e: // i64.add, sub, mul
        break;
      default:
        throw new WasmFormatError(`element segment ${segment} has an unsupported constant expression (opcode 0x${opcode.toString(16)})`);
    }
  }
}
