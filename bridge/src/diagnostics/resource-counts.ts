/**
 * The resources a long-running bridge must not pile up, counted exactly: listeners on the event
 * bus and on the MQTT client, Node's active handles and timers, open file descriptors, app
 * worker threads and the compiled app modules kept; beside them the memory figures, which are not
 * exact (the soak run plots them).
 */
import { readdirSync } from 'node:fs';
import { getHeapSpaceStatistics, getHeapStatistics } from 'node:v8';

export interface ResourceCounts {
  /** Listeners on the bridge's event bus (events.ts). */
  busListeners: number;
  /** Listeners on the mqtt.js client object (its own and the connection's). */
  mqttClientListeners: number;
  /** Subscription, connect and disconnect handlers the MQTT connection holds. */
  mqttHandlers: number;
  /** Node's active handles and requests, timers left out (`process.getActiveResourcesInfo()`). */
  handles: number;
  /** Pending `setTimeout`/`setInterval` timers and immediates. */
  timers: number;
  /** Each active resource type with its count, to say which one grew. */
  resourceTypes: Record<string, number>;
  /** Entries of /proc/self/fd (Linux); -1 where there is no /proc. */
  fds: number;
  /** App worker threads that exist now. */
  workers: number;
  /** App worker threads started since the process began: still when apps reuse their threads. */
  workersStarted: number;
  /** Compiled app modules the sandbox keeps (one per installed app, bounded: compiled-modules.ts). */
  compiledModules: number;
  /** The Wasm bytes of those modules (bounded by COMPILED_BYTES_KEPT while no app runs beyond it). */
  compiledModuleBytes: number;
  rssBytes: number;
  /** V8 heap in use; after a full collection when the process was started with --expose-gc and one was asked for. */
  heapUsedBytes: number;
  /**
   * The part of `heapUsedBytes` that is compiled code (V8's code spaces). It grows for minutes
   * while the JIT warms up and V8 flushes what goes cold; leaked objects show in the rest.
   */
  heapCodeBytes: number;
  /** `heapUsedBytes` without the compiled code: the objects the bridge holds. */
  heapDataBytes: number;
  /**
   * Memory of ArrayBuffers and Buffers outside the V8 heap (`process.memoryUsage().arrayBuffers`):
   * where a small Buffer kept for long pins the whole pool block it was cut from.
   */
  arrayBuffersBytes: number;
  /**
   * The V8 heap's pages in RAM (`total_physical_size`; `heapTotal` also counts pages reserved and
   * never touched). RSS beyond it and the Buffers outside it is native memory: malloc (app
   * workers' heaps and arenas among it), the executable's pages.
   */
  heapResidentBytes: number;
  /**
   * Memory V8 holds for its young generation (new space's committed size). It is sized by V8 for
   * the load and grows in steps up to its cap (young-generation.ts): a rise of RSS that is this
   * one is the nursery reaching its working size, not a leak.
   */
  youngGenerationBytes: number;
  /** The part of the young generation in RAM: it fills as allocations reach further into its pages. */
  youngGenerationResidentBytes: number;
  /** Whether `heapUsedBytes` was read after a forced collection. */
  afterGc: boolean;
}

/** What the counts are read from: the bridge's own parts, handed in by whoever owns them. */
export interface CountSources {
  busListeners(): number;
  mqttListeners(): { client: number; handlers: number };
  workers(): number;
  workersStarted(): number;
  compiledModules(): { count: number; bytes: number };
}

const TIMER_TYPES = new Set(['Timeout', 'Immediate']);

export function readResourceCounts(sources: CountSources, options: { gc?: boolean } = {}): ResourceCounts {
  const gc = (globalThis as { gc?: () => void }).gc;
  const afterGc = options.gc === true && typeof gc === 'function';
  if (afterGc) gc();
  const resourceTypes: Record<string, number> = {};
  for (const type of process.getActiveResourcesInfo()) resourceTypes[type] = (resourceTypes[type] ?? 0) + 1;
  let timers = 0;
  let handles = 0;
  for (const [type, n] of Object.entries(resourceTypes)) {
    if (TIMER_TYPES.has(type)) timers += n;
    else handles += n;
  }
  const mqtt = sources.mqttListeners();
  const modules = sources.compiledModules();
  const memory = process.memoryUsage();
  const spaces = getHeapSpaceStatistics();
  const heapCodeBytes = codeBytes(spaces);
  const young = spaces.find((space) => space.space_name === 'new_space');
  return {
    busListeners: sources.busListeners(),
    mqttClientListeners: mqtt.client,
    mqttHandlers: mqtt.handlers,
    handles,
    timers,
    resourceTypes,
    fds: openFileDescriptors(),
    workers: sources.workers(),
    workersStarted: sources.workersStarted(),
    compiledModules: modules.count,
    compiledModuleBytes: modules.bytes,
    rssBytes: memory.rss,
    heapUsedBytes: memory.heapUsed,
    heapCodeBytes,
    heapDataBytes: memory.heapUsed - heapCodeBytes,
    arrayBuffersBytes: memory.arrayBuffers,
    heapResidentBytes: getHeapStatistics().total_physical_size,
    youngGenerationBytes: young?.space_size ?? 0,
    youngGenerationResidentBytes: young?.physical_space_size ?? 0,
    afterGc,
  };
}

const CODE_SPACES = new Set(['code_space', 'code_large_object_space']);

function codeBytes(spaces: ReturnType<typeof getHeapSpaceStatistics>): number {
  let bytes = 0;
  for (const space of spaces) if (CODE_SPACES.has(space.space_name)) bytes += space.space_used_size;
  return bytes;
}

function openFileDescriptors(): number {
  try {
    // readdirSync opens the folder itself for the duration of the call: one entry is that.
    return readdirSync('/proc/self/fd').length - 1;
  } catch {
    return -1;
  }
}
