/**
 * The host's sending half of reliable delivery (docs/serial-protocol.md §4): numbers sequenced
 * messages, keeps at most `window` in flight, releases them on cumulative ACK/NACK, resends from
 * the NACKed one on (go-back-N) and everything unacknowledged after a silent timeout.
 */
import { encodeBody, encodePacket, HOST_RETRANSMIT_MS, MAX_BODY, type Message, SCHEMAS } from './protocol';

interface Outgoing {
  type: number;
  body: Uint8Array;
  onAcked?: () => void;
}

interface InFlight extends Outgoing {
  seq: number;
  wire: Uint8Array;
}

export interface SendWindowOptions {
  window: number;
  /** Unsent messages kept at most; `enqueue` refuses more. */
  maxQueued: number;
  transmit: (wire: Uint8Array) => void;
  /** False while the byte channel is backed up: nothing new is sent, nothing resent. */
  canTransmit: () => boolean;
  /**
   * Times each packet goes on the wire back to back (default 1). On a noisy line a second copy
   * makes it far likelier that one arrives intact; the device drops the other as a duplicate.
   */
  copies?: () => number;
  /** Called once per resend round (NACK or timeout). */
  onResend?: () => void;
  now?: () => number;
}

export class SendWindow {
  private readonly queue: Outgoing[] = [];
  private inFlight: InFlight[] = [];
  private nextSeq = 0;
  private lastProgressAt = 0;
  private readonly now: () => number;
  packetsSent = 0;
  retransmits = 0;
  /** Resend rounds since the device last acknowledged anything new. */
  stalledRounds = 0;
  private closed = false;

  constructor(private readonly options: SendWindowOptions) {
    this.now = options.now ?? Date.now;
  }

  /**
   * Sends nothing more, ever: after a new HELLO, a packet of the old session would be taken
   * for one of the new session with the same number.
   */
  close(): void {
    this.closed = true;
  }

  /** Messages accepted but not yet sent once. */
  get queued(): number {
    return this.queue.length;
  }

  get unacknowledged(): number {
    return this.inFlight.length;
  }

  /**
   * Queues a sequenced message (its `seq` is assigned here); false when the queue is full.
   * A bad field throws RangeError here, to the caller, rather than later from a timer.
   */
  enqueue(message: Message, onAcked?: () => void): boolean {
    if (this.queue.length >= this.options.maxQueued) return false;
    const body = encodeBody(message);
    if (body.length > MAX_BODY) throw new RangeError(`${message.name} body of ${body.length} bytes exceeds ${MAX_BODY}`);
    this.queue.push({ type: SCHEMAS[message.name].type, body, onAcked });
    this.pump();
    return true;
  }

  /** Sends queued messages while the window has room. */
  pump(): void {
    while (!this.closed && this.queue.length > 0 && this.inFlight.length < this.options.window && this.options.canTransmit()) {
      const next = this.queue.shift()!;
      const seq = this.nextSeq;
      this.nextSeq = (seq + 1) & 0xffff;
      const wire = encodePacket({ type: next.type, seq, body: next.body });
      if (this.inFlight.length === 0) this.lastProgressAt = this.now();
      this.inFlight.push({ ...next, seq, wire });
      this.transmit(wire);
    }
  }

  private transmit(wire: Uint8Array): void {
    const copies = this.options.copies?.() ?? 1;
    for (let i = 0; i < copies; i++) {
      this.packetsSent++;
      this.options.transmit(wire);
    }
  }

  /**
   * The device's ACK or NACK saying it expects `next`. Ignored when `next` is not one of the
   * numbers in flight or just past them (a stale or corrupt-but-valid answer). Returns how
   * many packets it released.
   */
  acknowledge(next: number, resend: boolean): number {
    const base = this.inFlight[0]?.seq ?? this.nextSeq;
    const released = (next - base) & 0xffff;
    if (released > this.inFlight.length) return 0;
    if (released > 0) this.stalledRounds = 0;
    const done = this.inFlight.slice(0, released);
    this.inFlight = this.inFlight.slice(released);
    if (released > 0 || resend) this.lastProgressAt = this.now();
    for (const packet of done) packet.onAcked?.();
    if (resend && this.inFlight.length > 0) this.resendAll();
    this.pump();
    return released;
  }

  /** Called periodically: resends everything when the oldest packet waited too long. */
  tick(): void {
    if (this.inFlight.length > 0 && this.now() - this.lastProgressAt >= HOST_RETRANSMIT_MS) {
      this.resendAll();
      this.lastProgressAt = this.now();
    }
    this.pump();
  }

  private resendAll(): void {
    if (this.closed || !this.options.canTransmit()) return;
    this.stalledRounds++;
    for (const packet of this.inFlight) {
      this.retransmits++;
      this.transmit(packet.wire);
    }
    // Last: the listener may end the session, and nothing of it may follow the new HELLO.
    this.options.onResend?.();
  }
}
