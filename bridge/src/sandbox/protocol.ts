/**
 * What the bridge (main thread) and an app's worker say to each other. A tick ends with one `ran`
 * (or `fault`) message carrying a copy of the canvas when the app drew. The bridge asks for ticks
 * one at a time (`run`), or tells the worker to tick on its own at the app's period (`play`), so
 * that a tick costs one message and one thread wake-up, not two of each (docs/performance.md,
 * section 2).
 */
import type { ButtonEvent } from '@megabit/contract';
import type { MessagePort } from 'node:worker_threads';
import type { HttpChannelEnd } from './http-channel';
import type { IconChannelEnd } from './icon-channel';
import type { FaultKind, HomeAssistantEntityState, LogLevel } from './types';
import type { WasmModule } from './wasm-api';

/**
 * The one message a worker's parentPort carries: host this app. A worker hosts one app at a time;
 * everything about that app then travels on `init.port`.
 */
export interface HostApp {
  type: 'host';
  init: WorkerInit;
}

export interface WorkerInit {
  /**
   * The app's own channel (the port goes in the transfer list): every ToWorker and FromWorker
   * message of this app, and nothing of any other app that ran or will run in the same thread.
   */
  port: MessagePort;
  /**
   * The module with its memory and tables capped (see wasm-limits.ts), compiled on the main
   * thread and shared by every worker that runs it (compiled-modules.ts).
   */
  module: WasmModule;
  configJson: string;
  kvFile: string;
  kvQuotaBytes: number;
  memoryBytes: number;
  logLinesPerSecond: number;
  timeZone: string;
  mqttTopics: string[];
  /** The manifest's entities that homeassistant.app_access allows. */
  homeAssistantEntities: string[];
  /** The manifest's entities that homeassistant.app_access does not allow (for the refusal's wording). */
  homeAssistantDenied: string[];
  /** permissions.network: the hosts `http_request` may reach. */
  networkHosts: string[];
  /** Where `http_request` sends granted requests (the port goes in the Worker's transfer list). */
  http: HttpChannelEnd;
  /** Where `mb_icon` looks icons up (the port goes in the Worker's transfer list). */
  icons: IconChannelEnd;
  /** The display, passed in so the worker bundle needs nothing from @megabit/contract at run time. */
  width: number;
  height: number;
  /** See CallClock. */
  clock: SharedArrayBuffer;
  /** See TickCredit. */
  credit: SharedArrayBuffer;
}

export type ToWorker =
  /** One tick now, answered by one `ran`. */
  | { type: 'run' }
  /**
   * Tick every `periodMs` from now on (0: back to back), the first tick at once; each answered
   * by a `ran`. Sent again, it sets a new period and ticks at once.
   */
  | { type: 'play'; periodMs: number }
  /** While playing: tick now, in answer to something from outside (a button, data, a refresh). */
  | { type: 'tick' }
  | { type: 'data'; payload: Uint8Array }
  | { type: 'button'; event: ButtonEvent }
  | { type: 'config'; json: string }
  /** `value` a number: the size of a value too large to hand to apps (see MQTT_VALUE_MAX_BYTES, mqtt-permission.ts). */
  | { type: 'mqtt'; topic: string; value: Uint8Array | number }
  | { type: 'ha'; entityId: string; state: HomeAssistantEntityState | null }
  | { type: 'close' };

export type FromWorker =
  | { type: 'ready' }
  /**
   * `frame`: the canvas after a tick that drew (transferred), or a drawing TickCredit held back;
   * null when neither. `reaction`: the tick answered a `play` or a `tick`.
   */
  | { type: 'ran'; frame: Uint8Array | null; reaction: boolean }
  | { type: 'fault'; kind: FaultKind; message: string }
  | { type: 'log'; level: LogLevel; message: string }
  | { type: 'closed' };

/**
 * Milliseconds on the system's monotonic clock, the same in every thread of the process (unlike
 * performance.now(), whose origin is each thread's start). Time budgets and tick times are kept
 * on it: a wall clock set forward (NTP at a Pi's boot, which has no clock of its own) would
 * otherwise make a healthy app look stuck, and one set back would hide a stuck one.
 */
export function monotonicMs(): number {
  const [seconds, nanoseconds] = process.hrtime();
  return seconds * 1000 + nanoseconds / 1e6;
}

/**
 * Lets the bridge see whether the guest is inside a call and since when, and when a playing
 * worker means to start its next tick, without asking the (possibly stuck) worker: a run's time
 * budget counts from the moment the guest code starts, not from when the bridge posted the
 * message (the worker may still be saving the KV store). Times are monotonicMs().
 */
export class CallClock {
  static readonly BYTES = 24;
  private readonly phase: Int32Array;
  private readonly started: Float64Array;
  private readonly nextTick: Float64Array;

  constructor(buffer: SharedArrayBuffer) {
    this.phase = new Int32Array(buffer, 0, 1);
    this.started = new Float64Array(buffer, 8, 1);
    this.nextTick = new Float64Array(buffer, 16, 1);
  }

  enter(now: number): void {
    this.started[0] = now;
    Atomics.store(this.phase, 0, 1);
  }

  leave(): void {
    Atomics.store(this.phase, 0, 0);
  }

  /** When the current guest call started, or null when the guest is not running. */
  startedAt(): number | null {
    return Atomics.load(this.phase, 0) === 1 ? this.started[0] : null;
  }

  /** Worker, while playing: when its next tick is due (now, for a tick asked for). */
  planTick(at: number): void {
    this.nextTick[0] = at;
  }

  /** When a playing worker's next tick is due (0 before it planned any). */
  nextTickAt(): number {
    return this.nextTick[0];
  }
}

/**
 * Bounds the `ran` messages a playing worker has sent that the bridge has not yet taken: a
 * bridge busy for a while (or an app played back to back) must not find thousands of them
 * queued. The worker counts what it sent, the bridge what it took. A tick that ends while
 * `MAX_IN_FLIGHT` are on their way sends nothing then: the worker sends its outcome (what it drew,
 * and whether it answered a nudge) as soon as the bridge has taken one, without another guest call
 * (app-worker.ts, `sendHeld`), or with the next tick if that comes first.
 */
export class TickCredit {
  static readonly BYTES = 4;
  static readonly MAX_IN_FLIGHT = 2;
  private readonly taken: Int32Array;
  private sentCount = 0;

  constructor(buffer: SharedArrayBuffer) {
    this.taken = new Int32Array(buffer, 0, 1);
  }

  /**
   * Worker: whether a playing tick may send its `ran` now. Both counts wrap at 2^31 (an app shown
   * for years at 30 ticks a second gets there), so their difference is taken as an int32.
   */
  hasRoom(): boolean {
    return ((this.sentCount - Atomics.load(this.taken, 0)) | 0) < TickCredit.MAX_IN_FLIGHT;
  }

  /** Worker: a `ran` went (every one counts, a run()'s too). */
  sent(): void {
    this.sentCount = (this.sentCount + 1) | 0;
  }

  /** Bridge: a `ran` arrived. */
  took(): void {
    Atomics.add(this.taken, 0, 1);
  }
}
