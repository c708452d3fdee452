/**
 * The bridge's side of "random and corrupted bytes on the serial link" (issue 9): the packet
 * parser and message decoder fed line noise and damaged packets never throw, never hand on a
 * damaged packet as good, and find the next good packet right after the noise. The firmware's
 * side is its own fuzz run (firmware/test, under ASan/UBSan).
 */
import { seededRandom } from '../helpers/seeded-random';
import { decodeMessage, encodeMessage, type Message, PacketParser, type ParseEvent } from '../../src/serial/protocol';

/** Messages the device sends the bridge, and some the bridge sends it. */
const SAMPLES: Message[] = [
  { name: 'DEV_ACK', seq: 0, next: 17 },
  { name: 'DEV_NACK', seq: 0, next: 3 },
  { name: 'DEV_HEARTBEAT', seq: 0, session: 2, bootId: 0x1000 },
  { name: 'BUTTON', seq: 5, button: 0, event: 1, timeMs: 123456 },
  { name: 'LOG', seq: 6, level: 2, text: 'scan overrun' },
  { name: 'COMMIT', seq: 9, frameId: 1234 },
  { name: 'SET_BRIGHTNESS', seq: 10, level: 200 },
] as Message[];

/** Noise of one of four kinds: random bytes, zeros and 0x01 runs, a damaged packet, a truncated one. */
function noise(random: () => number): Uint8Array {
  const kind = Math.floor(random() * 4);
  if (kind === 0 || kind === 1) {
    const bytes = new Uint8Array(1 + Math.floor(random() * (kind === 0 ? 2000 : 40)));
    for (let i = 0; i < bytes.length; i++) bytes[i] = kind === 0 ? Math.floor(random() * 256) : random() < 0.5 ? 0 : 1;
    return bytes;
  }
  const wire = encodeMessage(SAMPLES[Math.floor(random() * SAMPLES.length)]).slice();
  if (kind === 2) {
    const flips = 1 + Math.floor(random() * 3);
    // Inside the packet, not its delimiters: a flipped delimiter is only a shorter packet.
    for (let f = 0; f < flips; f++) wire[1 + Math.floor(random() * (wire.length - 2))] ^= 1 << Math.floor(random() * 8);
    return wire;
  }
  return wire.subarray(0, 1 + Math.floor(random() * (wire.length - 2)));
}

function packets(events: ParseEvent[]): Message[] {
  const out: Message[] = [];
  for (const e of events) {
    if (e.kind !== 'packet') continue;
    const decoded = decodeMessage(e.packet);
    if (decoded.ok) out.push(decoded.message);
  }
  return out;
}

/** Each sample as it reads back from the wire (unsequenced types carry seq 0). */
const CANONICAL = SAMPLES.map((m) => packets(new PacketParser().push(encodeMessage(m)))[0]);
const CANONICAL_JSON = CANONICAL.map((m) => JSON.stringify(m));

describe('serial codec fed noise', () => {
  it('survives 20,000 bursts of noise and damaged packets, and resynchronises after each', () => {
    const random = seededRandom(0x6d62);
    const parser = new PacketParser();
    let dropped = 0;
    let goodAfterNoise = 0;
    for (let round = 0; round < 20_000; round++) {
      const junk = noise(random);
      // The line delivers in chunks of any size.
      for (let at = 0; at < junk.length; ) {
        const size = 1 + Math.floor(random() * 64);
        const events = parser.push(junk.subarray(at, at + size));
        dropped += events.filter((e) => e.kind === 'dropped').length;
        // Whatever gets through the CRC must be one of the messages that were sent, undamaged.
        for (const message of packets(events)) expect(CANONICAL_JSON).toContain(JSON.stringify(message));
        at += size;
      }
      const next = round % SAMPLES.length;
      const after = packets(parser.push(encodeMessage(SAMPLES[next])));
      expect(after.at(-1)).toEqual(CANONICAL[next]);
      goodAfterNoise++;
    }
    expect(goodAfterNoise).toBe(20_000);
    expect(dropped).toBeGreaterThan(20_000);
  });

  it('decodes any packet that passes the CRC without throwing, known type or not', () => {
    const random = seededRandom(7);
    for (let i = 0; i < 50_000; i++) {
      const body = new Uint8Array(Math.floor(random() * 40));
      for (let b = 0; b < body.length; b++) body[b] = Math.floor(random() * 256);
      const result = decodeMessage({ type: Math.floor(random() * 256), seq: Math.floor(random() * 65536), body });
      expect(typeof result.ok).toBe('boolean');
    }
  });
});
