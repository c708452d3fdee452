'use strict';
/**
 * Serial bytes per frame: every example app runs for 10 s at its own refresh period through the
 * compositor into the serial link's frame encoder (bridge/dist/serial/frame-sync: changed
 * rectangles as WRITE_RECT packets, raw or RLE, then COMMIT), and every packet is counted as it
 * would go on the wire (COBS-framed, delimiters included). Compared with 6144 B of raw RGB888 and
 * with the original Megabit's full-row RGB555 updates (~4.3 KB and 33 round trips a frame).
 * Link timing (baud rate, acknowledgements, first byte on the port) is the serial bench's part.
 */
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { FRAME_BYTES } = require('../contract/dist');
const { Compositor } = require('../bridge/dist/display');
const { FrameSync } = require('../bridge/dist/serial/frame-sync');
const { MAX_PACKET, encodeMessage } = require('../bridge/dist/serial/protocol');
const { startExample } = require('./lib/examples');
const { median, ratio } = require('./lib/stats');

/** The original Megabit's per-frame cost (its full-row RGB555 scheme), for comparison. */
const ORIGINAL_BYTES_PER_FRAME = 4300;
const ORIGINAL_ROUND_TRIPS_PER_FRAME = 33;

const quiet = { debug() {}, info() {}, warn() {}, error() {}, child() { return quiet; } };

/** A display output that encodes each frame for the serial link and counts the wire bytes. */
function serialCounter() {
  const perFrame = [];
  const packetsPerFrame = [];
  let bytes = 0;
  let packets = 0;
  const sink = {
    queued: 0,
    send(message) {
      bytes += encodeMessage(message).length;
      packets++;
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
  return {
    output: {
      name: 'serial-count',
      async start() {},
      async stop() {},
      setPower() {},
      setBrightness() {},
      showFrame(frame) {
        sync.show(frame);
        sync.pump(sink, MAX_PACKET);
      },
    },
    perFrame,
    packetsPerFrame,
  };
}

async function runApp(id, kvDir, durationMs) {
  const { app, manifest } = await startExample(id, kvDir);
  const counter = serialCounter();
  const compositor = new Compositor([counter.output], { log: quiet });
  compositor.start();
  const start = performance.now();
  try {
    // Ticks as the scheduler does: every refresh_period_ms, never overlapping.
    while (performance.now() - start < durationMs) {
      const began = performance.now();
      const frame = await app.run();
      if (frame) compositor.setAppFrame(frame);
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, manifest.refresh_period_ms - (performance.now() - began))));
    }
  } finally {
    compositor.stop();
    await app.close();
  }
  // The first frame is the compositor's blank start frame, sent whole: not the app's steady state.
  const steady = counter.perFrame.slice(1);
  const total = steady.reduce((a, b) => a + b, 0);
  const seconds = (performance.now() - start) / 1000;
  const perFrame = steady.length > 0 ? total / steady.length : null;
  return {
    app: id,
    frames: steady.length,
    bytes_per_frame_mean: perFrame,
    bytes_per_frame_median: median(steady),
    packets_per_frame_median: median(counter.packetsPerFrame.slice(1)),
    bytes_per_second: total / seconds,
    first_frame_bytes: counter.perFrame[0] ?? null,
    ratio_to_raw: ratio(perFrame, FRAME_BYTES),
    ratio_to_original: ratio(perFrame, ORIGINAL_BYTES_PER_FRAME),
  };
}

/** All apps at once (each in its own worker), so the 10 s windows overlap. */
async function measureSerialBytes(apps, { durationMs = 10_000 } = {}) {
  const kvDir = mkdtempSync(join(tmpdir(), 'megabit-bench-kv-'));
  try {
    const results = await Promise.all(apps.map((id) => runApp(id, kvDir, durationMs)));
    return {
      max_packet: MAX_PACKET,
      raw_frame_bytes: FRAME_BYTES,
      original: { bytes_per_frame: ORIGINAL_BYTES_PER_FRAME, round_trips_per_frame: ORIGINAL_ROUND_TRIPS_PER_FRAME },
      apps: results,
      // Filled in by the serial link's bench: the same frames over a real (pty/qemu) link.
      link: null,
    };
  } finally {
    rmSync(kvDir, { recursive: true, force: true });
  }
}

module.exports = { measureSerialBytes };
