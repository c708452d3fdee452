/**
 * Entry of an app's worker thread: loads the plugin in Extism's foreground mode (host functions
 * are then plain synchronous calls, and the guest memory is local), calls `setup`, then calls
 * `run` once per `run` message, or on its own at the app's period once told to `play`. The
 * bridge enforces time limits from outside by terminating this thread, so nothing here needs to
 * be interruptible.
 */
import { createPlugin } from '@extism/extism';
import { parentPort, type MessagePort } from 'node:worker_threads';
import { AppHost, ENV_NAMESPACE, HostMemoryError, USER_NAMESPACE } from './host-api';
import { BlockingHttpClient } from './http-channel';
import { BlockingIconClient } from './icon-channel';
import { HttpDenied } from './http-permission';
import { KvFloodMeter } from './kv-flood';
import { KvStore } from './kv-store';
import { LogLimiter } from './log-limiter';
import { PlayLoop } from './play-loop';
import { CallClock, monotonicMs, TickCredit, type FromWorker, type HostApp, type ToWorker, type WorkerInit } from './protocol';
import { timeZoneOffset, type OffsetFinder } from './time-zone';
import type { FaultKind, LogLevel } from './types';
import { Wasm, type WasmMemory, type WasmModule } from './wasm-api';
import { formatMiB } from './wasm-memory-cap';
import { exposeGc, pageReturningCollection } from '../util/v8-gc';

/** Coalesces KV saves: a 30 fps app writing a counter every tick saves at most once a second. */
const KV_SAVE_INTERVAL_MS = 1000;

class GuestFault extends Error {
  constructor(
    readonly kind: FaultKind,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Given to Extism so that it never reads the global `fetch` (which loads undici). Extism's
 * foreground plugin never calls it; apps reach HTTP only through the host's `http_request`.
 */
function extismFetch(): Promise<never> {
  return Promise.reject(new Error('apps make HTTP requests through the host, not through Extism'));
}

/**
 * The thread's one job between apps: host the next one. Apps come one at a time (the bridge hands
 * this thread to a new app only after the last one acknowledged its close, see worker-pool.ts); a
 * second app arriving while one is hosted is a bridge bug, and ends the thread rather than let
 * two apps share it.
 */
let hosting = false;
/**
 * What an app left, collected, and the heap's pages given back (Node 22 and 24 keep them after a
 * plain full collection: 3.5 and 2.8 MB of a rotating bridge, docs/performance.md, section 10,
 * "Wasm code flushed under running apps"). It costs the next app on this thread about 7 ms on x64
 * (Node 24). Safe beside other workers only because startApp turned off V8's flush of every
 * module's Liftoff code before any worker was handed an app (util/keep-liftoff-code.ts).
 */
const collectLeftovers = pageReturningCollection(exposeGc({ restoreFlag: false }));
parentPort!.on('message', (message: HostApp) => {
  if (hosting) throw new Error('an app worker was handed a second app while hosting one');
  hosting = true;
  hostApp(message.init, () => {
    hosting = false;
    // What the app left (its Wasm instance and memory, Extism's plugin, the native structures V8
    // keeps for them) is freed only when this thread's heap is collected, and a thread that just
    // waits for its next app allocates too little to ever collect: a rotation of 400 app starts
    // kept 15 MB more RSS without this, 5 MB with it (docs/performance.md, section 10).
    setImmediate(collectLeftovers);
  });
});

/**
 * Runs one app, from load to close. Everything the app can reach through the host functions
 * (config, KV store, grants, log and KV-flood meters, canvas, clock, inbox, HTTP and icon
 * channels, the Extism plugin and its Wasm instance and memory) is created here, for this app,
 * and dropped when it closes: the next app in this thread starts from nothing the last one left.
 * All of it reaches the bridge over the app's own port (init.port), closed with the app, so no
 * late message of one app can reach the next one's handlers.
 */
function hostApp(init: WorkerInit, ended: () => void): void {
  const port: MessagePort = init.port;
  const post = (message: FromWorker, transfer: ArrayBuffer[] = []): void => port.postMessage(message, transfer);
  const hostLog = (level: LogLevel, message: string): void => post({ type: 'log', level, message });

  /**
   * Set when the app keeps abusing a quietly enforced limit (see LogLimiter, KvFloodMeter); the
   * guest call in progress then ends the app, as a trap would.
   */
  let abuse: string | null = null;

  const limiter = new LogLimiter(init.logLinesPerSecond);
  function guestLog(level: LogLevel, message: string): void {
    const now = Date.now();
    reportDroppedLines(now);
    if (limiter.admit(now)) post({ type: 'log', level, message });
  }
  function reportDroppedLines(now: number): void {
    const dropped = limiter.takeDropped(now);
    if (dropped > 0) hostLog('warn', `${dropped} log line${dropped === 1 ? '' : 's'} dropped (limit: ${init.logLinesPerSecond} per second)`);
    abuse ??= limiter.flood;
  }

  const kvFlood = new KvFloodMeter(init.kvQuotaBytes);
  function kvRefused(): void {
    kvFlood.refused(Date.now());
    abuse ??= kvFlood.flood;
  }

  const kv = new KvStore(init.kvFile, init.kvQuotaBytes, (m) => hostLog('warn', m));
  let kvTimer: NodeJS.Timeout | undefined;
  let kvSavedAt = 0;
  let kvSaveFailing = false;
  function saveKv(): void {
    clearTimeout(kvTimer);
    kvTimer = undefined;
    if (!kv.needsSave) return;
    try {
      kv.save();
      kvSaveFailing = false;
    } catch (e) {
      // Retried with the next write; reported once per run of failures, not once a second.
      if (!kvSaveFailing) hostLog('error', `could not save the KV store: ${(e as Error).message}`);
      kvSaveFailing = true;
    }
    kvSavedAt = Date.now();
  }
  function scheduleKvSave(): void {
    if (!kv.needsSave || kvTimer) return;
    kvTimer = setTimeout(saveKv, Math.max(0, kvSavedAt + KV_SAVE_INTERVAL_MS - Date.now()));
  }

  let tzOffset: OffsetFinder;
  try {
    tzOffset = timeZoneOffset(init.timeZone);
  } catch {
    hostLog('warn', `unknown time zone "${init.timeZone}": the app sees UTC`);
    tzOffset = () => 0;
  }

  const httpClient = new BlockingHttpClient(init.http);
  const iconClient = new BlockingIconClient(init.icons);
  // The app's own: what it drew stays for the next tick, and a copy goes to the bridge.
  const canvas = new Uint8Array(init.width * init.height * 3);
  const credit = new TickCredit(init.credit);
  const host = new AppHost({
    canvas,
    width: init.width,
    height: init.height,
    kv,
    configJson: init.configJson,
    mqttTopics: init.mqttTopics,
    homeAssistantEntities: init.homeAssistantEntities,
    homeAssistantDenied: init.homeAssistantDenied,
    networkHosts: init.networkHosts,
    httpRequest: (request) => httpClient.request(request),
    icon: (name) => iconClient.lookup(name),
    memoryBytes: init.memoryBytes,
    tzOffsetMinutes: tzOffset,
    log: guestLog,
    kvRefused,
  });
  const clock = new CallClock(init.clock);

  type Export = () => unknown;
  let guest: Record<string, unknown> | undefined;
  /** The guest's exported memories, to tell "out of memory" from other traps. */
  let guestMemories: WasmMemory[] = [];
  let reset: (() => void) | undefined;
  let dead = false;
  /** What the ticks since the last `ran` drew, and whether one of them answered a play or nudge. */
  let unsentDrawing = false;
  let unsentReaction = false;
  const playLoop = new PlayLoop({ clock, credit, tick: tickOnce, send: sendOutcome });

  port.on('message', (message: ToWorker) => {
    switch (message.type) {
      case 'run':
        if (tickOnce(false)) sendOutcome();
        break;
      case 'play':
        playLoop.play(message.periodMs);
        break;
      case 'tick':
        playLoop.nudge();
        break;
      case 'data':
        host.pushData(message.payload);
        break;
      case 'button':
        host.pushButton(message.event);
        break;
      case 'config':
        host.setConfig(message.json);
        break;
      case 'mqtt':
        host.setMqttValue(message.topic, message.value);
        break;
      case 'ha':
        host.setHomeAssistantState(message.entityId, message.state);
        break;
      case 'close':
        playLoop.stop();
        saveKv();
        // The app is over: nothing of it answers or runs any more in this thread. The bridge
        // reuses the thread only after this reply, and only if no fault came before it.
        dead = true;
        guest = undefined;
        guestMemories = [];
        port.removeAllListeners('message');
        httpClient.close();
        iconClient.close();
        post({ type: 'closed' });
        ended();
        break;
    }
  });

  async function start(): Promise<void> {
    // Compiled on the main thread (compiled-modules.ts): a compile here leaked native memory per worker.
    const module = init.module;
    const problem = linkProblem(module);
    if (problem) throw new GuestFault('load', problem);

    const plugin = await createPlugin(
      // The module itself, not a `{ wasm: [...] }` manifest: Extism tests a manifest object with
      // `instanceof Response`, and `fetch` unless one is given, and the first read of either global
      // loads Node's fetch (undici) into this thread, ~4 MB it never uses (docs/performance.md,
      // section 4). Extism's manifest type wants its own WebAssembly.Module type, which this build lacks.
      module as never,
      {
        useWasi: false,
        runInWorker: false,
        allowedHosts: [],
        allowedPaths: {},
        functions: host.functions(),
        logger: extismLogger(),
        fetch: extismFetch,
      },
    ).catch((e: unknown) => {
      throw classify(e, 'start', null);
    });
    guest = (await plugin.getInstance()).exports as Record<string, unknown>;
    guestMemories = Object.values(guest).filter((v): v is WasmMemory => v instanceof Wasm.Memory);
    if (guest.memory instanceof Wasm.Memory) host.attachMemory(guest.memory);
    // Resolves at once: the foreground plugin resets synchronously inside the async method.
    reset = () => void plugin.reset();

    // Reactor modules (Rust, TinyGo, C) run their constructors from _initialize; Extism's JS SDK
    // only does that when WASI is on, which apps never get.
    if (typeof guest._initialize === 'function') call('_initialize');
    if (typeof guest.setup === 'function') call('setup');
  }

  /** Why the module cannot be linked, in words an app author understands; null when it can. */
  function linkProblem(module: WasmModule): string | null {
    const provided: Record<string, ReadonlySet<string>> = {
      [USER_NAMESPACE]: new Set(Object.keys(host.functions()[USER_NAMESPACE])),
      [ENV_NAMESPACE]: EXTISM_ENV_FUNCTIONS,
    };
    const missing = Wasm.Module.imports(module).filter((i) => i.kind !== 'function' || !provided[i.module]?.has(i.name));
    if (missing.length > 0) {
      const list = missing
        .slice(0, 5)
        .map((i) => `${i.kind} "${i.module}"."${i.name}"`)
        .join(', ');
      const hint = missing.some((i) => i.module.startsWith('wasi')) ? ' (apps get no WASI: build without it)' : '';
      return `the module imports ${list}${missing.length > 5 ? ` and ${missing.length - 5} more` : ''}, which Megabit does not provide${hint}`;
    }
    if (!Wasm.Module.exports(module).some((e) => e.name === 'run' && e.kind === 'function')) {
      return 'the module exports no "run" function';
    }
    return null;
  }

  /** What Extism 1.0.3's kernel namespace offers a guest. */
  const EXTISM_ENV_FUNCTIONS: ReadonlySet<string> = new Set([
    'alloc',
    'free',
    'load_u8',
    'load_u64',
    'store_u8',
    'store_u64',
    'input_offset',
    'input_length',
    'input_load_u8',
    'input_load_u64',
    'output_set',
    'error_set',
    'config_get',
    'var_get',
    'var_set',
    'http_request',
    'http_status_code',
    'length',
    'length_unsafe',
    'log_warn',
    'log_info',
    'log_debug',
    'log_error',
  ]);

  /** Routes the PDKs' own log functions (Extism log_info & co.) through the same rate limit. */
  function extismLogger(): Console {
    const logger = {
      debug: (m: unknown) => guestLog('debug', String(m)),
      info: (m: unknown) => guestLog('info', String(m)),
      warn: (m: unknown) => guestLog('warn', String(m)),
      error: (m: unknown) => guestLog('error', String(m)),
    };
    return logger as unknown as Console;
  }

  /** One guest call; throws a GuestFault unless the export returned 0 (or nothing). */
  function call(name: string): void {
    const fn = guest![name] as Export;
    host.beginCall();
    clock.enter(monotonicMs());
    let rc: unknown;
    try {
      rc = fn();
    } catch (e) {
      throw classify(e, name, host.errorText);
    } finally {
      clock.leave();
      // Extism 1.0.3 frees no block until reset(); without this every tick leaks its blocks.
      reset!();
      reportDroppedLines(Date.now());
      scheduleKvSave();
    }
    if (abuse !== null) throw new GuestFault('abuse', abuse);
    if (rc !== undefined && rc !== 0 && rc !== 0n) {
      const detail = host.errorText ? `: ${host.errorText}` : '';
      throw new GuestFault(name === 'setup' ? 'load' : 'trap', `${name}() failed (returned ${String(rc)})${detail}`);
    }
  }

  /** `appError`: what the app said before trapping (an AssemblyScript abort sets it), if anything. */
  function classify(e: unknown, where: string, appError: string | null): GuestFault {
    const cap = `ran out of memory (${formatMiB(init.memoryBytes)} cap)`;
    if (e instanceof HostMemoryError) return new GuestFault('memory', `${cap}: ${e.message}`);
    if (e instanceof HttpDenied) return new GuestFault('trap', where === 'run' ? e.message : `${where}(): ${e.message}`);
    const message = e instanceof Error ? e.message : String(e);
    if (e instanceof RangeError && /allocation failed|out of memory|maximum memory/i.test(message)) return new GuestFault('memory', cap);
    if (e instanceof Wasm.RuntimeError && memoryNearCap()) return new GuestFault('memory', cap);
    if (e instanceof RangeError && /call stack/i.test(message)) return new GuestFault('trap', `${prefix(where)}call stack exhausted (runaway recursion?)`);
    return new GuestFault('trap', `${prefix(where)}${message}${appError ? ` (${appError})` : ''}`);
  }

  function prefix(where: string): string {
    if (where === 'run') return 'trapped: ';
    return where === 'start' ? "the module's start function trapped: " : `${where}() trapped: `;
  }

  /**
   * A guest whose allocator cannot grow the memory any more traps (usually `unreachable`); what the
   * user needs to hear then is "out of memory". The failed request's size is unknown, so a trap
   * with the memory within an eighth of the cap (at least 1 MiB) of it counts as exhaustion.
   */
  function memoryNearCap(): boolean {
    const margin = Math.max(1024 * 1024, init.memoryBytes / 8);
    return guestMemories.some((m) => m.buffer.byteLength > init.memoryBytes - margin);
  }

  /** One guest call of `run`; what it drew joins the outcome not yet sent. False when the app failed. */
  function tickOnce(reaction: boolean): boolean {
    if (dead || !guest) return false;
    try {
      call('run');
    } catch (e) {
      fail(e);
      return false;
    }
    unsentDrawing ||= host.drew;
    unsentReaction ||= reaction;
    return true;
  }

  /** One `ran` with the outcome not yet sent: a copy of the canvas when a tick since the last drew. */
  function sendOutcome(): void {
    credit.sent();
    const frame = unsentDrawing ? canvas.slice() : null;
    const reaction = unsentReaction;
    unsentDrawing = unsentReaction = false;
    post({ type: 'ran', frame, reaction }, frame ? [frame.buffer] : []);
  }

  function fail(e: unknown): void {
    dead = true;
    playLoop.stop();
    // The bridge terminates this thread on a fault: what the app stored until then is kept.
    saveKv();
    if (e instanceof GuestFault) post({ type: 'fault', kind: e.kind, message: e.message });
    else post({ type: 'fault', kind: 'crash', message: `the sandbox failed: ${e instanceof Error ? e.message : String(e)}` });
  }

  start().then(() => post({ type: 'ready' }), fail);
}
