/**
 * What a module may make the engine allocate is bounded before it is compiled: tables (count,
 * size, growth), memories, globals, element and data segments, GC types. Checked on the bytes,
 * then in the engine, then in the real sandbox (where `table.grow` past the cap fails inside the
 * app, and the module that made V8 run out of memory is refused with the reason).
 */
import { SandboxFault } from '../../src/sandbox';
import { MAX_DATA_SEGMENTS, MAX_ELEMENT_ENTRIES, MAX_GLOBALS, MAX_TABLE_ENTRIES, MAX_TABLES, MAX_TYPES, limitModule } from '../../src/sandbox/wasm-limits';
import { WasmFormatError } from '../../src/sandbox/wasm-memory-cap';
import { start, tempDir } from '../helpers/sandbox/harness';
import { EXTERNREF, FUNCREF, WasmBuilder, op, uleb } from '../helpers/sandbox/wasm-builder';

const MiB = 1024 * 1024;

/** A module exporting a `run` that returns 0, with what `configure` adds. */
function withTables(configure: (b: WasmBuilder) => WasmBuilder): Uint8Array {
  const b = configure(new WasmBuilder());
  const run = b.func([], ['i32'], op.i32(0));
  return b.exportFunc('run', run).build();
}

function refusal(wasm: Uint8Array): string {
  try {
    limitModule(wasm, MiB);
  } catch (e) {
    expect(e).toBeInstanceOf(WasmFormatError);
    return (e as Error).message;
  }
  throw new Error('accepted');
}

interface GrowExports {
  grow(n: number): number;
  size(): number;
}

/** Instantiates in this process's engine a module with one table and `grow`/`size` exports. */
async function growable(min: number, max?: number): Promise<GrowExports> {
  const b = new WasmBuilder().table(min, max);
  const grow = b.func(['i32'], ['i32'], [...op.refNullFunc, 0x20, 0x00, ...op.tableGrow(0)]);
  const size = b.func([], ['i32'], op.tableSize(0));
  const wasm = limitModule(b.exportFunc('grow', grow).exportFunc('size', size).build(), MiB);
  const { instance } = (await WebAssembly.instantiate(wasm)) as unknown as { instance: { exports: GrowExports } };
  return instance.exports;
}

describe('limitModule', () => {
  it('refuses the module that made V8 run out of memory: 8 funcref tables of 10M entries', () => {
    const wasm = withTables((b) => {
      for (let i = 0; i < 8; i++) b.table(10_000_000);
      return b;
    });
    expect(refusal(wasm)).toBe(`the module declares 8 tables; an app may have at most ${MAX_TABLES}`);
  });

  it('refuses a table that starts above the entry cap', () => {
    expect(refusal(withTables((b) => b.table(10_000_000)))).toBe(`table 0 starts with 10000000 entries; an app's table may have at most ${MAX_TABLE_ENTRIES}`);
    expect(refusal(withTables((b) => b.table(5, 3)))).toBe('table 0 has a maximum below its minimum');
    expect(refusal(withTables((b) => b.rawSection(4, [0x01, FUNCREF, 0x04, 0x01])))).toMatch(/^table 0 has unsupported limit flags 0x4/);
  });

  it('table.grow past the cap returns -1, up to it succeeds, and a lower declared maximum stays', async () => {
    const t = await growable(1);
    expect(t.grow(10_000_000)).toBe(-1);
    expect(t.grow(MAX_TABLE_ENTRIES)).toBe(-1);
    expect(t.grow(MAX_TABLE_ENTRIES - 1)).toBe(1);
    expect(t.size()).toBe(MAX_TABLE_ENTRIES);
    expect(t.grow(1)).toBe(-1);
    const low = await growable(2, 10);
    expect(low.grow(9)).toBe(-1);
    expect(low.grow(8)).toBe(2);
  });

  it('externref tables are capped the same way; other element types are refused', async () => {
    const wasm = limitModule(
      withTables((b) => b.table(0, undefined, EXTERNREF)),
      MiB,
    );
    expect(WebAssembly.validate(new Uint8Array(wasm))).toBe(true);
    expect(refusal(withTables((b) => b.rawSection(4, [0x01, 0x63, 0x70, 0x00, 0x01])))).toMatch(/^table 0 has element type 0x63/);
  });

  it('caps the counts fixed at load time: memories, globals, element entries, data segments', () => {
    expect(refusal(withTables((b) => b.memory(1).memory(1)))).toBe('the module declares 2 memories; an app may have at most 1');
    expect(refusal(withTables((b) => b.i32Globals(MAX_GLOBALS + 1)))).toBe(
      `the module declares ${MAX_GLOBALS + 1} globals; an app may have at most ${MAX_GLOBALS}`,
    );
    expect(refusal(withTables((b) => b.passiveElements(MAX_ELEMENT_ENTRIES).passiveElements(1)))).toBe(
      `the module's element segments hold more than ${MAX_ELEMENT_ENTRIES} entries, the most an app may have`,
    );
    expect(
      refusal(
        withTables((b) => {
          for (let i = 0; i <= MAX_DATA_SEGMENTS; i++) b.passiveData([i & 0xff]);
          return b.memory(1);
        }),
      ),
    ).toBe(`the module declares ${MAX_DATA_SEGMENTS + 1} data segments; an app may have at most ${MAX_DATA_SEGMENTS}`);
  });

  it('refuses GC types (structs, arrays), which would allocate on the engine heap', () => {
    const wasm = withTables((b) => b);
    // Replaces the type section with one array type.
    const arrayType = new WasmBuilder().rawSection(1, [0x01, 0x5e, 0x7f, 0x01]).build();
    expect(refusal(arrayType)).toBe('type 0 is not a function type (form 0x5e): GC types are not supported');
    const manyTypes = new WasmBuilder()
      .rawSection(1, [...uleb(MAX_TYPES + 1), ...Array.from({ length: MAX_TYPES + 1 }, () => [0x60, 0x00, 0x00]).flat()])
      .build();
    expect(refusal(manyTypes)).toBe(`the module declares ${MAX_TYPES + 1} types; an app may have at most ${MAX_TYPES}`);
    expect(WebAssembly.validate(new Uint8Array(limitModule(wasm, MiB)))).toBe(true);
  });

  it('reads every encoding of element segments (forms 0-7) and counts their entries', () => {
    const nullRef = [0xd0, FUNCREF, 0x0b];
    const offset0 = [0x41, 0x00, 0x0b];
    const forms = [
      [0x00, ...offset0, 0x02, 0x00, 0x00], // active, table 0, function indexes
      [0x01, 0x00, 0x01, 0x00], // passive, elemkind, function indexes
      [0x02, 0x00, ...offset0, 0x00, 0x01, 0x00], // active, explicit table, elemkind, function indexes
      [0x03, 0x00, 0x01, 0x00], // declarative, elemkind, function indexes
      [0x04, ...offset0, 0x01, ...nullRef], // active, table 0, expressions
      [0x05, FUNCREF, 0x02, ...nullRef, 0xd2, 0x00, 0x0b], // passive, reftype, expressions
      [0x06, 0x00, ...offset0, FUNCREF, 0x01, ...nullRef], // active, explicit table, reftype, expressions
      [0x07, FUNCREF, 0x01, 0xd2, 0x00, 0x0b], // declarative, reftype, expressions
    ];
    const wasm = withTables((b) => b.table(10).rawSection(9, [forms.length, ...forms.flat()]));
    expect(WebAssembly.validate(new Uint8Array(wasm))).toBe(true);
    expect(WebAssembly.validate(new Uint8Array(limitModule(wasm, MiB)))).toBe(true);
    // local.get has no place in a constant expression.
    const unsupported = withTables((b) => b.table(10).rawSection(9, [0x01, 0x04, 0x20, 0x00, 0x0b, 0x00]));
    expect(refusal(unsupported)).toBe('element segment 0 has an unsupported constant expression (opcode 0x20)');
  });

  it('modules within the limits are valid and keep their segments', () => {
    const wasm = withTables((b) => b.table(100).i32Globals(MAX_GLOBALS).passiveElements(1000).passiveData([1, 2, 3]).memory(1));
    const limited = limitModule(wasm, MiB);
    expect(WebAssembly.validate(new Uint8Array(limited))).toBe(true);
    // A maximum added to the table (65536: 3 bytes, and the flag) and to the memory (16 pages: 1 byte).
    expect(limited.length).toBe(wasm.length + 4);
  });
});

/** table.grow(null, n) in run(); traps when the engine refuses (-1), so the refusal is visible. */
function growingApp(entries: number): Uint8Array {
  const b = new WasmBuilder().table(1);
  const run = b.func(
    [],
    ['i32'],
    [...op.refNullFunc, ...op.i32(entries), ...op.tableGrow(0), ...op.i32(-1), ...op.i32Eq, ...op.if, ...op.unreachable, ...op.end, ...op.i32(0)],
  );
  return b.exportFunc('run', run).build();
}

describe('in the sandbox', () => {
  const dir = tempDir();
  afterAll(() => dir.cleanup());

  it('the 8 x 10M tables module is refused at load with the reason', async () => {
    const wasm = withTables((b) => {
      for (let i = 0; i < 8; i++) b.table(10_000_000);
      return b;
    });
    const fault = await start(wasm, dir.path).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(fault).toBeInstanceOf(SandboxFault);
    expect(fault).toMatchObject({ kind: 'load', message: `the module declares 8 tables; an app may have at most ${MAX_TABLES}` });
  });

  it('table.grow past the cap fails inside the app, growth within it works', async () => {
    const small = await start(growingApp(100), dir.path);
    await expect(small.app.run()).resolves.toBeNull();
    await small.app.close();
    const big = await start(growingApp(10_000_000), dir.path);
    await expect(big.app.run()).rejects.toMatchObject({ kind: 'trap', message: expect.stringMatching(/^trapped: .*unreachable/) });
    await big.app.close();
  });
});
