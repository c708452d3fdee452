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
import { CallClock, TickCredit, type FromWorker, type HostApp, type ToWorker, type WorkerInit } from './protocol';
import { SandboxFault, type AppInstance, type HomeAssistantEntityState, type LogLevel, type SandboxOptions, type TickSink } from './types';
import { compiledModules, type ModuleLease } from './compiled-modules';
import type { WasmModule } from './wasm-api';
import { limitModule } from './wasm-limits';
import { WasmFormatError } from './wasm-memory-cap';
import { startWorker } from './worker-script';
import { WorkerPool } from './worker-pool';

export * from './types';
export { compiledModuleBytes, compiledModuleCount, ModuleHolders } from './compiled-modules';

/**
 * A run whose guest call has not even started this long after it was asked for means the worker
 * itself is stuck (not the app's code): that is a crash, not a timeout.
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
  let wasm: Uint8Array;
  try {
    wasm = limitModule(options.wasm, options.limits.memoryBytes);
  } catch (e) {
    if (e instanceof WasmFormatError) throw new SandboxFault('load', e.message);
    throw e;
  }
  const compileStarted = Date.now();
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
    app = new SandboxedApp(options, init, channel.port1, http, icons, lease, Date.now() - compileStarted);
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
  /** While playing: when the worker was last heard from (a `ran`, or the play or tick sent). */
  private heardAt = 0;
  private starting: PendingRun | undefined;
  private pending: PendingRun | undefined;
  /**
   * run() calls made while one is in flight, each started (synchronously, so no run() can slip
   * in between) when the run before it ends: answered in order, one at a time. Empty in the
   * scheduler's use (one tick at a time), so a tick then costs one promise, not a queue's chain
   * of them.
   */
  private readonly waiting: Array<() => void> = [];
  /** The setup time budget. */
  private timer: NodeJS.Timeout | undefined;
  /**
   * The run watchdog (see watchRun): one timer for every run, armed at most once per time
   * budget instead of a timer made and cleared every tick.
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
    this.createdAt = Date.now() - compileMs;
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
    if (this.closing || this.fault) {
      // As run() would reject: the caller hears of the fault once, after this call returns.
      const fault = this.closing ? new SandboxFault('crash', 'the app was closed') : this.fault!;
      queueMicrotask(() => sink.failed(fault));
      return;
    }
    this.playing = { periodMs, sink };
    this.send({ type: 'play', periodMs });
    this.expectTick(Date.now());
  }

  nudge(): void {
    if (!this.playing || this.closing || this.fault) return;
    this.send({ type: 'tick' });
    this.expectTick(Date.now());
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
      const grace = started !== null ? Math.max(0, started + this.options.limits.runTimeoutMs - Date.now()) : CLOSE_GRACE_MS;
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
    clearTimeout(this.watchdog);
    this.fault ??= new SandboxFault('crash', 'the app was closed');
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
    if (this.closing || this.fault) return Promise.reject(this.closing ? new SandboxFault('crash', 'the app was closed') : this.fault);
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.send({ type: 'run' });
      this.watchRun(Date.now());
    });
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
   * While playing, the worker starts ticks on its own, so the watchdog looks when a tick may have
   * overrun: one budget after a tick was asked for now (play, nudge), or one period and one budget
   * after the last `ran` (the next tick on the worker's timer). A tick that loops is thus stopped
   * within a budget of its start, as a run() is, and a playing app costs a check per tick at most.
   */
  private expectTick(at: number): void {
    this.heardAt = at;
    this.armWatchdog(at + this.options.limits.runTimeoutMs);
  }

  /** Arms the watchdog for `at`, or leaves it when it fires sooner. */
  private armWatchdog(at: number): void {
    if (this.watchdog && this.watchdogAt <= at) return;
    clearTimeout(this.watchdog);
    this.watchdogAt = at;
    this.watchdog = setTimeout(() => this.checkRun(), Math.max(0, at - Date.now()));
  }

  private checkRun(): void {
    this.watchdog = undefined;
    // Neither a run in flight nor playing: the next run arms the watchdog again.
    if (!this.pending && !this.playing) return;
    const budget = this.options.limits.runTimeoutMs;
    const started = this.clock.startedAt();
    const now = Date.now();
    if (started !== null) {
      const left = started + budget - now;
      if (left <= 0) this.die(new SandboxFault('timeout', `run() exceeded its ${budget} ms time budget`));
      else this.armWatchdog(now + left);
    } else if (this.playing) {
      // Between ticks. The next one is due a period after the last was heard of.
      const due = this.heardAt + this.playing.periodMs;
      if (now - due > budget + UNRESPONSIVE_AFTER_MS) this.die(new SandboxFault('crash', "the app's worker stopped responding"));
      else this.armWatchdog(Math.max(due, now) + budget);
    } else if (now - this.runAskedAt > budget + UNRESPONSIVE_AFTER_MS) {
      this.die(new SandboxFault('crash', "the app's worker stopped responding"));
    } else {
      // Not started yet, or finished with its answer on the way.
      this.armWatchdog(now + budget);
    }
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
        // The watchdog stays armed: it finds no run, or the next one, when it fires.
        if (this.playing) {
          this.heardAt = Date.now();
          // After close() no frame is wanted; a run() in flight, below, still gets its own.
          if (!this.closing) this.tell(() => this.playing?.sink.ran(m.frame, m.reaction));
        } else {
          this.endRun()?.resolve(m.frame);
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
    clearTimeout(this.watchdog);
    const starting = this.starting;
    this.starting = undefined;
    const pending = this.endRun();
    starting?.reject(fault);
    if (this.closing) pending?.resolve(null);
    else pending?.reject(fault);
    this.failWaiting();
    const playing = this.playing;
    if (playing && !this.closing) this.tell(() => playing.sink.failed(fault));
    void this.terminate();
  }

  /** Calls the player's sink; its failure is its own, never the app's (logged as the sandbox's). */
  private tell(call: () => void): void {
    try {
      call();
    } catch (e) {
      this.log('error', `the bridge failed to take this app's tick: ${(e as Error).message}`);
    }
  }

  /**
   * An HTTP request runs inside a guest call, on its clock: it gets what is left of the call's
   * budget minus a margin, so that a slow server makes the request fail, not the app.
   */
  private httpTimeLeft(): number {
    const [from, budget] = this.starting
      ? [this.createdAt, this.options.limits.setupTimeoutMs]
      : [this.clock.startedAt() ?? Date.now(), this.options.limits.runTimeoutMs];
    const left = from + budget - Date.now();
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
