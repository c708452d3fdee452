/**
 * The original Megabit's frame transfer, reproduced with our protocol so that it can run over
 * the same link and firmware: every frame whole, as 32 rows of 64x1 pixels (RGB565, the closest
 * format our protocol has to the prototype's RGB555) and a COMMIT (its "show"), each packet
 * sent only once the device has acknowledged the one before (stop-and-wait, window 1).
 */
import { DISPLAY_HEIGHT, DISPLAY_WIDTH } from '@megabit/contract';
import {
  type ByteChannel,
  crc32,
  decodeMessage,
  encodeMessage,
  HELLO_RETRY_MS,
  HOST_RETRANSMIT_MS,
  type Message,
  type MessageOf,
  PacketParser,
  PixelFormat,
  PROTOCOL_MAJOR,
  PROTOCOL_MINOR,
} from 'megabit-bridge';

/** A device that acknowledges nothing for this long is gone: the bench fails instead of hanging. */
const GIVE_UP_MS = 5000;

/** Row `y` of an RGB888 frame as RGB565 little-endian (`rrrrrggg gggbbbbb`). */
function row565(frame: Uint8Array, y: number): Uint8Array {
  const out = new Uint8Array(DISPLAY_WIDTH * 2);
  for (let x = 0; x < DISPLAY_WIDTH; x++) {
    const i = (y * DISPLAY_WIDTH + x) * 3;
    const v = ((frame[i] >> 3) << 11) | ((frame[i + 1] >> 2) << 5) | (frame[i + 2] >> 3);
    out[x * 2] = v & 0xff;
    out[x * 2 + 1] = v >> 8;
  }
  return out;
}

/** The 33 messages of one frame (seq filled in when sent). */
export function prototypeMessages(frame: Uint8Array, frameId: number): Message[] {
  const messages: Message[] = [];
  for (let y = 0; y < DISPLAY_HEIGHT; y++) {
    messages.push({ name: 'WRITE_RECT', seq: 0, format: PixelFormat.RGB565, x: 0, y, w: DISPLAY_WIDTH, h: 1, pixels: row565(frame, y) });
  }
  messages.push({ name: 'COMMIT', seq: 0, frameId });
  return messages;
}

/** Wire bytes of one frame sent the prototype's way (every packet framed as on the link). */
export function prototypeWireBytes(frame: Uint8Array): number {
  return prototypeMessages(frame, 1).reduce((sum, m) => sum + encodeMessage(m).length, 0);
}

/** CRC-32 of the frame the device holds after the prototype's rows: RGB565 expanded back to 8 bits. */
export function prototypeFrameCrc(frame: Uint8Array): number {
  const shown = new Uint8Array(frame.length);
  for (let i = 0; i < frame.length; i += 3) {
    const r = frame[i] >> 3;
    const g = frame[i + 1] >> 2;
    const b = frame[i + 2] >> 3;
    shown[i] = (r << 3) | (r >> 2);
    shown[i + 1] = (g << 2) | (g >> 4);
    shown[i + 2] = (b << 3) | (b >> 2);
  }
  return crc32(shown);
}

/** A stop-and-wait sender on an open byte channel: one sequenced packet in flight, ever. */
export class StopAndWait {
  private readonly parser = new PacketParser();
  private nextSeq = 0;
  private waiting?: { seq: number; timer: NodeJS.Timeout; resolve: () => void };
  private onReply?: (reply: MessageOf<'HELLO_REPLY'>) => void;
  private onStatus?: (status: MessageOf<'STATUS'>) => void;
  private readonly onData = (chunk: Buffer): void => this.receive(chunk);
  retransmits = 0;

  constructor(private readonly channel: ByteChannel) {
    channel.on('data', this.onData);
  }

  close(): void {
    this.channel.off('data', this.onData);
    if (this.waiting) clearInterval(this.waiting.timer);
  }

  /** HELLO every 500 ms until HELLO_REPLY: a new session, sequence numbers from 0. */
  hello(timeoutMs = 10_000): Promise<MessageOf<'HELLO_REPLY'>> {
    return new Promise((resolve, reject) => {
      const send = (): unknown => this.channel.write(encodeMessage({ name: 'HELLO', seq: 0, major: PROTOCOL_MAJOR, minor: PROTOCOL_MINOR }));
      const retry = setInterval(send, HELLO_RETRY_MS);
      const timeout = setTimeout(() => finish(new Error(`no HELLO_REPLY within ${timeoutMs} ms`)), timeoutMs);
      const finish = (error: Error | undefined, reply?: MessageOf<'HELLO_REPLY'>): void => {
        clearInterval(retry);
        clearTimeout(timeout);
        this.onReply = undefined;
        if (error) reject(error);
        else resolve(reply!);
      };
      this.onReply = (reply) => {
        if (reply.result !== 0) return finish(new Error(`the device refused HELLO (result ${reply.result})`));
        this.nextSeq = 0;
        finish(undefined, reply);
      };
      send();
    });
  }

  /** Sends one sequenced message and resolves once the device has acknowledged it. */
  send(message: Message): Promise<void> {
    const seq = this.nextSeq;
    this.nextSeq = (seq + 1) & 0xffff;
    const wire = encodeMessage({ ...message, seq });
    return new Promise((resolve, reject) => {
      const firstSentAt = Date.now();
      let sentAt = firstSentAt;
      // Resent after the protocol's host timeout, as the prototype resent a lost packet.
      const timer = setInterval(() => {
        if (Date.now() - firstSentAt > GIVE_UP_MS) {
          clearInterval(timer);
          this.waiting = undefined;
          reject(new Error(`the device did not acknowledge ${message.name} ${seq} within ${GIVE_UP_MS} ms`));
          return;
        }
        if (Date.now() - sentAt < HOST_RETRANSMIT_MS) return;
        this.retransmits++;
        sentAt = Date.now();
        this.channel.write(wire);
      }, 50);
      this.waiting = { seq, timer, resolve };
      this.channel.write(wire);
    });
  }

  /** The whole frame, 33 round trips. */
  async sendFrame(frame: Uint8Array, frameId: number): Promise<void> {
    for (const message of prototypeMessages(frame, frameId)) await this.send(message);
  }

  /** GET_STATUS, answered with STATUS. */
  status(): Promise<MessageOf<'STATUS'>> {
    const reply = new Promise<MessageOf<'STATUS'>>((resolve) => (this.onStatus = resolve));
    return this.send({ name: 'GET_STATUS', seq: 0 }).then(() => reply);
  }

  private receive(chunk: Buffer): void {
    for (const event of this.parser.push(chunk)) {
      if (event.kind !== 'packet') continue;
      const decoded = decodeMessage(event.packet);
      if (!decoded.ok) continue;
      const m = decoded.message;
      if (m.name === 'HELLO_REPLY') this.onReply?.(m);
      else if (m.name === 'STATUS') this.onStatus?.(m);
      else if ((m.name === 'DEV_ACK' || m.name === 'DEV_NACK') && this.waiting) {
        // ACK(next) covers every packet before `next`.
        const covered = ((m.next - this.waiting.seq - 1) & 0xffff) < 0x8000;
        if (!covered) continue;
        const { timer, resolve } = this.waiting;
        this.waiting = undefined;
        clearInterval(timer);
        resolve();
      }
    }
  }
}
