/**
 * The host side of the app ABI (docs/app-abi.md): the `extism:host/user` functions an app may
 * import, plus the few `extism:host/env` functions the sandbox replaces. Runs inside the app's
 * worker, synchronously, while the guest is executing.
 */
import type { CallContext, ExtismPluginOptions } from '@extism/extism';
import type { ButtonEvent } from '@megabit/contract';
import { parseRequest, type HttpReply, type HttpRequestSpec } from './http-permission';
import type { IconPixels } from './icon-channel';
import { KV_OVER_QUOTA, type KvStore } from './kv-store';
import { MQTT_VALUE_MAX_BYTES, MqttPermission } from './mqtt-permission';
import type { HomeAssistantEntityState, LogLevel } from './types';
import type { WasmMemory } from './wasm-api';
import { formatMiB } from './wasm-memory-cap';

export const USER_NAMESPACE = 'extism:host/user';
export const ENV_NAMESPACE = 'extism:host/env';

export const INBOX_MAX_PAYLOADS = 32;
export const INBOX_MAX_PAYLOAD_BYTES = 64 * 1024;
/** Buttons queue like data: an app that never drains them must not grow the queue forever. */
export const BUTTON_QUEUE_MAX = 32;
export const LOG_LINE_MAX_CHARS = 1024;
/** Icon names are at most 32 characters (a-z, 0-9, _, -): anything longer is no icon and is not looked up. */
export const ICON_NAME_MAX_BYTES = 32;
/**
 * What one Extism block costs the worker besides its bytes (its Block, ArrayBuffer and DataView
 * objects): charged per block, or a loop of tiny host calls would cost far more than its bytes.
 */
export const BLOCK_OVERHEAD_BYTES = 512;

const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];
const lenientUtf8 = new TextDecoder();
const utf8 = new TextEncoder();

/** The guest's memory plus the host data handed to it would pass its memory cap. */
export class HostMemoryError extends Error {}

export interface AppHostOptions {
  /** width * height RGB888 pixels, row-major. */
  canvas: Uint8Array;
  width: number;
  height: number;
  kv: KvStore;
  configJson: string;
  mqttTopics: readonly string[];
  /** Entities the app may read: its manifest's, within homeassistant.app_access. */
  homeAssistantEntities: readonly string[];
  /** Entities its manifest asks for that homeassistant.app_access does not allow. */
  homeAssistantDenied: readonly string[];
  /** Hosts `http_request` may reach (permissions.network). */
  networkHosts: readonly string[];
  /** Performs a granted request; blocks until the bridge answers. */
  httpRequest(request: HttpRequestSpec): HttpReply;
  /** The frame showing now of the icon `name`, or null when there is none by that name. */
  icon(name: string): IconPixels | null;
  /**
   * The app's memory cap. The Extism blocks of one call (its own allocations and every piece of
   * data the host hands it) must fit in it, beside the linear memory, which has the same cap.
   */
  memoryBytes: number;
  tzOffsetMinutes(nowMs: number): number;
  log(level: LogLevel, message: string): void;
  /** A write the KV store refused for going over the quota (the flood policy counts them). */
  kvRefused(): void;
}

export class AppHost {
  /** Whether the current call blitted anything onto the canvas. */
  drew = false;
  /** Text the guest set with Extism's error_set during the current call. */
  errorText: string | null = null;
  private blockBytes = 0;
  private readonly inbox: Uint8Array[] = [];
  private readonly buttons: ButtonEvent[] = [];
  private configJson: string;
  /** Changes with every config the bridge hands over (mb_config_version): apps re-read the config only then. */
  private configVersion = 0;
  private readonly mqttPermission: MqttPermission;
  private readonly haAllowed: ReadonlySet<string>;
  /** A number: the size of a value that was too large to keep. */
  private readonly mqttValues = new Map<string, Uint8Array | number>();
  private readonly haStates = new Map<string, HomeAssistantEntityState>();
  private httpStatus = 0;
  /** The guest's exported `memory`, which `mb_blit_mem` reads the pixels from; null until attached (or when it exports none). */
  private guestMemory: WasmMemory | null = null;

  constructor(private readonly o: AppHostOptions) {
    this.configJson = o.configJson;
    this.mqttPermission = new MqttPermission(o.mqttTopics);
    this.haAllowed = new Set(o.homeAssistantEntities);
  }

  /** Called before each guest call: per-call state starts fresh (Extism blocks are reset after each). */
  beginCall(): void {
    this.drew = false;
    this.errorText = null;
    this.blockBytes = 0;
  }

  /** Gives `mb_blit_mem` the guest's own memory (once the plugin is instantiated). */
  attachMemory(memory: WasmMemory): void {
    this.guestMemory = memory;
  }

  pushData(payload: Uint8Array): void {
    if (this.inbox.length >= INBOX_MAX_PAYLOADS) this.inbox.shift();
    this.inbox.push(payload);
  }

  pushButton(event: ButtonEvent): void {
    if (this.buttons.length >= BUTTON_QUEUE_MAX) this.buttons.shift();
    this.buttons.push({ button: event.button, action: event.action });
  }

  setConfig(json: string): void {
    this.configJson = json;
    this.configVersion = (this.configVersion + 1) | 0;
  }

  setMqttValue(topic: string, value: Uint8Array | number): void {
    const admitted = this.mqttPermission.admit(topic, value);
    if (admitted !== undefined) this.mqttValues.set(topic, admitted);
  }

  setHomeAssistantState(entityId: string, state: HomeAssistantEntityState | null): void {
    if (!this.haAllowed.has(entityId)) return;
    if (state) this.haStates.set(entityId, state);
    else this.haStates.delete(entityId);
  }

  /** The functions handed to Extism's createPlugin, by namespace. */
  functions(): NonNullable<ExtismPluginOptions['functions']> {
    return {
      [USER_NAMESPACE]: {
        mb_blit: (ctx: CallContext, x: number, y: number, w: number, h: number, pixels: bigint) => this.blit(ctx, x, y, w, h, pixels),
        mb_blit_mem: (_ctx: CallContext, x: number, y: number, w: number, h: number, pixels: number) => this.blitFromMemory(x, y, w, h, pixels),
        mb_display_info: (ctx: CallContext) => this.give(ctx, JSON.stringify({ width: this.o.width, height: this.o.height })),
        mb_now_ms: () => BigInt(Date.now()),
        mb_tz_offset_min: () => this.o.tzOffsetMinutes(Date.now()),
        mb_random_seed: () => crypto.getRandomValues(new BigInt64Array(1))[0],
        mb_log: (ctx: CallContext, level: number, msg: bigint) => this.logFromGuest(ctx, level, msg),
        mb_config: (ctx: CallContext) => this.give(ctx, this.configJson),
        mb_config_version: () => this.configVersion,
        mb_kv_get: (ctx: CallContext, key: bigint) => {
          const k = read(ctx, key);
          const value = k && this.o.kv.get(k);
          return value ? this.give(ctx, value) : 0n;
        },
        mb_kv_set: (ctx: CallContext, key: bigint, value: bigint) => {
          const rc = this.o.kv.set(read(ctx, key) ?? new Uint8Array(0), read(ctx, value) ?? new Uint8Array(0));
          if (rc === KV_OVER_QUOTA) this.o.kvRefused();
          return rc;
        },
        mb_kv_delete: (ctx: CallContext, key: bigint) => {
          const k = read(ctx, key);
          if (k) this.o.kv.delete(k);
          return 0;
        },
        mb_inbox_next: (ctx: CallContext) => {
          const payload = this.inbox.shift();
          return payload ? this.give(ctx, payload) : 0n;
        },
        mb_button_next: (ctx: CallContext) => {
          const event = this.buttons.shift();
          return event ? this.give(ctx, JSON.stringify(event)) : 0n;
        },
        mb_mqtt_get: (ctx: CallContext, topic: bigint) => this.give(ctx, JSON.stringify(this.mqttReply(readText(ctx, topic)))),
        mb_ha_state: (ctx: CallContext, entity: bigint) => this.give(ctx, JSON.stringify(this.haReply(readText(ctx, entity)))),
        mb_icon: (ctx: CallContext, name: bigint) => this.iconBlock(ctx, name),
      },
      // Extism's own versions of these assume its call stack (BEGIN/END), which the sandbox
      // bypasses to see the export's return code; apps get no input and their output is unused.
      [ENV_NAMESPACE]: {
        alloc: (ctx: CallContext, size: bigint) => this.alloc(ctx, size),
        input_offset: () => 0n,
        input_length: () => 0n,
        input_load_u8: () => 0,
        input_load_u64: () => 0n,
        output_set: () => undefined,
        error_set: (ctx: CallContext, addr: bigint) => {
          this.errorText = readText(ctx, addr);
        },
        // Extism's foreground versions only log "not enabled"; these follow permissions.network.
        http_request: (ctx: CallContext, request: bigint, body: bigint) => this.http(ctx, request, body),
        http_status_code: () => this.httpStatus,
      },
    };
  }

  private alloc(ctx: CallContext, size: bigint): bigint {
    const n = Number(size);
    this.chargeBlock(n);
    return ctx.alloc(n);
  }

  /**
   * Every block the guest gets counts against the cap until the call ends (Extism frees blocks
   * only then; a block the guest frees earlier is not credited back). Not shared with the linear
   * memory: a garbage-collected guest grows its memory to what it needs and keeps it (Wasm memory
   * never shrinks), so a full memory is not a full heap, and host data must not fail it. An app
   * thus costs at most twice its cap (plus the worker), whatever it asks for.
   */
  private chargeBlock(size: number): void {
    const n = size + BLOCK_OVERHEAD_BYTES;
    if (this.blockBytes + n > this.o.memoryBytes) {
      throw new HostMemoryError(`${n} more bytes of host data or Extism blocks would pass it in this call (${formatMiB(this.blockBytes)} in use)`);
    }
    this.blockBytes += n;
  }

  /** Hands `data` to the guest as a new block, charged to its memory. */
  private give(ctx: CallContext, data: Uint8Array | string): bigint {
    // A fresh copy: Extism 1.0.3's store() adopts a Uint8Array's whole underlying ArrayBuffer, so
    // a view into a larger buffer (or the KV store's own copy) must not be passed as is.
    const bytes = typeof data === 'string' ? utf8.encode(data) : data.slice();
    this.chargeBlock(bytes.length);
    return ctx.store(bytes);
  }

  /**
   * A request the manifest does not grant throws HttpDenied (the call fails, as in Extism); a
   * granted one that gets no HTTP answer returns 0 with status 0, and says why in the app's log.
   */
  private http(ctx: CallContext, requestBlock: bigint, bodyBlock: bigint): bigint {
    this.httpStatus = 0;
    const request = parseRequest(this.o.networkHosts, readText(ctx, requestBlock), read(ctx, bodyBlock));
    const reply = this.o.httpRequest(request);
    if ('error' in reply) {
      // Origin and path only: query strings often carry API keys, and logs go out over MQTT.
      const { origin, pathname } = new URL(request.url);
      this.o.log('warn', `HTTP ${request.method} ${origin}${pathname} failed: ${reply.error}`);
      return 0n;
    }
    this.httpStatus = reply.status;
    // Replies land in Extism blocks like the guest's own allocations, under the same cap.
    return this.give(ctx, reply.body);
  }

  private blit(ctx: CallContext, x: number, y: number, w: number, h: number, pixels: bigint): number {
    const src = read(ctx, pixels);
    if (!src || w < 1 || h < 1 || src.length < w * h * 3) return -1;
    return this.copyRegion(src, x, y, w, h);
  }

  /**
   * `mb_blit` with the pixels read straight from the guest's own memory at `pixels`, instead of
   * from an Extism block the guest first filled 8 bytes per host call (768 calls a frame). The
   * host only reads, within the memory's current bounds, into the canvas: a bad pointer gets -1.
   */
  private blitFromMemory(x: number, y: number, w: number, h: number, pixels: number): number {
    const memory = this.guestMemory?.buffer;
    if (!memory || w < 1 || h < 1) return -1;
    const start = pixels >>> 0; // an i32 argument arrives signed; addresses are unsigned
    const bytes = w * h * 3;
    if (start + bytes > memory.byteLength) return -1;
    return this.copyRegion(new Uint8Array(memory, start, bytes), x, y, w, h);
  }

  /** Copies the w x h RGB888 region `src` to (x, y) of the canvas, clipped to the display. */
  private copyRegion(src: Uint8Array, x: number, y: number, w: number, h: number): number {
    const x0 = Math.max(0, x);
    const x1 = Math.min(this.o.width, x + w);
    const y0 = Math.max(0, y);
    const y1 = Math.min(this.o.height, y + h);
    if (x0 >= x1 || y0 >= y1) return 0;
    this.drew = true;
    if (x === 0 && w === this.o.width) {
      // Whole rows (every full-frame flush): one contiguous copy instead of one per row.
      this.o.canvas.set(src.subarray((y0 - y) * w * 3, (y1 - y) * w * 3), y0 * w * 3);
      return 0;
    }
    for (let row = y0; row < y1; row++) {
      const from = ((row - y) * w + (x0 - x)) * 3;
      this.o.canvas.set(src.subarray(from, from + (x1 - x0) * 3), (row * this.o.width + x0) * 3);
    }
    return 0;
  }

  /** A block of [width, height, RGBA...] (one byte each for the sizes: icons are at most 32x32), or 0. */
  private iconBlock(ctx: CallContext, nameBlock: bigint): bigint {
    const name = read(ctx, nameBlock);
    if (!name || name.length > ICON_NAME_MAX_BYTES) return 0n;
    const pixels = this.o.icon(lenientUtf8.decode(name));
    if (!pixels) return 0n;
    const block = new Uint8Array(2 + pixels.rgba.length);
    block[0] = pixels.width;
    block[1] = pixels.height;
    block.set(pixels.rgba, 2);
    return this.give(ctx, block);
  }

  private logFromGuest(ctx: CallContext, level: number, msg: bigint): void {
    // Only what can end up in the line is decoded (4 bytes per character at most).
    const text = lenientUtf8.decode(read(ctx, msg)?.subarray(0, 4 * (LOG_LINE_MAX_CHARS + 1)) ?? new Uint8Array(0));
    const clamped = LOG_LEVELS[Math.min(3, Math.max(0, level | 0))];
    this.o.log(clamped, text.length > LOG_LINE_MAX_CHARS ? `${text.slice(0, LOG_LINE_MAX_CHARS)}…` : text);
  }

  private mqttReply(topic: string): object {
    if (!this.mqttPermission.allows(topic)) return { ok: false, error: `denied: ${topic} is not in permissions.mqtt` };
    const value = this.mqttValues.get(topic);
    if (typeof value === 'number') return { ok: false, error: `too large: ${value} bytes (apps get values up to ${MQTT_VALUE_MAX_BYTES} bytes)` };
    return value ? { ok: true, value: lenientUtf8.decode(value) } : { ok: false, error: 'unavailable' };
  }

  private haReply(entityId: string): object {
    if (this.o.homeAssistantDenied.includes(entityId))
      return { ok: false, error: `denied: ${entityId} is not allowed by homeassistant.app_access in megabit.yaml` };
    if (!this.haAllowed.has(entityId)) return { ok: false, error: `denied: ${entityId} is not in permissions.homeassistant` };
    const state = this.haStates.get(entityId);
    return state ? { ok: true, state: state.state, attributes: state.attributes } : { ok: false, error: 'unavailable' };
  }
}

/** The bytes of a block, or null for offset 0 ("nothing") and unknown blocks. A view, not a copy. */
function read(ctx: CallContext, offset: bigint): Uint8Array | null {
  if (offset === 0n) return null;
  const block = ctx.read(offset);
  return block ? block.bytes() : null;
}

function readText(ctx: CallContext, offset: bigint): string {
  const bytes = read(ctx, offset);
  return bytes ? lenientUtf8.decode(bytes) : '';
}
