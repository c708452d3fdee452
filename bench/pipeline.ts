'use strict';
/**
 * Frame pipeline capacity, in this process with the bridge's own code: each example app in the
 * real sandbox (a worker thread per app, bridge/dist/sandbox) → the compositor (which drops
 * frames equal to the last, bridge/dist/display) → the serial link's encoder
 * (bridge/dist/serial/frame-sync and frame-encoder: the changed rectangles against what the
 * device holds, raw or RLE, cut into packets) → the wire bytes (COBS, CRC: encodeMessage).
 * Frames per second unthrottled, and CPU time per frame at 30 fps, each the median of several
 * short runs taken in rounds across all apps; the baseline is a plasma drawn in plain JavaScript
 * into the same pipeline (lib/js-plasma.js).
 */
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { Compositor } = require('../bridge/dist/display');
const { FrameSync } = require('../bridge/dist/serial/frame-sync');
const { MAX_PACKET, encodeMessage } = require('../bridge/dist/serial/protocol');
const { startExample } = require('./lib/examples');
const { createJsPlasma } = require('./lib/js-plasma');
const { delay } = require('./lib/processes');
const { median, ratio } = require('./lib/stats');

const quiet = { debug() {}, info() {}, warn() {}, error() {}, child() { return quiet; } };

/**
 * The compositor and the serial encoder as the bridge runs them, minus the frame-rate cap (the
 * compositor's clock jumps a second at every look, so every frame is composed at once) and minus
 * the link (every packet is taken at once, as by a link with room to spare).
 */
function createPipeline() {
  let t = 0;
  let wireBytes = 0;
  const link = {
    queued: 0,
    send(message) {
      wireBytes += encodeMessage(message).length;
      return true;
    },
  };
  const sync = new FrameSync(() => undefined);
  const output = {
    name: 'bench',
    async start() {},
    async stop() {},
    setPower() {},
    setBrightness() {},
    showFrame(frame) {
      sync.show(frame);
      sync.pump(link, MAX_PACKET);
    },
  };
  const clock = { now: () => (t += 1000), setTimeout: (cb, ms) => setTimeout(cb, ms), clearTimeout: (h) => clearTimeout(h) };
  const compositor = new Compositor([output], { clock, log: quiet });
  compositor.start();
  return {
    push: (frame) => compositor.setAppFrame(frame),
    get framesEncoded() {
      return sync.framesSent;
    },
    get wireBytes() {
      return wireBytes;
    },
    stop: () => compositor.stop(),
  };
}

/** `tick` (one frame's work, returns the frame or null) back to back for `ms`: ticks per second. */
async function unthrottledRun(tick, pipeline, ms) {
  let ticks = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < ms) {
    const frame = await tick();
    ticks++;
    if (frame) pipeline.push(frame);
  }
  return ticks / ((performance.now() - t0) / 1000);
}

/** `tick` 30 times a second for `ms`, as the scheduler ticks a 33 ms app: CPU ms per tick of this whole process (all threads). */
async function pacedRun(tick, pipeline, ms) {
  let ticks = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  while (performance.now() - t0 < ms) {
    const wait = t0 + (ticks * 1000) / 30 - performance.now();
    if (wait > 0) await delay(wait);
    const frame = await tick();
    ticks++;
    if (frame) pipeline.push(frame);
  }
  const cpu = process.cpuUsage(cpu0);
  return (cpu.user + cpu.system) / 1000 / ticks;
}

/**
 * Every subject (name, tick) measured in `rounds` rounds, one run of each kind per subject per
 * round, so that a change in the machine's load hits all of them alike.
 */
async function measureAll(subjects, { rounds, unthrottledMs, pacedMs }) {
  const state = subjects.map((s) => ({ ...s, pipeline: createPipeline(), fps: [], cpu: [] }));
  try {
    for (const s of state) for (let i = 0; i < 10; i++) await s.tick(); // warm-up: compilation, first allocations
    for (let round = 0; round < rounds; round++) {
      for (const s of state) s.fps.push(await unthrottledRun(s.tick, s.pipeline, unthrottledMs));
      for (const s of state) s.cpu.push(await pacedRun(s.tick, s.pipeline, pacedMs));
    }
    return state.map((s) => ({
      name: s.name,
      runs: rounds,
      unthrottled_fps: median(s.fps),
      unthrottled_fps_min: Math.min(...s.fps),
      unthrottled_fps_max: Math.max(...s.fps),
      cpu_ms_per_frame_at_30fps: median(s.cpu),
      frames_encoded: s.pipeline.framesEncoded,
      wire_bytes_per_frame_encoded: s.pipeline.framesEncoded > 0 ? s.pipeline.wireBytes / s.pipeline.framesEncoded : null,
    }));
  } finally {
    for (const s of state) s.pipeline.stop();
  }
}

async function measurePipeline(apps, { rounds = 5, unthrottledMs = 400, pacedMs = 600 } = {}) {
  const kvDir = mkdtempSync(join(tmpdir(), 'megabit-bench-kv-'));
  const running = [];
  try {
    for (const id of apps) running.push({ id, app: (await startExample(id, kvDir)).app });
    const plasma = createJsPlasma();
    const subjects = [
      { name: 'baseline', tick: async () => plasma.render() },
      ...running.map(({ id, app }) => ({ name: id, tick: () => app.run() })),
    ];
    const [baseline, ...measured] = await measureAll(subjects, { rounds, unthrottledMs, pacedMs });
    const { name: _baseline, ...baselineFigures } = baseline;
    return {
      rounds,
      unthrottled_ms_per_run: unthrottledMs,
      paced_ms_per_run: pacedMs,
      baseline: { app: 'js-plasma (plain JS, in-process)', ...baselineFigures },
      apps: measured.map(({ name, ...m }) => ({
        app: name,
        ...m,
        fps_ratio_to_baseline: ratio(m.unthrottled_fps, baseline.unthrottled_fps),
        cpu_ratio_to_baseline: ratio(m.cpu_ms_per_frame_at_30fps, baseline.cpu_ms_per_frame_at_30fps),
      })),
    };
  } finally {
    for (const { app } of running) await app.close();
    rmSync(kvDir, { recursive: true, force: true });
  }
}

module.exports = { measurePipeline };
