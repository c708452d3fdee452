/**
 * The host's sending half of reliable delivery (docs/serial-protocol.md §4): numbers sequenced
 * messages, keeps at most `window` in flight, releases them on cumulative ACK/NACK, resends from
 * the NACKed one on (go-back-N), and after a silent timeout the oldest unacknowledged packet.
 *
 * Why a timeout resends one packet, not the window: the bytes leave the bridge at once into
 * buffers it cannot see (the tty, a USB or TCP hop), and a device that reads them slower than a
 * window per timeout (the emulator on a busy machine reads ~3 KB/s) has simply not answered yet.
 * Resending the window then queues a second copy behind the first, every answer comes later
 * still, and each timeout adds another window: the link carries nothing but resends and never
 * catches up (test/serial/send-window.test.ts). One packet is a probe: answered within a
 * timeout, the device has read everything sent before it, so the rest was lost and goes again
 * at once (go-back-N); answered later, the rest may still be on its way. The timeout itself
 * adapts as TCP's does (RFC 6298): at least HOST_RETRANSMIT_MS, longer when the device answers
 * late, and doubled after each fruitless timeout until a round trip has been measured.
 */
import { encodeBody, encodePacket, HOST_RETRANSMIT_MS, MAX_BODY, type Message, MIN_PACKET, SCHEMAS } from './protocol';

/** The longest the timeout grows to: a device that slow still hears from us every few seconds. */
export const MAX_RETRANSMIT_MS = 8000;
/** Doublings at most (2^5 x 300 ms already exceeds the longest timeout). */
const MAX_BACKOFF = 5;

interface Outgoing {
  type: number;
  body: Uint8Array;
  onAcked?: () => void;
  /** Who may take it back while it is still queued (see `withdraw`). */
  tag?: object;
}

interface InFlight extends Outgoing {
  seq: number;
  wire: Uint8Array;
  sentAt: number;
  /** Sent more than once: its ACK does not tell how long one trip takes (Karn's rule). */
  resent: boolean;
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
  /** Since when the oldest unacknowledged packet has waited for the device to release it. */
  private waitingSince = 0;
  private closed = false;
  /** Smoothed round trip and its variation, from ACKs of packets sent once; undefined: none yet. */
  private srtt?: number;
  private rttvar = 0;
  /** Doublings of the timeout: one per fruitless timeout before any round trip is measured. */
  private backoff = 0;
  /** When a timeout last sent the oldest packet again on its own; undefined: answered since. */
  private probedAt?: number;

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

  /** The length of the oldest unacknowledged packet (header, body, CRC); 0 when none. */
  get oldestLength(): number {
    const oldest = this.inFlight[0];
    return oldest ? MIN_PACKET + oldest.body.length : 0;
  }

  /** How long the device has acknowledged nothing new while packets were unacknowledged. */
  get stalledMs(): number {
    return this.inFlight.length > 0 ? this.now() - this.waitingSince : 0;
  }

  /** How long the oldest unacknowledged packet may wait for an answer before it is resent. */
  get retransmitTimeout(): number {
    return Math.min(MAX_RETRANSMIT_MS, this.baseTimeout * 2 ** this.backoff);
  }

  /** The timeout the measured round trips call for, before any backoff. */
  private get baseTimeout(): number {
    const estimate = this.srtt === undefined ? HOST_RETRANSMIT_MS : this.srtt + 4 * this.rttvar;
    return Math.min(MAX_RETRANSMIT_MS, Math.max(HOST_RETRANSMIT_MS, estimate));
  }

  /**
   * Queues a sequenced message (its `seq` is assigned here); false when the queue is full.
   * A bad field throws RangeError here, to the caller, rather than later from a timer.
   */
  enqueue(message: Message, onAcked?: () => void, tag?: object): boolean {
    if (this.queue.length >= this.options.maxQueued) return false;
    const body = encodeBody(message);
    if (body.length > MAX_BODY) throw new RangeError(`${message.name} body of ${body.length} bytes exceeds ${MAX_BODY}`);
    this.queue.push({ type: SCHEMAS[message.name].type, body, onAcked, tag });
    this.pump();
    return true;
  }

  /**
   * Takes back the queued messages carrying `tag` that have not gone on the wire yet; returns how
   * many. Sequence numbers are given at sending, so nothing sent is renumbered or lost: the
   * device sees whole packets only, the ones before the cut.
   */
  withdraw(tag: object): number {
    let removed = 0;
    for (let i = this.queue.length - 1; i >= 0; i--) {
      if (this.queue[i]!.tag !== tag) continue;
      this.queue.splice(i, 1);
      removed++;
    }
    return removed;
  }

  /** Queued messages sent with `tag`, none of them on the wire yet. */
  unsent(tag: object): number {
    let count = 0;
    for (const m of this.queue) if (m.tag === tag) count++;
    return count;
  }

  /** Sends queued messages while the window has room. */
  pump(): void {
    while (!this.closed && this.queue.length > 0 && this.inFlight.length < this.options.window && this.options.canTransmit()) {
      const next = this.queue.shift()!;
      const seq = this.nextSeq;
      this.nextSeq = (seq + 1) & 0xffff;
      const wire = encodePacket({ type: next.type, seq, body: next.body });
      const now = this.now();
      if (this.inFlight.length === 0) this.lastProgressAt = this.waitingSince = now;
      this.inFlight.push({ ...next, seq, wire, sentAt: now, resent: false });
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
    if (released > 0) {
      this.stalledRounds = 0;
      this.waitingSince = this.now();
    }
    const done = this.inFlight.slice(0, released);
    const newest = done[done.length - 1];
    if (newest && !newest.resent) this.sample(this.now() - newest.sentAt);
    this.inFlight = this.inFlight.slice(released);
    if (released > 0 || resend) this.lastProgressAt = this.now();
    for (const packet of done) packet.onAcked?.();
    // The probe answered about as fast as the line answers: the device had read everything sent
    // before it, so the packets still unacknowledged were lost too and go again now, as after a
    // NACK. An answer that takes longer may be to the first copy, with the rest still on the way.
    if (released > 0 && this.probedAt !== undefined) {
      const answered = this.now() - this.probedAt < this.baseTimeout;
      this.probedAt = undefined;
      if (answered) {
        this.backoff = 0;
        // The rest of the probe's round, not a new one.
        if (!resend && this.inFlight.length > 0) this.resend(this.inFlight.length, false);
      }
    }
    if (resend && this.inFlight.length > 0) this.resend(this.inFlight.length);
    this.pump();
    return released;
  }

  /** Called periodically: resends the oldest packet when it waited too long for an answer. */
  tick(): void {
    if (this.inFlight.length > 0 && this.now() - this.lastProgressAt >= this.retransmitTimeout) {
      // Lost, or the device is still reading. Until a round trip is measured nothing tells how
      // long a window takes it, so the wait doubles; after, the estimate already holds that.
      this.backoff = Math.min(this.backoff + 1, this.srtt === undefined ? MAX_BACKOFF : 0);
      this.probedAt = this.now();
      this.resend(1);
      this.lastProgressAt = this.now();
    }
    this.pump();
  }

  /** One round trip measured (RFC 6298 §2). */
  private sample(rtt: number): void {
    if (this.srtt === undefined) {
      this.srtt = rtt;
      this.rttvar = rtt / 2;
    } else {
      this.rttvar = 0.75 * this.rttvar + 0.25 * Math.abs(this.srtt - rtt);
      this.srtt = 0.875 * this.srtt + 0.125 * rtt;
    }
  }

  /** Sends the oldest `count` unacknowledged packets again; `round`: a new resend round. */
  private resend(count: number, round = true): void {
    if (this.closed || !this.options.canTransmit()) return;
    if (round) this.stalledRounds++;
    for (const packet of this.inFlight.slice(0, count)) {
      this.retransmits++;
      packet.resent = true;
      this.transmit(packet.wire);
    }
    // Last: the listener may end the session, and nothing of it may follow the new HELLO.
    if (round) this.options.onResend?.();
  }
}
