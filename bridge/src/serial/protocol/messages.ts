/** Message <-> packet, driven by the schema table. */
import { isSequenced } from './constants';
import { encodePacket, type Packet } from './packet';
import { type Message, type MessageName, messageNameOf, schemaOf } from './schema';

export type DecodeResult = { ok: true; message: Message } | { ok: false; reason: 'unknown-type' | 'short-body'; type: number; seq: number };

function fieldValue(message: Message, name: string, size: number): number {
  const value = (message as unknown as Record<string, unknown>)[name];
  const max = 2 ** (8 * size) - 1;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) {
    throw new RangeError(`${message.name}.${name} must be an integer 0..${max}, got ${String(value)}`);
  }
  return value;
}

function tailBytes(message: Message, name: string, kind: string): Uint8Array {
  const value = (message as unknown as Record<string, unknown>)[name];
  if (kind === 'bytes') {
    if (!(value instanceof Uint8Array)) throw new RangeError(`${message.name}.${name} must be a Uint8Array`);
    return value;
  }
  if (kind === 'text') {
    if (typeof value !== 'string' || !/^[\x20-\x7e]*$/.test(value)) {
      throw new RangeError(`${message.name}.${name} must be printable ASCII`);
    }
    return new TextEncoder().encode(value);
  }
  if (!Array.isArray(value) || value.length > 255) {
    throw new RangeError(`${message.name}.${name} must be an array of at most 255 counters`);
  }
  const out = new Uint8Array(1 + value.length * 4);
  const view = new DataView(out.buffer);
  out[0] = value.length;
  value.forEach((v: unknown, i) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffffffff) {
      throw new RangeError(`${message.name}.${name}[${i}] must be a u32`);
    }
    view.setUint32(1 + i * 4, v, true);
  });
  return out;
}

/** The message's body bytes. Throws RangeError naming the bad field. */
export function encodeBody(message: Message): Uint8Array {
  const schema = schemaOf(message.name);
  const parts: number[] = [];
  for (const [name, size] of schema.fields) {
    const value = fieldValue(message, name, size);
    for (let k = 0; k < size; k++) parts.push(Math.floor(value / 2 ** (8 * k)) & 0xff);
  }
  const head = Uint8Array.from(parts);
  if (!schema.tail) return head;
  const tail = tailBytes(message, schema.tail.name, schema.tail.kind);
  const body = new Uint8Array(head.length + tail.length);
  body.set(head);
  body.set(tail, head.length);
  return body;
}

/** The wire bytes of a message. Unsequenced types always go out with seq 0. */
export function encodeMessage(message: Message): Uint8Array {
  const type = schemaOf(message.name).type;
  return encodePacket({ type, seq: isSequenced(type) ? message.seq : 0, body: encodeBody(message) });
}

export function decodeMessage(packet: Packet): DecodeResult {
  const { type, seq, body } = packet;
  const name: MessageName | undefined = messageNameOf(type);
  if (!name) return { ok: false, reason: 'unknown-type', type, seq };
  const schema = schemaOf(name);
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const out: Record<string, unknown> = { name, seq };
  let at = 0;
  for (const [field, size] of schema.fields) {
    if (at + size > body.length) return { ok: false, reason: 'short-body', type, seq };
    out[field] = size === 1 ? body[at] : size === 2 ? view.getUint16(at, true) : view.getUint32(at, true);
    at += size;
  }
  const tail = schema.tail;
  if (tail?.kind === 'bytes') out[tail.name] = body.slice(at);
  if (tail?.kind === 'text') out[tail.name] = new TextDecoder().decode(body.subarray(at));
  if (tail?.kind === 'counters') {
    const count = body[at];
    if (count === undefined || at + 1 + count * 4 > body.length) return { ok: false, reason: 'short-body', type, seq };
    out[tail.name] = Array.from({ length: count }, (_, i) => view.getUint32(at + 1 + i * 4, true));
  }
  return { ok: true, message: out as unknown as Message };
}
