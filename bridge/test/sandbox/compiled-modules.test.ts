/**
 * App modules are compiled once on the main thread and shared by the workers that run them
 * (sandbox/compiled-modules.ts): a compile in every worker left native memory behind per worker.
 * What stays compiled is bounded: one module per holder (an installed app's current version), none
 * that nothing needs, and at most a count and a number of bytes of Wasm, but never the module of a
 * running app. All compiles here are V8's own.
 */
import { COMPILED_BYTES_KEPT, CompiledModules } from '../../src/sandbox/compiled-modules';
import { compiledModuleBytes, ModuleHolders } from '../../src/sandbox';
import { pixel, useProbeSandbox } from '../helpers/sandbox/harness';
import { moduleNamed, op, WasmBuilder, withCustomSection, withPadding } from '../helpers/sandbox/wasm-builder';

const MiB = 1024 * 1024;
/** A bound that never bites. */
const UNBOUNDED = { count: 1000, bytes: Number.POSITIVE_INFINITY };

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
    await expect(modules.compile(broken, 'app')).rejects.toThrow(/WebAssembly/);
    await expect(modules.compile(broken)).rejects.toThrow(/WebAssembly/);
    expect(modules.size).toBe(0);
    expect(modules.bytes).toBe(0);
  });

  it('keeps at most its capacity, dropping the least recently used', async () => {
    const modules = new CompiledModules({ count: 2, bytes: Number.POSITIVE_INFINITY });
    const a = await modules.compile(moduleNamed('a'));
    const b = await modules.compile(moduleNamed('b'));
    expect(await modules.compile(moduleNamed('a'))).toBe(a);
    await modules.compile(moduleNamed('c'));
    await modules.compile(moduleNamed('d'));
    expect(modules.size).toBe(2);
    expect(await modules.compile(moduleNamed('d'))).toBeDefined();
    expect(await modules.compile(moduleNamed('b'))).not.toBe(b);
  });

  it('a holder keeps one module: its version 20 times updated leaves only the current one compiled', async () => {
    const modules = new CompiledModules(UNBOUNDED);
    let current = await modules.compile(moduleNamed('v0'), 'app');
    for (let v = 1; v <= 20; v++) {
      const next = await modules.compile(moduleNamed(`v${v}`), 'app');
      expect(next).not.toBe(current);
      current = next;
      expect(modules.size).toBe(1);
    }
    expect(await modules.compile(moduleNamed('v20'), 'app')).toBe(current);
    expect(modules.bytes).toBe(moduleNamed('v20').length);
  });

  it('a module goes when its last holder lets go, not before; one never held stays within the bounds', async () => {
    const modules = new CompiledModules(UNBOUNDED);
    const shared = await modules.compile(moduleNamed('shared'), 'owner/a');
    await modules.compile(moduleNamed('shared'), 'owner/b');
    await modules.compile(moduleNamed('spare'));
    await modules.compile(moduleNamed('other'), 'other/a');
    modules.keepHolders('owner/', new Set(['owner/b']));
    expect(modules.size).toBe(3);
    expect(await modules.compile(moduleNamed('shared'))).toBe(shared);
    modules.keepHolders('owner/', new Set());
    // The shared module had holders and has none: nothing will ask for it. The spare one and the
    // other owner's stay.
    expect(modules.size).toBe(2);
    expect(await modules.compile(moduleNamed('shared'))).not.toBe(shared);
  });

  it('holds a byte budget with large modules: the least recently used goes, one no holder has before a held one', async () => {
    const modules = new CompiledModules({ count: 32, bytes: 10 * MiB });
    const big = (name: string): Uint8Array => withPadding(moduleNamed(name), name, 3 * MiB);
    const held = await modules.compile(big('held'), 'app');
    const spareA = await modules.compile(big('spare-a'));
    await modules.compile(big('spare-b'));
    expect(modules.size).toBe(3);
    await modules.compile(big('spare-c'));
    // 12 MiB asked for: the oldest module nobody holds went, not the older held one.
    expect(modules.size).toBe(3);
    expect(modules.bytes).toBeLessThanOrEqual(10 * MiB);
    expect(await modules.compile(big('held'), 'app')).toBe(held);
    expect(await modules.compile(big('spare-a'))).not.toBe(spareA);
    expect(modules.bytes).toBeLessThanOrEqual(10 * MiB + big('spare-a').length);
    // Only held modules left over the budget: the least recently used of them goes.
    for (const name of ['h1', 'h2', 'h3', 'h4']) await modules.compile(big(name), name);
    await modules.compile(big('h5'), 'h5');
    expect(modules.bytes).toBeLessThanOrEqual(10 * MiB + big('h5').length);
    expect(modules.size).toBeLessThanOrEqual(4);
    expect(await modules.compile(big('held'), 'app')).not.toBe(held);
  });

  it('never drops a module in use (leased), over a bound or let go; when the lease ends it goes', async () => {
    const modules = new CompiledModules({ count: 2, bytes: Number.POSITIVE_INFINITY });
    const running = modules.lease(moduleNamed('running'), 'app');
    const module = await running.module;
    await modules.compile(moduleNamed('other'));
    await modules.compile(moduleNamed('another'));
    // The oldest went, but not the one in use.
    expect(modules.size).toBe(2);
    expect(await modules.compile(moduleNamed('running'))).toBe(module);
    // Updated while it runs: the holder moves to the new version, the running one stays until it ends.
    await modules.compile(moduleNamed('next'), 'app');
    expect(await modules.compile(moduleNamed('running'))).toBe(module);
    running.end();
    running.end();
    // Left: the holder's new version.
    expect(modules.size).toBe(1);
    expect(await modules.compile(moduleNamed('running'))).not.toBe(module);
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

  it(`keeps at most ${COMPILED_BYTES_KEPT / MiB} MiB of Wasm compiled over twelve 4 MiB apps; the first, evicted, compiles once more and runs`, async () => {
    const holders = new ModuleHolders();
    const apps = Array.from({ length: 12 }, (_, i) => withPadding(probe(), `large-${process.pid}-${i}`, 4 * MiB));
    const compile = jest.spyOn(WebAssembly, 'compile');
    try {
      for (const [i, wasm] of apps.entries()) {
        const t = await startProbe({ moduleHolder: holders.of(`app-${i}`) }, wasm);
        expect(await t.app.run()).toBeDefined();
        await t.app.close();
        expect(compiledModuleBytes()).toBeLessThanOrEqual(COMPILED_BYTES_KEPT);
      }
      expect(compile).toHaveBeenCalledTimes(12);
      compile.mockClear();
      const again = await startProbe({ moduleHolder: holders.of('app-0'), config: { paint: true } }, apps[0]!);
      expect(compile).toHaveBeenCalledTimes(1);
      const frame = await again.app.run();
      expect(pixel(frame!, 63, 31)).toEqual([252, 248, 1]);
      await again.app.close();
      expect(compiledModuleBytes()).toBeLessThanOrEqual(COMPILED_BYTES_KEPT);
    } finally {
      compile.mockRestore();
      holders.keepOnly([]);
    }
  });

  it('apps that fail (a trap in run(), an import the sandbox does not provide) keep no module in use: twelve 4 MiB ones stay within the byte budget', async () => {
    const trapping = new WasmBuilder().memory(1);
    const trap = trapping.func([], ['i32'], [...op.unreachable]);
    const unlinked = new WasmBuilder();
    unlinked.importFunc('nowhere', 'missing', [], []);
    const run = unlinked.func([], ['i32'], [...op.i32(0)]);
    const bases = [trapping.exportFunc('run', trap).exportMemory('memory').build(), unlinked.memory(1).exportFunc('run', run).exportMemory('memory').build()];
    for (let i = 0; i < 12; i++) {
      const wasm = withPadding(bases[i % 2]!, `failing-${process.pid}-${i}`, 4 * MiB);
      if (i % 2 === 0) {
        const t = await startProbe({}, wasm);
        await expect(t.app.run()).rejects.toMatchObject({ kind: 'trap' });
        await t.app.close();
      } else {
        await expect(startProbe({}, wasm)).rejects.toMatchObject({ kind: 'load', message: expect.stringMatching(/nowhere/) });
      }
      expect(compiledModuleBytes()).toBeLessThanOrEqual(COMPILED_BYTES_KEPT);
    }
  });
});
