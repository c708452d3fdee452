/**
 * Command-to-pixel latency: `P/cmd/notify` published on mosquitto → the first `P/display/frame`
 * that shows that notification, at a steady 1 and 50 commands a second. Each notification has its
 * own colour, so the frame that shows it is recognised by the colour of its text.
 * Baseline: a plain publish → subscribe round trip through the same broker.
 */
import type { Socket } from 'node:net';
import { LINE_HEIGHT } from 'megabit-bridge';
import { connectAsync, type MqttClient } from 'mqtt';
import { startBridge } from './lib/bridge';
import type { Broker } from './lib/mosquitto';
import { delay } from './lib/processes';
import { difference, median, percentile, ratio } from './lib/stats';

const P = 'megabit/megabit';
/** The notification band's inside rows (drawn black except the text): see bridge/src/display/banner.ts. */
const BAND_FIRST_ROW = 12;
const BAND_LAST_ROW = 11 + LINE_HEIGHT + 1;

export type Rgb = [number, number, number];

/** Colour of sample i: red 255 and green with its top bit set, which the clock never draws in the band. */
export const colourOf = (i: number): Rgb => [255, 0x80 | ((i >> 8) & 0x7f), i & 0xff];
export const hex = (rgb: Rgb): string => `#${rgb.map((c) => c.toString(16).padStart(2, '0')).join('')}`;
export const keyOf = (r: number, g: number, b: number): number => (r << 16) | (g << 8) | b;

/** Colour keys of the text pixels in a frame's notification band. */
export function bandColours(frame: Uint8Array): Set<number> {
  const keys = new Set<number>();
  for (let y = BAND_FIRST_ROW; y <= BAND_LAST_ROW; y++) {
    for (let x = 0; x < 64; x++) {
      const i = (y * 64 + x) * 3;
      if (frame[i] === 255 && frame[i + 1] & 0x80) keys.add(keyOf(frame[i], frame[i + 1], frame[i + 2]));
    }
  }
  return keys;
}

export async function connect(url: string): Promise<MqttClient> {
  const client = await connectAsync(url, { protocolVersion: 4, reconnectPeriod: 0 });
  // The client's own Nagle stalls would otherwise land in the samples.
  (client.stream as unknown as Socket).setNoDelay(true);
  return client;
}

async function roundTrips(client: MqttClient, count: number): Promise<number[]> {
  const samples: number[] = [];
  await client.subscribeAsync('megabit-bench/echo', { qos: 1 });
  for (let i = 0; i < count; i++) {
    const arrived = new Promise<number>((resolve) => {
      const onMessage = (topic: string): void => {
        if (topic !== 'megabit-bench/echo') return;
        client.off('message', onMessage);
        resolve(performance.now());
      };
      client.on('message', onMessage);
    });
    const sent = performance.now();
    client.publish('megabit-bench/echo', `${i}`, { qos: 1 });
    samples.push((await arrived) - sent);
    await delay(5);
  }
  return samples;
}

/** Sends `count` notifications at `perSecond`; returns the latency of each one a frame showed. */
async function commandsToFrames(client: MqttClient, perSecond: number, count: number, firstIndex: number): Promise<{ samples: number[]; superseded: number }> {
  const pending = new Map<number, { index: number; sentAt: number }>();
  const samples: number[] = [];
  let superseded = 0;
  const onMessage = (topic: string, payload: Buffer): void => {
    if (topic !== `${P}/display/frame`) return;
    const now = performance.now();
    for (const key of bandColours(payload)) {
      const sample = pending.get(key);
      if (!sample) continue;
      samples.push(now - sample.sentAt);
      // Anything sent before it was replaced before a frame could show it.
      for (const [k, s] of pending) {
        if (s.index <= sample.index) {
          if (s.index < sample.index) superseded++;
          pending.delete(k);
        }
      }
    }
  };
  client.on('message', onMessage);
  const start = performance.now();
  for (let n = 0; n < count; n++) {
    const wait = start + (n * 1000) / perSecond - performance.now();
    if (wait > 0) await delay(wait);
    const index = firstIndex + n;
    const rgb = colourOf(index);
    pending.set(keyOf(...rgb), { index, sentAt: performance.now() });
    client.publish(`${P}/cmd/notify`, JSON.stringify({ text: 'Hi', id: 'bench', color: hex(rgb), duration_ms: 60_000 }), { qos: 1 });
  }
  await delay(1000);
  client.off('message', onMessage);
  return { samples, superseded: superseded + pending.size };
}

export interface Summary {
  n: number;
  p50_ms: number | null;
  p99_ms: number | null;
}

export function summary(samples: number[]): Summary {
  return { n: samples.length, p50_ms: median(samples), p99_ms: percentile(samples, 99) };
}

/** Command → first byte on the serial link; filled in by serial-link.ts. */
export interface SerialFirstByte extends Summary {
  at_50_per_second: Summary;
}

export interface LatencyResult {
  baseline_round_trip: Summary;
  rates: Array<Summary & { per_second: number; superseded: number; added_p50_ms: number | null; ratio_p50: number | null }>;
  serial_first_byte: SerialFirstByte | null;
}

export async function measureLatency(broker: Broker, { slowCount = 100, fastCount = 250, roundTripCount = 200 } = {}): Promise<LatencyResult> {
  const bridge = await startBridge({ mqttUrl: broker.url, apps: ['clock'], settings: { rotation: { enabled: false } } });
  const client = await connect(broker.url);
  try {
    await client.subscribeAsync(`${P}/display/frame`, { qos: 0 });
    const baseline = summary(await roundTrips(client, roundTripCount));
    const slow = await commandsToFrames(client, 1, slowCount, 0);
    const fast = await commandsToFrames(client, 50, fastCount, slowCount);
    const rate = (r: { samples: number[]; superseded: number }, perSecond: number): LatencyResult['rates'][number] => ({
      per_second: perSecond,
      ...summary(r.samples),
      superseded: r.superseded,
      added_p50_ms: difference(median(r.samples), baseline.p50_ms),
      ratio_p50: ratio(median(r.samples), baseline.p50_ms),
    });
    return {
      baseline_round_trip: baseline,
      rates: [rate(slow, 1), rate(fast, 50)],
      // Filled in by the serial link's bench: command → first byte on the serial port.
      serial_first_byte: null,
    };
  } finally {
    await client.endAsync(true);
    await bridge.dispose();
  }
}
