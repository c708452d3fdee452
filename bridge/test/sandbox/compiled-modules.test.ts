/**
 * App modules are compiled once on the main thread and shared by the workers that run them
 * (sandbox/compiled-modules.ts): a compile in every worker left native memory behind per worker.
 */
import { CompiledModules } from '../../src/sandbox/compiled-modules';
import { useProbeSandbox } from '../helpers/sandbox/harness';
import { moduleNamed, withCustomSection } from '../helpers/sandbox/wasm-builder';

describe('CompiledModules', () => {
  it('compiles each distinct module once and hands the same compiled module out again', async () => {
    const modules = new CompiledModules();
    const a = await modules.compile(moduleNamed('a'));
    expect(await modules.compile(moduleNamed('a'))).toBe(a);
    expect(await modules.compile(moduleNamed('b'))).not.toBe(a);
    expect(modules.size).toBe(2);
  });

  it('keeps no failed compile: the same bytes fail again, and take no room', async () => {
    const modules = new CompiledModules();
    const broken = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05]);
    await expect(modules.compile(broken)).rejects.toThrow(/WebAssembly/);
    await expect(modules.compile(broken)).rejects.toThrow(/WebAssembly/);
    expect(modules.size).toBe(0);
  });

  it('keeps at most its capacity, dropping the least recently used', async () => {
    const modules = new CompiledModules(2);
    const a = await modules.compile(moduleNamed('a'));
    const b = await modules.compile(moduleNamed('b'));
    expect(await modules.compile(moduleNamed('a'))).toBe(a);
    await modules.compile(moduleNamed('c'));
    expect(modules.size).toBe(2);
    expect(await modules.compile(moduleNamed('a'))).toBe(a);
    expect(await modules.compile(moduleNamed('b'))).not.toBe(b);
  });
});

describe('the sandbox compiles an app once for all its starts', () => {
  const { probe, startProbe } = useProbeSandbox();

  it('three starts of one module: one compile, on the main thread (the workers are handed the compiled module)', async () => {
    const wasm = withCustomSection(probe(), `compile-once-${process.pid}`);
    const compile = jest.spyOn(WebAssembly, 'compile');
    try {
      for (let i = 0; i < 3; i++) {
        const t = await startProbe({}, wasm);
        expect(await t.app.run()).toBeDefined();
        await t.app.close();
      }
      expect(compile).toHaveBeenCalledTimes(1);
    } finally {
      compile.mockRestore();
    }
  });

  it('a module that does not compile is refused as before: a load fault, "invalid WebAssembly"', async () => {
    // Well formed, so the limits pass it, but its one function leaves an i32 where it returns nothing.
    const invalid = new Uint8Array([
      ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
      ...[0x01, 0x04, 0x01, 0x60, 0x00, 0x00],
      ...[0x03, 0x02, 0x01, 0x00],
      ...[0x0a, 0x06, 0x01, 0x04, 0x00, 0x41, 0x00, 0x0b],
    ]);
    await expect(startProbe({}, invalid)).rejects.toMatchObject({ kind: 'load', message: expect.stringMatching(/^invalid WebAssembly: /) });
  });
});
