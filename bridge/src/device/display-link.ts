/**
 * The display hardware's link as the device core and the MQTT layer see it: a state snapshot
 * (`P/state/display`). The serial output implements it; without hardware it is `NO_DISPLAY_LINK`.
 */
import type { DisplayLinkState } from '@megabit/contract';

export interface DisplayLink {
  linkState(): DisplayLinkState;
}

const NO_HARDWARE: DisplayLinkState = {
  connected: false,
  transport: 'none',
  port: null,
  board: null,
  firmware_version: null,
  protocol_version: null,
  refresh_hz: null,
  in_sync: false,
  frame_id: null,
  error: null,
  host: { packets_sent: 0, retransmits: 0, rx_dropped: 0, frames_sent: 0, frames_skipped: 0, frames_preempted: 0, sessions: 0 },
  device: null,
  leds: null,
  last_fault: null,
};

export const NO_DISPLAY_LINK: DisplayLink = { linkState: () => structuredClone(NO_HARDWARE) };
