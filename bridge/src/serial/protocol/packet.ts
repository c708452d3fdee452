/** Packets on the wire: type, seq, body, CRC-16, COBS-framed between 0x00 delimiters. */
import { cobsDecode, cobsEncode } from './cobs';
import { HEADER_SIZE, MAX_ENCODED, MAX_PACKET, MIN_PACKET } from './constants';
import { crc16 } from './crc';

export interface Packet {
  type: number;
  seq: number;
  body: Uint8Array;
}

export type DropReason = 'cobs' | 'short' | 'oversize' | 'crc';

export type ParseEvent = { kind: 'packet'; packet: Packet } | { kind: 'dropped'; reason: DropReason };

/** The wire form of one packet, both delimiters included. Throws RangeError on bad input. */
export function encodePacket(packet: Packet): Uint8Array {
  const { type, seq, body } = packet;
  if (!Number.isInteger(type) || type < 0 || type > 0xff) throw new RangeError(`packet type ${type} is not a byte`);
  if (!Number.isInteger(seq) || seq < 0 || seq > 0xffff) throw new RangeError(`sequence number ${seq} is not a u16`);
  if (body.length + MIN_PACKET > MAX_PACKET) {
    throw new RangeError(`packet body of ${body.length} bytes exceeds the ${MAX_PACKET - MIN_PACKET}-byte limit`);
  }
  const raw = new Uint8Array(body.length + MIN_PACKET);
  raw[0] = type;
  raw[1] = seq & 0xff;
  raw[2] = seq >> 8;
  raw.set(body, HEADER_SIZE);
  const crc = crc16(raw.subarray(0, raw.length - 2));
  raw[raw.length - 2] = crc & 0xff;
  raw[raw.length - 1] = crc >> 8;
  const encoded = cobsEncode(raw);
  const wire = new Uint8Array(encoded.length + 2);
  wire.set(encoded, 1);
  return wire;
}

function checkFrame(frame: Uint8Array): Packet | DropReason {
  const raw = cobsDecode(frame);
  if (!raw) return 'cobs';
  if (raw.length < MIN_PACKET) return 'short';
  if (raw.length > MAX_PACKET) return 'oversize';
  const want = raw[raw.length - 2] | (raw[raw.length - 1] << 8);
  if (crc16(raw.subarray(0, raw.length - 2)) !== want) return 'crc';
  return { type: raw[0], seq: raw[1] | (raw[2] << 8), body: raw.slice(HEADER_SIZE, raw.length - 2) };
}

/** Streaming receiver: push any chunks, get whole packets and drops back. Never throws. */
export class PacketParser {
  private readonly buffer = new Uint8Array(MAX_ENCODED);
  private length = 0;
  private discarding = false;

  push(chunk: Uint8Array): ParseEvent[] {
    const events: ParseEvent[] = [];
    for (const byte of chunk) {
      if (byte !== 0) {
        if (this.discarding) continue;
        if (this.length >= this.buffer.length) {
          this.discarding = true;
          events.push({ kind: 'dropped', reason: 'oversize' });
          continue;
        }
        this.buffer[this.length++] = byte;
        continue;
      }
      const hadFrame = !this.discarding && this.length > 0;
      const frame = this.buffer.subarray(0, this.length);
      this.discarding = false;
      this.length = 0;
      if (!hadFrame) continue;
      const result = checkFrame(frame);
      events.push(typeof result === 'string' ? { kind: 'dropped', reason: result } : { kind: 'packet', packet: result });
    }
    return events;
  }
}
