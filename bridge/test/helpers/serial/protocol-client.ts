/**
 * A small host-side peer for tests: speaks serial protocol v1 through the TS codec with a
 * send window, cumulative ACK / NACK handling, retransmission and acknowledged BUTTON events.
 * The bridge's production serial link is a later step; this is only what the tests need.
 */
import {
  decodeMessage,
  type DropReason,
  encodeMessage,
  HELLO_RETRY_MS,
  HOST_RETRANSMIT_MS,
  isSequenced,
  type Message,
  type MessageName,
  type MessageOf,
  PacketParser,
  PROTOCOL_MAJOR,
  PROTOCOL_MINOR,
  SCHEMAS,
} from '../../../src/serial/protocol';

export interface ByteStream {
  write(data: Uint8Array): unknown;
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
}

interface InFlight {
  seq: number;
  wire: Uint8Array;
}

interface Waiter {
  match: (m: Message) => boolean;
  resolve: (m: Message) => void;
}

export class ProtocolClient {
  readonly received: Message[] = [];
  readonly drops: DropReason[] = [];
  retransmits = 0;
  private readonly parser = new PacketParser();
  private readonly waiters: Waiter[] = [];
  private inFlight: InFlight[] = [];
  private window = 1;
  private nextSeq = 0;
  private deviceNext = 0;
  private lastProgress = Date.now();
  private readonly timer: NodeJS.Timeout;
  private windowOpened: (() => void) | undefined;

  constructor(private readonly stream: ByteStream) {
    stream.on('data', (chunk) => this.onData(chunk));
    this.timer = setInterval(() => this.onTimer(), 50);
  }

  close(): void {
    clearInterval(this.timer);
  }

  /** HELLO, repeated until HELLO_REPLY: the device may not see the first bytes after open. */
  async hello(major = PROTOCOL_MAJOR, timeoutMs = 10000): Promise<MessageOf<'HELLO_REPLY'>> {
    const reply = this.next('HELLO_REPLY', () => true, timeoutMs);
    const send = (): unknown => this.stream.write(encodeMessage({ name: 'HELLO', seq: 0, major, minor: PROTOCOL_MINOR }));
    send();
    const retry = setInterval(send, HELLO_RETRY_MS);
    try {
      const r = await reply;
      if (r.result === 0) {
        this.window = r.window;
        this.nextSeq = 0;
        this.deviceNext = 0;
        this.inFlight = [];
      }
      return r;
    } finally {
      clearInterval(retry);
    }
  }

  /** Sends a message; sequenced ones wait for room in the window and get the next seq. */
  async send(message: Message): Promise<number> {
    const type = SCHEMAS[message.name].type;
    if (!isSequenced(type)) {
      this.stream.write(encodeMessage(message));
      return 0;
    }
    while (this.inFlight.length >= this.window) {
      await new Promise<void>((resolve) => (this.windowOpened = resolve));
    }
    const seq = this.nextSeq;
    this.nextSeq = (this.nextSeq + 1) & 0xffff;
    const wire = encodeMessage({ ...message, seq });
    if (this.inFlight.length === 0) this.lastProgress = Date.now();
    this.inFlight.push({ seq, wire });
    this.stream.write(wire);
    return seq;
  }

  /** Raw bytes, for corrupt input. */
  writeRaw(bytes: Uint8Array): void {
    this.stream.write(bytes);
  }

  /** Claims the next sequence number without sending, as if the packet had been lost. */
  loseNext(message: Message): void {
    const seq = this.nextSeq;
    this.nextSeq = (this.nextSeq + 1) & 0xffff;
    this.inFlight.push({ seq, wire: encodeMessage({ ...message, seq }) });
  }

  async settled(timeoutMs = 10000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.inFlight.length > 0) {
      if (Date.now() > deadline) throw new Error(`${this.inFlight.length} packets never acknowledged`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** The next message named `name` (received from now on) that matches. */
  next<N extends MessageName>(name: N, match: (m: MessageOf<N>) => boolean = () => true, timeoutMs = 10000): Promise<MessageOf<N>> {
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        match: (m) => m.name === name && match(m as MessageOf<N>),
        resolve: (m) => {
          clearTimeout(timeout);
          resolve(m as MessageOf<N>);
        },
      };
      const timeout = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`no ${name} from the device within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  async status(): Promise<MessageOf<'STATUS'>> {
    const reply = this.next('STATUS');
    await this.send({ name: 'GET_STATUS', seq: 0 });
    return reply;
  }

  private onData(chunk: Buffer): void {
    for (const event of this.parser.push(chunk)) {
      if (event.kind === 'dropped') {
        this.drops.push(event.reason);
        continue;
      }
      const decoded = decodeMessage(event.packet);
      if (decoded.ok) this.onMessage(decoded.message);
    }
  }

  private onMessage(message: Message): void {
    if (message.name === 'DEV_ACK' || message.name === 'DEV_NACK') this.release(message.next, message.name === 'DEV_NACK');
    if (message.name === 'BUTTON') {
      const ahead = (message.seq - this.deviceNext) & 0xffff;
      if (ahead === 0) this.deviceNext = (this.deviceNext + 1) & 0xffff;
      const reply = ahead !== 0 && ahead < 0x8000 ? 'NACK' : 'ACK';
      this.stream.write(encodeMessage({ name: reply, seq: 0, next: this.deviceNext }));
      if (ahead !== 0) return; /* a duplicate, or after a gap: not delivered (yet) */
    }
    this.received.push(message);
    for (const waiter of [...this.waiters]) {
      if (waiter.match(message)) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve(message);
      }
    }
  }

  private release(next: number, resend: boolean): void {
    const before = this.inFlight.length;
    this.inFlight = this.inFlight.filter((p) => ((p.seq - next) & 0xffff) < 0x8000);
    if (this.inFlight.length !== before) this.lastProgress = Date.now();
    if (resend) this.resendAll();
    if (this.inFlight.length < this.window) this.windowOpened?.();
  }

  private resendAll(): void {
    for (const packet of this.inFlight) {
      this.retransmits++;
      this.stream.write(packet.wire);
    }
    this.lastProgress = Date.now();
  }

  private onTimer(): void {
    if (this.inFlight.length > 0 && Date.now() - this.lastProgress >= HOST_RETRANSMIT_MS) this.resendAll();
  }
}
