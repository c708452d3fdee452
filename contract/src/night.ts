/**
 * Night mode over MQTT (docs/schedules.md): the `P/cmd/night` request, the mode it sets and the
 * night part of `P/state`. `auto` follows the `night` window of megabit.yaml; `on` and `off`
 * hold night or day until the mode is changed again.
 */
import { fail, ok, type Result } from './result';
import { parseObject, payloadText } from './validate';

export type NightMode = 'auto' | 'on' | 'off';
export const NIGHT_MODES: readonly NightMode[] = ['auto', 'on', 'off'];

export interface NightRequest {
  mode?: NightMode;
  /** The night brightness, 0-255, replacing `night.brightness` of megabit.yaml until changed. */
  brightness?: number;
  transaction?: string | number;
}

/** `P/state`'s `night`: the mode, whether it is night now, and what night does. */
export interface NightReport {
  mode: NightMode;
  /** Night now: by the window (`auto`) or because the mode says `on`. */
  active: boolean;
  /** Woken by a button press: the day's rules until the wake runs out. */
  awake: boolean;
  /** The night brightness (the most the display shows at night). */
  brightness: number;
  /** Notifications waiting for the morning. */
  held: number;
}

/** The reply to `P/cmd/night`. */
export type NightReply = Omit<NightReport, 'held'>;

/**
 * `ON`, `OFF`, `AUTO` (any case: Home Assistant's switch and select send bare words), or
 * `{"mode": "auto"|"on"|"off", "brightness": 0-255}` with at least one of the two.
 */
export function parseNight(payload: Uint8Array | string): Result<NightRequest> {
  const text = payloadText(payload);
  if (!text.ok) return text;
  const trimmed = text.value.trim();
  const word = trimmed.toLowerCase();
  if ((NIGHT_MODES as readonly string[]).includes(word)) return ok({ mode: word as NightMode });
  if (!trimmed.startsWith('{')) return fail('invalid_payload', 'payload must be ON, OFF, AUTO or {"mode":"auto"|"on"|"off","brightness":0-255}');
  const obj = parseObject(trimmed);
  if (!obj.ok) return obj;
  const o = obj.value;
  const extra = Object.keys(o).find((k) => k !== 'mode' && k !== 'brightness' && k !== 'transaction');
  if (extra !== undefined) return fail('invalid_payload', `unknown field "${extra}"`);
  if (o.mode !== undefined && !(typeof o.mode === 'string' && (NIGHT_MODES as readonly string[]).includes(o.mode))) {
    return fail('invalid_payload', '"mode" must be "auto", "on" or "off"');
  }
  const b = o.brightness;
  if (b !== undefined && (typeof b !== 'number' || !Number.isInteger(b) || b < 0 || b > 255)) {
    return fail('invalid_payload', '"brightness" must be an integer from 0 to 255');
  }
  if (o.mode === undefined && b === undefined) return fail('invalid_payload', 'give "mode", "brightness" or both');
  const t = o.transaction;
  return ok({
    ...(o.mode !== undefined ? { mode: o.mode as NightMode } : {}),
    ...(b !== undefined ? { brightness: b as number } : {}),
    ...(typeof t === 'string' || typeof t === 'number' ? { transaction: t } : {}),
  });
}
