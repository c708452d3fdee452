/**
 * The light level auto-brightness reads, as night mode takes it: a number of lux from an MQTT
 * topic (mqtt/lux-topic-feed.ts) or a Home Assistant entity (homeassistant/night-entities.ts).
 * Anything that is not a number is ignored: a sensor saying `unavailable` leaves the brightness
 * as it is.
 */

export interface LuxSink {
  luxReading(lux: number): void;
}

/** A payload or state read as lux: a plain number (`"312"`, `"12.5"`); undefined for anything else. */
export function luxFrom(text: string): number | undefined {
  const trimmed = text.trim();
  if (!/^[0-9]+(\.[0-9]+)?$/.test(trimmed)) return undefined;
  const lux = Number(trimmed);
  return Number.isFinite(lux) ? lux : undefined;
}
