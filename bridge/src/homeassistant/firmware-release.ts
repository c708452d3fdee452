/**
 * The coprocessor firmware this bridge ships (firmware/, `make` builds it): what Home Assistant's
 * update entity offers as the latest version. A test checks it against the boards' sources.
 */
export const SHIPPED_FIRMWARE = {
  version: '0.1.0',
  title: 'Megabit coprocessor firmware',
  summary:
    'Serial protocol v1: frames with acknowledgement and resend, brightness, the button, heartbeats. ' +
    'Flash it with the tools of its board (docs/hardware.md); the bridge does not flash yet.',
} as const;
