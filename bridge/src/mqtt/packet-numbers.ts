/**
 * mqtt-packet writes every MQTT packet the bridge and its embedded broker send (mqtt.js and aedes
 * both use it). By default the first packet it writes builds a table of all 65536 two-byte
 * numbers as separate buffers: 40-80 ms of the main thread plus a garbage collection on the way
 * to the first frame, and the table kept for good. Without it each packet allocates its few
 * numbers as it goes, which costs nothing measurable next to a frame's 6 KB.
 *
 * Each writer of the bridge turns it off before its first packet: the embedded broker when it
 * starts, the bridge's client through mqtt.js's own `writeCache: false`, and main.ts before the
 * start-up probe of the length-prefix fix writes its test packet.
 */
import { writeToStream } from 'mqtt-packet';

/** Turns the table off for the whole process (it is mqtt-packet's one global switch); before the first packet is written. */
export function writePacketNumbersWithoutTable(): void {
  writeToStream.cacheNumbers = false;
}
