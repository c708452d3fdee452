import { SandboxFault } from '../../src/sandbox';
import { command, encode, pixel, start, type StartOverrides, useProbeSandbox } from '../helpers/sandbox/harness';
import { WasmBuilder, op } from '../helpers/sandbox/wasm-builder';

const { dir, probe, startProbe } = useProbeSandbox();

async function faultOf(promise: Promise<unknown>): Promise<SandboxFault> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SandboxFault);
  return error as SandboxFault;
}

describe('drawing', () => {
  it('a full-frame blit reaches the canvas, one fresh frame per tick', async () => {
    const t = await startProbe({ config: { paint: true } });
    const frame = await t.app.run();
    expect(frame).toBeInstanceOf(Uint8Array);
    expect(frame!.length).toBe(6144);
    expect(pixel(frame!, 0, 0)).toEqual([0, 0, 1]);
    expect(pixel(frame!, 10, 3)).toEqual([40, 24, 1]);
    expect(pixel(frame!, 63, 31)).toEqual([252, 248, 1]);
    const next = await t.app.run();
    expect(pixel(next!, 63, 31)).toEqual([252, 248, 2]);
    expect(pixel(frame!, 63, 31)).toEqual([252, 248, 1]);
  });

  it('run() calls made while one is in flight are answered in order, one at a time', async () => {
    const t = await startProbe({ config: { paint: true } });
    const frames = await Promise.all([t.app.run(), t.app.run(), t.app.run()]);
    expect(frames.map((f) => pixel(f!, 63, 31)[2])).toEqual([1, 2, 3]);
    // Each frame is its own run's, though the next run starts as it is answered: the probe paints
    // the run's number into every pixel's blue, so a frame copied after the next run drew shows
    // the wrong number (groups of three runs asked at once, many times over; a fresh app every
    // 100 groups, as the probe's heap grows with every painted frame).
    const wrong: string[] = [];
    for (let app = 0; app < 10; app++) {
      const p = await startProbe({ config: { paint: true } });
      for (let group = 0; group < 100; group++) {
        const ticks = (await Promise.all([p.app.run(), p.app.run(), p.app.run()])).map((f) => [pixel(f!, 0, 0)[2], pixel(f!, 63, 31)[2]]);
        const expected = ticks.map((_, i) => (group * 3 + i + 1) & 0xff);
        if (ticks.some(([first, last], i) => first !== expected[i] || last !== expected[i])) wrong.push(`${JSON.stringify(ticks)} for ${expected}`);
      }
      await p.app.close();
    }
    expect(wrong).toEqual([]);
    // A fault fails the run it happens in and every run waiting behind it.
    t.app.pushData(encode('trap'));
    const [first, ...behind] = await Promise.all([t.app.run(), t.app.run(), t.app.run()].map((p) => faultOf(p)));
    expect(first.message).toBe('trapped: unreachable');
    expect(behind).toEqual([first, first]);
  });

  it('a close while runs wait lets the one in flight finish and fails the others', async () => {
    const t = await startProbe({ config: { paint: true } });
    const runs = [t.app.run(), t.app.run(), t.app.run()];
    const closed = t.app.close();
    const [inFlight, ...behind] = await Promise.allSettled(runs);
    await closed;
    expect(inFlight.status).toBe('fulfilled');
    expect(behind.map((r) => (r.status === 'rejected' ? (r.reason as Error).message : r.status))).toEqual(['the app was closed', 'the app was closed']);
  });

  it('partial blits are clipped to the display and the canvas keeps what was drawn before', async () => {
    const t = await startProbe();
    expect(await command(t, 'blit|-2|-2|4|4|255|0|0')).toEqual(['blit 0']);
    t.app.pushData(encode('blit|62|30|4|4|0|255|0'));
    const frame = await t.app.run();
    expect(pixel(frame!, 0, 0)).toEqual([255, 0, 0]);
    expect(pixel(frame!, 1, 1)).toEqual([255, 0, 0]);
    expect(pixel(frame!, 2, 2)).toEqual([0, 0, 0]);
    expect(pixel(frame!, 61, 31)).toEqual([0, 0, 0]);
    expect(pixel(frame!, 62, 30)).toEqual([0, 255, 0]);
    expect(pixel(frame!, 63, 31)).toEqual([0, 255, 0]);
  });

  it('a tick that draws nothing (or only off-screen) yields null; bad sizes return -1', async () => {
    const t = await startProbe();
    expect(await t.app.run()).toBeNull();
    t.app.pushData(encode('blit|64|0|4|4|1|1|1'));
    expect(await t.app.run()).toBeNull();
    expect(t.messages()).toEqual(['setup ticks=0', 'blit 0']);
    expect(await command(t, 'blitshort|4|4', 'blit|0|0|0|4|1|1|1', 'blit|0|0|4|-1|1|1|1')).toEqual(['blitshort -1', 'blit -1', 'blit -1']);
  });
});

describe("drawing from the app's own memory (mb_blit_mem)", () => {
  it('copies a region from linear memory, clipped to the display like mb_blit', async () => {
    const t = await startProbe();
    expect(await command(t, 'blitmem|-2|-2|4|4|255|0|0')).toEqual(['blitmem 0']);
    t.app.pushData(encode('blitmem|62|30|4|4|0|255|0'));
    const frame = await t.app.run();
    expect(pixel(frame!, 0, 0)).toEqual([255, 0, 0]);
    expect(pixel(frame!, 1, 1)).toEqual([255, 0, 0]);
    expect(pixel(frame!, 2, 2)).toEqual([0, 0, 0]);
    expect(pixel(frame!, 62, 30)).toEqual([0, 255, 0]);
    expect(pixel(frame!, 63, 31)).toEqual([0, 255, 0]);
  });

  it('full-width rows clipped at the top and bottom keep every row in its place', async () => {
    const t = await startProbe();
    for (const line of ['blitrows|-2|4', 'blitrows|10|1', 'blitrows|30|4']) t.app.pushData(encode(line));
    const frame = await t.app.run();
    expect(t.messages().slice(1)).toEqual(['blitrows 0', 'blitrows 0', 'blitrows 0']);
    expect([0, 1, 2, 9, 10, 11, 29, 30, 31].map((y) => pixel(frame!, 5, y))).toEqual([
      [5, 2, 7],
      [5, 3, 7],
      [0, 0, 0],
      [0, 0, 0],
      [5, 0, 7],
      [0, 0, 0],
      [0, 0, 0],
      [5, 0, 7],
      [5, 1, 7],
    ]);
    expect(pixel(frame!, 63, 31)).toEqual([63, 1, 7]);
  });

  it("a range outside the app's memory, or a bad size, returns -1 and draws nothing; the app keeps running", async () => {
    const t = await startProbe();
    const bad = [
      'blitmemend|-6143|64|32', // one byte past the end
      'blitmemend|0|1|1',
      'blitmemat|-1|1|1', // 0xffffffff
      'blitmemat|0|0|4',
      'blitmemat|0|4|-1',
      'blitmemat|0|65536|65536', // 12 GiB from 0
    ];
    for (const line of bad) t.app.pushData(encode(line));
    expect(await t.app.run()).toBeNull();
    expect(t.messages()).toEqual(['setup ticks=0', ...bad.map((line) => `${line.split('|')[0]} -1`)]);
    expect(await command(t, 'blitmemend|-6144|64|32')).toEqual(['blitmemend 0']);
  });
});

describe('calls', () => {
  it('setup runs once before the first run, and module state persists between runs', async () => {
    const t = await startProbe({ config: { trace: true } });
    await t.app.run();
    await t.app.run();
    expect(t.messages()).toEqual(['setup ticks=0', 'run 1', 'run 2']);
  });

  it('the display, clock, time zone and random seed functions answer', async () => {
    const t = await startProbe({ timeZone: 'Asia/Kolkata' });
    const lines = await command(t, 'info', 'info');
    expect(lines[0]).toBe('display {"width":64,"height":32}');
    expect(Math.abs(Number(lines[1].slice(4)) - Date.now())).toBeLessThan(5000);
    expect(lines[2]).toBe('tz 330');
    expect(lines[3]).toMatch(/^seed -?\d+$/);
    expect(lines[7]).not.toBe(lines[3]);
  });

  it('an unknown time zone falls back to UTC with a warning', async () => {
    const t = await startProbe({ timeZone: 'Mars/Olympus_Mons' });
    expect(await command(t, 'info')).toContain('tz 0');
    expect(t.logs).toContainEqual({ level: 'warn', message: 'unknown time zone "Mars/Olympus_Mons": the app sees UTC' });
  });

  it('config is readable and can be replaced while the app runs', async () => {
    const t = await startProbe({ config: { city: 'Köln' } });
    expect(await command(t, 'config')).toEqual(['config {"city":"Köln"}']);
    t.app.setConfig({ city: 'Bonn', n: 2 });
    expect(await command(t, 'config')).toEqual(['config {"city":"Bonn","n":2}']);
  });

  it('mb_config_version changes with every config the bridge hands over, and only then', async () => {
    const t = await startProbe({ config: { city: 'Köln' } });
    expect(await command(t, 'configversion', 'configversion')).toEqual(['configversion 0', 'configversion 0']);
    t.app.setConfig({ city: 'Bonn' });
    expect(await command(t, 'configversion')).toEqual(['configversion 1']);
    t.app.setConfig({ city: 'Bonn' });
    t.app.setConfig({ city: 'Ulm' });
    expect(await command(t, 'configversion', 'config')).toEqual(['configversion 3', 'config {"city":"Ulm"}']);
  });

  it("a reactor's _initialize runs before run", async () => {
    const b = new WasmBuilder().memory(1);
    const init = b.func([], [], [...op.i32(0), ...op.i32(7), ...op.i32Store]);
    // run traps unless _initialize stored 7 at address 0.
    const run = b.func(
      [],
      ['i32'],
      [...op.i32(0), ...op.i32Load, ...op.i32(7), ...op.i32Eq, ...op.if, ...op.i32(0), ...op.br(1), ...op.end, ...op.unreachable],
    );
    const wasm = b.exportFunc('_initialize', init).exportFunc('run', run).exportMemory('memory').build();
    const t = await startProbe({}, wasm);
    await expect(t.app.run()).resolves.toBeNull();
  });

  it('a trap in setup names setup', async () => {
    const fault = await faultOf(start(probe(), dir, { config: { setupTrap: true } }));
    expect(fault.kind).toBe('trap');
    expect(fault.message).toBe('setup() trapped: unreachable');
  });

  it("a failing setup is a load fault carrying the app's error text", async () => {
    const fault = await faultOf(start(probe(), dir, { config: { setupFail: true } }));
    expect(fault.kind).toBe('load');
    expect(fault.message).toBe('setup() failed (returned 1): setup refused');
  });

  it('a setup that never returns hits the setup budget', async () => {
    const fault = await faultOf(start(probe(), dir, { config: { setupLoop: true }, limits: { setupTimeoutMs: 1500 } }));
    expect(fault.kind).toBe('timeout');
    expect(fault.message).toBe('loading and setup() exceeded the 1500 ms time budget');
  });

  it('a run that reports failure is a fault with its error text', async () => {
    const t = await startProbe();
    t.app.pushData(encode('fail|sensor gone'));
    const fault = await faultOf(t.app.run());
    expect(fault.kind).toBe('trap');
    expect(fault.message).toBe('run() failed (returned 1): sensor gone');
  });
});

describe('faults', () => {
  it('an endless run() is stopped while the event loop keeps running', async () => {
    const t = await startProbe({ limits: { runTimeoutMs: 250 } });
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    const startedAt = Date.now();
    t.app.pushData(encode('loop'));
    const fault = await faultOf(t.app.run());
    clearInterval(timer);
    expect(fault.kind).toBe('timeout');
    expect(fault.message).toBe('run() exceeded its 250 ms time budget');
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(250);
    expect(ticks).toBeGreaterThanOrEqual(5);
    // The instance is dead: later runs fail at once with the same fault.
    await expect(t.app.run()).rejects.toBe(fault);
  });

  it('a run that loops after many quick ones gets its whole budget, counted from its own start', async () => {
    // One watchdog serves every run (armed by the first quick run here): the looping run must
    // still get 250 ms from when its guest code started, not from when the watchdog was armed.
    const t = await startProbe({ limits: { runTimeoutMs: 250 } });
    const quickUntil = Date.now() + 150;
    let quick = 0;
    // Several quick runs, however slow the machine, over at least 150 ms.
    while (quick < 3 || Date.now() < quickUntil) {
      await t.app.run();
      quick++;
    }
    t.app.pushData(encode('loop'));
    const loopAskedAt = Date.now();
    const fault = await faultOf(t.app.run());
    expect(fault.kind).toBe('timeout');
    expect(fault.message).toBe('run() exceeded its 250 ms time budget');
    expect(Date.now() - loopAskedAt).toBeGreaterThanOrEqual(250);
  });

  it('a trap names the trap', async () => {
    const t = await startProbe();
    t.app.pushData(encode('trap'));
    const fault = await faultOf(t.app.run());
    expect(fault.kind).toBe('trap');
    expect(fault.message).toBe('trapped: unreachable');
  });

  it('a trap carries what the app said before it (an abort message)', async () => {
    const t = await startProbe();
    t.app.pushData(encode('abort|abort: index out of range at assembly/index.ts:12:5'));
    const fault = await faultOf(t.app.run());
    expect(fault.kind).toBe('trap');
    expect(fault.message).toBe('trapped: unreachable (abort: index out of range at assembly/index.ts:12:5)');
  });

  it('runaway recursion is a trap, not a crash of the bridge', async () => {
    const t = await startProbe();
    t.app.pushData(encode('recurse'));
    const fault = await faultOf(t.app.run());
    expect(fault.kind).toBe('trap');
    expect(fault.message).toBe('trapped: call stack exhausted (runaway recursion?)');
  });

  it('growing linear memory past the cap is a memory fault', async () => {
    const t = await startProbe({ limits: { memoryBytes: 4 * 1024 * 1024 } });
    t.app.pushData(encode('grow'));
    const fault = await faultOf(t.app.run());
    expect(fault.kind).toBe('memory');
    expect(fault.message).toBe('ran out of memory (4 MiB cap)');
  });

  it('allocating Extism memory past the cap is a memory fault', async () => {
    const t = await startProbe();
    t.app.pushData(encode('hostalloc'));
    const fault = await faultOf(t.app.run());
    expect(fault.kind).toBe('memory');
    // Each MiB block is charged with its overhead (BLOCK_OVERHEAD_BYTES), beside the linear memory.
    expect(fault.message).toMatch(
      /^ran out of memory \(16 MiB cap\): 1049088 more bytes of host data or Extism blocks would pass it in this call \(15\.\d+ MiB in use\)$/,
    );
  });

  it('a hand-written memory bomb without any allocator is capped too', async () => {
    const b = new WasmBuilder().memory(1);
    const run = b.func(
      [],
      ['i32'],
      [...op.loop, ...op.i32(16), ...op.memoryGrow, ...op.i32(-1), ...op.i32Eq, ...op.if, ...op.unreachable, ...op.end, ...op.br(0), ...op.end, ...op.i32(0)],
    );
    const wasm = b.exportFunc('run', run).exportMemory('memory').build();
    const t = await startProbe({}, wasm);
    const fault = await faultOf(t.app.run());
    expect(fault.kind).toBe('memory');
    expect(fault.message).toBe('ran out of memory (16 MiB cap)');
  });
});

describe('loading', () => {
  const load = (wasm: Uint8Array, overrides: StartOverrides = {}): Promise<SandboxFault> => faultOf(start(wasm, dir, overrides));

  it('bytes that are not WebAssembly', async () => {
    const fault = await load(encode('#!/bin/sh\necho hello\n'));
    expect(fault.kind).toBe('load');
    expect(fault.message).toBe('not a WebAssembly module (the file does not start with "\\0asm")');
  });

  it('a broken module body', async () => {
    const wasm = Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x03, 0x01, 0x60, 0x7f]);
    const fault = await load(wasm);
    expect(fault.kind).toBe('load');
    // The section walk before compiling (wasm-limits.ts) finds it first.
    expect(fault.message).toBe('the module ends in the middle of a section');
  });

  it('a module that wants WASI', async () => {
    const b = new WasmBuilder();
    b.importFunc('wasi_snapshot_preview1', 'fd_write', ['i32', 'i32', 'i32', 'i32'], ['i32']);
    const wasm = b.exportFunc('run', b.func([], ['i32'], op.i32(0))).build();
    const fault = await load(wasm);
    expect(fault.message).toBe(
      'the module imports function "wasi_snapshot_preview1"."fd_write", which Megabit does not provide (apps get no WASI: build without it)',
    );
  });

  it('a module that imports its memory or an unknown host function', async () => {
    const b = new WasmBuilder().importMemory('env', 'memory', 1);
    b.importFunc('extism:host/user', 'mb_teleport', [], []);
    const wasm = b.exportFunc('run', b.func([], ['i32'], op.i32(0))).build();
    const fault = await load(wasm);
    expect(fault.message).toBe('the module imports memory "env"."memory", function "extism:host/user"."mb_teleport", which Megabit does not provide');
  });

  it('a module without run', async () => {
    const b = new WasmBuilder();
    const wasm = b.exportFunc('setup', b.func([], ['i32'], op.i32(0))).build();
    expect((await load(wasm)).message).toBe('the module exports no "run" function');
  });

  it('a module whose initial memory is over the cap', async () => {
    const b = new WasmBuilder().memory(300);
    const wasm = b.exportFunc('run', b.func([], ['i32'], op.i32(0))).build();
    expect((await load(wasm)).message).toBe('the module needs 18.75 MiB of memory at start, more than the 16 MiB cap');
  });

  it('a module without memory and without setup runs', async () => {
    const b = new WasmBuilder();
    const wasm = b.exportFunc('run', b.func([], ['i32'], op.i32(0))).build();
    const t = await startProbe({}, wasm);
    expect(await t.app.run()).toBeNull();
  });

  it("mb_blit_mem in a module without memory returns -1 (here passed on as run's result)", async () => {
    const b = new WasmBuilder();
    const blit = b.importFunc('extism:host/user', 'mb_blit_mem', ['i32', 'i32', 'i32', 'i32', 'i32'], ['i32']);
    const wasm = b.exportFunc('run', b.func([], ['i32'], [...op.i32(0), ...op.i32(0), ...op.i32(1), ...op.i32(1), ...op.i32(0), ...op.call(blit)])).build();
    const t = await startProbe({}, wasm);
    const fault = await faultOf(t.app.run());
    expect([fault.kind, fault.message]).toEqual(['trap', 'run() failed (returned -1)']);
  });
});

describe('close', () => {
  it('close() during an endless run resolves, and the run settles without a fault', async () => {
    const t = await startProbe({ limits: { runTimeoutMs: 250 } });
    t.app.pushData(encode('loop'));
    const run = t.app.run();
    await new Promise((r) => setTimeout(r, 50));
    await t.app.close();
    await expect(run).resolves.toBeNull();
    await expect(t.app.run()).rejects.toThrow('the app was closed');
  });

  it('close() during a normal run lets it finish', async () => {
    const t = await startProbe({ config: { paint: true } });
    const run = t.app.run();
    const closed = t.app.close();
    const frame = await run;
    await closed;
    expect(pixel(frame!, 1, 1)).toEqual([4, 8, 1]);
    await t.app.close();
  });
});
