/**
 * permissions.mqtt, checked in one place: which topics' values an app may read, and how large a
 * value it is handed. Both sides of the worker boundary use it (the bridge before it sends a value,
 * the worker's host API before it keeps one and when the app asks).
 */

/**
 * An MQTT value larger than this is not kept for the app (it would sit in the worker whether the
 * app reads it or not); `mb_mqtt_get` answers "too large" instead.
 */
export const MQTT_VALUE_MAX_BYTES = 64 * 1024;

export class MqttPermission {
  private readonly topics: ReadonlySet<string>;

  constructor(topics: readonly string[] | undefined) {
    this.topics = new Set(topics ?? []);
  }

  /** Whether the manifest lists `topic` under permissions.mqtt. */
  allows(topic: string): boolean {
    return this.topics.has(topic);
  }

  /**
   * What the app may be handed of a new value: undefined when the topic is not permitted, the
   * byte count of a value over MQTT_VALUE_MAX_BYTES (a number stays a number), else the value.
   */
  admit(topic: string, value: Uint8Array | number): Uint8Array | number | undefined {
    if (!this.allows(topic)) return undefined;
    return typeof value !== 'number' && value.length > MQTT_VALUE_MAX_BYTES ? value.length : value;
  }
}
