/**
 * Start-up: from spawning `node bridge/dist/cli.js` to the first `P/display/frame` on the broker
 * (clock app installed), and to the first frame the app drew. Baseline: spawning a bare Node
 * script that loads mqtt.js, connects to the same broker and publishes one 6144-byte frame.
 * Also the default run, as `npm start` on a first run does it: no config file, a fresh HOME, the
 * embedded broker, the example apps installed into ~/.megabit/apps before the first frame; its
 * phases as the bridge logs them at debug level (its "start-up (ms)" line); and `npm start` itself,
 * typed in the repository on a tree that is already built (its build finds nothing to do).
 */
import { type ChildProcess, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OPTIMIZER_DELAY_MS } from 'megabit-bridge';
import { connect as mqttConnect, connectAsync, type MqttClient } from 'mqtt';
import { startBridge } from './lib/bridge';
import { type Broker, runSectionAlone } from './lib/mosquitto';
import { BENCH_DIR, BRIDGE_CLI, ROOT } from './lib/paths';
import { delay, freePort, start, stop, waitFor } from './lib/processes';
import { median, ratio } from './lib/stats';
import { printStartup } from './table';

/** Issue 3: `npm start` reaches the first frame on P/display/frame within 2 s of start. */
const DEFAULT_RUN_GOAL_MS = 2000;
/** Issue 20: `npm start` on a built tree reaches the first frame within 1.5 s, */
const NPM_START_GOAL_MS = 1500;
/** and the bridge within 1.5 times the bare Node + mqtt.js baseline. */
const BRIDGE_GOAL_RATIO = 1.5;
/** The phases the table shows, in start order (the bridge logs every part; the rest are summed as "other parts"). */
export const SHOWN_PHASES = ['node', 'module load', 'settings', 'port check', 'build parts', 'broker', 'device', 'mqtt connect', 'http'] as const;
export const MOMENTS = ['first compose', 'first frame', 'first drawn frame'] as const;

const BARE_PUBLISHER = `
const mqtt = require('mqtt');
const [url, topic] = process.argv.slice(1);
const c = mqtt.connect(url, { protocolVersion: 4 });
c.on('connect', () => c.publish(topic, Buffer.alloc(6144), { retain: false }, () => c.end()));
`;

export interface DefaultRunResult {
  runs: number;
  apps_installed: number;
  first_frame_ms_median: number | null;
  first_frame_ms_max: number;
  first_drawn_frame_ms_median: number | null;
  ratio: number | null;
  goal_ms: number;
  goal_met: boolean;
  /** Issue 20's goal for the same figure: the median within this many times the bare baseline. */
  ratio_goal: number;
  ratio_goal_met: boolean;
  /** Median ms of each phase (durations) and moment (since the process started) the bridge logged; "other parts" sums the parts not shown. */
  phases: Record<string, number | null>;
}

/** `npm start` as typed, on a tree already built: the same first run as the default run, plus npm and the build check. */
export interface NpmStartResult {
  runs: number;
  first_frame_ms_median: number | null;
  first_frame_ms_max: number;
  ratio: number | null;
  goal_ms: number;
  goal_met: boolean;
}

export interface StartupResult {
  runs: number;
  default_run: DefaultRunResult;
  npm_start: NpmStartResult;
  bridge_goal_ratio: number;
  bridge_goal_met: boolean;
  bridge_ms_median: number | null;
  bridge_ms_max: number;
  bridge_first_drawn_frame_ms_median: number | null;
  baseline_ms_median: number | null;
  ratio: number | null;
}

export interface Spawned {
  startedAt: number;
  dispose(): Promise<void>;
}

/**
 * Spawns via `spawnIt`; resolves with ms from spawn to the first message on `topic` and to the
 * first one whose payload satisfies `lit` (null when no such one came). Also used by arm.ts.
 */
export async function timeToFirstMessage(
  client: MqttClient,
  topic: string,
  spawnIt: () => Promise<Spawned>,
  lit: (payload: Buffer) => boolean = () => true,
  timeoutMs = 30_000,
): Promise<{ first: number; lit: number }> {
  await client.subscribeAsync(topic, { qos: 0 });
  let first: number | undefined;
  let firstLit: number | undefined;
  const arrived = new Promise<void>((resolve) => {
    const onMessage = (t: string, payload: Buffer): void => {
      if (t !== topic) return;
      first ??= performance.now();
      if (!lit(payload)) return;
      firstLit = performance.now();
      client.off('message', onMessage);
      resolve();
    };
    client.on('message', onMessage);
  });
  const { startedAt, dispose } = await spawnIt();
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no message on ${topic} within ${timeoutMs} ms`)), timeoutMs);
    });
    await Promise.race([arrived, timeout]);
    return { first: first! - startedAt, lit: firstLit! - startedAt };
  } finally {
    clearTimeout(timer);
    await client.unsubscribeAsync(topic);
    await dispose();
  }
}

/** A ratio to the baseline within its goal; a missing one (no baseline) is not. */
function ratioWithin(r: number | null, goal: number): boolean {
  return r !== null && r <= goal;
}

export const isLit = (frame: Buffer): boolean => frame.some((byte) => byte !== 0);

/** The phases and moments of the bridge's "start-up (ms)" line (logged at debug level), or undefined. */
export function startupPhases(output: string): Record<string, number> | undefined {
  const match = /start-up \(ms\): (\{.*\})$/m.exec(output);
  return match ? (JSON.parse(match[1]) as Record<string, number>) : undefined;
}

/** Stops `npm start` and what it started (npm, its shell, the bridge): the whole process group it leads. */
async function stopGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  process.kill(-child.pid!, 'SIGTERM');
  const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

interface FirstRun {
  first: number;
  lit: number;
  appsInstalled: number;
  phases?: Record<string, number>;
}

/**
 * One first run of `command` from the repository root, HOME a new empty folder: the default run
 * (`node bridge/dist/cli.js`, no arguments) or `npm start`. Only the ports move
 * (MEGABIT_BROKER_PORT, MEGABIT_BROKER_WS_PORT, MEGABIT_HTTP_PORT): 1883, 8083 or 8000 may be
 * taken on the bench machine. The bridge's own broker exists only once the bridge runs, so the
 * client retries every 10 ms from the spawn on; the frame topic is retained, so a frame published
 * before the subscription still arrives, and the figure is then an upper bound on when it was
 * published. `debug`: log at debug level, for the phases.
 */
async function firstRunOnce(command: string, args: string[], { debug = false, group = false } = {}): Promise<FirstRun> {
  const home = mkdtempSync(join(tmpdir(), 'megabit-bench-home-'));
  const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('MEGABIT_')));
  const brokerPort = await freePort();
  Object.assign(env, {
    HOME: home,
    MEGABIT_BROKER_PORT: String(brokerPort),
    MEGABIT_BROKER_WS_PORT: String(await freePort()),
    MEGABIT_HTTP_PORT: String(await freePort()),
    ...(debug ? { MEGABIT_LOG_LEVEL: 'debug' } : {}),
  });
  const topic = 'megabit/megabit/display/frame';
  const startedAt = performance.now();
  // npm start runs npm, a shell and the bridge: in a group of their own, stopped together.
  const proc = start(command, args, { cwd: ROOT, env, detached: group });
  const client = mqttConnect(`mqtt://127.0.0.1:${brokerPort}`, { protocolVersion: 4, reconnectPeriod: 10, connectTimeout: 5000 });
  // Refused connections until the broker listens: expected, retried.
  client.on('error', () => undefined);
  client.on('connect', () => client.subscribe(topic, { qos: 0 }));
  let first: number | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    const lit = await new Promise<number>((resolveLit, reject) => {
      timer = setTimeout(() => reject(new Error(`${command}: no drawn frame on ${topic} within 30 s:\n${proc.output()}`)), 30_000);
      proc.child.once('exit', (code) => reject(new Error(`${command}: the bridge exited (${code}):\n${proc.output()}`)));
      client.on('message', (t, payload) => {
        if (t !== topic) return;
        first ??= performance.now() - startedAt;
        if (isLit(payload)) resolveLit(performance.now() - startedAt);
      });
    });
    const appsInstalled = readdirSync(join(home, '.megabit', 'apps')).filter((name) => !name.startsWith('.')).length;
    // The phases line comes once the first drawn frame is in: by now, or within a moment. A bridge
    // built before it logged them (a comparison with an older tree) has none: its rows stay empty.
    if (debug) await waitFor(() => startupPhases(proc.output()) !== undefined, 'the "start-up (ms)" line', 5000).catch(() => undefined);
    return { first: first!, lit, appsInstalled, phases: startupPhases(proc.output()) };
  } finally {
    clearTimeout(timer);
    client.end(true);
    await (group ? stopGroup(proc.child) : stop(proc.child));
    rmSync(home, { recursive: true, force: true });
  }
}

/** Median of each shown phase and moment over the runs; the parts not shown summed into "other parts". */
function medianPhases(runs: ReadonlyArray<Record<string, number>>): Record<string, number | null> {
  const shown = new Set<string>([...SHOWN_PHASES, ...MOMENTS]);
  const other = runs.map((r) => Object.entries(r).reduce((sum, [name, ms]) => (shown.has(name) ? sum : sum + ms), 0));
  const out: Record<string, number | null> = {};
  for (const name of [...SHOWN_PHASES, ...MOMENTS]) out[name] = median(runs.map((r) => r[name]).filter((ms) => ms !== undefined));
  out['other parts'] = median(other);
  return out;
}

/** The default run `runs` times, each a first run; the goal holds when every run makes it. */
async function measureDefaultRun(runs: number, baselineMs: number | null): Promise<DefaultRunResult> {
  const first: number[] = [];
  const lit: number[] = [];
  const apps: number[] = [];
  const phases: Array<Record<string, number>> = [];
  for (let run = 0; run < runs; run++) {
    const times = await firstRunOnce(process.execPath, [BRIDGE_CLI], { debug: true });
    first.push(times.first);
    lit.push(times.lit);
    apps.push(times.appsInstalled);
    if (times.phases) phases.push(times.phases);
  }
  return {
    runs,
    apps_installed: Math.min(...apps),
    first_frame_ms_median: median(first),
    first_frame_ms_max: Math.max(...first),
    first_drawn_frame_ms_median: median(lit),
    ratio: ratio(median(first), baselineMs),
    goal_ms: DEFAULT_RUN_GOAL_MS,
    goal_met: Math.max(...first) <= DEFAULT_RUN_GOAL_MS,
    ratio_goal: BRIDGE_GOAL_RATIO,
    ratio_goal_met: ratioWithin(ratio(median(first), baselineMs), BRIDGE_GOAL_RATIO),
    phases: medianPhases(phases),
  };
}

/**
 * `npm start` as a user types it, `runs` times, on the tree as built (`npm run bench` builds it
 * first, which stamps every step): each a first run like the default run. The goal holds when
 * every run makes it.
 */
async function measureNpmStart(runs: number, baselineMs: number | null): Promise<NpmStartResult> {
  // Untimed: what a user's tree is after a build. Run on its own, the bench may follow an edit.
  const built = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.js'), '--changed'], { cwd: ROOT, stdio: 'inherit' });
  if (built.status !== 0) throw new Error('npm start: the build of what changed failed');
  const first: number[] = [];
  for (let run = 0; run < runs; run++) first.push((await firstRunOnce('npm', ['start'], { group: true })).first);
  return {
    runs,
    first_frame_ms_median: median(first),
    first_frame_ms_max: Math.max(...first),
    ratio: ratio(median(first), baselineMs),
    goal_ms: NPM_START_GOAL_MS,
    goal_met: Math.max(...first) <= NPM_START_GOAL_MS,
  };
}

export async function measureStartup(broker: Broker, { runs = 5 } = {}): Promise<StartupResult> {
  const client = await connectAsync(broker.url, { protocolVersion: 4, reconnectPeriod: 0 });
  try {
    // One start first, run past the moment its code cache is written: the timed starts below are
    // a user's every start after the first, with the cache (docs/performance.md, section 5).
    const warmUpId = `bench-start-${process.pid}-warm-up`;
    const warmUp = await startBridge({ mqttUrl: broker.url, deviceId: warmUpId, apps: ['clock'] });
    await delay(OPTIMIZER_DELAY_MS + 1000);
    await warmUp.dispose();
    await client.publishAsync(`megabit/${warmUpId}/display/frame`, '', { retain: true });
    const bare: number[] = [];
    const bridge: number[] = [];
    const bridgeLit: number[] = [];
    for (let run = 0; run < runs; run++) {
      // A device id per run: no retained frame of an earlier run can answer for this one.
      const deviceId = `bench-start-${process.pid}-${run}`;
      const topic = `megabit/${deviceId}/display/frame`;
      const times = await timeToFirstMessage(
        client,
        topic,
        async () => {
          const b = await startBridge({ mqttUrl: broker.url, deviceId, apps: ['clock'], waitReady: false });
          return { startedAt: b.startedAt, dispose: () => b.dispose() };
        },
        isLit,
      );
      bridge.push(times.first);
      bridgeLit.push(times.lit);
      // The bridge left its frame retained: clear it so the broker stays small.
      await client.publishAsync(topic, '', { retain: true });
      const bareTopic = `megabit-bench/bare-${run}`;
      bare.push(
        (
          await timeToFirstMessage(client, bareTopic, async () => {
            const startedAt = performance.now();
            // From the bench folder, so that `require('mqtt')` finds the repository's mqtt.js.
            const p = start(process.execPath, ['-e', BARE_PUBLISHER, broker.url, bareTopic], { cwd: BENCH_DIR });
            return { startedAt, dispose: () => stop(p.child) };
          })
        ).first,
      );
    }
    const defaultRun = await measureDefaultRun(runs, median(bare));
    const npmStart = await measureNpmStart(runs, median(bare));
    const bridgeRatio = ratio(median(bridge), median(bare));
    return {
      runs,
      default_run: defaultRun,
      npm_start: npmStart,
      bridge_goal_ratio: BRIDGE_GOAL_RATIO,
      bridge_goal_met: ratioWithin(bridgeRatio, BRIDGE_GOAL_RATIO),
      bridge_ms_median: median(bridge),
      bridge_ms_max: Math.max(...bridge),
      // The first frame is the compositor's blank one; this is the first the clock app drew.
      bridge_first_drawn_frame_ms_median: median(bridgeLit),
      baseline_ms_median: median(bare),
      ratio: ratio(median(bridge), median(bare)),
    };
  } finally {
    await client.endAsync(true);
  }
}

// `node bench/dist/startup.js` measures only this (needs mosquitto and the built tree).
if (require.main === module) {
  runSectionAlone((broker) => measureStartup(broker, { runs: Number(process.env.BENCH_STARTUP_RUNS ?? 5) }), printStartup);
}
