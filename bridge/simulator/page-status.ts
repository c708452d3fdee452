/** What the page tells the user about its links and the device, derived from what it knows. */
import type { DeviceState, DisplayLeds } from '@megabit/contract';
import type { BrokerStatus } from './broker-connection';
import type { Availability } from './device-state';

export interface PageStatus {
  broker: BrokerStatus;
  bridge: Availability;
  state?: DeviceState;
  /** The display board's status LEDs (`P/state/display`); null without a connected board. */
  leds?: DisplayLeds | null;
  hasFrame: boolean;
  deviceId: string;
}

export type Level = 'ok' | 'warn' | 'bad';

export function brokerLabel(status: PageStatus): { text: string; level: Level } {
  switch (status.broker) {
    case 'connected':
      return { text: 'broker: connected', level: 'ok' };
    case 'login':
      return { text: 'broker: log in', level: 'warn' };
    case 'connecting':
      return { text: 'broker: connecting', level: 'warn' };
    case 'reconnecting':
      return { text: 'broker: reconnecting', level: 'warn' };
    default:
      return { text: 'broker: offline', level: 'bad' };
  }
}

/** The bridge is only known while the broker link is up: its availability is a retained message. */
export function bridgeLabel(status: PageStatus): { text: string; level: Level } {
  if (status.broker !== 'connected') return { text: 'bridge: unknown', level: 'warn' };
  if (status.bridge === 'online') return { text: `bridge: ${status.deviceId} online`, level: 'ok' };
  if (status.bridge === 'offline') return { text: `bridge: ${status.deviceId} offline`, level: 'bad' };
  return { text: `bridge: no device "${status.deviceId}"`, level: 'warn' };
}

/** Text over the panel when what it shows is not live, or undefined when it is. */
export function panelNotice(status: PageStatus): { text: string; level: Level } | undefined {
  if (status.broker === 'login') return { text: 'Log in to see the display', level: 'warn' };
  if (status.broker === 'connecting') return { text: 'Connecting to the broker…', level: 'warn' };
  if (status.broker !== 'connected') return { text: 'Broker unreachable — reconnecting…', level: 'bad' };
  if (status.bridge === 'offline') return { text: `Bridge "${status.deviceId}" is offline`, level: 'bad' };
  if (status.bridge === 'unknown' && !status.hasFrame) return { text: `No bridge "${status.deviceId}" on this broker yet`, level: 'warn' };
  if (status.state?.state === 'OFF') return { text: 'Display off', level: 'warn' };
  if (!status.hasFrame) return { text: 'Waiting for frames…', level: 'warn' };
  return undefined;
}

export type LedColour = 'off' | 'red' | 'green' | 'yellow' | 'blue' | 'magenta' | 'cyan' | 'white';
const COLOURS: LedColour[] = ['off', 'red', 'green', 'yellow', 'blue', 'magenta', 'cyan', 'white'];

/**
 * The board's LEDs as the bridge reports them; dark while the page cannot hear the bridge (the
 * report would be stale) or no board is connected.
 */
export function ledsShown(status: PageStatus): { link: boolean; rgb: LedColour } {
  const leds = status.broker === 'connected' && status.bridge === 'online' ? status.leds : undefined;
  if (!leds) return { link: false, rgb: 'off' };
  return { link: leds.link, rgb: COLOURS[Number(leds.red) | (Number(leds.green) << 1) | (Number(leds.blue) << 2)] };
}

export function formatUptime(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d}d ${h}h ${m}m`;
  if (h > 0) return `${h}h ${m}m`;
  return `${m}m ${s % 60}s`;
}
