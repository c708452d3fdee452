/** Payload types of the MQTT control API v1 (docs/mqtt-api.md). */
import type { NightReport } from './night';
import type { ApiError } from './result';
import type { HiddenReason } from './schedules';
import type { ScreenContent } from './screens';

export type Priority = 'low' | 'normal' | 'high' | 'critical';
export const PRIORITIES: readonly Priority[] = ['low', 'normal', 'high', 'critical'];

export type ButtonAction = 'press' | 'long_press' | 'double_press';
export const BUTTON_ACTIONS: readonly ButtonAction[] = ['press', 'long_press', 'double_press'];
export type ButtonName = 'main';

export interface ButtonEvent {
  button: ButtonName;
  action: ButtonAction;
}

export interface NotifyRequest {
  /** The text as plain characters (segments joined); empty for a rich notification without text. */
  text: string;
  /**
   * A rich notification: the screen content fields it was sent with (text in its rich form, icon,
   * progress, chart, draw, background), drawn over the whole panel instead of the text banner.
   */
  content?: ScreenContent;
  id?: string;
  /** `#rrggbb` */
  color?: string;
  duration_ms?: number;
  repeat?: number;
  priority?: Priority;
  hold?: boolean;
  transaction?: string | number;
}

export interface DismissRequest {
  id?: string;
  transaction?: string | number;
}

export interface DisplayCommand {
  state?: 'ON' | 'OFF';
  brightness?: number;
  /** Seconds over which power and brightness fade to what this command asks (Home Assistant's transition). */
  transition?: number;
  /** Seconds the picture blinks (Home Assistant's flash: flash_time_short, 2, or flash_time_long, 10). */
  flash?: number;
  transaction?: string | number;
}

export interface AppsOrderRequest {
  order: string[];
  disabled?: string[];
  transaction?: string | number;
}

export interface AppIdRequest {
  id: string;
  transaction?: string | number;
}

export interface AppPermissions {
  /** Bytes the app may keep in its KV store. */
  kv_bytes?: number;
  /** MQTT topics whose latest value the app may read. */
  mqtt?: string[];
  /** Home Assistant entity ids whose state the app may read. */
  homeassistant?: string[];
  /** Hosts the app may reach with Extism's http_request: names, IP addresses or `*.domain`. */
  network?: string[];
}

export interface AppManifest {
  id: string;
  name: string;
  version: string;
  /** The Wasm file, relative to the manifest. */
  bin: string;
  /** How often `run` is called while the app is shown. */
  refresh_period_ms: number;
  /** Dwell time in the rotation; absent means the configured default. */
  duration_ms?: number;
  permissions?: AppPermissions;
  /** JSON schema of the app's configuration object. */
  config?: Record<string, unknown>;
  description?: string;
  author?: string;
}

export interface InstallRequest {
  manifest: AppManifest;
  /** The Wasm module, base64. */
  wasm: string;
  /**
   * Reinstalling an app whose new manifest asks for other permissions than the installed one is
   * refused (`permissions_changed`) unless this is true: the app then starts with empty config
   * and KV store. With the same permissions an install is an upgrade and keeps both.
   */
  replace?: boolean;
  transaction?: string | number;
}

export interface DisplayInfo {
  width: number;
  height: number;
  connected: boolean;
  transport: 'serial' | 'none';
}

/** Counters of the display link as the bridge sees it. */
export interface DisplayLinkHostCounters {
  packets_sent: number;
  retransmits: number;
  /** Received frames dropped for a bad CRC, COBS error or size. */
  rx_dropped: number;
  frames_sent: number;
  /** Frames replaced by a newer one before they could be sent (slow link: latest wins). */
  frames_skipped: number;
  /**
   * Of frames_skipped: frames whose packets still queued for the link a notification's frame took
   * back, so the notification went out first: an app frame, or an older notification's frame none
   * of whose packets had gone out yet (docs/performance.md, latency).
   */
  frames_preempted: number;
  /** Sessions opened (handshakes) since the bridge started. */
  sessions: number;
}

/** Counters from the device's last STATUS (docs/serial-protocol.md §3), snake_case. */
export interface DisplayLinkDeviceCounters {
  rx_packets: number;
  rx_crc_errors: number;
  rx_malformed: number;
  rx_oversize: number;
  rx_overruns: number;
  rx_duplicates: number;
  rx_gaps: number;
  tx_retransmits: number;
  frames_shown: number;
  frames_dropped: number;
  rejected: number;
  no_session: number;
}

/** `P/state/display` (retained): the link to the display hardware. */
export interface DisplayLinkState {
  connected: boolean;
  transport: 'serial' | 'none';
  /** The serial device in use (or configured), null without hardware. */
  port: string | null;
  board: string | null;
  /** `major.minor.patch` of the firmware. */
  firmware_version: string | null;
  /** `major.minor` the device speaks. */
  protocol_version: string | null;
  /** Whole-panel refreshes per second (0 on a board without a panel). */
  refresh_hz: number | null;
  /** The device shows exactly the frame the bridge last committed (same id, same CRC-32). */
  in_sync: boolean;
  /** Id of the frame the bridge last committed, null before the first. */
  frame_id: number | null;
  /** Why the link is down, when it is not just unplugged (e.g. an incompatible protocol). */
  error: string | null;
  host: DisplayLinkHostCounters;
  device: DisplayLinkDeviceCounters | null;
  /** The device's status LEDs as the bridge has set them; null while no device is connected. */
  leds: DisplayLeds | null;
  /** What the device's previous boot ended in, as the device reported it this boot; null if nothing. */
  last_fault: DisplayLinkFault | null;
}

/**
 * A coprocessor reset the firmware did not ask for (serial protocol FAULT): `hardfault` is a CPU
 * fault, `pc` the faulting instruction, `lr` its caller, `cfsr` the fault status register (0 on a
 * core without one); `watchdog` means the firmware stopped making progress (pc, lr, cfsr 0).
 */
export interface DisplayLinkFault {
  kind: 'hardfault' | 'watchdog' | 'unknown';
  pc: number;
  lr: number;
  cfsr: number;
}

/**
 * The coprocessor's status LEDs (docs/hardware.md): `link` is on while the bridge has a session
 * with the device; the RGB LED is green while the bridge is connected to its MQTT broker, red
 * while it is not.
 */
export interface DisplayLeds {
  link: boolean;
  red: boolean;
  green: boolean;
  blue: boolean;
}

export interface DeviceState {
  state: 'ON' | 'OFF';
  brightness: number;
  app: string | null;
  fps: number;
  uptime_s: number;
  version: string;
  rotation: boolean;
  notification: string | null;
  display: DisplayInfo;
  /** The brightness the panel shows now: `brightness`, or auto-brightness's, within the night or day limit. The bridge always sets it. */
  shown_brightness?: number;
  /** Night mode (docs/schedules.md). The bridge always sets it. */
  night?: NightReport;
}

export interface AppStatus {
  id: string;
  /** An installed app, or a screen published to `P/cmd/screens/<id>`; the bridge always sets it (absent from older bridges: an app). */
  kind?: 'app' | 'screen';
  name: string;
  version: string;
  enabled: boolean;
  status: 'ok' | 'failed';
  error?: string;
  /** A screen whose lifetime ran out with `on_expiry: "stale"`: shown, marked as out of date. */
  stale?: boolean;
  /** Whether the rotation may show it now (docs/schedules.md); absent from older bridges: visible. */
  visible?: boolean;
  /** Why it is not visible, when `visible` is false: the first rule to change. */
  reason?: HiddenReason;
  /** Its `pin_when` holds: the rotation stays on it (only the first such entry in rotation order is pinned). */
  pinned?: boolean;
}

export interface AppLogEvent {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
}

export type Response<T extends object = Record<string, never>> =
  | ({ ok: true; transaction?: string | number } & T)
  | { ok: false; error: ApiError; transaction?: string | number };
