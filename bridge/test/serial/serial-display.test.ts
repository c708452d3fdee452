/**
 * The display output on its own, over a stand-in link: it sends only while the link has an
 * open session, cuts frames to the link's packet limit, tells the link when a COMMIT is
 * acknowledged, resends everything for a new session, drives the status LEDs, and starts and
 * stops with its link.
 */
import type { MessageSink } from '../../src/serial/frame-sync';
import { crc32, encodeBody, type Message, MIN_PACKET, type MessageOf } from '../../src/serial/protocol';
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
  expect(display.counters).toEqual({ frames_sent: 1, frames_skipped: 1 });
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
