/**
 * What app rotation and app installs cost in threads, compiled modules and the main thread's
 * handles, timers and descriptors, counted on the real parts: the real scheduler rotating apps in
 * the real sandbox (worker-reuse.test.ts proves reuse app by app through `startApp`; here it is the
 * rotation's own switching that must hand each thread on), and the real Device installing,
 * removing and reinstalling an app many times (the compiled-module cache is bounded, keyed by the
 * module's bytes). The soak (bench/soak.ts) watches the same counts over hours; these say which
 * part leaked when one grows.
 */
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { settingsFrom } from '../../src/config';
import { Device } from '../../src/device/device';
import { EventBus } from '../../src/events';
import { closeIdleWorkers, compiledModuleBytes, compiledModuleCount, ModuleHolders, startApp, workerReuse } from '../../src/sandbox';
import { COMPILED_BYTES_KEPT, COMPILED_MODULES_KEPT } from '../../src/sandbox/compiled-modules';
import { liveWorkerCount, startedWorkerCount } from '../../src/sandbox/worker-script';
import { Scheduler, type SchedulableApp } from '../../src/scheduler/scheduler';
import { createLogger } from '../../src/util/logger';
import { trackBridgeTimers } from '../helpers/bridge-timers';
import { RecordingOutput } from '../helpers/display';
import { waitUntil } from '../helpers/ports';
import { type RestingCounts, restingCounts } from '../helpers/resting-counts';
import { manifest, options as harnessOptions, TEST_LIMITS, tempDir } from '../helpers/sandbox/harness';
import { buildProbeApp } from '../helpers/sandbox/probe-app';
import { WasmBuilder, op, withCustomSection, withPadding } from '../helpers/sandbox/wasm-builder';

jest.setTimeout(180_000);

/** The sandbox's idle threads kept (IDLE_WORKERS in sandbox/index.ts). */
const MAX_IDLE = 2;
const MiB = 1024 * 1024;
const log = createLogger('error');
/** A run budget no loaded machine runs out of: a fault would end a thread for a reason of its own. */
const LIMITS = { ...TEST_LIMITS, runTimeoutMs: 10_000 };
/** Versions of one app installed in turn: more than the cache's count bound, which must not be what limits them. */
const VERSIONS = COMPILED_MODULES_KEPT + 8;

let probe: Uint8Array;
const dir = tempDir();

beforeAll(async () => {
  probe = await buildProbeApp();
}, 120_000);

beforeEach(async () => {
  await closeIdleWorkers();
});

afterAll(async () => {
  await closeIdleWorkers();
  dir.cleanup();
});

/** Timers of the bridge's code: the process's own count in jest has jest's timers too (helpers/bridge-timers.ts). */
const timers = trackBridgeTimers();
afterAll(() => timers.stop());

/** The main thread's resting counts with no app thread alive (idle ones ended first), and the live thread count. */
async function restingWithoutThreads(): Promise<RestingCounts & { workers: number }> {
  await closeIdleWorkers();
  await waitUntil(() => liveWorkerCount() === 0, `every app thread to exit (${liveWorkerCount()} alive)`);
  return { ...(await restingCounts(timers)), workers: liveWorkerCount() };
}

describe('the scheduler rotating apps in the real sandbox', () => {
  function rotatingApp(id: string, moduleHolder?: string): SchedulableApp {
    // Bytes of its own per app, as installed apps have: each is compiled (and cached) apart.
    const wasm = withCustomSection(probe, `rotation-${id}`);
    return {
      ...(moduleHolder === undefined ? {} : { moduleHolder }),
      id,
      enabled: true,
      kvFile: join(dir.path, `${id}.kv.json`),
      manifest: manifest({ id, bin: `${id}.wasm`, refresh_period_ms: 10, duration_ms: 20 }),
      loadWasm: () => wasm,
      config: () => ({}),
    };
  }

  /** Rotates three apps by their 20 ms dwell until `starts` app starts; what each start saw. */
  async function rotate(starts: number, holders?: ModuleHolders): Promise<{ maxLive: number; maxIdle: number; failures: string[] }> {
    const apps = ['a', 'b', 'c'].map((id) => rotatingApp(id, holders?.of(id)));
    let started = 0;
    let maxLive = 0;
    let maxIdle = 0;
    const scheduler = new Scheduler(
      {
        defaultDurationMs: 20,
        rotation: true,
        kvQuotaBytes: () => 1024,
        sandbox: { limits: LIMITS, timeZone: 'UTC' },
        startApp: (options) => {
          started++;
          maxLive = Math.max(maxLive, liveWorkerCount());
          maxIdle = Math.max(maxIdle, workerReuse().idle);
          return startApp(options);
        },
        onFrame: () => undefined,
        onChange: () => undefined,
        onLog: () => undefined,
      },
      log,
    );
    scheduler.setApps(apps);
    scheduler.start();
    try {
      await waitUntil(() => started >= starts, `${starts} app starts (${started} so far)`, 150_000);
    } finally {
      await scheduler.stop();
    }
    const failures = apps.flatMap((a) => {
      const reason = scheduler.failure(a.id);
      return reason === undefined ? [] : [`${a.id}: ${reason}`];
    });
    return { maxLive, maxIdle, failures };
  }

  it('one thread hosts the whole rotation: threads started stay put over 60 app switches, idle ones never above the maximum', async () => {
    // Warm-up: the worker bundle, the three compiles and whatever the first starts set up lazily.
    const warm = await rotate(6);
    expect(warm.failures).toEqual([]);
    const before = await restingWithoutThreads();
    const startedBefore = startedWorkerCount();
    const reusedBefore = workerReuse().reused;

    const compile = jest.spyOn(WebAssembly, 'compile');
    let run: Awaited<ReturnType<typeof rotate>>;
    try {
      run = await rotate(60);
      // Compiled in the warm-up: no switch compiles its app again.
      expect(compile).toHaveBeenCalledTimes(0);
    } finally {
      compile.mockRestore();
    }
    expect(run.failures).toEqual([]);
    // Every switch closes the app before the next starts, so the thread of the first start hosts
    // every later one. One more is allowed: a close that outlived its grace on a loaded machine
    // ends its thread rather than hand it on.
    const startedThreads = startedWorkerCount() - startedBefore;
    expect(startedThreads).toBeGreaterThanOrEqual(1);
    expect(startedThreads).toBeLessThanOrEqual(2);
    expect(workerReuse().reused - reusedBefore).toBeGreaterThanOrEqual(58);
    expect(run.maxIdle).toBeLessThanOrEqual(MAX_IDLE);
    expect(run.maxLive).toBeLessThanOrEqual(MAX_IDLE + 1);
    // The rotation's thread went back to the pool when the scheduler stopped.
    expect(workerReuse().idle).toBeGreaterThanOrEqual(1);
    expect(workerReuse().idle).toBeLessThanOrEqual(MAX_IDLE);
    // Three apps, three compiled modules, however often each starts.
    expect(compiledModuleCount()).toBe(3);
    // Nothing an app had on the main thread outlives it: its ports, timers and descriptors.
    expect(await restingWithoutThreads()).toEqual(before);
  });

  it("the rotating apps' modules (held, as installed apps' are) are never compiled again while large modules nobody holds overflow the byte budget", async () => {
    const holders = new ModuleHolders();
    try {
      expect((await rotate(6, holders)).failures).toEqual([]);
      const large = Array.from({ length: 8 }, (_, i) => withPadding(probe, `rotation-spare-${process.pid}-${i}`, 6 * MiB));
      const compile = jest.spyOn(WebAssembly, 'compile');
      let compiled: string[];
      try {
        // Meanwhile, 48 MiB of modules no installed app has (previews, say) start and stop.
        let spares = 0;
        const others = (async () => {
          for (const wasm of large) {
            const app = await startApp({ ...harnessOptions(wasm, dir.path, { limits: LIMITS }), kvFile: join(dir.path, `spare-${spares++}.kv.json`) });
            await app.run();
            await app.close();
          }
        })();
        const run = await rotate(30, holders);
        await others;
        expect(run.failures).toEqual([]);
        compiled = compile.mock.calls.map(([bytes]) => ((bytes as Uint8Array).length > MiB ? 'large' : 'rotating'));
      } finally {
        compile.mockRestore();
      }
      expect(compiled.filter((c) => c === 'rotating')).toEqual([]);
      expect(compiled.length).toBe(large.length);
      expect(compiledModuleBytes()).toBeLessThanOrEqual(COMPILED_BYTES_KEPT);
    } finally {
      holders.keepOnly([]);
    }
  });
});

describe('the Device installing, removing and reinstalling an app many times', () => {
  let dataDir: string;
  let device: Device;

  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'megabit-churn-'));
    const settings = settingsFrom({ data_dir: dataDir, log_level: 'error', rotation: { enabled: false } }, 'test', {});
    device = new Device({ settings, bus: new EventBus(log), exampleAppDirs: [], outputs: [new RecordingOutput()] }, log);
    await device.start();
  });

  afterEach(async () => {
    await device.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it(`keeps only the current version compiled over ${VERSIONS} updates; a removed app's module goes, and installed again it compiles once and runs`, async () => {
    const app = manifest({ id: 'churn', bin: 'churn.wasm' });
    const cachedBefore = compiledModuleCount();
    const startedBefore = startedWorkerCount();
    let maxIdle = 0;
    const shown = (): Promise<void> => waitUntil(() => device.state().app === 'churn', 'the churned app to show');
    // Compiles on the main thread: one per new version (its install check; the start after it
    // finds the check's module), none for a start of bytes compiled before.
    const compile = jest.spyOn(WebAssembly, 'compile');
    try {
      for (let i = 0; i < VERSIONS; i++) {
        const wasm = withCustomSection(probe, `churn-${i}`);
        compile.mockClear();
        // An update of the version installed before (the first: an install).
        await device.installApp({ ...app, version: `1.0.${i}` }, wasm);
        await shown();
        expect(compile).toHaveBeenCalledTimes(1);
        // The version it replaced went with the update: only the current one is compiled.
        expect(compiledModuleCount()).toBe(cachedBefore + 1);
        // Removed: no installed app has those bytes, so they go.
        await device.removeApp('churn');
        expect(compiledModuleCount()).toBe(cachedBefore);
        // Installed again: compiled once more (its install check ran it: compile and setup).
        await device.installApp({ ...app, version: `1.0.${i}` }, wasm, { replace: true });
        await shown();
        expect(compile).toHaveBeenCalledTimes(2);
        expect(device.apps().map((a) => `${a.id} ${a.status}`)).toEqual(['churn ok']);
        expect(compiledModuleCount()).toBe(cachedBefore + 1);
        maxIdle = Math.max(maxIdle, workerReuse().idle);
      }
    } finally {
      compile.mockRestore();
    }
    expect(maxIdle).toBeLessThanOrEqual(MAX_IDLE);
    // Each install checks the module in a throwaway sandbox while the installed app may be
    // starting: two apps at once at most, so at most the pool's idle threads plus one are started.
    expect(startedWorkerCount() - startedBefore).toBeLessThanOrEqual(MAX_IDLE + 1);
  });

  it('an app whose module is replaced on disk by hand (disabled, so not started again) has its old module dropped', async () => {
    const app = manifest({ id: 'handmade', bin: 'handmade.wasm' });
    const cachedBefore = compiledModuleCount();
    await device.installApp(app, withCustomSection(probe, 'handmade-1'));
    await waitUntil(() => device.state().app === 'handmade', 'the app to show');
    expect(compiledModuleCount()).toBe(cachedBefore + 1);
    await device.setAppOrder(['handmade'], ['handmade']);
    await waitUntil(() => device.state().app === null, 'the disabled app to go');
    // Still its module: enabled again, it would start without a compile.
    expect(compiledModuleCount()).toBe(cachedBefore + 1);
    const folder = join(dataDir, 'apps', 'handmade');
    writeFileSync(join(folder, 'handmade.wasm.new'), withCustomSection(probe, 'handmade-2'));
    renameSync(join(folder, 'handmade.wasm.new'), join(folder, 'handmade.wasm'));
    await waitUntil(() => compiledModuleCount() === cachedBefore, `the replaced module to go (${compiledModuleCount() - cachedBefore} kept)`);
  });

  it('a refused install (its check fails) holds no module, under a new id and as an update of an installed app', async () => {
    const unlinked = new WasmBuilder();
    unlinked.importFunc('nowhere', 'missing', [], []);
    const run = unlinked.func([], ['i32'], [...op.i32(0)]);
    const refused = unlinked.memory(1).exportFunc('run', run).exportMemory('memory').build();
    const cachedBefore = compiledModuleCount();
    for (let i = 0; i < 3; i++) {
      await expect(device.installApp(manifest({ id: `refused-${i}`, bin: 'refused.wasm' }), withCustomSection(refused, `refused-${i}`))).rejects.toThrow(
        /nowhere/,
      );
      expect(compiledModuleCount()).toBe(cachedBefore);
    }
    const app = manifest({ id: 'kept', bin: 'kept.wasm' });
    await device.installApp(app, withCustomSection(probe, 'kept-1'));
    await waitUntil(() => device.state().app === 'kept', 'the installed app to show');
    expect(compiledModuleCount()).toBe(cachedBefore + 1);
    await expect(device.installApp({ ...app, version: '2.0.0' }, withCustomSection(refused, 'kept-2'))).rejects.toThrow(/nowhere/);
    // The installed version runs again (its module compiled once more: the refused check had its hold).
    await waitUntil(() => device.state().app === 'kept', 'the installed app to show again');
    expect(compiledModuleCount()).toBe(cachedBefore + 1);
  });

  it("a preview under an installed app's id compiles its own bytes once and leaves the installed app's module alone", async () => {
    const app = manifest({ id: 'previewed', bin: 'previewed.wasm' });
    const installed = withCustomSection(probe, 'previewed-installed');
    const previewed = withCustomSection(probe, 'previewed-preview');
    await device.installApp(app, installed);
    await waitUntil(() => device.state().app === 'previewed', 'the installed app to show');
    const cached = compiledModuleCount();
    // Every app start takes a thread, new or idle, once it has its module: counted, each start is
    // seen (the preview has the installed app's id, so the state cannot tell them apart).
    const threadsTaken = (): number => startedWorkerCount() + workerReuse().reused;
    const compile = jest.spyOn(WebAssembly, 'compile');
    try {
      let taken = threadsTaken();
      await device.previewApp({ ...app, version: '2.0.0' }, previewed);
      // The preview's check, then its start.
      await waitUntil(() => threadsTaken() >= taken + 2, 'the preview to start');
      expect(compile).toHaveBeenCalledTimes(1);
      taken = threadsTaken();
      expect(device.endPreview()).toBe(true);
      await waitUntil(() => threadsTaken() > taken, 'the installed app to start again');
      // Its start after the preview found its module: one compile in all, the preview's check.
      expect(compile).toHaveBeenCalledTimes(1);
      expect(compiledModuleCount()).toBe(cached + 1);
    } finally {
      compile.mockRestore();
    }
  });
});
