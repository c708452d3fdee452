/**
 * What the bridge (main thread) and an app's worker say to each other. One tick is one `run`
 * message and one `ran` (or `fault`) reply; the canvas itself never travels in a message, it lives
 * in a SharedArrayBuffer both sides see.
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
  /** width * height * 3 bytes: the app's canvas, written by mb_blit in the worker, read by the bridge after `ran`. */
  canvas: SharedArrayBuffer;
  /** See CallClock. */
  clock: SharedArrayBuffer;
}

export type ToWorker =
  | { type: 'run' }
  | { type: 'data'; payload: Uint8Array }
  | { type: 'button'; event: ButtonEvent }
  | { type: 'config'; json: string }
  /** `value` a number: the size of a value too large to hand to apps (see MQTT_VALUE_MAX_BYTES, mqtt-permission.ts). */
  | { type: 'mqtt'; topic: string; value: Uint8Array | number }
  | { type: 'ha'; entityId: string; state: HomeAssistantEntityState | null }
  | { type: 'close' };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'ran'; drew: boolean }
  | { type: 'fault'; kind: FaultKind; message: string }
  | { type: 'log'; level: LogLevel; message: string }
  | { type: 'closed' };

/**
 * Lets the bridge see whether the guest is inside a call and since when, without asking the
 * (possibly stuck) worker: a run's time budget counts from the moment the guest code starts, not
 * from when the bridge posted the message (the worker may still be saving the KV store).
 */
export class CallClock {
  static readonly BYTES = 16;
  private readonly phase: Int32Array;
  private readonly started: Float64Array;

  constructor(buffer: SharedArrayBuffer) {
    this.phase = new Int32Array(buffer, 0, 1);
    this.started = new Float64Array(buffer, 8, 1);
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
}
