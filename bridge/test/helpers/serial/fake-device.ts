/**
 * A protocol test peer: a display coprocessor written in TypeScript that speaks serial protocol
 * v1 (docs/serial-protocol.md) through the real codec. It keeps a draw buffer and the committed
 * frame's id and CRC-32 like the firmware, acknowledges with go-back-N semantics, sends
 * heartbeats and reliably numbered BUTTON events, and can reboot, go silent or lose packets.
 */
import { FRAME_BYTES } from '@megabit/contract';
import type { ByteChannel } from '../../../src/serial/byte-channel';
import {
  crc32,
  decodeMessage,
  encodeMessage,
  type Message,
  type MessageOf,
  PacketParser,
  PixelFormat,
  RejectReason,
  STATUS_COUNTERS,
} from '../../../src/serial/protocol';

const WIDTH = 64;
const HEIGHT = 32;
const RETRANSMIT_MS = 250;

export interface FakeDeviceOptions {
  major?: number;
  /** Protocol minor version it reports (0 unless told); from 1 it sends STATUS by itself after each COMMIT. */
  minor?: number;
  window?: number;
  board?: string;
  /** Received sequenced packets to drop (as if lost on the wire) before processing: true = drop. */
  loseIncoming?: (message: Message) => boolean;
}

type Counter = (typeof STATUS_COUNTERS)[number];

export class FakeDevice {
  bootId = 0x1000;
  session = false;
  readonly drawBuffer = new Uint8Array(FRAME_BYTES);
  shownFrame = new Uint8Array(FRAME_BYTES);
  shownId = 0;
  shownCrc = crc32(new Uint8Array(FRAME_BYTES));
  /** The CRC-32 of every frame committed, in order. */
  readonly committedCrcs: number[] = [];
  brightness = 255;
  power = 1;
  /** Every sequenced message processed, in order. */
  readonly processed: Message[] = [];
  readonly counters = Object.fromEntries(STATUS_COUNTERS.map((c) => [c, 0])) as Record<Counter, number>;
  hellos = 0;
  /** True: receive nothing and send nothing (a hung device). */
  silent = false;
  private parser = new PacketParser();
  private next = 0;
  private nackedAt?: number;
  private txSeq = 0;
  private events: Array<{ seq: number; wire: Uint8Array; sentAt: number }> = [];
  private unsentEvents: Array<MessageOf<'BUTTON'>> = [];
  private lastTx = 0;
  private readonly timer: NodeJS.Timeout;
  private readonly onData = (chunk: Buffer): void => this.receive(chunk);

  constructor(
    private readonly channel: ByteChannel,
    private readonly options: FakeDeviceOptions = {},
  ) {
    channel.on('data', this.onData);
    this.timer = setInterval(() => this.tick(), 20);
  }

  close(): void {
    clearInterval(this.timer);
    this.channel.off('data', this.onData);
  }

  /** A device restart: new boot id, no session, blank buffers; events in flight are lost. */
  reboot(): void {
    this.bootId++;
    this.session = false;
    this.drawBuffer.fill(0);
    this.shownFrame = new Uint8Array(FRAME_BYTES);
    this.shownId = 0;
    this.shownCrc = crc32(this.shownFrame);
    this.parser = new PacketParser();
    this.events = [];
    this.unsentEvents = [];
    this.next = 0;
    this.txSeq = 0;
  }

  /** Queues a BUTTON event for reliable delivery to the host. */
  button(event: number, timeMs: number, button = 0): void {
    this.unsentEvents.push({ name: 'BUTTON', seq: 0, button, event, timeMs });
    this.flushEvents();
  }

  get committedFrame(): Uint8Array {
    return this.shownFrame;
  }

  private send(message: Message): void {
    if (this.silent) return;
    this.lastTx = Date.now();
    this.channel.write(encodeMessage(message));
  }

  private tick(): void {
    const now = Date.now();
    if (this.session && this.events.length > 0 && now - this.events[0].sentAt >= RETRANSMIT_MS) {
      for (const e of this.events) {
        e.sentAt = now;
        this.counters.txRetransmits++;
        if (!this.silent) this.channel.write(e.wire);
      }
    }
    if (now - this.lastTx >= 1000) this.send({ name: 'DEV_HEARTBEAT', seq: 0, session: this.session ? 1 : 0, bootId: this.bootId });
  }

  private flushEvents(): void {
    while (this.session && this.unsentEvents.length > 0 && this.events.length < 8) {
      const event = { ...this.unsentEvents.shift()!, seq: this.txSeq };
      this.txSeq = (this.txSeq + 1) & 0xffff;
      const wire = encodeMessage(event);
      this.events.push({ seq: event.seq, wire, sentAt: Date.now() });
      if (!this.silent) this.channel.write(wire);
    }
  }

  private receive(chunk: Buffer): void {
    if (this.silent) return;
    let ack = false;
    let nack = false;
    for (const event of this.parser.push(chunk)) {
      if (event.kind === 'dropped') {
        this.counters[event.reason === 'crc' ? 'rxCrcErrors' : event.reason === 'oversize' ? 'rxOversize' : 'rxMalformed']++;
        continue;
      }
      const decoded = decodeMessage(event.packet);
      const sequenced = (event.packet.type & 0x70) !== 0;
      if (!sequenced) {
        if (decoded.ok) this.unsequenced(decoded.message);
        else this.counters.rxMalformed++;
        continue;
      }
      if (!this.session) {
        this.counters.noSession++;
        continue;
      }
      if (decoded.ok && this.options.loseIncoming?.(decoded.message)) continue;
      this.counters.rxPackets++;
      const ahead = (event.packet.seq - this.next) & 0xffff;
      if (ahead !== 0) {
        if (ahead < 0x8000) {
          this.counters.rxGaps++;
          if (this.nackedAt !== this.next) {
            this.nackedAt = this.next;
            nack = true;
          }
        } else {
          this.counters.rxDuplicates++;
          ack = true;
        }
        continue;
      }
      this.next = (this.next + 1) & 0xffff;
      ack = true;
      if (!decoded.ok) {
        this.reject(event.packet.seq, decoded.reason === 'unknown-type' ? RejectReason.UNKNOWN_TYPE : RejectReason.BAD_LENGTH);
        continue;
      }
      this.processed.push(decoded.message);
      this.sequenced(decoded.message);
    }
    if (nack) this.send({ name: 'DEV_NACK', seq: 0, next: this.next });
    else if (ack) this.send({ name: 'DEV_ACK', seq: 0, next: this.next });
  }

  private unsequenced(message: Message): void {
    if (message.name === 'HELLO') {
      this.hellos++;
      const major = this.options.major ?? 1;
      const ok = message.major === major;
      this.send({
        name: 'HELLO_REPLY',
        seq: 0,
        result: ok ? 0 : 1,
        protoMajor: major,
        protoMinor: this.options.minor ?? 0,
        fwMajor: 9,
        fwMinor: 8,
        fwPatch: 7,
        width: WIDTH,
        height: HEIGHT,
        colourDepth: 8,
        maxPacket: 1024,
        window: this.options.window ?? 8,
        bootId: this.bootId,
        board: this.options.board ?? 'ts-peer',
      });
      if (!ok) {
        this.session = false;
        this.send({ name: 'LOG', seq: 0, level: 3, text: `incompatible protocol: host ${message.major}.x, device ${major}.0` });
        return;
      }
      this.session = true;
      this.next = 0;
      this.nackedAt = undefined;
      this.txSeq = 0;
      // Unacknowledged events are sent again with the new session's numbers.
      this.unsentEvents = [...this.eventsAsMessages(), ...this.unsentEvents];
      this.events = [];
      this.flushEvents();
      return;
    }
    if (message.name === 'ACK' || message.name === 'NACK') {
      const base = this.events[0]?.seq ?? this.txSeq;
      const released = (message.next - base) & 0xffff;
      if (released > this.events.length) return;
      this.events = this.events.slice(released);
      if (message.name === 'NACK') for (const e of this.events) this.channel.write(e.wire);
      this.flushEvents();
    }
  }

  private eventsAsMessages(): Array<MessageOf<'BUTTON'>> {
    return this.events.map((e) => {
      const parsed = new PacketParser().push(e.wire)[0];
      if (parsed?.kind !== 'packet') throw new Error('own event does not parse');
      const decoded = decodeMessage(parsed.packet);
      if (!decoded.ok || decoded.message.name !== 'BUTTON') throw new Error('own event does not decode');
      return decoded.message;
    });
  }

  private sendStatus(): void {
    this.send({
      name: 'STATUS',
      seq: 0,
      frameId: this.shownId,
      frameCrc: this.shownCrc,
      refreshHz: 0,
      uptimeMs: 1234,
      brightness: this.brightness,
      power: this.power,
      counters: STATUS_COUNTERS.map((c) => this.counters[c]),
    });
  }

  private reject(seq: number, reason: number): void {
    this.counters.rejected++;
    this.send({ name: 'REJECT', seq: 0, rejectedSeq: seq, reason });
  }

  private sequenced(message: Message): void {
    switch (message.name) {
      case 'WRITE_RECT':
        return this.writeRect(message);
      case 'COMMIT':
        this.shownFrame = Uint8Array.from(this.drawBuffer);
        this.shownId = message.frameId;
        this.shownCrc = crc32(this.shownFrame);
        this.committedCrcs.push(this.shownCrc);
        this.counters.framesShown++;
        // A 1.1 device says so once the new frame is on its panel (this peer has none: at once).
        if ((this.options.minor ?? 0) >= 1) this.sendStatus();
        return;
      case 'SET_BRIGHTNESS':
        this.brightness = message.level;
        return;
      case 'SET_POWER':
        if (message.on > 1) return this.reject(message.seq, RejectReason.BAD_VALUE);
        this.power = message.on;
        return;
      case 'SET_LEDS':
        return;
      case 'GET_STATUS':
        return this.sendStatus();
      default:
        return this.reject(message.seq, RejectReason.UNKNOWN_TYPE);
    }
  }

  private writeRect(m: MessageOf<'WRITE_RECT'>): void {
    if (m.w < 1 || m.h < 1 || m.x + m.w > WIDTH || m.y + m.h > HEIGHT) return this.reject(m.seq, RejectReason.OUT_OF_BOUNDS);
    const pixels = decodePixels(m.format, m.pixels, m.w * m.h);
    if (typeof pixels === 'number') return this.reject(m.seq, pixels);
    for (let row = 0; row < m.h; row++) {
      this.drawBuffer.set(pixels.subarray(row * m.w * 3, (row + 1) * m.w * 3), ((m.y + row) * WIDTH + m.x) * 3);
    }
  }
}

/** RGB888 bytes of `count` pixels, or a REJECT reason. */
function decodePixels(format: number, data: Uint8Array, count: number): Uint8Array | number {
  if (format === PixelFormat.RGB888) return data.length === count * 3 ? data : RejectReason.BAD_LENGTH;
  if (format === PixelFormat.RGB565) {
    if (data.length !== count * 2) return RejectReason.BAD_LENGTH;
    const out = new Uint8Array(count * 3);
    for (let i = 0; i < count; i++) {
      const v = data[i * 2] | (data[i * 2 + 1] << 8);
      const r = v >> 11;
      const g = (v >> 5) & 0x3f;
      const b = v & 0x1f;
      out.set([(r << 3) | (r >> 2), (g << 2) | (g >> 4), (b << 3) | (b >> 2)], i * 3);
    }
    return out;
  }
  if (format === PixelFormat.RLE888) {
    if (data.length % 4 !== 0) return RejectReason.BAD_RLE;
    const out = new Uint8Array(count * 3);
    let at = 0;
    for (let i = 0; i < data.length; i += 4) {
      const n = data[i];
      if (n === 0 || at + n > count) return RejectReason.BAD_RLE;
      for (let k = 0; k < n; k++) out.set(data.subarray(i + 1, i + 4), (at + k) * 3);
      at += n;
    }
    return at === count ? out : RejectReason.BAD_RLE;
  }
  return RejectReason.BAD_FORMAT;
}
