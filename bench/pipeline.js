'use strict';
/**
 * Frame pipeline capacity, in this process with the bridge's own code: each example app in the
 * real sandbox (a worker thread per app, bridge/dist/sandbox) → the compositor → the frame diff
 * (bridge/dist/display). Frames per second unthrottled, and CPU time per frame at 30 fps; the
 * baseline is a plasma drawn in plain JavaScript into the same pipeline (lib/js-plasma.js).
 */
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { Compositor, changedRects } = require('../bridge/dist/display');
const { startExample } = require('./lib/examples');
const { createJsPlasma } = require('./lib/js-plasma');
const { delay } = require('./lib/processes');
const { ratio } = require('./lib/stats');

const quiet = { debug() {}, info() {}, warn() {}, error() {}, child() { return quiet; } };

/**
 * The compositor and diff as the bridge runs them, minus the frame-rate cap: its clock jumps a
 * second at every look, so every frame is composed at once.
 */
function createPipeline() {
  let t = 0;
  let previous;
  let frames = 0;
  let changedPixels = 0;
  const output = {
    name: 'bench',
    async start() {},
    async stop() {},
    setPower() {},
    setBrightness() {},
    showFrame(frame) {
      if (previous) for (const r of changedRects(previous, frame)) changedPixels += r.width * r.height;
      previous = frame;
      frames++;
    },
  };
  const clock = { now: () => (t += 1000), setTimeout: (cb, ms) => setTimeout(cb, ms), clearTimeout: (h) => clearTimeout(h) };
  const compositor = new Compositor([output], { clock, log: quiet });
  compositor.start();
  return {
    push: (frame) => compositor.setAppFrame(frame),
    get frames() {
      return frames;
    },
    get changedPixels() {
      return changedPixels;
    },
    stop: () => compositor.stop(),
  };
}

/** Runs `tick` (one frame's work, returns the frame or null) unthrottled, then at 30 fps. */
async function measure(tick, { unthrottledMs, pacedMs }) {
  for (let i = 0; i < 10; i++) await tick(); // warm-up: compilation, first allocations
  const pipeline = createPipeline();
  let ticks = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < unthrottledMs) {
    const frame = await tick();
    ticks++;
    if (frame) pipeline.push(frame);
  }
  const fps = ticks / ((performance.now() - t0) / 1000);

  // 30 fps, as the scheduler would tick a 33 ms app: CPU of this whole process (all threads).
  let paced = 0;
  const cpu0 = process.cpuUsage();
  const p0 = performance.now();
  while (performance.now() - p0 < pacedMs) {
    const due = p0 + (paced * 1000) / 30;
    const wait = due - performance.now();
    if (wait > 0) await delay(wait);
    const frame = await tick();
    paced++;
    if (frame) pipeline.push(frame);
  }
  const cpu = process.cpuUsage(cpu0);
  pipeline.stop();
  return {
    unthrottled_fps: fps,
    cpu_ms_per_frame_at_30fps: (cpu.user + cpu.system) / 1000 / paced,
    frames_composed: pipeline.frames,
  };
}

async function measurePipeline(apps, { unthrottledMs = 1500, pacedMs = 2000 } = {}) {
  const kvDir = mkdtempSync(join(tmpdir(), 'megabit-bench-kv-'));
  try {
    const plasma = createJsPlasma();
    const baseline = await measure(async () => plasma.render(), { unthrottledMs, pacedMs });
    const results = [];
    for (const id of apps) {
      const { app } = await startExample(id, kvDir);
      try {
        const m = await measure(() => app.run(), { unthrottledMs, pacedMs });
        results.push({
          app: id,
          ...m,
          fps_ratio_to_baseline: ratio(m.unthrottled_fps, baseline.unthrottled_fps),
          cpu_ratio_to_baseline: ratio(m.cpu_ms_per_frame_at_30fps, baseline.cpu_ms_per_frame_at_30fps),
        });
      } finally {
        await app.close();
      }
    }
    return { baseline: { app: 'js-plasma (plain JS, in-process)', ...baseline }, apps: results };
  } finally {
    rmSync(kvDir, { recursive: true, force: true });
  }
}

module.exports = { measurePipeline };
