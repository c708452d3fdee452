/**
 * The send window's retransmissions against a device behind a deep, slow pipe: the bytes leave
 * the bridge at once (a pty, socat and a TCP socket take them all, so `writableLength` stays 0),
 * and the device reads them a few kilobytes a second, as the emulated firmware did (~3 KB/s) on
 * a busy machine when bridge-qemu-display's noisy-line test timed out. Simulated time: every
 * run is the same. With the fixed 300 ms timeout that resent the whole window, the first case
 * never finished (60 s simulated, 1.4 MB of copies queued in the pipe): each timeout queued
 * another window behind the one the device was still reading.
 */
import { SendWindow } from '../../src/serial/send-window';
import { decodeMessage, HOST_RETRANSMIT_MS, type Message, PacketParser } from '../../src/serial/protocol';

interface PipeOptions {
  /** What the device reads a millisecond. */
  bytesPerMs: number;
  window?: number;
  /** Sequenced messages to deliver. */
  messages: Message[];
  /** Copies of each packet (the link sends two on a noisy line). */
  copies?: number;
  /** Whether the nth packet on the wire (from 0) is lost on the way (arrives corrupted). */
  lose?: (nth: number) => boolean;
  /** How long to run at most. */
  limitMs: number;
}

interface PipeResult {
  /** When the last message was acknowledged; undefined: never within the limit. */
  doneAt?: number;
  /** Bytes the bridge put on the wire. */
  bytesSent: number;
  /** The most bytes waiting in the pipe at once. */
  deepest: number;
  retransmits: number;
  /** Sequenced messages the device processed, in order. */
  processed: number[];
}

/** What the firmware does with what it receives (core/link.c): go-back-N, NACK once per gap. */
class DeviceReceiver {
  next = 0;
  private nackSent = false;
  private ackDue = false;
  private sinceAck = 0;
  readonly processed: number[] = [];

  constructor(private readonly window: number) {}

  /** The answer to one packet, if one goes out at once. */
  packet(seq: number): { next: number; nack: boolean } | undefined {
    const ahead = (seq - this.next) & 0xffff;
    if (ahead === 0) {
      this.processed.push(seq);
      this.next = (this.next + 1) & 0xffff;
      this.nackSent = false;
      this.ackDue = true;
      this.sinceAck++;
      return this.takeAck(false);
    }
    if (ahead < 0x8000) {
      if (this.nackSent) return undefined;
      this.nackSent = true;
      return { next: this.next, nack: true };
    }
    this.ackDue = true;
    return undefined;
  }

  /** ACK when nothing more is waiting, and at least every window/2 packets. */
  takeAck(idle: boolean): { next: number; nack: boolean } | undefined {
    if (!this.ackDue || (!idle && this.sinceAck < Math.floor((this.window + 1) / 2))) return undefined;
    this.ackDue = false;
    this.sinceAck = 0;
    return { next: this.next, nack: false };
  }
}

function deepPipe(options: PipeOptions): PipeResult {
  const windowSize = options.window ?? 8;
  const TICK_MS = 50;
  /** Device to bridge: short answers over an idle direction. */
  const RETURN_MS = 2;
  let now = 0;
  const pipe: Array<{ wire: Uint8Array; lost: boolean }> = [];
  let offset = 0;
  let deepest = 0;
  let waiting = 0;
  let bytesSent = 0;
  let nth = 0;
  const answers: Array<{ at: number; next: number; nack: boolean }> = [];
  const device = new DeviceReceiver(windowSize);
  const parser = new PacketParser();
  const sender = new SendWindow({
    window: windowSize,
    maxQueued: options.messages.length,
    transmit: (wire) => {
      bytesSent += wire.length;
      waiting += wire.length;
      pipe.push({ wire: Uint8Array.from(wire), lost: options.lose?.(nth++) ?? false });
    },
    canTransmit: () => true,
    copies: () => options.copies ?? 1,
    now: () => now,
  });
  for (const m of options.messages) expect(sender.enqueue(m)).toBe(true);
  const answer = (a: { next: number; nack: boolean } | undefined): void => {
    if (a) answers.push({ at: now + RETURN_MS, ...a });
  };
  for (; now <= options.limitMs; now++) {
    // The device reads what the pipe carries this millisecond.
    let budget = options.bytesPerMs;
    while (budget > 0 && pipe.length > 0) {
      const head = pipe[0];
      const take = Math.min(budget, head.wire.length - offset);
      budget -= take;
      offset += take;
      waiting -= take;
      if (offset < head.wire.length) break;
      pipe.shift();
      offset = 0;
      if (head.lost) continue;
      for (const e of parser.push(head.wire)) {
        if (e.kind !== 'packet') continue;
        const decoded = decodeMessage(e.packet);
        if (decoded.ok) answer(device.packet(decoded.message.seq));
      }
    }
    if (pipe.length === 0) answer(device.takeAck(true));
    deepest = Math.max(deepest, waiting);
    while (answers.length > 0 && answers[0].at <= now) {
      const a = answers.shift()!;
      sender.acknowledge(a.next, a.nack);
    }
    if (now % TICK_MS === 0) sender.tick();
    if (sender.queued === 0 && sender.unacknowledged === 0) {
      return { doneAt: now, bytesSent, deepest, retransmits: sender.retransmits, processed: device.processed };
    }
  }
  return { bytesSent, deepest, retransmits: sender.retransmits, processed: device.processed };
}

/** WRITE_RECT-sized messages: `count` bodies of about `bytes` bytes. */
function rects(count: number, bytes: number): Message[] {
  return Array.from({ length: count }, (_, i) => ({
    name: 'WRITE_RECT',
    seq: 0,
    format: 0,
    x: 0,
    y: i % 32,
    w: 1,
    h: 1,
    pixels: new Uint8Array(bytes - 5).fill((i % 250) + 1),
  }));
}

const payload = (messages: Message[]): number => messages.length * ((messages[0] as { pixels: Uint8Array }).pixels.length + 10);

describe('send window behind a slow, deep pipe', () => {
  it('delivers everything when the device is slower than a window per retransmit timeout, without flooding the pipe with resends', () => {
    // 8 KB in flight take 2.7 s to read at 3 KB/s: far longer than the 300 ms timeout.
    const messages = rects(24, 1000);
    const result = deepPipe({ bytesPerMs: 3, messages, limitMs: 60_000 });
    const ideal = payload(messages) / 3;
    process.stdout.write(
      `3 KB/s: done at ${result.doneAt} ms (ideal ${Math.round(ideal)}), ${result.bytesSent} bytes sent, deepest ${result.deepest}, ${result.retransmits} resent\n`,
    );
    expect(result.doneAt).toBeDefined();
    expect(result.processed).toEqual(messages.map((_, i) => i));
    // Before the first answer nothing tells a slow device from a lost window: a few probes are
    // spurious, never a multiple of the data.
    expect(result.bytesSent).toBeLessThan(1.5 * payload(messages));
    expect(result.deepest).toBeLessThan(2 * 8 * 1024);
    expect(result.doneAt!).toBeLessThan(1.5 * ideal);
  });

  it('still converges with two copies of every packet and some packets lost on the way', () => {
    const messages = rects(24, 1000);
    // Every 7th packet on the wire arrives corrupted.
    const result = deepPipe({ bytesPerMs: 3, messages, copies: 2, lose: (n) => n % 7 === 3, limitMs: 120_000 });
    process.stdout.write(
      `3 KB/s, 2 copies, lossy: done at ${result.doneAt} ms, ${result.bytesSent} bytes sent, deepest ${result.deepest}, ${result.retransmits} resent\n`,
    );
    expect(result.doneAt).toBeDefined();
    expect(result.processed).toEqual(messages.map((_, i) => i));
    expect(result.bytesSent).toBeLessThan(2 * 2 * payload(messages));
  });

  it('resends a lost last packet after the retransmit timeout on a fast line', () => {
    const messages = rects(3, 100);
    const result = deepPipe({ bytesPerMs: 100, messages, lose: (n) => n === 2, limitMs: 5000 });
    expect(result.doneAt).toBeDefined();
    expect(result.doneAt!).toBeGreaterThanOrEqual(HOST_RETRANSMIT_MS);
    expect(result.doneAt!).toBeLessThan(HOST_RETRANSMIT_MS + 100);
    expect(result.retransmits).toBe(1);
  });

  it('resends a whole lost window at once when the probe is answered promptly, not a packet per timeout', () => {
    const messages = rects(8, 100);
    // The first copy of every packet is lost: no NACK can come, only the timeout helps.
    const result = deepPipe({ bytesPerMs: 100, messages, lose: (n) => n < 8, limitMs: 10_000 });
    expect(result.processed).toEqual(messages.map((_, i) => i));
    expect(result.doneAt!).toBeLessThan(HOST_RETRANSMIT_MS + 100);
    expect(result.retransmits).toBe(8);
  });
});

describe('withdraw', () => {
  const commit = (frameId: number): Message => ({ name: 'COMMIT', seq: 0, frameId });

  it('takes back only queued messages with the tag; those on the wire keep their numbers and the next one follows on', () => {
    const wire: Array<{ seq: number; frameId: number }> = [];
    const parser = new PacketParser();
    const window = new SendWindow({
      window: 2,
      maxQueued: 16,
      canTransmit: () => true,
      transmit: (bytes) => {
        for (const event of parser.push(bytes)) {
          if (event.kind !== 'packet') continue;
          const decoded = decodeMessage(event.packet);
          if (decoded.ok && decoded.message.name === 'COMMIT') wire.push({ seq: decoded.message.seq, frameId: decoded.message.frameId });
        }
      },
      now: () => 0,
    });
    const old = {};
    const other = {};
    for (let i = 1; i <= 4; i++) window.enqueue(commit(i), undefined, old);
    window.enqueue(commit(5), undefined, other);
    expect(window.queued).toBe(3);
    // Of the four "old" ones two are on the wire: two are unsent.
    expect([window.unsent(old), window.unsent(other)]).toEqual([2, 1]);
    expect(window.withdraw(old)).toBe(2);
    expect(window.unsent(old)).toBe(0);
    expect(window.withdraw(old)).toBe(0);
    expect(window.queued).toBe(1);
    window.enqueue(commit(6));
    window.acknowledge(2, false);
    window.acknowledge(4, false);
    expect(wire).toEqual([
      { seq: 0, frameId: 1 },
      { seq: 1, frameId: 2 },
      { seq: 2, frameId: 5 },
      { seq: 3, frameId: 6 },
    ]);
  });
});
