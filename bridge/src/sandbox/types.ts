/**
 * What the scheduler needs from the app sandbox. The sandbox knows nothing of MQTT, serial or
 * HTTP: everything an app may read from the outside world is pushed in through these methods.
 */
import type { AppManifest, ButtonEvent } from '@megabit/contract';
import type { IconSource } from '../icons/icon';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface SandboxLimits {
  /** Wall time one `run` may take before the app is stopped and marked failed. */
  runTimeoutMs: number;
  /** Wall time `setup` (including compilation) may take. */
  setupTimeoutMs: number;
  /** Cap on the app's Wasm linear memory. */
  memoryBytes: number;
  /** Log lines per second an app may emit before the rest are dropped (and counted). */
  logLinesPerSecond: number;
}

export interface HomeAssistantEntityState {
  state: string;
  attributes: Record<string, unknown>;
  last_changed?: string;
}

export interface SandboxOptions {
  manifest: AppManifest;
  wasm: Uint8Array;
  /** The app's configuration object (already validated against its schema). */
  config: Record<string, unknown>;
  /** File the app's KV store is persisted to (written atomically). */
  kvFile: string;
  /** KV quota in bytes (keys + values). */
  kvQuotaBytes: number;
  limits: SandboxLimits;
  /** IANA zone for the app's local time, e.g. "Europe/Berlin". */
  timeZone: string;
  /**
   * sandbox.allow_private_hosts: host names whose local addresses (loopback, private, link-local,
   * ...) the app may reach when its manifest grants them too. Absent: none.
   */
  allowPrivateHosts?: readonly string[];
  /**
   * homeassistant.app_access: the domains ("sensor") and entity ids the user lets apps read; an
   * app reads what its manifest asks for within these. Absent: nothing.
   */
  homeAssistantAccess?: readonly string[];
  /** The icons `mb_icon` draws by name (built-in and uploaded). Absent: none. */
  icons?: IconSource;
  /**
   * The installed app this module is the current version of (`ModuleHolders.of`): it stays
   * compiled for it, and the holder's previous module goes. Absent (a preview, a tool): kept only
   * as the cache's bounds allow.
   */
  moduleHolder?: string;
  onLog(level: LogLevel, message: string): void;
}

/** `abuse`: the app kept going over a limit that is otherwise enforced quietly (log rate, KV quota). */
export type FaultKind = 'timeout' | 'trap' | 'memory' | 'load' | 'crash' | 'abuse';

/** Why an app stopped working; the scheduler marks the app failed with `message`. */
export class SandboxFault extends Error {
  constructor(
    readonly kind: FaultKind,
    message: string,
  ) {
    super(message);
    this.name = 'SandboxFault';
  }
}

/** Where a playing app's ticks go (AppInstance.play). */
export interface TickSink {
  /**
   * A tick ended. `frame`: the app's 64x32 RGB888 canvas when it drew, null when it did not.
   * `reaction`: the tick answered play() or nudge() (something from outside), rather than the
   * app's own period.
   */
  ran(frame: Uint8Array | null, reaction: boolean): void;
  /** The app failed (a SandboxFault, as run() would reject with) and is dead. Not called after close(). */
  failed(fault: unknown): void;
}

/** One running app. Created by `startApp` (sandbox/index.ts). */
export interface AppInstance {
  readonly id: string;
  /**
   * Ticks the app every `periodMs` (the first tick at once) until close(), each tick's outcome
   * going to `sink`; called again, it sets a new period and sink and ticks at once. A sandboxed
   * app's worker keeps the time itself, so a tick costs the bridge one message, not a round trip.
   * run() is not for an instance that plays.
   */
  play(periodMs: number, sink: TickSink): void;
  /** While playing: tick now, in answer to something from outside (the frame is a reaction). */
  nudge(): void;
  /**
   * One tick: calls the app's `run`. Resolves with the app's 64x32 RGB888 canvas when it drew
   * anything during this call, or null when it drew nothing. Rejects with a SandboxFault when the
   * app traps, times out, exhausts memory or keeps flooding its log or KV store; the instance is then dead (later calls reject at
   * once with the same fault). A run in flight when close() is called never rejects: it resolves
   * with its frame if it could finish, else null. Calls made while a run is in flight wait for it.
   * For tools and tests that tick an app themselves: a sandboxed instance that plays rejects it.
   */
  run(): Promise<Uint8Array | null>;
  pushData(payload: Uint8Array): void;
  pushButton(event: ButtonEvent): void;
  setConfig(config: Record<string, unknown>): void;
  /** Latest value of an MQTT topic; ignored unless the manifest lists it under permissions.mqtt (checked by MqttPermission, mqtt-permission.ts). */
  setMqttValue(topic: string, value: Uint8Array): void;
  /** Latest state of an entity (null: unavailable); ignored unless the app was granted it (permissions.homeassistant within homeassistant.app_access). */
  setHomeAssistantState(entityId: string, state: HomeAssistantEntityState | null): void;
  close(): Promise<void>;
}
