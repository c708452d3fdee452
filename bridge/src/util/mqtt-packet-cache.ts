/**
 * mqtt-packet, the packet writer of both mqtt.js and aedes (one hoisted copy), builds a Buffer
 * for every 16-bit number (65 536 of them, about 6 MB of heap) the first time it writes any
 * packet, so that writing a message id never allocates. The bridge sends a handful of messages
 * a second: allocating those 2 bytes costs nothing measurable, while the cache would be a tenth
 * of its memory budget (docs/performance.md, section 4). mqtt.js's own `writeCache: false`
 * option flips the same module-wide switch, but only when a client is made, and the embedded
 * broker can write to a client that connects before the bridge's own client exists.
 */
import { writeToStream } from 'mqtt-packet';

/** Makes mqtt-packet write numbers as it goes instead of building its number cache; idempotent. */
export function skipMqttPacketNumberCache(): void {
  writeToStream.cacheNumbers = false;
}
