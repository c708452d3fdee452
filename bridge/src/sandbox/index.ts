/**
 * The app sandbox, bridge side: one worker thread per app at a time (see app-worker.ts), driven
 * by messages, watched from here. A thread whose app closed cleanly hosts a later app
 * (worker-pool.ts); one whose app faulted is terminated. The main thread never runs guest code, so a looping app costs its
 * own thread until its time budget runs out, never the bridge's event loop.
 */
import { DISPLAY_HEIGHT, DISPLAY_WIDTH, type ButtonEvent } from '@megabit/contract';
import { MessageChannel, type MessagePort, type Worker } from 'node:worker_threads';
import type { Agent } from 'undici';
import { INBOX_MAX_PAYLOAD_BYTES } from './host-api';
import { MqttPermission } from './mqtt-permission';
import { splitEntities } from './ha-access';
import { openHttpChannel, type HttpChannel } from './http-channel';
import { openIconChannel, type IconChannel } from './icon-channel';
import { guardedAgent } from './address-guard';
import { fetchForApp, type AppNetwork } from './http-fetch';
import { CallClock, monotonicMs, TickCredit, type FromWorker, type HostApp, type ToWorker, type WorkerInit } from './protocol';
import { SandboxFault, type AppInstance, type HomeAssistantEntityState, type LogLevel, type SandboxOptions, type TickSink } from './types';
import { compiledModules, type ModuleLease } from './compiled-modules';
import type { WasmModule } from './wasm-api';
import { limitModule } from './wasm-limits';
import { WasmFormatError } from './wasm-memory-cap';
import { startWorker } from './worker-script';
import { WorkerPool } from './worker-pool';
import { keepLiftoffCode } from '../util/keep-liftoff-code';

export * from './types';
export { compiledModuleBytes, compiledModuleCount, ModuleHolders } from './compiled-modules';

/**
 * A run whose guest call has not even started this long after it was asked for (or a playing
 * app's tick this long after it was due) means the worker itself is stuck (not the app's code):
 * that is a crash, not a timeout.
 */
const UNRESPONSIVE_AFTER_MS = 10_000;
/**
 * How long close() waits for the worker to save the KV store when no guest code is running: only
 * the bridge's own code (a slow fsync) can hold it up then, so this is generous.
 */
const CLOSE_GRACE_MS = 5000;
/**
 * What an HTTP request leaves of the call's time budget for the app to finish its call: the
 * failed request's answer must reach the worker, the guest must finish, and its frame must come
 * back, all on a machine that may be busy (a Pi, or this one under a full test run). 50 ms was
 * not enough under load: the app then faulted on a slow server instead of seeing status 0.
 */
const HTTP_BUDGET_MARGIN_MS = 250;
/** The worker's own JS heap (inbox, KV map, Extism's bookkeeping); guest memory is capped apart. */
const WORKER_HEAP_MB = 96;
/**
 * The worker's young generation. Its JS allocates little per call (a frame message, a host
 * call's strings), so a small nursery collects it as well as V8's default, which grows to
 * several MB and keeps them: capped, a running app costs about 4 MB less (docs/performance.md,
 * section 4). It bounds no app: guest memory and the old generation are capped apart.
 */
const WORKER_YOUNG_MB = 2;
/**
 * Idle workers kept for the next app. The soak's schedule has two apps starting or closing at
 * once in every cycle: with one idle worker it still started a thread a cycle, with two it
 * started two in 56 cycles (docs/performance.md, section 10), and its thread count at rest was 2
 * at every cycle end.
 */
const IDLE_WORKERS = 2;
/** An idle worker unused this long goes: a display showing one app keeps no spare thread. */
const IDLE_WORKER_MS = 60_000;

/** App worker threads, reused across apps that close cleanly (worker-pool.ts says why). */
const workers = new WorkerPool({
  start: () =>
    startWorker({
      resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB, maxYoungGenerationSizeMb: WORKER_YOUNG_MB },
      // Extism loads node:wasi at import, which prints an ExperimentalWarning per worker.
      execArgv: ['--no-warnings'],
    }),
  maxIdle: IDLE_WORKERS,
  idleMs: IDLE_WORKER_MS,
});

/** Terminates the idle app workers (bridge shutdown; tests that count threads). */
export function closeIdleWorkers(): Promise<void> {
  return workers.drain();
}

/** Idle app workers now, and how many app starts were given one instead of a new thread. */
export function workerReuse(): { idle: number; reused: number } {
  return { idle: workers.idleCount(), reused: workers.reuseCount() };
}

/**
 * Loads an app and calls its `setup`. Resolves when the app is ready to run; rejects with a
 * SandboxFault of kind 'load' (bad module, failing setup), 'timeout', 'trap', 'memory' or 'abuse'.
 */
export async function startApp(options: SandboxOptions): Promise<AppInstance> {
  // Before any app worker instantiates a module (util/keep-liftoff-code.ts says why).
  keepLiftoffCode();
  let wasm: Uint8Array;
  try {
    wasm = limitModule(options.wasm, options.limits.memoryBytes);
  } catch (e) {
    if (e instanceof WasmFormatError) throw new SandboxFault('load', e.message);
    throw e;
  }
  const compileStarted = monotonicMs();
  // Leased for as long as the app runs: a module in use is never dropped (compiled-modules.ts).
  const lease = compiledModules.lease(wasm, options.moduleHolder);
  let module: WasmModule;
  try {
    module = await compileWithin(lease.module, options.limits.setupTimeoutMs);
  } catch (e) {
    lease.end();
    throw e;
  }
  const http = openHttpChannel();
  const icons = openIconChannel(options.icons);
  const entities = splitEntities(options.homeAssistantAccess ?? [], options.manifest.permissions?.homeassistant ?? []);
  const channel = new MessageChannel();
  const init: WorkerInit = {
    port: channel.port2,
    module,
    configJson: JSON.stringify(options.config ?? {}),
    kvFile: options.kvFile,
    kvQuotaBytes: options.kvQuotaBytes,
    memoryBytes: options.limits.memoryBytes,
    logLinesPerSecond: options.limits.logLinesPerSecond,
    timeZone: options.timeZone,
    mqttTopics: options.manifest.permissions?.mqtt ?? [],
    homeAssistantEntities: entities.allowed,
    homeAssistantDenied: entities.denied,
    networkHosts: options.manifest.permissions?.network ?? [],
    http: http.workerEnd,
    icons: icons.workerEnd,
    width: DISPLAY_WIDTH,
    height: DISPLAY_HEIGHT,
    clock: new SharedArrayBuffer(CallClock.BYTES),
    credit: new SharedArrayBuffer(TickCredit.BYTES),
  };
  let app: SandboxedApp;
  try {
    app = new SandboxedApp(options, init, channel.port1, http, icons, lease, monotonicMs() - compileStarted);
  } catch (e) {
    lease.end();
    throw e;
  }
  await app.started;
  return app;
}

/**
 * The app's module compiled (or the one compiled before for the same bytes), within the setup
 * time budget, which counts the compile as it did when each worker compiled its own.
 */
async function compileWithin(compiling: Promise<WasmModule>, budgetMs: number): Promise<WasmModule> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new SandboxFault('timeout', `loading and setup() exceeded the ${budgetMs} ms time budget`)), budgetMs);
  });
  try {
    return await Promise.race([compiling, timeout]);
  } catch (e) {
    if (e instanceof SandboxFault) throw e;
    throw new SandboxFault('load', `invalid WebAssembly: ${(e as Error).message}`);
  } finally {
    clearTimeout(timer);
  }
}

interface PendingRun {
  resolve(frame: Uint8Array | null): void;
  reject(fault: SandboxFault): void;
}

class SandboxedApp implements AppInstance {
  readonly id: string;
  readonly started: Promise<void>;
  private readonly worker: Worker;
  /** This app's end of its own channel to the worker (WorkerInit.port). */
  private readonly port: MessagePort;
  private readonly onWorkerError: (e: Error & { code?: string }) => void;
  private readonly onWorkerExit: (code: number) => void;
  /** The worker finished setup(): only then may it go back to the pool after close. */
  private ready = false;
  private readonly clock: CallClock;
  private readonly credit: TickCredit;
  /** Set by play(): the worker ticks on its own, and every `ran` goes here. */
  private playing: { periodMs: number; sink: TickSink } | undefined;
  /** When play() was last called: the worker's first tick is due then (monotonicMs). */
  private playedAt = 0;
  private starting: PendingRun | undefined;
  private pending: PendingRun | undefined;
  /**
   * run() calls made while one is in flight, each started (synchronously, so no run() can slip
   * in between) when the run before it ends: answered in order, one at a time. Empty for a
   * caller that awaits each run (the bench, the tools), so a tick then costs one promise, not a
   * queue's chain of them.
   */
  private readonly waiting: Array<() => void> = [];
  /** The setup time budget. */
  private timer: NodeJS.Timeout | undefined;
  /**
   * The run watchdog (see watchRun, expectTick): one timer for every run or playing tick, armed
   * at most once per time budget instead of a timer made and cleared every tick.
   */
  private watchdog: NodeJS.Timeout | undefined;
  /** When the watchdog fires (valid while it is armed). */
  private watchdogAt = 0;
  /** When the run in flight was asked for (the "stopped responding" check counts from here). */
  private runAskedAt = 0;
  private fault: SandboxFault | undefined;
  private closing: Promise<void> | undefined;
  private onClosed: (() => void) | undefined;
  private exited = false;
  private readonly exit: Promise<void>;
  /** When loading began: the setup time budget counts from here (the compile included). */
  private readonly createdAt: number;
  /** Aborts the app's HTTP requests in flight when it goes. */
  private readonly httpStop = new AbortController();
  /** Entities the app may read (its manifest's, within homeassistant.app_access). */
  private readonly homeAssistantEntities: ReadonlySet<string>;
  private readonly mqttPermission: MqttPermission;
  /** The app's own connection pool, made with its first request, closed with it. */
  private dispatcher?: Agent;

  constructor(
    private readonly options: SandboxOptions,
    init: WorkerInit,
    port: MessagePort,
    private readonly http: HttpChannel,
    private readonly icons: IconChannel,
    /** The app's compiled module, kept while it runs; ended with its channels. */
    private readonly lease: ModuleLease,
    /** What the compile took of the setup time budget. */
    compileMs: number,
  ) {
    this.createdAt = monotonicMs() - compileMs;
    this.id = options.manifest.id;
    this.homeAssistantEntities = new Set(init.homeAssistantEntities);
    this.mqttPermission = new MqttPermission(options.manifest.permissions?.mqtt);
    this.clock = new CallClock(init.clock);
    this.credit = new TickCredit(init.credit);
    this.port = port;
    this.worker = workers.acquire();
    const host: HostApp = { type: 'host', init };
    this.worker.postMessage(host, [init.port, init.http.port, init.icons.port]);
    const network: AppNetwork = {
      hosts: init.networkHosts,
      allowPrivateHosts: options.allowPrivateHosts ?? [],
      dispatcher: () => {
        this.dispatcher ??= guardedAgent(options.allowPrivateHosts ?? []);
        return this.dispatcher;
      },
    };
    http.serve((request) => fetchForApp(request, network, this.httpTimeLeft(), this.httpStop.signal));
    this.port.on('message', (m: FromWorker) => this.onMessage(m));
    this.onWorkerError = (e) => {
      this.die(
        e.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? new SandboxFault('memory', 'ran out of memory (the sandbox heap limit)')
          : new SandboxFault('crash', `the app's worker crashed: ${e.message}`),
      );
    };
    this.worker.on('error', this.onWorkerError);
    let exited: () => void = () => undefined;
    this.exit = new Promise((resolve) => {
      exited = resolve;
    });
    this.onWorkerExit = (code) => {
      this.exited = true;
      this.die(new SandboxFault('crash', `the app's worker stopped unexpectedly (exit code ${code})`));
      exited();
    };
    this.worker.once('exit', this.onWorkerExit);
    this.started = new Promise<void>((resolve, reject) => {
      this.starting = { resolve: () => resolve(), reject };
    });
    const budget = options.limits.setupTimeoutMs;
    this.timer = setTimeout(
      () => this.die(new SandboxFault('timeout', `loading and setup() exceeded the ${budget} ms time budget`)),
      Math.max(0, budget - compileMs),
    );
  }

  run(): Promise<Uint8Array | null> {
    // A dead app's run() fails with its fault (runNow), playing or not.
    if (this.playing && !this.fault && !this.closing) return Promise.reject(new Error('run() on an app that is playing: its worker ticks on its own'));
    // Started synchronously when idle, so a close() right after run() finds the run in flight.
    if (!this.pending && this.waiting.length === 0) return this.runNow();
    return new Promise((resolve, reject) => this.waiting.push(() => this.runNow().then(resolve, reject)));
  }

  play(periodMs: number, sink: TickSink): void {
    if (this.pending || this.waiting.length > 0) throw new Error('play() on an app with a run() in flight');
    const dead = this.deadFault();
    if (dead) {
      // As run() would reject: the caller hears of it once, after this call returns.
      queueMicrotask(() => sink.failed(dead));
      return;
    }
    this.playing = { periodMs, sink };
    this.playedAt = monotonicMs();
    this.send({ type: 'play', periodMs });
    this.expectTick(this.playedAt);
  }

  nudge(): void {
    if (!this.playing || this.deadFault()) return;
    this.send({ type: 'tick' });
    this.expectTick(monotonicMs());
  }

  pushData(payload: Uint8Array): void {
    if (payload.length > INBOX_MAX_PAYLOAD_BYTES) {
      this.log('warn', `a data payload of ${payload.length} bytes was dropped: the inbox takes at most ${INBOX_MAX_PAYLOAD_BYTES} bytes per payload`);
      return;
    }
    // A copy with its own ArrayBuffer: Buffer#slice shares memory (often a pooled MQTT receive
    // buffer), and transferring that would empty the caller's data.
    const copy = new Uint8Array(payload);
    this.send({ type: 'data', payload: copy }, [copy.buffer]);
  }

  pushButton(event: ButtonEvent): void {
    this.send({ type: 'button', event: { button: event.button, action: event.action } });
  }

  setConfig(config: Record<string, unknown>): void {
    this.send({ type: 'config', json: JSON.stringify(config ?? {}) });
  }

  setMqttValue(topic: string, value: Uint8Array): void {
    const admitted = this.mqttPermission.admit(topic, value);
    if (admitted === undefined) return;
    if (typeof admitted === 'number') {
      this.send({ type: 'mqtt', topic, value: admitted });
      return;
    }
    const copy = new Uint8Array(admitted);
    this.send({ type: 'mqtt', topic, value: copy }, [copy.buffer]);
  }

  setHomeAssistantState(entityId: string, state: HomeAssistantEntityState | null): void {
    if (!this.homeAssistantEntities.has(entityId)) return;
    this.send({ type: 'ha', entityId, state: state && { state: String(state.state), attributes: state.attributes ?? {} } });
  }

  /**
   * Saves the KV store and stops the worker. A run in flight may still finish (its frame is
   * returned); if the worker has to be stopped first, that run resolves null instead of failing.
   */
  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    let acked = false;
    if (!this.fault && !this.exited) {
      // A guest call in progress may finish within its budget (run() in flight, or playing).
      const started = this.clock.startedAt();
      const grace = started !== null ? Math.max(0, started + this.options.limits.runTimeoutMs - monotonicMs()) : CLOSE_GRACE_MS;
      const ack = new Promise<void>((resolve) => {
        this.onClosed = () => {
          acked = true;
          resolve();
        };
      });
      this.send({ type: 'close' });
      let graceTimer: NodeJS.Timeout | undefined;
      await Promise.race([
        ack,
        this.exit,
        new Promise<void>((resolve) => {
          graceTimer = setTimeout(resolve, grace);
        }),
      ]);
      clearTimeout(graceTimer);
    }
    // Reused only when the worker said its app is over, after setup() succeeded and with no fault
    // or exit at any point: a close that timed out means guest code may still be running.
    const reusable = acked && this.ready && !this.fault && !this.exited;
    clearTimeout(this.timer);
    this.stopWatchdog();
    this.fault ??= closedFault();
    this.endRun()?.resolve(null);
    this.failWaiting();
    if (reusable) {
      this.releaseChannels();
      this.worker.off('error', this.onWorkerError);
      this.worker.off('exit', this.onWorkerExit);
      workers.release(this.worker);
      return;
    }
    await this.terminate();
  }

  private runNow(): Promise<Uint8Array | null> {
    // This run never starts (the runs still waiting then are failed by failWaiting).
    const dead = this.deadFault();
    if (dead) return Promise.reject(dead);
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.send({ type: 'run' });
      this.watchRun(monotonicMs());
    });
  }

  /** Why no run or play may start: the app was closed, or its fault. Undefined while it is alive. */
  private deadFault(): SandboxFault | undefined {
    return this.closing ? closedFault() : this.fault;
  }

  /**
   * The run in flight is over: it is returned for its caller to settle, and the next waiting
   * run() (if any) starts now (or fails at once after a fault or close, and so on down the line).
   */
  private endRun(): PendingRun | undefined {
    const pending = this.pending;
    this.pending = undefined;
    this.waiting.shift()?.();
    return pending;
  }

  /** After a fault or a close: every run() still waiting fails now, in order (a loop, not a chain of calls). */
  private failWaiting(): void {
    for (let next = this.waiting.shift(); next; next = this.waiting.shift()) next();
  }

  /**
   * Watches the run's time budget. It counts from when the guest code starts (the CallClock), so a
   * worker still busy saving the KV store, or a main thread that was itself late, does not eat
   * into the app's time. The watchdog is not re-armed per run: armed when a run starts and none
   * is armed, it fires at most one budget later, checks whichever run is in flight then, and
   * re-arms itself for what that run has left. A run's fault is thus found as early as with a
   * timer of its own, and a tick costs no timer at all.
   */
  private watchRun(askedAt: number): void {
    this.runAskedAt = askedAt;
    this.armWatchdog(askedAt + this.options.limits.runTimeoutMs);
  }

  /**
   * While playing, the worker starts ticks on its own: the watchdog looks one budget after a
   * tick was asked for (play, nudge) and one budget after the time the worker set for its next
   * tick (CallClock.nextTickAt), and from a guest call's start on as for a run. A tick that loops
   * is thus stopped a budget after it started (at most one watchdog check late), however long the
   * app's period, and a playing app costs about one check per tick.
   */
  private expectTick(at: number): void {
    this.armWatchdog(at + this.options.limits.runTimeoutMs);
  }

  /** Arms the watchdog for `at` (monotonicMs), or leaves it when it fires sooner. */
  private armWatchdog(at: number): void {
    if (this.watchdog && this.watchdogAt <= at) return;
    clearTimeout(this.watchdog);
    this.watchdogAt = at;
    this.watchdog = setTimeout(() => this.checkRun(), Math.max(0, at - monotonicMs()));
  }

  private stopWatchdog(): void {
    clearTimeout(this.watchdog);
    this.watchdog = undefined;
  }

  private checkRun(): void {
    this.watchdog = undefined;
    // Neither a run in flight nor playing: the next run arms the watchdog again.
    if (!this.pending && !this.playing) return;
    const budget = this.options.limits.runTimeoutMs;
    const started = this.clock.startedAt();
    const now = monotonicMs();
    if (started !== null) {
      const left = started + budget - now;
      if (left <= 0) this.die(new SandboxFault('timeout', `run() exceeded its ${budget} ms time budget`));
      else this.armWatchdog(now + left);
      return;
    }
    // Between guest calls: the next is due when the worker planned it (playing; read from shared
    // memory, so a bridge that was itself busy does not misjudge a worker still ticking), or when
    // the run was asked for.
    const due = this.playing ? Math.max(this.clock.nextTickAt(), this.playedAt) : this.runAskedAt;
    if (now - due > budget + UNRESPONSIVE_AFTER_MS) this.die(new SandboxFault('crash', "the app's worker stopped responding"));
    else this.armWatchdog(Math.max(due, now) + budget);
  }

  private onMessage(m: FromWorker): void {
    switch (m.type) {
      case 'log':
        this.log(m.level, m.message);
        break;
      case 'ready': {
        this.ready = true;
        clearTimeout(this.timer);
        const starting = this.starting;
        this.starting = undefined;
        starting?.resolve(null);
        break;
      }
      case 'ran': {
        this.credit.took();
        // The watchdog stays armed: it finds the next run or tick, or none, when it fires.
        if (!this.playing) this.endRun()?.resolve(m.frame);
        else if (!this.fault) {
          // Also while closing, as a run() in flight then: the scheduler counts a first tick that
          // succeeded as a good start (onStarted), even of an app it has switched away from.
          try {
            this.playing.sink.ran(m.frame, m.reaction);
          } catch (e) {
            this.log('error', `the bridge failed to take this app's tick: ${(e as Error).message}`);
          }
        }
        break;
      }
      case 'fault':
        this.die(new SandboxFault(m.kind, m.message));
        break;
      case 'closed':
        this.onClosed?.();
        break;
    }
  }

  /** The app is broken: every waiter learns why, and the worker goes. */
  private die(fault: SandboxFault): void {
    if (this.fault) return;
    this.fault = fault;
    clearTimeout(this.timer);
    this.stopWatchdog();
    const starting = this.starting;
    this.starting = undefined;
    const pending = this.endRun();
    starting?.reject(fault);
    if (this.closing) pending?.resolve(null);
    else pending?.reject(fault);
    this.failWaiting();
    if (this.playing && !this.closing) {
      try {
        this.playing.sink.failed(fault);
      } catch (e) {
        this.log('error', `the bridge failed to take this app's fault: ${(e as Error).message}`);
      }
    }
    void this.terminate();
  }

  /**
   * An HTTP request runs inside a guest call, on its clock: it gets what is left of the call's
   * budget minus a margin, so that a slow server makes the request fail, not the app.
   */
  private httpTimeLeft(): number {
    const [from, budget] = this.starting
      ? [this.createdAt, this.options.limits.setupTimeoutMs]
      : [this.clock.startedAt() ?? monotonicMs(), this.options.limits.runTimeoutMs];
    const left = from + budget - monotonicMs();
    return left - Math.min(HTTP_BUDGET_MARGIN_MS, left / 4);
  }

  private async terminate(): Promise<void> {
    this.releaseChannels();
    if (!this.exited) await this.worker.terminate().catch(() => undefined);
  }

  /** Ends everything this app had on the bridge side: its module lease, requests, channels and port. */
  private releaseChannels(): void {
    this.lease.end();
    this.httpStop.abort();
    this.http.close();
    this.icons.close();
    this.port.close();
    void this.dispatcher?.destroy().catch(() => undefined);
  }

  private send(message: ToWorker, transfer: ArrayBuffer[] = []): void {
    if (this.fault || this.exited) return;
    this.port.postMessage(message, transfer);
  }

  private log(level: LogLevel, message: string): void {
    try {
      this.options.onLog(level, message);
    } catch {
      // A failing log sink must not take the app down with it.
    }
  }
}

function closedFault(): SandboxFault {
  return new SandboxFault('crash', 'the app was closed');
}
