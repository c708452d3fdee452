/**
 * The serial link with the real firmware in qemu behind a pty (docs/performance.md §6):
 * - frames/s the link sustains: our scheme (FrameSync + LinkSession, the pieces the bridge's
 *   serial link runs: changed rectangles, packets up to max_packet, the device's window) against
 *   the prototype's (every frame whole, 33 packets stop-and-wait), on random frames that defeat
 *   any delta and on the recorded frames of a typical app;
 * - command → device: the real bridge with `serial.path` on the pty, a byte proxy on the line;
 *   P/cmd/notify published on mosquitto → first byte of the first packet carrying its text on the
 *   wire, and → the device's ACK of the COMMIT of the frame showing it; at 1, 50 and 200 commands/s.
 */
import { randomFillSync } from 'node:crypto';
import { DISPLAY_WIDTH, FRAME_BYTES } from '@megabit/contract';
import {
  type ByteChannel,
  decodeLevelRice,
  levelRiceRowsAbove,
  decodeMessage,
  type DeviceInfo,
  FrameSync,
  type LevelClasses,
  levelClasses,
  LinkSession,
  MAX_PACKET,
  type Message,
  type MessageOf,
  type OpenChannel,
  openSerialChannel,
  OPTIMIZER_DELAY_MS,
  PacketParser,
  PixelFormat,
} from 'megabit-bridge';
import type { MqttClient } from 'mqtt';
import { type AddedLatency, added, bandColours, connect, hex, keyOf, type LatencyResult, type Rgb, type Summary, summary } from './latency';
import { startBridge } from './lib/bridge';
import { delay, waitFor } from './lib/processes';
import { prototypeFrameCrc, prototypeMessages, StopAndWait } from './lib/prototype-scheme';
import { type QemuLink, startQemuLink } from './lib/qemu-link';
import { median, percentile, ratio } from './lib/stats';

const P = 'megabit/megabit';

type NextFrame = () => Uint8Array;

/** One run of one scheme. */
interface RunResult {
  window: number;
  frames: number;
  seconds: number;
  bytes: number;
  packetsPerFrame: number;
  retransmits: number;
  inSync: boolean;
  /** The prototype's: how long each whole frame took. */
  pushTimes?: number[];
}

interface MergedRuns {
  window: number;
  runs: number;
  frames: number;
  frames_per_second: number;
  wire_bytes_per_frame: number | null;
  wire_bytes_per_second: number;
  packets_per_frame: number;
  retransmits: number;
  device_in_sync: boolean;
  frame_push_ms?: Summary;
}

export interface CommandRate {
  per_second: number;
  sent: number;
  superseded: number;
  first_byte: Summary & Partial<AddedLatency> & { ratio_p50_to_mqtt_round_trip?: number | null };
  commit_ack: Summary & { ratio_p50_to_prototype_frame_push?: number | null };
}

/**
 * The first commands after the bridge's start, before the measured rates: the code that shows a
 * notification runs in V8's interpreter, then its baseline compiler, the first times (and TurboFan
 * stays off for the start's first seconds: optimizer-at-start.ts): in two runs of 100 commands at 1 command/s, 4 of
 * the 5 slowest were among the first 5 sent (first bytes of 5-15 ms, against a p50 of 2.2). Measured and
 * reported apart, out of the goal figures; the MQTT baseline's round trips are warmed alike.
 */
export const WARM_UP = { perSecond: 10, count: 20 } as const;

export interface WarmUp {
  per_second: number;
  sent: number;
  /** The very first command's first byte: the bridge's first notification since its start. */
  first_command_ms: number | null;
  first_byte: Summary;
}

export interface SerialLinkResult {
  transport: string;
  seconds_per_scheme: number;
  rounds: number;
  rates: Array<MergedRuns & { scheme: string; content: string; ratio_to_prototype: number | null }>;
  command_to_device: {
    baseline_mqtt_round_trip_p50_ms: number | null;
    baseline_mqtt_round_trip_p99_ms: number | null;
    baseline_prototype_frame_push: Summary | undefined;
    warm_up: WarmUp;
    rates: CommandRate[];
    sessions: number;
    retransmitted_packets: number;
  };
}

function randomFrames(): NextFrame {
  return () => randomFillSync(new Uint8Array(FRAME_BYTES));
}

function replay(frames: Uint8Array[]): NextFrame {
  let i = 0;
  return () => frames[i++ % frames.length];
}

/** The port as the bridge opens it, counting the bytes written to it. */
class CountedChannel implements ByteChannel {
  bytes = 0;

  constructor(private readonly port: ByteChannel) {}

  write(data: Uint8Array): unknown {
    this.bytes += data.length;
    return this.port.write(data);
  }

  get writableLength(): number {
    return this.port.writableLength;
  }

  on(event: 'data' | 'close' | 'error', listener: (...args: never[]) => void): unknown {
    return (this.port as unknown as NodeJS.EventEmitter).on(event, listener as (...args: unknown[]) => void);
  }

  off(event: 'data' | 'close' | 'error', listener: (...args: never[]) => void): unknown {
    return (this.port as unknown as NodeJS.EventEmitter).off(event, listener as (...args: unknown[]) => void);
  }
}

async function openCounted(ptyPath: string): Promise<{ opened: OpenChannel; channel: CountedChannel }> {
  const opened = await openSerialChannel(ptyPath);
  return { opened, channel: new CountedChannel(opened.channel) };
}

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Our scheme as fast as the link takes it: a new frame whenever the last one is on its way. */
async function ourRate(ptyPath: string, nextFrame: NextFrame, durationMs: number): Promise<RunResult> {
  const { opened, channel } = await openCounted(ptyPath);
  const acks: number[] = [];
  const sync = new FrameSync(() => acks.push(performance.now()));
  let feeding = true;
  let session: LinkSession | undefined;
  let onStatus: (m: MessageOf<'STATUS'>) => void = () => undefined;
  try {
    const info = await within(
      new Promise<DeviceInfo>((resolve) => {
        session = new LinkSession(channel, {
          handlers: {
            open: (device) => {
              // As the bridge does: LEVEL_RICE at the device's depth when it decodes it (1.3).
              sync.restart(device.levelRice ? levelClasses(device.colourDepth) : undefined);
              resolve(device);
            },
            progress: () => feed(),
            status: (m) => onStatus(m),
          },
        });
        session.start();
      }),
      10_000,
      'no HELLO_REPLY',
    );
    const open = session!;
    function feed(): void {
      if (!session?.isOpen) return;
      if (feeding && session.queued === 0) sync.show(nextFrame());
      sync.pump(session, MAX_PACKET);
    }
    const packetsBefore = open.packetsSent;
    feed();
    // The first frame's acknowledgement starts the clock: the session and pipeline are up.
    await waitFor(() => acks.length > 0, 'the first frame acknowledged', 10_000);
    const t0 = acks[0];
    const bytes0 = channel.bytes;
    await delay(durationMs);
    feeding = false;
    const t1 = performance.now();
    const bytes = channel.bytes - bytes0;
    const frames = acks.filter((t) => t > t0 && t <= t1).length;
    await waitFor(() => open.queued + open.unacknowledged === 0, 'the last frames acknowledged', 10_000);
    const status = new Promise<MessageOf<'STATUS'>>((resolve) => (onStatus = resolve));
    open.send({ name: 'GET_STATUS', seq: 0 });
    const inSync = sync.matches(await within(status, 5000, 'no STATUS'));
    return {
      window: info.window,
      frames,
      seconds: (t1 - t0) / 1000,
      bytes,
      packetsPerFrame: (open.packetsSent - packetsBefore) / sync.framesSent,
      retransmits: open.retransmits,
      inSync,
    };
  } finally {
    session?.close();
    await opened.close();
  }
}

/** The prototype's scheme for `durationMs`; also the time each whole frame took. */
async function prototypeRate(ptyPath: string, nextFrame: NextFrame, durationMs: number): Promise<RunResult> {
  const { opened, channel } = await openCounted(ptyPath);
  const sender = new StopAndWait(channel);
  try {
    await sender.hello();
    const pushTimes: number[] = [];
    let frameId = 1;
    let last: Uint8Array | undefined;
    const t0 = performance.now();
    const bytes0 = channel.bytes;
    while (performance.now() - t0 < durationMs) {
      last = nextFrame();
      const began = performance.now();
      await sender.sendFrame(last, frameId++);
      pushTimes.push(performance.now() - began);
    }
    const seconds = (performance.now() - t0) / 1000;
    const bytes = channel.bytes - bytes0;
    const status = await within(sender.status(), 5000, 'no STATUS');
    return {
      window: 1,
      frames: pushTimes.length,
      seconds,
      bytes,
      packetsPerFrame: prototypeMessages(last!, 1).length,
      retransmits: sender.retransmits,
      inSync: status.frameId === frameId - 1 && status.frameCrc === prototypeFrameCrc(last!),
      pushTimes,
    };
  } finally {
    sender.close();
    await opened.close();
  }
}

/**
 * Colour of sample i, as latency.ts's colourOf (red 255, green's top bit set) but with green and
 * blue in 128..255: a 1.3 device at 8 planes holds each of those values as itself (docs/
 * serial-protocol.md §5, "Shown levels"), so the colour is still recognised on the line.
 */
export const colourOf = (i: number): Rgb => [255, 0x80 | ((i >> 7) & 0x7f), 0x80 | (i & 0x7f)];

/** Writes a WRITE_RECT into a shadow of the device's draw buffer (docs/serial-protocol.md §5). */
function applyRect(buffer: Uint8Array, m: MessageOf<'WRITE_RECT'>, classes: LevelClasses): void {
  const put = (n: number, r: number, g: number, b: number): void => {
    const x = m.x + (n % m.w);
    const y = m.y + Math.floor(n / m.w);
    const i = (y * DISPLAY_WIDTH + x) * 3;
    buffer[i] = r;
    buffer[i + 1] = g;
    buffer[i + 2] = b;
  };
  const p = m.pixels;
  if (m.format === PixelFormat.RGB888) {
    for (let n = 0; n < m.w * m.h; n++) put(n, p[n * 3], p[n * 3 + 1], p[n * 3 + 2]);
  } else if (m.format === PixelFormat.RLE888) {
    let n = 0;
    for (let i = 0; i + 3 < p.length; i += 4) for (let k = 0; k < p[i]; k++) put(n++, p[i + 1], p[i + 2], p[i + 3]);
  } else if (m.format === PixelFormat.LEVEL_RICE) {
    // Modelled from the rows above it, as the device holds them.
    const above = levelRiceRowsAbove(buffer, DISPLAY_WIDTH, m.x, m.y, m.w).map((v) => classes.classOf[v]);
    const decoded = decodeLevelRice(p, m.w, m.h, classes.count, above);
    if (!decoded) throw new Error(`a LEVEL_RICE rectangle on the line does not decode (seq ${m.seq})`);
    for (let n = 0; n < m.w * m.h; n++) put(n, classes.valueOf[decoded[n * 3]], classes.valueOf[decoded[n * 3 + 1]], classes.valueOf[decoded[n * 3 + 2]]);
  } else if (m.format === PixelFormat.RGB565) {
    for (let n = 0; n < m.w * m.h; n++) {
      const v = p[n * 2] | (p[n * 2 + 1] << 8);
      const r = v >> 11;
      const g = (v >> 5) & 0x3f;
      const b = v & 0x1f;
      put(n, (r << 3) | (r >> 2), (g << 2) | (g >> 4), (b << 3) | (b >> 2));
    }
  }
}

/** Packets of one direction with the arrival time of each one's first byte. */
function packetStream(onMessage: (m: Message, startedAt: number, t: number) => void): (chunk: Buffer, t: number) => void {
  const parser = new PacketParser();
  let startedAt: number | undefined;
  return (chunk, t) => {
    let from = 0;
    for (let i = 0; i < chunk.length; i++) {
      if (chunk[i] !== 0) {
        startedAt ??= t;
        continue;
      }
      for (const event of parser.push(chunk.subarray(from, i + 1))) {
        if (event.kind !== 'packet') continue;
        const decoded = decodeMessage(event.packet);
        if (decoded.ok) onMessage(decoded.message, startedAt ?? t, t);
      }
      from = i + 1;
      startedAt = undefined;
    }
    if (from < chunk.length) parser.push(chunk.subarray(from));
  };
}

/** One notification sent, and when its frame reached the device. */
export interface Sample {
  index: number;
  sentAt: number;
  firstByteMs?: number;
  commitSeq?: number;
  ackMs?: number;
}

export interface LineWatcher {
  pending: Map<number, Sample>;
  samples: Sample[];
  superseded: number;
  sessions: number;
  retransmitted: number;
  toDevice(chunk: Buffer, t: number): void;
  toHost(chunk: Buffer, t: number): void;
}

/**
 * Watches the line for the notifications in `pending` (colour key -> sample): a frame showing
 * one (its colour in the notification band of the device's draw buffer at COMMIT) counts the
 * sample; its first-byte time is when the first WRITE_RECT that put that colour in the draw
 * buffer began (not the first packet since the last COMMIT: a frame the bridge took back for a
 * newer one leaves packets without a COMMIT, which would date the new frame too early), and the
 * device's ACK past that COMMIT its acknowledgement time.
 */
export function lineWatcher(): LineWatcher {
  const shadow = new Uint8Array(FRAME_BYTES);
  // The device's level classes, from its HELLO_REPLY (the qemu board shows 8 planes).
  let classes = levelClasses(8);
  const pending = new Map<number, Sample>();
  const awaitingAck: Sample[] = [];
  let lastSeq: number | undefined;
  /** Colour key -> when the packet that first drew it in the band began. */
  const firstDrawnAt = new Map<number, number>();
  const fresh = (seq: number): boolean => lastSeq === undefined || ((seq - lastSeq) & 0xffff) - 1 < 0x7fff;
  const watcher: LineWatcher = {
    pending,
    samples: [],
    superseded: 0,
    sessions: 0,
    retransmitted: 0,
    toDevice: packetStream((m, startedAt) => {
      if (m.name === 'HELLO') {
        lastSeq = undefined;
        firstDrawnAt.clear();
        return;
      }
      if (m.name !== 'WRITE_RECT' && m.name !== 'COMMIT') return;
      if (!fresh(m.seq)) {
        watcher.retransmitted++;
        return;
      }
      if (lastSeq === undefined) watcher.sessions++;
      lastSeq = m.seq;
      if (m.name === 'WRITE_RECT') {
        applyRect(shadow, m, classes);
        for (const key of bandColours(shadow)) if (pending.has(key) && !firstDrawnAt.has(key)) firstDrawnAt.set(key, startedAt);
        return;
      }
      for (const key of bandColours(shadow)) {
        const sample = pending.get(key);
        if (!sample) continue;
        sample.firstByteMs = (firstDrawnAt.get(key) ?? startedAt) - sample.sentAt;
        sample.commitSeq = m.seq;
        watcher.samples.push(sample);
        awaitingAck.push(sample);
        // Anything sent before it was replaced before a frame could show it.
        for (const [k, s] of pending) {
          if (s.index <= sample.index) {
            if (s.index < sample.index) watcher.superseded++;
            pending.delete(k);
            firstDrawnAt.delete(k);
          }
        }
      }
    }),
    toHost: packetStream((m, startedAt) => {
      if (m.name === 'HELLO_REPLY' && m.colourDepth >= 1 && m.colourDepth <= 8) classes = levelClasses(m.colourDepth);
      if (m.name !== 'DEV_ACK' && m.name !== 'DEV_NACK') return;
      for (let i = awaitingAck.length - 1; i >= 0; i--) {
        const s = awaitingAck[i];
        // ACK(next) covers every packet before `next`.
        if (((m.next - s.commitSeq! - 1) & 0xffff) >= 0x8000) continue;
        s.ackMs = startedAt - s.sentAt;
        awaitingAck.splice(i, 1);
      }
    }),
  };
  return watcher;
}

/** `onSent`: also told of each command sent (colour key, index, when), for a second watcher (bench/latency.ts). */
export async function commandsToDevice(
  client: MqttClient,
  watcher: LineWatcher,
  perSecond: number,
  count: number,
  firstIndex: number,
  onSent?: (key: number, index: number, sentAt: number) => void,
): Promise<CommandRate> {
  const from = watcher.samples.length;
  const supersededBefore = watcher.superseded;
  const start = performance.now();
  for (let n = 0; n < count; n++) {
    // At a random moment of its 1/perSecond slot: a fixed beat would keep the same phase against
    // the bridge's own once-a-second work (clock tick, PNG snapshot) and measure only that phase.
    const wait = start + ((n + Math.random()) * 1000) / perSecond - performance.now();
    if (wait > 0) await delay(wait);
    const index = firstIndex + n;
    const rgb = colourOf(index);
    const sentAt = performance.now();
    watcher.pending.set(keyOf(...rgb), { index, sentAt });
    onSent?.(keyOf(...rgb), index, sentAt);
    client.publish(`${P}/cmd/notify`, JSON.stringify({ text: `n${index}`, id: 'bench', color: hex(rgb), duration_ms: 60_000 }), { qos: 1 });
  }
  await delay(1000);
  const samples = watcher.samples.slice(from);
  const superseded = watcher.superseded - supersededBefore + watcher.pending.size;
  watcher.pending.clear();
  const acked = samples.filter((s) => s.ackMs !== undefined);
  // A link that broke mid-run would otherwise leave a few lucky samples looking like a result.
  if (samples.length === 0 || acked.length < samples.length || (perSecond === 1 && samples.length < count)) {
    throw new Error(
      `at ${perSecond} command/s, ${samples.length} of ${count} commands reached the device in a frame and ${acked.length} of those were acknowledged: the serial link failed`,
    );
  }
  return {
    per_second: perSecond,
    sent: count,
    superseded,
    first_byte: summary(samples.map((s) => s.firstByteMs!)),
    commit_ack: summary(acked.map((s) => s.ackMs!)),
  };
}

/**
 * Sends WARM_UP's commands (indices from `firstIndex`) and returns what they measured; returns no
 * sooner than the bridge's optimizer is back on (OPTIMIZER_DELAY_MS after `bridgeStartedAt`).
 */
export async function warmUp(client: MqttClient, watcher: LineWatcher, firstIndex: number, bridgeStartedAt: number): Promise<WarmUp> {
  const from = watcher.samples.length;
  const rate = await commandsToDevice(client, watcher, WARM_UP.perSecond, WARM_UP.count, firstIndex);
  const optimizerBack = bridgeStartedAt + OPTIMIZER_DELAY_MS - performance.now();
  if (optimizerBack > 0) await delay(optimizerBack);
  const first = watcher.samples.slice(from).find((s) => s.index === firstIndex);
  return { per_second: rate.per_second, sent: rate.sent, first_command_ms: first?.firstByteMs ?? null, first_byte: rate.first_byte };
}

async function commandLatency(
  link: QemuLink,
  brokerUrl: string,
  { slowCount, fastCount, fastestCount }: { slowCount: number; fastCount: number; fastestCount: number },
) {
  const watcher = lineWatcher();
  await link.attach({ tap: watcher });
  const bridge = await startBridge({
    mqttUrl: brokerUrl,
    apps: ['clock'],
    settings: { rotation: { enabled: false }, serial: { path: link.ptyPath } },
  });
  let client: MqttClient | undefined;
  try {
    await waitFor(() => bridge.output().includes('display connected'), 'the bridge connecting to the display', 20_000);
    client = await connect(brokerUrl);
    // Let the first whole frame go out before the first sample.
    await delay(1000);
    const warm_up = await warmUp(client, watcher, 0, bridge.startedAt);
    const first = WARM_UP.count;
    const rates = [
      await commandsToDevice(client, watcher, 1, slowCount, first),
      await commandsToDevice(client, watcher, 50, fastCount, first + slowCount),
      await commandsToDevice(client, watcher, 200, fastestCount, first + slowCount + fastCount),
    ];
    return { warm_up, rates, sessions: watcher.sessions, retransmitted_packets: watcher.retransmitted };
  } finally {
    await client?.endAsync(true);
    await bridge.dispose();
  }
}

/** Runs of one scheme taken together: totals over the summed measuring time. */
function merged(runs: RunResult[]): MergedRuns {
  const frames = runs.reduce((a, r) => a + r.frames, 0);
  const seconds = runs.reduce((a, r) => a + r.seconds, 0);
  const bytes = runs.reduce((a, r) => a + r.bytes, 0);
  const pushTimes = runs.flatMap((r) => r.pushTimes ?? []);
  return {
    window: runs[0].window,
    runs: runs.length,
    frames,
    frames_per_second: frames / seconds,
    wire_bytes_per_frame: frames > 0 ? bytes / frames : null,
    wire_bytes_per_second: bytes / seconds,
    packets_per_frame: runs.reduce((a, r) => a + r.packetsPerFrame, 0) / runs.length,
    retransmits: runs.reduce((a, r) => a + r.retransmits, 0),
    device_in_sync: runs.every((r) => r.inSync),
    ...(pushTimes.length > 0 ? { frame_push_ms: { n: pushTimes.length, p50_ms: median(pushTimes), p99_ms: percentile(pushTimes, 99) } } : {}),
  };
}

/**
 * The two schemes in alternating runs on the same link, so that a change in the machine's load
 * hits both alike; returns [prototype, ours].
 */
async function compareRates(ptyPath: string, nextFrame: NextFrame, runMs: number, rounds: number): Promise<[MergedRuns, MergedRuns]> {
  const prototype: RunResult[] = [];
  const ours: RunResult[] = [];
  for (let i = 0; i < rounds; i++) {
    prototype.push(await prototypeRate(ptyPath, nextFrame, runMs));
    ours.push(await ourRate(ptyPath, nextFrame, runMs));
  }
  return [merged(prototype), merged(ours)];
}

const rateRow = (scheme: string, content: string, r: MergedRuns, baseline?: MergedRuns): SerialLinkResult['rates'][number] => ({
  scheme,
  content,
  ...r,
  ratio_to_prototype: ratio(r.frames_per_second, baseline?.frames_per_second),
});

export interface SerialLinkOptions {
  /** The scroll app's recorded frames (serial-bytes.ts). */
  scrollFrames: Uint8Array[] | undefined;
  /** This run's command-to-pixel results: their MQTT round trip is the first-byte baseline, their `command_to_device` (when measured) is taken as it is; gets `serial_first_byte`. */
  latency?: LatencyResult;
  runMs?: number;
  rounds?: number;
  slowCount?: number;
  fastCount?: number;
  fastestCount?: number;
}

/** Returns what goes under `serial.link`. */
export async function measureSerialLink(
  brokerUrl: string,
  { scrollFrames, latency, runMs = 2000, rounds = 2, slowCount = 20, fastCount = 150, fastestCount = 600 }: SerialLinkOptions,
): Promise<SerialLinkResult> {
  if (!scrollFrames?.length) throw new Error('no recorded scroll frames to replay');
  const link = await startQemuLink();
  try {
    await link.attach();
    const [protoRandom, oursRandom] = await compareRates(link.ptyPath, randomFrames(), runMs, rounds);
    const [protoScroll, oursScroll] = await compareRates(link.ptyPath, replay(scrollFrames), runMs, rounds);
    // The latency section measures it on its own bridge (bench/latency.ts): not a second time.
    const commands = latency?.command_to_device ?? (await commandLatency(link, brokerUrl, { slowCount, fastCount, fastestCount }));

    const mqttP50 = latency?.baseline_round_trip?.p50_ms ?? null;
    const pushP50 = protoRandom.frame_push_ms?.p50_ms ?? null;
    for (const r of commands.rates) {
      Object.assign(r.first_byte, added(r.first_byte, latency?.baseline_round_trip, r.per_second));
      r.first_byte.ratio_p50_to_mqtt_round_trip = ratio(r.first_byte.p50_ms, mqttP50);
      r.commit_ack.ratio_p50_to_prototype_frame_push = ratio(r.commit_ack.p50_ms, pushP50);
    }
    if (latency) {
      const [slow, fast, fastest] = commands.rates;
      latency.serial_first_byte = {
        p50_ms: slow.first_byte.p50_ms,
        p99_ms: slow.first_byte.p99_ms,
        n: slow.first_byte.n,
        at_50_per_second: fast.first_byte,
        at_200_per_second: fastest.first_byte,
      };
    }
    return {
      transport: 'firmware in qemu (microbit machine) behind a socat pty',
      seconds_per_scheme: (rounds * runMs) / 1000,
      rounds,
      rates: [
        rateRow('prototype: whole frame, stop-and-wait', 'random', protoRandom),
        rateRow('ours: delta + window', 'random', oursRandom, protoRandom),
        rateRow('prototype: whole frame, stop-and-wait', 'scroll', protoScroll),
        rateRow('ours: delta + window', 'scroll', oursScroll, protoScroll),
      ],
      command_to_device: {
        baseline_mqtt_round_trip_p50_ms: mqttP50,
        baseline_mqtt_round_trip_p99_ms: latency?.baseline_round_trip?.p99_ms ?? null,
        baseline_prototype_frame_push: protoRandom.frame_push_ms,
        ...commands,
      },
    };
  } finally {
    await link.dispose();
  }
}
