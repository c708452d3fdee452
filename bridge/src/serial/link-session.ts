/**
 * One conversation with the display coprocessor over an open byte channel: the handshake
 * (HELLO until HELLO_REPLY), reliable delivery both ways, heartbeats and liveness
 * (docs/serial-protocol.md §2, §4, §6). When the device goes quiet, restarts or loses its
 * session, this reports `lost` and handshakes again by itself; opening and reopening the port
 * is the owner's job.
 */
import type { ByteChannel } from './byte-channel';
import {
  decodeMessage,
  encodeMessage,
  HEARTBEAT_MS,
  HELLO_RETRY_MS,
  LINK_LOST_MS,
  MAX_PACKET,
  type Message,
  type MessageOf,
  PacketParser,
  PROTOCOL_MAJOR,
  LEVEL_RICE_MINOR,
  PROTOCOL_MINOR,
  STATUS_PUSH_MINOR,
} from './protocol';
import { ReceiveSequence } from './receive-sequence';
import { SendWindow } from './send-window';

export interface DeviceInfo {
  board: string;
  firmwareVersion: string;
  protocolVersion: string;
  width: number;
  height: number;
  /** Bit-planes a channel is shown at (levels.ts: which values look alike). */
  colourDepth: number;
  /** Protocol 1.3 or later: decodes WRITE_RECT LEVEL_RICE as this bridge codes it. */
  levelRice: boolean;
  /** Protocol 1.1 or later: sends STATUS by itself once a newer frame is on the panel. */
  statusOnNewFrame: boolean;
  maxPacket: number;
  window: number;
  bootId: number;
}

export interface LinkSessionHandlers {
  /** A session is open: everything the device held (draw buffer, settings) is to be resent. */
  open?: (info: DeviceInfo) => void;
  /** The session ended; the session is already handshaking again. */
  lost?: (reason: string) => void;
  /** The device refused our protocol version; no session will open on this channel. */
  incompatible?: (message: string) => void;
  button?: (message: MessageOf<'BUTTON'>) => void;
  status?: (message: MessageOf<'STATUS'>) => void;
  log?: (message: MessageOf<'LOG'>) => void;
  reject?: (message: MessageOf<'REJECT'>) => void;
  /** What the device's previous boot ended in (it says so after each HELLO_REPLY). */
  fault?: (message: MessageOf<'FAULT'>) => void;
  /** The device acknowledged `released` more packets: room in the window, maybe an empty queue. */
  progress?: (released: number) => void;
  /** Unacknowledged packets were sent again (they or their ACKs were lost). */
  resent?: () => void;
}

export interface LinkSessionOptions {
  handlers: LinkSessionHandlers;
  /** Unsent sequenced messages kept at most. */
  maxQueued?: number;
  /** Informational id sent in HEARTBEAT. */
  hostId?: number;
  /** Copies of each sequenced packet to send (see SendWindow); 1 unless told. */
  copies?: () => number;
  /** Protocol version we announce; only tests and diagnostics change it. */
  major?: number;
  now?: () => number;
}

type Phase = 'handshaking' | 'open' | 'incompatible' | 'closed';

const TICK_MS = 50;

/**
 * Room for one frame at the smallest packet size (6144 bytes in 54-byte pieces: 128 packets)
 * and a few commands: frames are only queued once the queue is empty.
 */
const DEFAULT_MAX_QUEUED = 192;

export function describeDevice(reply: MessageOf<'HELLO_REPLY'>): DeviceInfo {
  return {
    board: reply.board,
    firmwareVersion: `${reply.fwMajor}.${reply.fwMinor}.${reply.fwPatch}`,
    protocolVersion: `${reply.protoMajor}.${reply.protoMinor}`,
    width: reply.width,
    height: reply.height,
    colourDepth: reply.colourDepth,
    levelRice: reply.protoMinor >= LEVEL_RICE_MINOR && reply.colourDepth >= 1 && reply.colourDepth <= 8,
    statusOnNewFrame: reply.protoMinor >= STATUS_PUSH_MINOR,
    maxPacket: Math.min(reply.maxPacket, MAX_PACKET),
    window: Math.max(1, reply.window),
    bootId: reply.bootId,
  };
}

export class LinkSession {
  private phase: Phase = 'handshaking';
  private readonly parser = new PacketParser();
  private sender?: SendWindow;
  private receiver = new ReceiveSequence();
  private deviceInfo?: DeviceInfo;
  private timer?: NodeJS.Timeout;
  private lastHelloAt = 0;
  private lastSentAt = 0;
  private lastValidAt = 0;
  private readonly now: () => number;
  private readonly hostId: number;
  private readonly onData = (chunk: Buffer): void => this.receive(chunk);
  /** Counters that outlive sessions on this channel. */
  rxDropped = 0;
  sessions = 0;
  private packetsSentBefore = 0;
  private retransmitsBefore = 0;

  constructor(
    private readonly channel: ByteChannel,
    private readonly options: LinkSessionOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.hostId = options.hostId ?? Math.floor(Math.random() * 0xffffffff);
  }

  get isOpen(): boolean {
    return this.phase === 'open';
  }

  get info(): DeviceInfo | undefined {
    return this.phase === 'open' ? this.deviceInfo : undefined;
  }

  /** Resend rounds since the device last acknowledged anything new. */
  get stalledRounds(): number {
    return this.sender?.stalledRounds ?? 0;
  }

  /** The length of the oldest unacknowledged packet, the one the link waits for; 0 when none. */
  get oldestLength(): number {
    return this.sender?.oldestLength ?? 0;
  }

  /** How long the device has acknowledged nothing new while packets waited for it. */
  get stalledMs(): number {
    return this.sender?.stalledMs ?? 0;
  }

  /** Sequenced messages accepted but not sent once yet. */
  get queued(): number {
    return this.sender?.queued ?? 0;
  }

  get unacknowledged(): number {
    return this.sender?.unacknowledged ?? 0;
  }

  get packetsSent(): number {
    return this.packetsSentBefore + (this.sender?.packetsSent ?? 0);
  }

  get retransmits(): number {
    return this.retransmitsBefore + (this.sender?.retransmits ?? 0);
  }

  start(): void {
    this.channel.on('data', this.onData);
    this.lastValidAt = this.now();
    this.sendHello();
    this.timer = setInterval(() => this.tick(), TICK_MS);
  }

  /** Stops talking; the channel is left to its owner. */
  close(): void {
    if (this.phase === 'closed') return;
    this.phase = 'closed';
    clearInterval(this.timer);
    this.channel.off('data', this.onData);
    this.dropSender();
  }

  /** Queues a sequenced message; false without a session or when the queue is full. */
  send(message: Message, onAcked?: () => void, tag?: object): boolean {
    if (this.phase !== 'open' || !this.sender) return false;
    return this.sender.enqueue(message, onAcked, tag);
  }

  /** Takes back the queued messages sent with `tag` that are not on the wire yet; returns how many. */
  withdraw(tag: object): number {
    return this.sender?.withdraw(tag) ?? 0;
  }

  /** Queued messages sent with `tag` that are not on the wire yet. */
  unsent(tag: object): number {
    return this.sender?.unsent(tag) ?? 0;
  }

  /** Drops the session and everything queued, and handshakes again. */
  restart(reason: string): void {
    if (this.phase === 'open') this.lose(reason);
  }

  private transmit(wire: Uint8Array): void {
    this.lastSentAt = this.now();
    this.channel.write(wire);
  }

  private sendUnsequenced(message: Message): void {
    this.transmit(encodeMessage(message));
  }

  private sendHello(): void {
    this.lastHelloAt = this.now();
    this.sendUnsequenced({ name: 'HELLO', seq: 0, major: this.options.major ?? PROTOCOL_MAJOR, minor: PROTOCOL_MINOR });
  }

  private tick(): void {
    const now = this.now();
    if (this.phase === 'handshaking' && now - this.lastHelloAt >= HELLO_RETRY_MS) this.sendHello();
    if (this.phase === 'open') {
      if (now - this.lastValidAt >= LINK_LOST_MS) {
        this.lose(`no answer from the device for ${LINK_LOST_MS / 1000} s`);
        return;
      }
      this.sender?.tick();
    }
    if (this.phase !== 'closed' && now - this.lastSentAt >= HEARTBEAT_MS) {
      this.sendUnsequenced({ name: 'HEARTBEAT', seq: 0, session: this.phase === 'open' ? 1 : 0, id: this.hostId });
    }
  }

  private receive(chunk: Buffer): void {
    let acknowledge = false;
    let nack = false;
    for (const event of this.parser.push(chunk)) {
      if (event.kind === 'dropped') {
        this.rxDropped++;
        continue;
      }
      const decoded = decodeMessage(event.packet);
      if (!decoded.ok) {
        this.rxDropped++;
        continue;
      }
      this.lastValidAt = this.now();
      const message = decoded.message;
      if (message.name === 'BUTTON' && this.phase === 'open') {
        const arrival = this.receiver.accept(message.seq);
        if (arrival === 'gap') nack ||= this.receiver.shouldNack();
        else acknowledge = true;
        if (arrival === 'new') this.options.handlers.button?.(message);
        continue;
      }
      this.handle(message);
      if (this.phase === 'closed') return;
    }
    if (this.phase !== 'open') return;
    if (nack) this.sendUnsequenced({ name: 'NACK', seq: 0, next: this.receiver.expected });
    else if (acknowledge) this.sendUnsequenced({ name: 'ACK', seq: 0, next: this.receiver.expected });
  }

  private handle(message: Message): void {
    const h = this.options.handlers;
    switch (message.name) {
      case 'HELLO_REPLY':
        return this.onHelloReply(message);
      case 'DEV_HEARTBEAT':
        // A refusing device that restarts may run new firmware: ask again.
        if (this.phase === 'incompatible' && message.bootId !== this.deviceInfo?.bootId) {
          this.phase = 'handshaking';
          this.sendHello();
        }
        if (this.phase !== 'open') return;
        if (message.session === 0) this.lose('the device has no session (did it restart?)');
        else if (message.bootId !== this.deviceInfo?.bootId) this.lose('the device restarted');
        return;
      case 'DEV_ACK':
      case 'DEV_NACK':
        if (this.phase !== 'open') return;
        {
          const released = this.sender?.acknowledge(message.next, message.name === 'DEV_NACK') ?? 0;
          return h.progress?.(released);
        }
      case 'LOG':
        return h.log?.(message);
      case 'STATUS':
        if (this.phase === 'open') h.status?.(message);
        return;
      case 'REJECT':
        if (this.phase === 'open') h.reject?.(message);
        return;
      case 'FAULT':
        if (this.phase === 'open') h.fault?.(message);
        return;
      default:
        return;
    }
  }

  private onHelloReply(reply: MessageOf<'HELLO_REPLY'>): void {
    if (this.phase === 'open') {
      // Every HELLO we repeated before the first reply is answered too; those answers precede
      // our session's packets on the device, so only a new boot id means anything.
      if (reply.bootId !== this.deviceInfo?.bootId) this.lose('the device restarted');
      return;
    }
    if (this.phase !== 'handshaking') return;
    if (reply.result !== 0 || reply.protoMajor !== (this.options.major ?? PROTOCOL_MAJOR)) {
      this.phase = 'incompatible';
      this.deviceInfo = describeDevice(reply);
      this.options.handlers.incompatible?.(
        `device speaks protocol ${reply.protoMajor}.${reply.protoMinor}, host speaks ${this.options.major ?? PROTOCOL_MAJOR}.${PROTOCOL_MINOR}: update the firmware or the bridge`,
      );
      return;
    }
    const info = describeDevice(reply);
    this.deviceInfo = info;
    this.dropSender();
    this.receiver = new ReceiveSequence();
    this.sender = new SendWindow({
      window: info.window,
      maxQueued: this.options.maxQueued ?? DEFAULT_MAX_QUEUED,
      transmit: (wire) => this.transmit(wire),
      // A port nobody reads (a hung device) must not pile resends up in memory.
      canTransmit: () => this.channel.writableLength <= info.window * info.maxPacket,
      onResend: () => this.options.handlers.resent?.(),
      copies: this.options.copies,
      now: this.now,
    });
    this.phase = 'open';
    this.sessions++;
    this.options.handlers.open?.(info);
  }

  private lose(reason: string): void {
    this.phase = 'handshaking';
    this.dropSender();
    this.options.handlers.lost?.(reason);
    if (this.phase === 'handshaking') this.sendHello();
  }

  private dropSender(): void {
    if (!this.sender) return;
    this.sender.close();
    this.packetsSentBefore += this.sender.packetsSent;
    this.retransmitsBefore += this.sender.retransmits;
    this.sender = undefined;
  }
}
