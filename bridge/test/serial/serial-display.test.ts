/**
 * The display output on its own, over a stand-in link: it sends only while the link has an
 * open session, cuts frames to the link's packet limit, tells the link when a COMMIT is
 * acknowledged, resends everything for a new session, drives the status LEDs, and starts and
 * stops with its link.
 */
import type { MessageSink } from '../../src/serial/frame-sync';
import { crc32, encodeBody, type Message, MIN_PACKET, type MessageOf, PixelFormat } from '../../src/serial/protocol';
import { type FrameLink, SerialDisplay } from '../../src/serial/serial-display';
import { patternFrame } from '../helpers/serial/link-test-kit';

class RecordingSink implements MessageSink {
  readonly sent: Message[] = [];
  private readonly acks: Array<() => void> = [];
  queued = 0;

  send(message: Message, onAcked?: () => void): boolean {
    this.sent.push(message);
    if (onAcked) this.acks.push(onAcked);
    return true;
  }

  ackAll(): void {
    for (const ack of this.acks.splice(0)) ack();
  }

  names(): string[] {
    return this.sent.map((m) => m.name);
  }
}

class StandInLink implements FrameLink {
  openSession: RecordingSink | undefined;
  packetLimit = 1024;
  commits = 0;
  lifecycle: string[] = [];

  async start(): Promise<void> {
    this.lifecycle.push('start');
  }

  async stop(): Promise<void> {
    this.lifecycle.push('stop');
  }

  frameCommitted(): void {
    this.commits++;
  }
}

function status(frameId: number, frameCrc: number): MessageOf<'STATUS'> {
  return { name: 'STATUS', seq: 0, frameId, frameCrc, refreshHz: 0, uptimeMs: 0, brightness: 255, power: 1, counters: [] };
}

it('holds frames until the link has an open session, then sends the latest one whole and commits it', () => {
  const link = new StandInLink();
  const display = new SerialDisplay(link);
  display.showFrame(patternFrame(1));
  display.showFrame(patternFrame(2));
  const sink = new RecordingSink();
  link.openSession = sink;
  display.sessionOpened();
  expect(sink.names().slice(0, 3)).toEqual(['SET_POWER', 'SET_BRIGHTNESS', 'SET_LEDS']);
  expect(sink.names().at(-1)).toBe('COMMIT');
  expect(display.counters).toEqual({ frames_sent: 1, frames_skipped: 1, frames_preempted: 0 });
  const commit = sink.sent.at(-1) as MessageOf<'COMMIT'>;
  expect(display.committedId).toBe(commit.frameId);
  expect(display.matches(status(commit.frameId, crc32(patternFrame(2))))).toBe(true);
  expect(display.matches(status(commit.frameId, crc32(patternFrame(1))))).toBe(false);
  expect(link.commits).toBe(0);
  sink.ackAll();
  expect(link.commits).toBe(1);
});

it('cuts a frame into packets no longer than the link allows now', () => {
  const link = new StandInLink();
  const display = new SerialDisplay(link);
  link.openSession = new RecordingSink();
  link.packetLimit = 128;
  display.showFrame(patternFrame(3));
  const rects = link.openSession.sent.filter((m) => m.name === 'WRITE_RECT');
  expect(rects.length).toBeGreaterThan(6144 / 128);
  // The limit is on the packet before COBS framing: header, body, CRC.
  for (const rect of rects) expect(MIN_PACKET + encodeBody(rect).length).toBeLessThanOrEqual(128);
});

it('sends nothing while no session is open', () => {
  const link = new StandInLink();
  const display = new SerialDisplay(link);
  display.showFrame(patternFrame(4));
  display.setPower(false);
  display.setBrightness(10);
  expect(display.setBrokerConnected(true)).toBe(true);
  expect(display.committedId).toBeNull();
  expect(display.counters.frames_sent).toBe(0);
});

it('drives the RGB LED from the broker connection, once per change', () => {
  const link = new StandInLink();
  const display = new SerialDisplay(link);
  const sink = new RecordingSink();
  link.openSession = sink;
  display.sessionOpened();
  const leds = (): Array<MessageOf<'SET_LEDS'>> => sink.sent.filter((m): m is MessageOf<'SET_LEDS'> => m.name === 'SET_LEDS');
  expect(leds().map((m) => m.state)).toEqual([0b0011]);
  expect(display.leds).toEqual({ link: true, red: true, green: false, blue: false });
  expect(display.setBrokerConnected(true)).toBe(true);
  expect(display.setBrokerConnected(true)).toBe(false);
  expect(leds().map((m) => m.state)).toEqual([0b0011, 0b0101]);
  expect(display.leds).toEqual({ link: true, red: false, green: true, blue: false });
});

it('starts and stops with its link', async () => {
  const link = new StandInLink();
  const display = new SerialDisplay(link);
  await display.start();
  await display.stop();
  expect(link.lifecycle).toEqual(['start', 'stop']);
});

/**
 * A sink with a window as the link has: `window` messages go on the wire at once, the rest wait
 * in a queue (taken back by tag) until `release` says the device acknowledged some.
 */
class WindowedSink implements MessageSink {
  readonly wire: Message[] = [];
  private readonly waiting: Array<{ message: Message; tag?: object }> = [];
  private inFlight = 0;

  constructor(private readonly window: number) {}

  get queued(): number {
    return this.waiting.length;
  }

  send(message: Message, _onAcked?: () => void, tag?: object): boolean {
    this.waiting.push({ message, tag });
    this.pump();
    return true;
  }

  unsent(tag: object): number {
    return this.waiting.filter((w) => w.tag === tag).length;
  }

  withdraw(tag: object): number {
    const before = this.waiting.length;
    this.waiting.splice(0, before, ...this.waiting.filter((w) => w.tag !== tag));
    return before - this.waiting.length;
  }

  release(count: number): void {
    this.inFlight -= count;
    this.pump();
  }

  /** The device acknowledged everything on the wire. */
  releaseAll(): void {
    this.inFlight = 0;
    this.pump();
  }

  private pump(): void {
    while (this.inFlight < this.window && this.waiting.length > 0) {
      this.wire.push(this.waiting.shift()!.message);
      this.inFlight++;
    }
  }
}

/** What a device does with the messages on the wire: the CRC of each frame it commits. */
function committedCrcs(wire: Message[]): number[] {
  const draw = new Uint8Array(6144);
  const crcs: number[] = [];
  for (const m of wire) {
    if (m.name === 'COMMIT') crcs.push(crc32(draw));
    if (m.name !== 'WRITE_RECT') continue;
    const pixels: number[] = [];
    if (m.format === PixelFormat.RLE888) {
      for (let i = 0; i < m.pixels.length; i += 4) for (let n = 0; n < m.pixels[i]; n++) pixels.push(m.pixels[i + 1], m.pixels[i + 2], m.pixels[i + 3]);
    } else pixels.push(...m.pixels);
    for (let row = 0; row < m.h; row++) draw.set(pixels.slice(row * m.w * 3, (row + 1) * m.w * 3), ((m.y + row) * 64 + m.x) * 3);
  }
  return crcs;
}

it("a notification's frame takes back an app frame's unsent packets at a packet boundary; the device commits only whole frames, exactly", () => {
  const link = new StandInLink();
  const display = new SerialDisplay(link);
  const sink = new WindowedSink(4);
  link.openSession = sink as unknown as RecordingSink;
  link.packetLimit = 256;
  const [first, app, notice] = [patternFrame(1), patternFrame(2), patternFrame(3)];
  display.sessionOpened();
  display.showFrame(first);
  sink.release(sink.wire.length);
  while (sink.queued > 0) sink.release(4);
  display.showFrame(app);
  // Part of the app frame is on the wire, the rest waits when the notification's frame comes.
  sink.release(4);
  const onWire = sink.wire.length;
  expect(sink.queued).toBeGreaterThan(0);
  display.showFrame(notice, { preempt: true });
  expect(display.framesPreempted).toBe(1);
  // Nothing already on the wire was taken back or sent again out of order.
  expect(sink.wire.length).toBe(onWire);
  while (sink.queued > 0) sink.release(4);
  const crcs = committedCrcs(sink.wire);
  expect(crcs).toEqual([crc32(first), crc32(notice)]);
  expect(display.matches(status(display.committedId!, crc32(notice)))).toBe(true);
  // The notification frame went out after the cut, diffed against what the sent packets left.
  const after = sink.wire.slice(onWire).filter((m) => m.name === 'WRITE_RECT');
  expect(after.length).toBeGreaterThan(0);
});

it("a notification's frame takes back an older one's only while none of it is on the wire; one that started goes out whole", () => {
  const link = new StandInLink();
  const display = new SerialDisplay(link);
  const sink = new WindowedSink(4);
  link.openSession = sink as unknown as RecordingSink;
  link.packetLimit = 256;
  const [first, app, notice1, notice2, notice3] = [1, 2, 3, 4, 5].map(patternFrame);
  display.sessionOpened();
  display.showFrame(first);
  while (sink.queued > 0) sink.releaseAll();
  sink.releaseAll();
  // The app frame fills the window; the first notification's frame waits in the queue, whole.
  display.showFrame(app);
  display.showFrame(notice1, { preempt: true });
  const onWire = sink.wire.length;
  expect(display.framesPreempted).toBe(1);
  // A newer notification takes its place: nothing of the stale one ever reaches the device.
  display.showFrame(notice2, { preempt: true });
  expect(display.framesPreempted).toBe(2);
  expect(sink.wire.length).toBe(onWire);
  // Once part of notice2 is on the wire, notice3 waits for all of it (its COMMIT included).
  sink.release(4);
  expect(sink.wire.length).toBeGreaterThan(onWire);
  expect(sink.queued).toBeGreaterThan(0);
  display.showFrame(notice3, { preempt: true });
  expect(display.framesPreempted).toBe(2);
  while (sink.queued > 0) sink.releaseAll();
  display.pump();
  while (sink.queued > 0) sink.releaseAll();
  expect(committedCrcs(sink.wire)).toEqual([crc32(first), crc32(notice2), crc32(notice3)]);
  expect(display.matches(status(display.committedId!, crc32(notice3)))).toBe(true);
});
