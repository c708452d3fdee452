/**
 * Reading what the bridge publishes. The page only displays these values, so a malformed message
 * is dropped (and reported) instead of being trusted.
 */
import type { AppStatus, DeviceState, DisplayLeds } from '@megabit/contract';

function json(payload: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(payload));
  } catch {
    return undefined;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function readDeviceState(payload: Uint8Array): DeviceState | undefined {
  const v = json(payload);
  if (!isObject(v)) return undefined;
  if (v.state !== 'ON' && v.state !== 'OFF') return undefined;
  if (typeof v.brightness !== 'number' || typeof v.fps !== 'number') return undefined;
  if (v.app !== null && typeof v.app !== 'string') return undefined;
  return v as unknown as DeviceState;
}

export function readAppList(payload: Uint8Array): AppStatus[] | undefined {
  const v = json(payload);
  if (!Array.isArray(v)) return undefined;
  const apps = v.filter((a): a is AppStatus => isObject(a) && typeof a.id === 'string' && typeof a.name === 'string');
  return apps.length === v.length ? apps : undefined;
}

/** The status LEDs from `P/state/display`: null while the board is not connected, undefined if malformed. */
export function readDisplayLeds(payload: Uint8Array): DisplayLeds | null | undefined {
  const v = json(payload);
  if (!isObject(v)) return undefined;
  if (v.leds === null || v.leds === undefined) return null;
  const leds = v.leds;
  if (!isObject(leds)) return undefined;
  const names = ['link', 'red', 'green', 'blue'] as const;
  if (!names.every((name) => typeof leds[name] === 'boolean')) return undefined;
  return { link: leds.link as boolean, red: leds.red as boolean, green: leds.green as boolean, blue: leds.blue as boolean };
}

export type Availability = 'online' | 'offline' | 'unknown';

export function readAvailability(payload: Uint8Array): Availability {
  const text = new TextDecoder().decode(payload).trim();
  return text === 'online' || text === 'offline' ? text : 'unknown';
}

/** How bright the canvas looks for a brightness of 0..255: LEDs are PWM-dimmed, the eye is not linear. */
export function perceivedBrightness(brightness: number): number {
  const b = Math.min(255, Math.max(0, brightness)) / 255;
  return b ** (1 / 2.2);
}
