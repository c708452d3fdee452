/**
 * Serial bytes per frame: every example app runs for 10 s at its own refresh period through the
 * compositor into the serial link's frame sync (changed rectangles as WRITE_RECT packets, each in
 * the smallest of RGB888, RLE888 and LEVEL_RICE, then COMMIT) for a protocol 1.3 device showing
 * 8 planes (the Nano's default), and every packet is counted as it would go on the wire
 * (COBS-framed, delimiters included). The same frames also go to a 1.1 device (RGB888/RLE888
 * only: the same-run "before") and a 1.3 device at 6 planes (MB_SCAN_DEPTH=6).
 * Baselines: 6144 B of raw RGB888, and the same frames encoded the
 * prototype's way (lib/prototype-scheme.ts: every frame whole, 32 RGB565 rows and a COMMIT),
 * counted with the same codec. A JSON screen (text beside an icon) runs beside the apps, drawn
 * by the bridge's screen renderer. Link timing is serial-link.ts's part.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FRAME_BYTES, type ScreenContent } from '@megabit/contract';
import {
  Compositor,
  type DisplayOutput,
  encodeMessage,
  FrameSync,
  levelClasses,
  loadBuiltInIcons,
  MAX_PACKET,
  type MessageSink,
  PixelFormat,
  renderScreen,
} from 'megabit-bridge';
import { startExample } from './lib/examples';
import { prototypeMessages, prototypeWireBytes } from './lib/prototype-scheme';
import { quiet } from './lib/quiet';
import { median, ratio } from './lib/stats';
import type { SerialLinkResult } from './serial-link';

/** The apps whose frames the link bench replays (serial-link.ts): a typical animated one. */
const RECORDED_APPS = ['scroll'];
/** The goal for apps that change a few pixels: at most this share of a raw frame. */
const GOAL_RATIO_TO_RAW = 0.1;
const GOAL_APPS = ['clock', 'scroll'];
/** Issue 20's goal for full-colour animation: at most this share of the prototype's bytes. */
const GOAL_RATIO_TO_PROTOTYPE = 0.6;
const FULL_COLOUR_APPS = ['plasma'];
/** The planes the Nano 33 BLE firmware shows by default, and its smallest option. */
const DEPTH = 8;
const LOW_DEPTH = 6;
const FORMAT_NAMES = new Map<number, string>(Object.entries(PixelFormat).map(([name, code]) => [code, name]));

export interface AppBytes {
  app: string;
  frames: number;
  bytes_per_frame_mean: number | null;
  bytes_per_frame_median: number | null;
  packets_per_frame_median: number | null;
  bytes_per_second: number;
  first_frame_bytes: number | null;
  ratio_to_raw: number | null;
  goal_ratio_to_raw: number | null;
  prototype_bytes_per_frame_mean: number | null;
  prototype_packets_per_frame: number;
  ratio_to_prototype: number | null;
  goal_ratio_to_prototype: number | null;
  /** Planes per channel of the device the main figures are for. */
  depth: number;
  /** WRITE_RECT packets per pixel format over the run (main figures). */
  formats: Record<string, number>;
  /** The same frames to a protocol 1.1 device (RGB888/RLE888, exact values): the same-run before. */
  v11_bytes_per_frame_mean: number | null;
  v11_ratio_to_prototype: number | null;
  /** The same frames to a 1.3 device showing LOW_DEPTH planes. */
  low_depth: number;
  low_depth_bytes_per_frame_mean: number | null;
  low_depth_ratio_to_prototype: number | null;
}

export interface SerialBytesResult {
  max_packet: number;
  raw_frame_bytes: number;
  apps: AppBytes[];
  link: SerialLinkResult | null;
}

/** One device's view of the frames: a FrameSync and the wire bytes of each frame it sent. */
function deviceCounter(depth: number | undefined) {
  const perFrame: number[] = [];
  const packetsPerFrame: number[] = [];
  const formats: Record<string, number> = {};
  let bytes = 0;
  let packets = 0;
  const sink: MessageSink = {
    queued: 0,
    send(message) {
      bytes += encodeMessage(message).length;
      packets++;
      if (message.name === 'WRITE_RECT') {
        const name = FORMAT_NAMES.get(message.format) ?? String(message.format);
        formats[name] = (formats[name] ?? 0) + 1;
      }
      if (message.name === 'COMMIT') {
        perFrame.push(bytes);
        packetsPerFrame.push(packets);
        bytes = 0;
        packets = 0;
      }
      return true;
    },
  };
  const sync = new FrameSync(() => undefined);
  sync.restart(depth === undefined ? undefined : levelClasses(depth));
  return {
    perFrame,
    packetsPerFrame,
    formats,
    show(frame: Uint8Array) {
      sync.show(frame);
      sync.pump(sink, MAX_PACKET);
    },
  };
}

/**
 * A display output that encodes each frame for the serial link and counts the wire bytes, for a
 * 1.3 device at DEPTH and LOW_DEPTH planes, a 1.1 device and the prototype; keeps the frames
 * themselves when `record` is set.
 */
function serialCounter(record: boolean) {
  const prototypePerFrame: number[] = [];
  const frames: Uint8Array[] = [];
  const main = deviceCounter(DEPTH);
  const v11 = deviceCounter(undefined);
  const low = deviceCounter(LOW_DEPTH);
  const output: DisplayOutput = {
    name: 'serial-count',
    async start() {},
    async stop() {},
    showFrame(frame) {
      prototypePerFrame.push(prototypeWireBytes(frame));
      if (record) frames.push(Uint8Array.from(frame));
      for (const device of [main, v11, low]) device.show(frame);
    },
  };
  return { output, perFrame: main.perFrame, packetsPerFrame: main.packetsPerFrame, formats: main.formats, v11, low, prototypePerFrame, frames };
}

/** Mean of all frames but the first (the compositor's blank start frame, sent whole). */
function steadyMean(perFrame: number[]): number | null {
  const steady = perFrame.slice(1);
  return steady.length > 0 ? steady.reduce((a, b) => a + b, 0) / steady.length : null;
}

/** What draws the frames of one run: an example app's sandbox, or a JSON screen. */
interface FrameSource {
  /** Draws the next frame (null: nothing changed) and says how long until the one after. */
  next(): Promise<{ frame: Uint8Array | null; periodMs: number }>;
  close(): Promise<void>;
}

async function appSource(id: string, kvDir: string): Promise<FrameSource> {
  const { app, manifest } = await startExample(id, kvDir);
  return { next: async () => ({ frame: await app.run(), periodMs: manifest.refresh_period_ms }), close: () => app.close() };
}

/** A screen as the bridge runs one: rendered again whenever the renderer says it moves. */
function screenSource(content: ScreenContent): FrameSource {
  const icons = loadBuiltInIcons();
  const start = performance.now();
  return {
    next: async () => {
      const frame = new Uint8Array(FRAME_BYTES);
      const info = renderScreen(frame, content, { atMs: performance.now() - start, icons });
      return { frame, periodMs: info.animated ? info.frameMs : 1000 };
    },
    close: async () => undefined,
  };
}

/** The screen issue 15 asks bytes per frame for: text beside an icon (the text scrolls). */
const SCREENS: Record<string, ScreenContent> = {
  'screen: text + icon': { text: { value: 'Washing machine done', color: '#00ff00' }, icon: 'washing_machine' },
};

async function runApp(id: string, kvDir: string, durationMs: number): Promise<{ result: AppBytes; frames: Uint8Array[] }> {
  const screen = SCREENS[id];
  const source = screen ? screenSource(screen) : await appSource(id, kvDir);
  const counter = serialCounter(RECORDED_APPS.includes(id));
  const compositor = new Compositor([counter.output], { log: quiet });
  compositor.start();
  const start = performance.now();
  try {
    // Ticks as the scheduler does: at the source's own period, never overlapping.
    while (performance.now() - start < durationMs) {
      const began = performance.now();
      const { frame, periodMs } = await source.next();
      if (frame) compositor.setAppFrame(frame);
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, periodMs - (performance.now() - began))));
    }
  } finally {
    compositor.stop();
    await source.close();
  }
  // The first frame is the compositor's blank start frame, sent whole: not the app's steady state.
  const steady = counter.perFrame.slice(1);
  const total = steady.reduce((a, b) => a + b, 0);
  const seconds = (performance.now() - start) / 1000;
  const perFrame = steady.length > 0 ? total / steady.length : null;
  // Every frame the compositor handed over, sent whole: the prototype had no diff to skip any.
  const prototypeSteady = counter.prototypePerFrame.slice(1);
  const prototypePerFrame = prototypeSteady.length > 0 ? prototypeSteady.reduce((a, b) => a + b, 0) / prototypeSteady.length : null;
  const result: AppBytes = {
    app: id,
    frames: steady.length,
    bytes_per_frame_mean: perFrame,
    bytes_per_frame_median: median(steady),
    packets_per_frame_median: median(counter.packetsPerFrame.slice(1)),
    bytes_per_second: total / seconds,
    first_frame_bytes: counter.perFrame[0] ?? null,
    ratio_to_raw: ratio(perFrame, FRAME_BYTES),
    goal_ratio_to_raw: GOAL_APPS.includes(id) ? GOAL_RATIO_TO_RAW : null,
    prototype_bytes_per_frame_mean: prototypePerFrame,
    prototype_packets_per_frame: prototypeMessages(new Uint8Array(FRAME_BYTES), 1).length,
    ratio_to_prototype: ratio(perFrame, prototypePerFrame),
    goal_ratio_to_prototype: FULL_COLOUR_APPS.includes(id) ? GOAL_RATIO_TO_PROTOTYPE : null,
    depth: DEPTH,
    formats: counter.formats,
    v11_bytes_per_frame_mean: steadyMean(counter.v11.perFrame),
    v11_ratio_to_prototype: ratio(steadyMean(counter.v11.perFrame), prototypePerFrame),
    low_depth: LOW_DEPTH,
    low_depth_bytes_per_frame_mean: steadyMean(counter.low.perFrame),
    low_depth_ratio_to_prototype: ratio(steadyMean(counter.low.perFrame), prototypePerFrame),
  };
  return { result, frames: counter.frames.slice(1) };
}

/**
 * All apps at once (each in its own worker), so the 10 s windows overlap. `recorded` receives
 * the frames of RECORDED_APPS (app id -> frames), for the link bench to replay.
 */
export async function measureSerialBytes(apps: string[], { durationMs = 10_000, recorded = new Map<string, Uint8Array[]>() } = {}): Promise<SerialBytesResult> {
  const kvDir = mkdtempSync(join(tmpdir(), 'megabit-bench-kv-'));
  try {
    const ids = [...apps, ...Object.keys(SCREENS)];
    const runs = await Promise.all(ids.map((id) => runApp(id, kvDir, durationMs)));
    for (const [i, id] of ids.entries()) if (RECORDED_APPS.includes(id)) recorded.set(id, runs[i].frames);
    return {
      max_packet: MAX_PACKET,
      raw_frame_bytes: FRAME_BYTES,
      apps: runs.map((r) => r.result),
      // Filled in by serial-link.ts: frame rates and latencies over the firmware in qemu.
      link: null,
    };
  } finally {
    rmSync(kvDir, { recursive: true, force: true });
  }
}
