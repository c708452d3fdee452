/** Numbers fixed by docs/serial-protocol.md; the firmware's core/protocol.h holds the same. */

export const PROTOCOL_MAJOR = 1;
/**
 * 1.2: WRITE_RECT format 3 (LEVEL_RICE) and the colour depth as the levels a channel is shown at;
 * 1.3: LEVEL_RICE as it is now (four blended predictors, modelled from the rows above).
 */
export const PROTOCOL_MINOR = 3;
/** The first minor version whose devices send STATUS by themselves once a newer frame is on the panel. */
export const STATUS_PUSH_MINOR = 1;
/** The first minor version whose devices decode LEVEL_RICE as this bridge codes it (1.2 devices had a first draft of it). */
export const LEVEL_RICE_MINOR = 3;

export const HEADER_SIZE = 3;
export const CRC_SIZE = 2;
export const MIN_PACKET = HEADER_SIZE + CRC_SIZE;
export const MAX_PACKET = 1024;
export const MAX_BODY = MAX_PACKET - MIN_PACKET;
/** Longest encoded frame a receiver collects before it gives up on it. */
export const MAX_ENCODED = MAX_PACKET + Math.floor(MAX_PACKET / 254) + 1;

export const HEARTBEAT_MS = 1000;
export const LINK_LOST_MS = 3000;
export const HOST_RETRANSMIT_MS = 300;
export const HELLO_RETRY_MS = 200;

/** Sequenced (reliably delivered) types have any of bits 4..6 set. */
export function isSequenced(type: number): boolean {
  return (type & 0x70) !== 0;
}

export const PixelFormat = { RGB888: 0, RGB565: 1, RLE888: 2, LEVEL_RICE: 3 } as const;

export const RejectReason = {
  BAD_LENGTH: 1,
  OUT_OF_BOUNDS: 2,
  BAD_FORMAT: 3,
  BAD_RLE: 4,
  BAD_VALUE: 5,
  UNKNOWN_TYPE: 6,
} as const;

/** Debounced edges only: the bridge classifies holds (ButtonClassifier, in the contract). */
export const ButtonEvent = { UP: 0, DOWN: 1 } as const;

export const LogLevel = { DEBUG: 0, INFO: 1, WARN: 2, ERROR: 3 } as const;

/** FAULT kinds (firmware/core/fault.h). */
export const FaultKind = { HARDFAULT: 1, WATCHDOG: 2 } as const;

/** STATUS counters, in wire order. */
export const STATUS_COUNTERS = [
  'rxPackets',
  'rxCrcErrors',
  'rxMalformed',
  'rxOversize',
  'rxOverruns',
  'rxDuplicates',
  'rxGaps',
  'txRetransmits',
  'framesShown',
  'framesDropped',
  'rejected',
  'noSession',
] as const;
