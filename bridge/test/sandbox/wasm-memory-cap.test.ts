import { WasmFormatError, capLinearMemory, leb128 } from '../../src/sandbox/wasm-memory-cap';
import { WasmBuilder, op, uleb } from '../helpers/sandbox/wasm-builder';

const MiB = 1024 * 1024;
const PAGE = 65536;

/** The memory limits the engine sees for the rewritten module. */
async function memoryOf(wasm: Uint8Array): Promise<{ pages: number; canGrowTo(pages: number): boolean }> {
  const { instance } = (await WebAssembly.instantiate(wasm)) as unknown as {
    instance: { exports: { memory: { buffer: ArrayBuffer; grow(n: number): number } } };
  };
  const memory = instance.exports.memory;
  return {
    pages: memory.buffer.byteLength / PAGE,
    canGrowTo(pages) {
      try {
        memory.grow(pages - memory.buffer.byteLength / PAGE);
        return true;
      } catch {
        return false;
      }
    },
  };
}

function moduleWith(configure: (b: WasmBuilder) => WasmBuilder): Uint8Array {
  const b = configure(new WasmBuilder());
  return b.exportFunc('run', b.func([], ['i32'], op.i32(0))).build();
}

describe('capLinearMemory', () => {
  it('adds a maximum to a memory that has none', async () => {
    const capped = capLinearMemory(
      moduleWith((b) => b.memory(2).exportMemory('memory')),
      4 * MiB,
    );
    const memory = await memoryOf(capped);
    expect(memory.pages).toBe(2);
    expect(memory.canGrowTo(65)).toBe(false);
    expect(memory.canGrowTo(64)).toBe(true);
  });

  it('lowers a maximum above the cap and keeps one below it', async () => {
    expect(
      await memoryOf(
        capLinearMemory(
          moduleWith((b) => b.memory(1, 1000).exportMemory('memory')),
          MiB,
        ),
      ).then((m) => m.canGrowTo(17)),
    ).toBe(false);
    const low = await memoryOf(
      capLinearMemory(
        moduleWith((b) => b.memory(1, 3).exportMemory('memory')),
        16 * MiB,
      ),
    );
    expect(low.canGrowTo(4)).toBe(false);
    expect(low.canGrowTo(3)).toBe(true);
  });

  it('rounds the cap down to whole pages and handles multi-byte LEB128 limits', async () => {
    const capped = capLinearMemory(
      moduleWith((b) => b.memory(200, 70000).exportMemory('memory')),
      300 * PAGE + 100,
    );
    const memory = await memoryOf(capped);
    expect(memory.pages).toBe(200);
    expect(memory.canGrowTo(301)).toBe(false);
    expect(memory.canGrowTo(300)).toBe(true);
  });

  it('leaves a module without memory byte for byte as it was', () => {
    const wasm = moduleWith((b) => b);
    expect(capLinearMemory(wasm, MiB)).toEqual(wasm);
  });

  it('copies other sections (custom ones included) unchanged', () => {
    const wasm = moduleWith((b) => b.memory(1));
    const custom = [0x00, 0x05, 0x04, ...Buffer.from('note')];
    const withCustom = Uint8Array.from([...wasm, ...custom]);
    const out = capLinearMemory(withCustom, MiB);
    expect(Array.from(out.slice(-custom.length))).toEqual(custom);
    expect(WebAssembly.validate(new Uint8Array(out))).toBe(true);
  });

  it('refuses what it cannot cap or run', () => {
    const reject = (bytes: Uint8Array, cap = MiB): string => {
      try {
        capLinearMemory(bytes, cap);
      } catch (e) {
        expect(e).toBeInstanceOf(WasmFormatError);
        return (e as Error).message;
      }
      throw new Error('accepted');
    };
    expect(reject(new Uint8Array([1, 2, 3]))).toMatch(/^not a WebAssembly module/);
    expect(reject(Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00]))).toMatch(/^unsupported WebAssembly binary version .*components/);
    expect(reject(moduleWith((b) => b.memory(17)))).toBe('the module needs 1.06 MiB of memory at start, more than the 1 MiB cap');
    const header = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
    const memorySection = (limits: number[]): Uint8Array => Uint8Array.from([...header, 0x05, ...uleb(limits.length + 1), 0x01, ...limits]);
    expect(reject(memorySection([0x03, 0x01, 0x02]))).toBe('shared memories (threads) are not supported');
    expect(reject(memorySection([0x04, 0x01]))).toBe('64-bit memories (memory64) are not supported');
    expect(reject(memorySection([0x01, 0x05, 0x02]))).toBe('memory 0 has a maximum below its minimum');
    expect(reject(Uint8Array.from([...header, 0x05, 0x10, 0x01]))).toBe('section 5 runs past the end of the file');
    expect(reject(Uint8Array.from([...header, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]))).toBe('a LEB128 number is longer than 5 bytes');
  });

  it('leb128 encodes like the spec', () => {
    expect(leb128(0)).toEqual([0]);
    expect(leb128(127)).toEqual([0x7f]);
    expect(leb128(128)).toEqual([0x80, 0x01]);
    expect(leb128(624485)).toEqual([0xe5, 0x8e, 0x26]);
    expect(leb128(0xffffffff)).toEqual([0xff, 0xff, 0xff, 0xff, 0x0f]);
  });
});
