/**
 * Frame pipeline capacity, in this process with the bridge's own code: each example app in the
 * real sandbox (a worker thread per app) → the compositor (which drops frames equal to the last)
 * → the serial link's encoder (the frame sync: the changed rectangles against what the device
 * holds, raw or RLE, cut into packets) → the wire bytes (COBS, CRC: encodeMessage), all from
 * the bridge's public API (megabit-bridge). Frames per second unthrottled, and CPU time per
 * frame at 30 fps, each the median of several short runs taken in rounds across all apps; the
 * baseline is a plasma drawn in plain JavaScript into the same pipeline (lib/js-plasma.ts). The
 * apps are played as the scheduler plays them (AppInstance.play: their worker keeps the time),
 * back to back (period 0) and at 30 ticks a second.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AppInstance,
  Compositor,
  type CompositorOptions,
  type DisplayOutput,
  encodeMessage,
  FrameSync,
  MAX_PACKET,
  type MessageSink,
} from 'megabit-bridge';
import { EMULATED_LIMITS, startExample } from './lib/examples';
import { createJsPlasma } from './lib/js-plasma';
import { delay } from './lib/processes';
import { quiet } from './lib/quiet';
import { median, ratio } from './lib/stats';

type Tick = () => Promise<Uint8Array | null>;

/** One subject's two measurements; each takes its whole window and leaves the subject idle. */
interface Subject {
  name: string;
  warmUp(): Promise<void>;
  /** Ticks back to back for `ms`: ticks per second. */
  unthrottled(pipeline: Pipeline, ms: number): Promise<number>;
  /** Ticks 30 times a second for `ms`: CPU ms per tick of this whole process (all threads). */
  paced(pipeline: Pipeline, ms: number): Promise<number>;
}

const PACED_PERIOD_MS = 1000 / 30;
/** Between its windows an app is played at this period: it ticks once and then rests. */
const PARKED_PERIOD_MS = 3_600_000;

/** Issue 20's goal: the plasma example through the sandbox at least as many frames/s as the JS baseline. */
export const PLASMA_FPS_GOAL_RATIO = 1.0;
const GOAL_APP = 'plasma';

interface Pipeline {
  push(frame: Uint8Array): void;
  readonly framesEncoded: number;
  readonly wireBytes: number;
  stop(): void;
}

export interface PipelineFigures {
  runs: number;
  unthrottled_fps: number | null;
  unthrottled_fps_min: number;
  unthrottled_fps_max: number;
  cpu_ms_per_frame_at_30fps: number | null;
  frames_encoded: number;
  wire_bytes_per_frame_encoded: number | null;
}

export interface PipelineResult {
  rounds: number;
  unthrottled_ms_per_run: number;
  paced_ms_per_run: number;
  baseline: { app: string } & PipelineFigures;
  apps: Array<
    {
      app: string;
      fps_ratio_to_baseline: number | null;
      cpu_ratio_to_baseline: number | null;
      /** The goal for fps_ratio_to_baseline (plasma only), and whether this run met it. */
      goal_fps_ratio: number | null;
      goal_met: boolean | null;
    } & PipelineFigures
  >;
}

/**
 * The compositor and the serial encoder as the bridge runs them, minus the frame-rate cap (the
 * compositor's clock jumps a second at every look, so every frame is composed at once) and minus
 * the link (every packet is taken at once, as by a link with room to spare).
 */
function createPipeline(): Pipeline {
  let t = 0;
  let wireBytes = 0;
  const link: MessageSink = {
    queued: 0,
    send(message) {
      wireBytes += encodeMessage(message).length;
      return true;
    },
  };
  const sync = new FrameSync(() => undefined);
  const output: DisplayOutput = {
    name: 'bench',
    async start() {},
    async stop() {},
    showFrame(frame) {
      sync.show(frame);
      sync.pump(link, MAX_PACKET);
    },
  };
  const clock: CompositorOptions['clock'] = {
    now: () => (t += 1000),
    setTimeout: (cb, ms) => setTimeout(cb, ms),
    clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
    atTurnEnd: (cb) => void setImmediate(cb),
  };
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
async function unthrottledRun(tick: Tick, pipeline: Pipeline, ms: number): Promise<number> {
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
async function pacedRun(tick: Tick, pipeline: Pipeline, ms: number): Promise<number> {
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

/** A subject ticked by this thread (the JavaScript baseline). */
function tickedSubject(name: string, tick: Tick): Subject {
  return {
    name,
    warmUp: async () => {
      for (let i = 0; i < 10; i++) await tick(); // compilation, first allocations
    },
    unthrottled: (pipeline, ms) => unthrottledRun(tick, pipeline, ms),
    paced: (pipeline, ms) => pacedRun(tick, pipeline, ms),
  };
}

/** An app in the sandbox, played as the scheduler plays it. */
function playedSubject(name: string, app: AppInstance): Subject {
  return {
    name,
    warmUp: async () => {
      for (let i = 0; i < 10; i++) await app.run(); // before the first play(): run() is for apps not playing
    },
    unthrottled: async (pipeline, ms) => {
      const { ticks, wallMs } = await played(app, 0, pipeline, ms);
      return ticks / (wallMs / 1000);
    },
    paced: async (pipeline, ms) => {
      const { ticks, cpuMs } = await played(app, PACED_PERIOD_MS, pipeline, ms);
      return cpuMs / ticks;
    },
  };
}

/** `app` played at `periodMs` until `ms` have passed, every frame into the pipeline; then parked. */
function played(app: AppInstance, periodMs: number, pipeline: Pipeline, ms: number): Promise<{ ticks: number; wallMs: number; cpuMs: number }> {
  return new Promise((resolve, reject) => {
    let ticks = 0;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    app.play(periodMs, {
      ran(frame) {
        ticks++;
        if (frame) pipeline.push(frame);
        const wallMs = performance.now() - t0;
        if (wallMs < ms) return;
        const cpu = process.cpuUsage(cpu0);
        const figures = { ticks, wallMs, cpuMs: (cpu.user + cpu.system) / 1000 };
        // Resting, so that it takes no CPU from the next subject's window: parking ticks once
        // (a reaction), and the window ends when that tick is over.
        app.play(PARKED_PERIOD_MS, { ran: (_frame, parked) => parked && resolve(figures), failed: reject });
      },
      failed: reject,
    });
  });
}

/**
 * Every subject measured in `rounds` rounds, one run of each kind per subject per round, so that
 * a change in the machine's load hits all of them alike.
 */
async function measureAll(
  subjects: Subject[],
  { rounds, unthrottledMs, pacedMs }: { rounds: number; unthrottledMs: number; pacedMs: number },
): Promise<Array<{ name: string } & PipelineFigures>> {
  const state = subjects.map((s) => ({ ...s, pipeline: createPipeline(), fps: [] as number[], cpu: [] as number[] }));
  try {
    for (const s of state) await s.warmUp();
    for (let round = 0; round < rounds; round++) {
      for (const s of state) s.fps.push(await s.unthrottled(s.pipeline, unthrottledMs));
      for (const s of state) s.cpu.push(await s.paced(s.pipeline, pacedMs));
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

/** `emulated`: the apps get the time budgets of an emulated CPU (bench/arm.ts runs this under qemu-user). */
export async function measurePipeline(apps: string[], { rounds = 5, unthrottledMs = 400, pacedMs = 600, emulated = false } = {}): Promise<PipelineResult> {
  const kvDir = mkdtempSync(join(tmpdir(), 'megabit-bench-kv-'));
  const running: Array<{ id: string; app: AppInstance }> = [];
  try {
    for (const id of apps) running.push({ id, app: (await startExample(id, kvDir, emulated ? EMULATED_LIMITS : undefined)).app });
    const plasma = createJsPlasma();
    const subjects = [tickedSubject('baseline', async () => plasma.render()), ...running.map(({ id, app }) => playedSubject(id, app))];
    const [baseline, ...measured] = await measureAll(subjects, { rounds, unthrottledMs, pacedMs });
    const { name: _baseline, ...baselineFigures } = baseline;
    return {
      rounds,
      unthrottled_ms_per_run: unthrottledMs,
      paced_ms_per_run: pacedMs,
      baseline: { app: 'js-plasma (plain JS, in-process)', ...baselineFigures },
      apps: measured.map(({ name, ...m }) => {
        const fpsRatio = ratio(m.unthrottled_fps, baseline.unthrottled_fps);
        const goal = name === GOAL_APP ? PLASMA_FPS_GOAL_RATIO : null;
        return {
          app: name,
          ...m,
          fps_ratio_to_baseline: fpsRatio,
          cpu_ratio_to_baseline: ratio(m.cpu_ms_per_frame_at_30fps, baseline.cpu_ms_per_frame_at_30fps),
          goal_fps_ratio: goal,
          goal_met: goal === null || fpsRatio === null ? null : fpsRatio >= goal,
        };
      }),
    };
  } finally {
    for (const { app } of running) await app.close();
    rmSync(kvDir, { recursive: true, force: true });
  }
}
