/**
 * The leak counts themselves: each one moves when the resource it counts is taken and comes back
 * when it is given back, so the leak test (bench/test/leaks.test.ts) would see a leak of it.
 */
import { openSync, closeSync } from 'node:fs';
import { EventBus } from '../../src/events';
import { readResourceCounts, type CountSources } from '../../src/diagnostics/resource-counts';
import { compiledModules, compiledModuleTotals } from '../../src/sandbox/compiled-modules';
import { liveWorkerCount, startedWorkerCount, startWorker } from '../../src/sandbox/worker-script';
import { fullCollector } from '../helpers/gc';
import { recordingLog } from '../helpers/logs';
import { moduleNamed } from '../helpers/sandbox/wasm-builder';

describe('resource counts', () => {
  const bus = new EventBus(recordingLog());
  const sources: CountSources = {
    busListeners: () => bus.listenerCount(),
    mqttListeners: () => ({ client: 0, handlers: 0 }),
    workers: liveWorkerCount,
    workersStarted: startedWorkerCount,
    compiledModules: compiledModuleTotals,
  };

  it('counts bus listeners per owner, and drops them with the owner', () => {
    const before = readResourceCounts(sources).busListeners;
    const owner = {};
    bus.on(owner, 'stateChanged', () => undefined);
    bus.on(owner, 'appsChanged', () => undefined);
    expect(readResourceCounts(sources).busListeners).toBe(before + 2);
    bus.removeListeners(owner);
    expect(readResourceCounts(sources).busListeners).toBe(before);
  });

  it('counts a pending interval as a timer, not as a handle', () => {
    const before = readResourceCounts(sources);
    const interval = setInterval(() => undefined, 60_000);
    const during = readResourceCounts(sources);
    clearInterval(interval);
    expect(during.timers).toBe(before.timers + 1);
    expect(during.handles).toBe(before.handles);
    expect(readResourceCounts(sources).timers).toBe(before.timers);
  });

  it('counts an open file descriptor, without the one it reads /proc/self/fd with', () => {
    const before = readResourceCounts(sources).fds;
    const fd = openSync(__filename, 'r');
    const during = readResourceCounts(sources).fds;
    closeSync(fd);
    expect(during).toBe(before + 1);
    expect(readResourceCounts(sources).fds).toBe(before);
  });

  it('counts an app worker from its start to its exit', async () => {
    const before = liveWorkerCount();
    const startedBefore = startedWorkerCount();
    const worker = startWorker({ workerData: {} });
    expect(liveWorkerCount()).toBe(before + 1);
    expect(startedWorkerCount()).toBe(startedBefore + 1);
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    await worker.terminate();
    await exited;
    expect(liveWorkerCount()).toBe(before);
  });

  it('counts a compiled app module while an app holds it, and its bytes; not once let go', async () => {
    const before = readResourceCounts(sources);
    const wasm = moduleNamed(`resource-counts-${process.pid}`);
    const holder = `resource-counts-test/${process.pid}`;
    await compiledModules.compile(wasm, holder);
    const during = readResourceCounts(sources);
    compiledModules.letGo(holder);
    expect(during.compiledModules).toBe(before.compiledModules + 1);
    expect(during.compiledModuleBytes).toBe(before.compiledModuleBytes + wasm.length);
    const after = readResourceCounts(sources);
    expect([after.compiledModules, after.compiledModuleBytes]).toEqual([before.compiledModules, before.compiledModuleBytes]);
  });

  it('splits the heap into compiled code and the objects held: objects raise and lower the second only', () => {
    // Each figure compared across the moves that cannot mislead it. Compiled code, across an
    // allocation with no collection forced: collections free compiled code that went cold (a fresh
    // clone saw 2.1 MB go between two collections). The objects, holding them and then after
    // letting them go: garbage that earlier test files in this worker left can only widen that
    // gap (read the other way round, CI saw the second read 22 and 79 MB below the first). Before
    // each of those reads the heap is collected until it stops shrinking: one collection frees what
    // weak handles kept, such as an earlier file's context, only at the next.
    const collect = fullCollector();
    collect();
    const before = readResourceCounts(sources);
    expect(before.heapCodeBytes).toBeGreaterThan(0);
    expect(before.heapDataBytes + before.heapCodeBytes).toBe(before.heapUsedBytes);
    // About 16 MB of objects.
    let held: Array<{ i: number; s: string }> | undefined = Array.from({ length: 200_000 }, (_, i) => ({ i, s: `entry ${i}` }));
    const allocated = readResourceCounts(sources);
    expect(Math.abs(allocated.heapCodeBytes - before.heapCodeBytes)).toBeLessThan(1024 * 1024);
    collect();
    const holding = readResourceCounts(sources);
    expect(held.length).toBe(200_000);
    held = undefined;
    collect();
    const released = readResourceCounts(sources);
    expect(holding.heapDataBytes - released.heapDataBytes).toBeGreaterThan(8 * 1024 * 1024);
  });

  it("reads the young generation's size and the heap's pages in RAM, parts of what V8 holds", () => {
    const counts = readResourceCounts(sources);
    // Two semi-spaces of at least 1 MB each once V8 has set them up; the whole heap holds more.
    expect(counts.youngGenerationBytes).toBeGreaterThanOrEqual(1024 * 1024);
    expect(counts.youngGenerationBytes).toBeLessThan(process.memoryUsage().heapTotal);
    // What of it is in RAM, and of the whole heap: parts of what RSS counts.
    expect(counts.youngGenerationResidentBytes).toBeGreaterThan(0);
    expect(counts.youngGenerationResidentBytes).toBeLessThanOrEqual(counts.youngGenerationBytes);
    expect(counts.heapResidentBytes).toBeGreaterThan(counts.youngGenerationResidentBytes);
    expect(counts.heapResidentBytes).toBeLessThan(counts.rssBytes);
  });

  it('collects garbage first only when asked and able (node --expose-gc)', () => {
    const gcAvailable = typeof (globalThis as { gc?: unknown }).gc === 'function';
    expect(readResourceCounts(sources).afterGc).toBe(false);
    expect(readResourceCounts(sources, { gc: true }).afterGc).toBe(gcAvailable);
  });
});
