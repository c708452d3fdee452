import {
  cobsDecode,
  cobsEncode,
  crc16,
  crc32,
  decodeMessage,
  encodeMessage,
  encodePacket,
  MAX_BODY,
  namedCounters,
  type Message,
  PacketParser,
  type ParseEvent,
} from '../../src/serial/protocol';
import { readVectors } from '../helpers/serial/vectors';

const vectors = readVectors();

describe('serial protocol codec against firmware/protocol/vectors.txt', () => {
  it('has valid and corrupt vectors', () => {
    expect(vectors.filter((v) => v.kind === 'ok').length).toBeGreaterThanOrEqual(20);
    expect(vectors.filter((v) => v.kind.startsWith('reject:')).length).toBeGreaterThanOrEqual(8);
  });

  describe.each(vectors.filter((v) => v.kind === 'ok').map((v) => [v.name, v] as const))('%s', (_, vector) => {
    const message = { name: vector.fields!.name, ...vector.fields!.values } as unknown as Message;

    it('encodes to the exact wire bytes', () => {
      expect(Buffer.from(encodeMessage(message)).toString('hex')).toBe(Buffer.from(vector.wire).toString('hex'));
    });

    it('decodes from the wire bytes', () => {
      const events = new PacketParser().push(vector.wire);
      expect(events).toHaveLength(1);
      const event = events[0] as Extract<ParseEvent, { kind: 'packet' }>;
      expect(event.kind).toBe('packet');
      const decoded = decodeMessage(event.packet);
      expect(decoded).toEqual({ ok: true, message });
    });
  });

  describe.each(vectors.filter((v) => v.kind.startsWith('reject:')).map((v) => [v.name, v] as const))('%s', (_, vector) => {
    const reason = vector.kind.slice('reject:'.length);
    it(`is rejected for ${reason}`, () => {
      const events = new PacketParser().push(vector.wire);
      if (reason === 'body') {
        expect(events).toHaveLength(1);
        const event = events[0] as Extract<ParseEvent, { kind: 'packet' }>;
        expect(decodeMessage(event.packet)).toMatchObject({ ok: false, reason: 'short-body' });
      } else {
        expect(events).toEqual([{ kind: 'dropped', reason }]);
      }
    });
  });
});

describe('serial protocol codec', () => {
  it('computes the catalogue check values', () => {
    const check = new TextEncoder().encode('123456789');
    expect(crc16(check)).toBe(0x29b1);
    expect(crc32(check)).toBe(0xcbf43926);
  });

  it('round-trips COBS at block boundaries', () => {
    for (const size of [0, 1, 253, 254, 255, 508, 1024]) {
      for (const fill of [0, 0x11]) {
        const data = new Uint8Array(size).fill(fill);
        const encoded = cobsEncode(data);
        expect(encoded.includes(0)).toBe(false);
        expect(cobsDecode(encoded)).toEqual(data);
      }
    }
  });

  it('finds packets split across chunks and after line noise', () => {
    const wire = encodeMessage({ name: 'COMMIT', seq: 9, frameId: 1234 });
    const parser = new PacketParser();
    const events: ParseEvent[] = [...parser.push(Uint8Array.from([0x13, 0x37, 0x42]))];
    for (const byte of wire) events.push(...parser.push(Uint8Array.of(byte)));
    expect(events.map((e) => e.kind)).toEqual(['dropped', 'packet']);
    const packet = (events[1] as Extract<ParseEvent, { kind: 'packet' }>).packet;
    expect(decodeMessage(packet)).toEqual({ ok: true, message: { name: 'COMMIT', seq: 9, frameId: 1234 } });
  });

  it('drops an endless frame once and recovers at the next delimiter', () => {
    const parser = new PacketParser();
    expect(parser.push(new Uint8Array(5000).fill(0x55))).toEqual([{ kind: 'dropped', reason: 'oversize' }]);
    const events = parser.push(encodeMessage({ name: 'GET_STATUS', seq: 1 }));
    expect(events.map((e) => e.kind)).toEqual(['packet']);
  });

  it('refuses to encode bad messages with a clear error', () => {
    expect(() => encodeMessage({ name: 'SET_BRIGHTNESS', seq: 0, level: 256 })).toThrow(/SET_BRIGHTNESS.level/);
    expect(() => encodeMessage({ name: 'LOG', seq: 0, level: 1, text: 'caf\u00e9' })).toThrow(/ASCII/);
    expect(() => encodePacket({ type: 0x10, seq: 0, body: new Uint8Array(MAX_BODY + 1) })).toThrow(/exceeds/);
    expect(() => encodePacket({ type: 0x10, seq: 70000, body: new Uint8Array(0) })).toThrow(/u16/);
  });

  it('names the STATUS counters in wire order', () => {
    expect(namedCounters([10, 1, 2, 0, 0, 3, 4, 0, 5, 0, 1, 0, 99])).toEqual({
      rxPackets: 10,
      rxCrcErrors: 1,
      rxMalformed: 2,
      rxOversize: 0,
      rxOverruns: 0,
      rxDuplicates: 3,
      rxGaps: 4,
      txRetransmits: 0,
      framesShown: 5,
      framesDropped: 0,
      rejected: 1,
      noSession: 0,
    });
    expect(namedCounters([7])).toEqual({ rxPackets: 7 });
  });

  it('reports unknown types without throwing', () => {
    expect(decodeMessage({ type: 0x7f, seq: 3, body: new Uint8Array(0) })).toEqual({
      ok: false,
      reason: 'unknown-type',
      type: 0x7f,
      seq: 3,
    });
  });
});
