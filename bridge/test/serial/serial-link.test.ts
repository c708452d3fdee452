/**
 * The serial link (port supervisor, session, display output, reporter, button together)
 * against the TypeScript protocol peer: full frame then deltas, the encoding per
 * region, in_sync, restarts and replugging (also of a real pty path that appears late),
 * latest-wins on a slow link, a corrupting wire, power, brightness and the status LEDs, and the
 * device's button events becoming API actions.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ButtonEvent as ApiButtonEvent } from '@megabit/contract';
import { EventBus } from '../../src/events';
import { openSerialChannel } from '../../src/serial/port-opener';
import { SerialLink } from '../../src/serial/serial-link';
import { ButtonEvent, crc32, type MessageOf, PixelFormat } from '../../src/serial/protocol';
import { FakeCable, patternFrame } from '../helpers/serial/link-test-kit';
import { FakeDevice, type FakeDeviceOptions } from '../helpers/serial/fake-device';
import type { MemoryEnd } from '../helpers/serial/memory-channel';
import { recordingLog, type RecordingLog } from '../helpers/logs';
import { solidFrame } from '../helpers/display';
import { delay, waitUntil } from '../helpers/ports';
import { seededRandom } from '../helpers/seeded-random';

interface Rig {
  cable: FakeCable;
  link: SerialLink;
  buttons: ApiButtonEvent[];
  logs: RecordingLog;
  bus: EventBus;
  displayChanges: number;
}

const rigs: Rig[] = [];

async function rig(options: FakeDeviceOptions = {}, configure?: (host: MemoryEnd, dev: MemoryEnd) => void): Promise<Rig> {
  const cable = new FakeCable(options, configure);
  const logs = recordingLog();
  const bus = new EventBus(logs.log);
  const r: Rig = { cable, logs, bus, buttons: [], displayChanges: 0, link: undefined as never };
  bus.on(r, 'displayChanged', () => r.displayChanges++);
  r.link = new SerialLink({
    path: '/dev/ttyFAKE0',
    button: { longPressMs: 800, doublePressMs: 300 },
    onButton: (e) => r.buttons.push(e),
    log: logs.log,
    bus,
    openChannel: cable.open,
  });
  rigs.push(r);
  // As in the bridge: the device core starts its outputs, and the link runs with its output.
  await r.link.display.start();
  return r;
}

afterEach(async () => {
  for (const r of rigs.splice(0)) {
    await r.link.stop();
    r.cable.close();
  }
});

const device = (r: Rig) => r.cable.device!;
const connected = (link: SerialLink): boolean => link.reporter.linkState().connected;
const writes = (r: Rig): Array<MessageOf<'WRITE_RECT'>> => device(r).processed.filter((m): m is MessageOf<'WRITE_RECT'> => m.name === 'WRITE_RECT');

async function inSyncWith(r: Rig, frame: Uint8Array, timeoutMs = 5000): Promise<void> {
  await waitUntil(() => r.link.reporter.linkState().in_sync && device(r).shownCrc === crc32(frame), 'in_sync with the frame', timeoutMs);
}

/** Shows `frame` and returns it (for inSyncWith). */
function showAndWait(r: Rig, frame: Uint8Array): Uint8Array {
  r.link.display.showFrame(frame);
  return frame;
}

describe('frames', () => {
  it('sends the whole frame after connecting, commits it and reports in_sync', async () => {
    const r = await rig();
    const frame = patternFrame(1);
    r.link.display.showFrame(frame);
    await inSyncWith(r, frame);
    expect(device(r).committedFrame).toEqual(frame);
    const state = r.link.reporter.linkState();
    expect(state).toMatchObject({
      connected: true,
      transport: 'serial',
      port: '/dev/ttyFAKE0',
      board: 'ts-peer',
      firmware_version: '9.8.7',
      protocol_version: '1.0',
      refresh_hz: 0,
      in_sync: true,
      frame_id: device(r).shownId,
      error: null,
    });
    expect(state.device?.rx_packets).toBeGreaterThan(0);
    expect(state.host.frames_sent).toBe(1);
    const covered = writes(r).reduce((n, w) => n + w.w * w.h, 0);
    expect(covered).toBe(64 * 32);
  });

  it('then sends only the changed region, and in_sync follows', async () => {
    const r = await rig();
    const first = patternFrame(2);
    r.link.display.showFrame(first);
    await inSyncWith(r, first);
    const before = writes(r).length;
    const second = Uint8Array.from(first);
    for (let y = 10; y < 14; y++) for (let x = 20; x < 30; x++) second.set([1, 2, 3], (y * 64 + x) * 3);
    r.link.display.showFrame(second);
    await inSyncWith(r, second);
    const delta = writes(r).slice(before);
    expect(delta).toHaveLength(1);
    expect(delta[0]).toMatchObject({ x: 20, y: 10, w: 10, h: 4 });
    expect(device(r).committedFrame).toEqual(second);
  });

  it.each([
    ['a 1.0 device: asks for STATUS after each acknowledged COMMIT', 0],
    ['a 1.1 device, which says itself when a new frame is shown: does not ask after each COMMIT', 1],
  ])('%s, and in_sync follows', async (_, minor) => {
    const r = await rig({ minor });
    await inSyncWith(r, showAndWait(r, patternFrame(30)));
    const asked = (): number => device(r).processed.filter((m) => m.name === 'GET_STATUS').length;
    const askedBefore = asked();
    const startedAt = Date.now();
    const frames = 8;
    for (let i = 1; i <= frames; i++) await inSyncWith(r, showAndWait(r, patternFrame(30 + i)));
    if (minor === 0) expect(asked() - askedBefore).toBeGreaterThanOrEqual(frames);
    // Only the once-a-second poll is left.
    else expect(asked() - askedBefore).toBeLessThanOrEqual(Math.ceil((Date.now() - startedAt) / 1000) + 1);
  });

  it('picks RLE for flat regions and raw RGB888 for busy ones', async () => {
    const r = await rig();
    r.link.display.showFrame(solidFrame(0, 0, 90));
    await inSyncWith(r, solidFrame(0, 0, 90));
    expect(writes(r).map((w) => w.format)).toEqual([PixelFormat.RLE888]);
    const busy = patternFrame(3);
    r.link.display.showFrame(busy);
    await inSyncWith(r, busy);
    expect(
      writes(r)
        .slice(1)
        .every((w) => w.format === PixelFormat.RGB888),
    ).toBe(true);
  });

  it('resends the whole frame after the device restarts', async () => {
    const r = await rig();
    const frame = patternFrame(4);
    r.link.display.showFrame(frame);
    await inSyncWith(r, frame);
    device(r).reboot();
    // The new session is the proof it was noticed: being out of sync can be over between two polls.
    await waitUntil(() => r.link.reporter.linkState().host.sessions === 2, 'the restart to be noticed', 3000);
    await inSyncWith(r, frame);
    expect(device(r).committedFrame).toEqual(frame);
    expect(r.link.reporter.linkState().host.sessions).toBe(2);
    expect(r.logs.count(/display connected .*\(device restarted\)/)).toBe(1);
  });

  it('drops intermediate frames on a slow link (latest wins) and keeps its queue bounded', async () => {
    const r = await rig({}, (host) => (host.bytesPerTick = 200)); // ~20 KB/s: one full frame takes 0.3 s
    const first = patternFrame(5);
    r.link.display.showFrame(first);
    await waitUntil(() => connected(r.link), 'connection');
    let last = first;
    let mostBuffered = 0;
    for (let i = 0; i < 40; i++) {
      last = patternFrame(100 + i);
      r.link.display.showFrame(last);
      mostBuffered = Math.max(mostBuffered, r.cable.hostEnd!.writableLength);
      await delay(10);
    }
    await inSyncWith(r, last, 15000);
    const state = r.link.reporter.linkState();
    expect(state.host.frames_skipped).toBeGreaterThan(10);
    expect(state.host.frames_sent + state.host.frames_skipped).toBe(41);
    expect(device(r).processed.filter((m) => m.name === 'COMMIT').length).toBeLessThan(41);
    // The window (8 packets of at most 1024 bytes) bounds what waits on the wire.
    expect(mostBuffered).toBeLessThanOrEqual(8 * 1024 + 2 * 1024);
  });

  it("a notification's frame preempts an app frame still queued: the device never commits that one, and shows the new one exactly", async () => {
    const r = await rig({}, (host) => (host.bytesPerTick = 200));
    const first = patternFrame(5);
    r.link.display.showFrame(first);
    await waitUntil(() => connected(r.link), 'connection');
    await inSyncWith(r, first);
    // All in one turn of the event loop: A's packets fill the device's window (8), so B's all
    // wait in the queue when the notification's frame C comes.
    const [a, b, c] = [patternFrame(6), patternFrame(7), patternFrame(8)];
    r.link.display.showFrame(a);
    r.link.display.showFrame(b);
    expect(r.link.display.framesPreempted).toBe(0);
    r.link.display.showFrame(c, { preempt: true });
    expect(r.link.display.framesPreempted).toBe(1);
    await inSyncWith(r, c, 15000);
    const crcs = device(r).committedCrcs;
    expect(crcs).not.toContain(crc32(b));
    // Every COMMIT the device took showed a whole frame the bridge was given, exactly.
    for (const crc of crcs) expect([first, a, c].map(crc32)).toContain(crc);
    expect(crcs.at(-1)).toBe(crc32(c));
    const host = r.link.reporter.linkState().host;
    expect(host.frames_skipped).toBeGreaterThanOrEqual(1);
    expect(host.frames_preempted).toBe(1);
  });

  it('an app frame never preempts; a second notification frame takes back the first while none of it is on the wire', async () => {
    const r = await rig({}, (host) => (host.bytesPerTick = 200));
    r.link.display.showFrame(patternFrame(5));
    await waitUntil(() => connected(r.link), 'connection');
    await inSyncWith(r, patternFrame(5));
    r.link.display.showFrame(patternFrame(6));
    r.link.display.showFrame(patternFrame(7), { preempt: true });
    // 6's packets fill the window (nothing of 6 was queued, so 7 took nothing back) and all of 7
    // waits in the queue: 9 takes 7 back whole and replaces 8 in the waiting slot. (Once part of
    // a notification's frame is on the wire it goes out whole: serial-display.test.ts.)
    expect(r.link.display.framesPreempted).toBe(0);
    r.link.display.showFrame(patternFrame(8));
    r.link.display.showFrame(patternFrame(9), { preempt: true });
    expect(r.link.display.framesPreempted).toBe(1);
    await inSyncWith(r, patternFrame(9), 15000);
    const crcs = device(r).committedCrcs;
    expect(crcs).toContain(crc32(patternFrame(6)));
    expect(crcs).not.toContain(crc32(patternFrame(7)));
    expect(crcs).not.toContain(crc32(patternFrame(8)));
    expect(crcs.at(-1)).toBe(crc32(patternFrame(9)));
  });

  // A 1.0 device is asked for STATUS after each COMMIT; a 1.1 one sends it by itself, so a lost
  // STATUS is found again only by the once-a-second poll.
  it.each([0, 1])('converges through a wire that corrupts over 1%% of the bytes both ways (0.6%% dropped, 0.6%% flipped), protocol 1.%i', async (minor) => {
    // Independent faults byte by byte, each direction from its own seeded stream (a float LCG
    // here once cycled every 10466 draws: a periodic pattern no real line has).
    const wire = { bytes: 0, corrupted: 0 };
    const corrupter = (seed: number): ((chunk: Uint8Array) => Uint8Array) => {
      const random = seededRandom(seed);
      return (chunk) => {
        const out: number[] = [];
        for (const byte of chunk) {
          wire.bytes++;
          const p = random();
          if (p < 0.012) wire.corrupted++;
          if (p < 0.006) continue;
          out.push(p < 0.012 ? byte ^ (1 << Math.floor(random() * 8)) : byte);
        }
        return Uint8Array.from(out);
      };
    };
    const r = await rig({ minor }, (host, dev) => {
      host.filter = corrupter(7);
      dev.filter = corrupter(8);
    });
    let frame = patternFrame(6);
    for (let i = 0; i < 10; i++) {
      frame = patternFrame(200 + i);
      r.link.display.showFrame(frame);
      await delay(50);
    }
    await inSyncWith(r, frame, 25000);
    expect(device(r).committedFrame).toEqual(frame);
    process.stdout.write(`corrupted ${wire.corrupted} of ${wire.bytes} bytes on the wire\n`);
    expect(wire.corrupted / wire.bytes).toBeGreaterThanOrEqual(0.01);
    expect(r.link.reporter.linkState().host.retransmits).toBeGreaterThan(0);
    expect(device(r).counters.rxCrcErrors).toBeGreaterThan(0);
  });
  it('restarts with shorter packets when the packet it waits for can never pass, though newer frames were cut shorter', async () => {
    // A line that corrupts every long packet: the first frame's one long WRITE_RECT (a band of
    // noise; the black rest is a few short RLE packets) never arrives. While the link resends
    // it, the picture changes every 100 ms (like the clock's seconds bar) and a wide window
    // takes those frames in, cut to the shrunk size: the restart must go by the packet the link
    // is stuck on, not by the size the latest frame was cut to.
    const r = await rig({ window: 64, loseIncoming: (m) => m.name === 'WRITE_RECT' && m.pixels.length > 300 });
    await waitUntil(() => connected(r.link), 'connected');
    let frame = new Uint8Array(64 * 32 * 3);
    frame.set(patternFrame(40).subarray(0, 64 * 5 * 3));
    r.link.display.showFrame(frame);
    const ticker = setInterval(() => {
      frame = Uint8Array.from(frame);
      frame[64 * 20 * 3] ^= 0xff;
      r.link.display.showFrame(frame);
    }, 100);
    try {
      await waitUntil(() => r.logs.count(/sending shorter packets/) > 0, 'a restart with shorter packets', 10_000);
    } finally {
      clearInterval(ticker);
    }
    await inSyncWith(r, frame, 10_000);
  });
});

describe('power and brightness', () => {
  it('sends SET_POWER and SET_BRIGHTNESS on change and commits again for a new brightness', async () => {
    const r = await rig();
    const frame = patternFrame(7);
    r.link.display.setBrightness(100);
    r.link.display.showFrame(frame);
    await inSyncWith(r, frame);
    expect(device(r).brightness).toBe(100);
    const commits = (): number => device(r).processed.filter((m) => m.name === 'COMMIT').length;
    const before = commits();
    r.link.display.setBrightness(30);
    r.link.display.setPower(false);
    await waitUntil(() => device(r).brightness === 30 && device(r).power === 0 && commits() === before + 1, 'the new settings');
    const tail = device(r)
      .processed.slice(-3)
      .map((m) => m.name);
    expect(tail.indexOf('SET_BRIGHTNESS')).toBeLessThan(tail.indexOf('COMMIT'));
    await inSyncWith(r, frame);
    r.link.display.setBrightness(30);
    await delay(200);
    expect(commits()).toBe(before + 1);
  });
});

describe('connection', () => {
  it('survives unplug and replug, logging once per change rather than per retry', async () => {
    const r = await rig();
    const frame = patternFrame(8);
    r.link.display.showFrame(frame);
    await inSyncWith(r, frame);
    r.cable.unplug();
    await waitUntil(() => !connected(r.link), 'disconnection');
    const opensBefore = r.cable.opens;
    await delay(1500);
    expect(r.cable.opens - opensBefore).toBeGreaterThanOrEqual(3);
    expect(r.logs.count(/unavailable/)).toBe(1);
    expect(r.logs.count(/display link lost/)).toBe(1);
    const newer = patternFrame(9);
    r.link.display.showFrame(newer);
    r.cable.plug();
    await inSyncWith(r, newer);
    expect(device(r).committedFrame).toEqual(newer);
    expect(r.logs.count(/display connected/)).toBe(2);
    expect(r.link.reporter.linkState().connected).toBe(true);
  });

  it('says why when the device speaks another major version', async () => {
    const r = await rig({ major: 3 });
    await waitUntil(() => r.link.reporter.linkState().error !== null, 'the refusal');
    expect(r.link.reporter.linkState()).toMatchObject({
      connected: false,
      in_sync: false,
      error: 'device speaks protocol 3.0, host speaks 1.3: update the firmware or the bridge',
    });
    expect(r.logs.lines.filter((l) => l.level === 'error' && /display refused/.test(l.message))).toHaveLength(1);
    expect(r.logs.count(/device: incompatible protocol/)).toBe(1);
  });

  it('reports connecting and getting in sync on the bus', async () => {
    const r = await rig();
    let stateChanges = 0;
    r.bus.on(r, 'stateChanged', () => stateChanges++);
    r.link.display.showFrame(patternFrame(10));
    await inSyncWith(r, patternFrame(10));
    await waitUntil(() => r.displayChanges >= 2, 'the in_sync report', 1000);
    expect(stateChanges).toBe(1);
  });

  it("reports an animation's in_sync flips at most 4 times a second, and the final state always", async () => {
    const r = await rig();
    await waitUntil(() => connected(r.link), 'connection');
    const seen: boolean[] = [];
    r.bus.on(seen, 'displayChanged', () => seen.push(r.link.reporter.linkState().in_sync));
    const started = Date.now();
    let frame = patternFrame(0);
    for (let i = 0; i < 60; i++) {
      frame = patternFrame(300 + i);
      r.link.display.showFrame(frame);
      await delay(15);
    }
    const seconds = (Date.now() - started) / 1000;
    expect(seen.length).toBeLessThanOrEqual(Math.ceil(seconds * 4) + 1);
    await inSyncWith(r, frame);
    await delay(300);
    expect(seen[seen.length - 1]).toBe(true);
  });

  it('takes its listeners off the channel when it stops, and closes the port', async () => {
    const r = await rig();
    await waitUntil(() => connected(r.link), 'connection');
    const host = r.cable.hostEnd!;
    const listeners = (): number => host.listenerCount('data') + host.listenerCount('close') + host.listenerCount('error');
    expect(listeners()).toBeGreaterThan(0);
    await r.link.display.stop();
    expect(listeners()).toBe(0);
    expect(host.closed).toBe(true);
    expect(connected(r.link)).toBe(false);
    expect(r.link.reporter.linkState()).toMatchObject({ connected: false, in_sync: false, leds: null });
  });

  it('stops promptly while the port is missing', async () => {
    const r = await rig();
    r.cable.unplug();
    await delay(300);
    const started = Date.now();
    await r.link.stop();
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('status LEDs', () => {
  const ledsSent = (r: Rig): Array<MessageOf<'SET_LEDS'>> => device(r).processed.filter((m): m is MessageOf<'SET_LEDS'> => m.name === 'SET_LEDS');
  const lastLeds = (r: Rig): number | undefined => ledsSent(r).at(-1)?.state;

  it('lights the link LED once connected and shows the broker connection on the RGB LED', async () => {
    const r = await rig();
    await waitUntil(() => connected(r.link) && lastLeds(r) !== undefined, 'SET_LEDS after connecting');
    // Bits: 0 link, 1 red, 2 green, 3 blue; the bridge drives all four.
    expect(ledsSent(r)[0]).toMatchObject({ mask: 0x0f, state: 0b0011 });
    expect(r.link.reporter.linkState().leds).toEqual({ link: true, red: true, green: false, blue: false });

    const changes = r.displayChanges;
    r.link.setBrokerConnected(true);
    await waitUntil(() => lastLeds(r) === 0b0101, 'the RGB LED turning green');
    expect(r.link.reporter.linkState().leds).toEqual({ link: true, red: false, green: true, blue: false });
    expect(r.displayChanges).toBeGreaterThan(changes);
    r.link.setBrokerConnected(true);
    await delay(100);
    expect(ledsSent(r)).toHaveLength(2);

    r.cable.unplug();
    await waitUntil(() => !connected(r.link), 'disconnection');
    expect(r.link.reporter.linkState().leds).toBeNull();
    r.cable.plug();
    // A rebooted device starts dark: the new session sets the LEDs again.
    await waitUntil(() => connected(r.link) && lastLeds(r) === 0b0101, 'SET_LEDS in the new session', 5000);
  });
});

describe('a device path that appears late', () => {
  let socat: ChildProcess | undefined;
  let server: Server | undefined;
  let link: SerialLink | undefined;
  let dir: string | undefined;
  const devices: FakeDevice[] = [];

  afterEach(async () => {
    await link?.stop();
    for (const d of devices.splice(0)) d.close();
    socat?.kill('SIGTERM');
    server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('is opened as soon as it exists, not at the next retry of a grown backoff, also in a new directory', async () => {
    dir = mkdtempSync(join(tmpdir(), 'megabit-late-port-'));
    const path = join(dir, 'by-id', 'ttyMEGABIT');
    server = createServer((socket) => devices.push(new FakeDevice(socket)));
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const attempts: number[] = [];
    const logs = recordingLog();
    link = new SerialLink({
      path,
      button: { longPressMs: 800, doublePressMs: 300 },
      onButton: () => undefined,
      log: logs.log,
      openChannel: (p) => {
        attempts.push(Date.now());
        return openSerialChannel(p);
      },
    });
    await link.start();
    // Retries back off (0.1, 0.2, 0.4, 0.8, 1.6 s): no polling while nothing changes.
    await waitUntil(() => attempts.length >= 5, 'the backoff to grow', 5000);
    expect(attempts.length).toBeLessThanOrEqual(6);

    // The directory the path lives in appears: tried at once, then backing off again.
    let before = attempts.length;
    await delay(50);
    mkdirSync(join(dir, 'by-id'));
    await waitUntil(() => attempts.length > before, 'an attempt after the directory appeared', 1000);
    await waitUntil(() => attempts.length >= before + 5, 'the backoff to grow again', 5000);

    // Just after a failed attempt, with the next one 1.6 s away, the device appears.
    before = attempts.length;
    await delay(50);
    let missing: Error | undefined;
    socat = spawn('socat', [`PTY,link=${path},raw,echo=0`, `TCP:127.0.0.1:${port},nodelay`], { stdio: 'ignore' });
    socat.on('error', (e) => (missing = e));
    await waitUntil(() => existsSync(path) || missing !== undefined, 'the socat pty', 5000);
    if (missing) throw new Error(`this test needs socat (apt-get install -y socat): ${missing.message}`);
    const appeared = Date.now();
    await waitUntil(() => connected(link!), 'the connection', 5000);
    const ms = Date.now() - appeared;
    process.stdout.write(`connected ${ms} ms after the device path appeared\n`);
    expect(ms).toBeLessThan(1000);
    expect(attempts.length - before).toBeLessThanOrEqual(2);
    expect(devices).toHaveLength(1);
    expect(logs.count(/unavailable/)).toBe(1);
  });
});

describe('button', () => {
  it("classifies the device's DOWN/UP edges by their device times: press, double_press, long_press", async () => {
    const r = await rig();
    await waitUntil(() => connected(r.link), 'connection');
    device(r).button(ButtonEvent.DOWN, 1000);
    device(r).button(ButtonEvent.UP, 1100);
    await waitUntil(() => r.buttons.length === 1, 'press', 2000);
    expect(r.buttons[0]).toEqual({ button: 'main', action: 'press' });
    device(r).button(ButtonEvent.DOWN, 5000);
    device(r).button(ButtonEvent.UP, 5080);
    device(r).button(ButtonEvent.DOWN, 5200);
    await waitUntil(() => r.buttons.length === 2, 'double press', 2000);
    expect(r.buttons[1]).toEqual({ button: 'main', action: 'double_press' });
    device(r).button(ButtonEvent.UP, 5260);
    // Held: the long press comes while the button is still down.
    device(r).button(ButtonEvent.DOWN, 9000);
    await waitUntil(() => r.buttons.length === 3, 'long press', 2000);
    expect(r.buttons[2]).toEqual({ button: 'main', action: 'long_press' });
    device(r).button(ButtonEvent.UP, 10_500);
    // Edges arriving together: the device's times say 650 ms (a press) and 900 ms (a long press).
    device(r).button(ButtonEvent.DOWN, 20_000);
    device(r).button(ButtonEvent.UP, 20_650);
    await waitUntil(() => r.buttons.length === 4, 'press after a 650 ms hold', 2000);
    device(r).button(ButtonEvent.DOWN, 30_000);
    device(r).button(ButtonEvent.UP, 30_900);
    await waitUntil(() => r.buttons.length === 5, 'long press delivered late', 2000);
    await delay(1000);
    expect(r.buttons.map((b) => b.action)).toEqual(['press', 'double_press', 'long_press', 'press', 'long_press']);
  });

  it('ignores buttons other than the main one', async () => {
    const r = await rig();
    await waitUntil(() => connected(r.link), 'connection');
    device(r).button(ButtonEvent.DOWN, 100, 1);
    device(r).button(ButtonEvent.UP, 200, 1);
    await delay(500);
    expect(r.buttons).toEqual([]);
  });
});
