/**
 * What the coprocessor's status LEDs mean (docs/hardware.md): the link LED is on while the
 * bridge has a session with the device (the firmware blinks it by itself when it hears no
 * host), and the RGB LED tells whether the bridge can be reached over MQTT: green while it is
 * connected to its broker, red while it is not.
 */
import type { DisplayLeds } from '@megabit/contract';

/** SET_LEDS bit of each LED (docs/serial-protocol.md §5). */
const LED_BIT = { link: 0, red: 1, green: 2, blue: 3 } as const;

/** The LEDs while a session is open. */
export function statusLeds(brokerConnected: boolean): DisplayLeds {
  return { link: true, red: !brokerConnected, green: brokerConnected, blue: false };
}

/** SET_LEDS `state` bits for `leds`. */
export function ledBits(leds: DisplayLeds): number {
  let bits = 0;
  for (const led of Object.keys(LED_BIT) as Array<keyof DisplayLeds>) if (leds[led]) bits |= 1 << LED_BIT[led];
  return bits;
}
