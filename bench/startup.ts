/**
 * Start-up: from spawning `node bridge/dist/cli.js` to the first `P/display/frame` on the broker
 * (clock app installed), and to the first frame the app drew. Baseline: spawning a bare Node
 * script that loads mqtt.js, connects to the same broker and publishes one 6144-byte frame.
 * Also the default run, as `npm start` on a first run does it: no config file, a fresh HOME, the
 * embedded broker, the example apps installed into ~/.megabit/apps before the first frame.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as mqttConnect, connectAsync, type MqttClient } from 'mqtt';
import { startBridge } from './lib/bridge';
import type { Broker } from './lib/mosquitto';
import { BENCH_DIR, BRIDGE_CLI, ROOT } from './lib/paths';
import { freePort, start, stop } from './lib/processes';
import { median, ratio } from './lib/stats';

/** Issue 3: `npm start` reaches the first frame on P/display/frame within 2 s of start. */
const DEFAULT_RUN_GOAL_MS = 2000;

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
}

export interface StartupResult {
  runs: number;
  default_run: DefaultRunResult;
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

export const isLit = (frame: Buffer): boolean => frame.some((byte) => byte !== 0);

/**
 * One default run: `node bridge/dist/cli.js` from the repository root with no arguments and
 * HOME a new empty folder. Only the ports move (MEGABIT_BROKER_PORT, MEGABIT_BROKER_WS_PORT,
 * MEGABIT_HTTP_PORT): 1883, 8083 or 8000 may be taken on the bench machine. The bridge's own
 * broker exists only once the bridge runs, so the client retries every 10 ms from the spawn on;
 * the frame topic is retained, so a frame published before the subscription still arrives, and
 * the figure is then an upper bound on when it was published.
 */
async function defaultRunOnce(): Promise<{ first: number; lit: number; appsInstalled: number }> {
  const home = mkdtempSync(join(tmpdir(), 'megabit-bench-home-'));
  const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('MEGABIT_')));
  const brokerPort = await freePort();
  Object.assign(env, {
    HOME: home,
    MEGABIT_BROKER_PORT: String(brokerPort),
    MEGABIT_BROKER_WS_PORT: String(await freePort()),
    MEGABIT_HTTP_PORT: String(await freePort()),
  });
  const topic = 'megabit/megabit/display/frame';
  const startedAt = performance.now();
  const proc = start(process.execPath, [BRIDGE_CLI], { cwd: ROOT, env });
  const client = mqttConnect(`mqtt://127.0.0.1:${brokerPort}`, { protocolVersion: 4, reconnectPeriod: 10, connectTimeout: 5000 });
  // Refused connections until the broker listens: expected, retried.
  client.on('error', () => undefined);
  client.on('connect', () => client.subscribe(topic, { qos: 0 }));
  let first: number | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    const lit = await new Promise<number>((resolveLit, reject) => {
      timer = setTimeout(() => reject(new Error(`default run: no drawn frame on ${topic} within 30 s:\n${proc.output()}`)), 30_000);
      proc.child.once('exit', (code) => reject(new Error(`default run: the bridge exited (${code}):\n${proc.output()}`)));
      client.on('message', (t, payload) => {
        if (t !== topic) return;
        first ??= performance.now() - startedAt;
        if (isLit(payload)) resolveLit(performance.now() - startedAt);
      });
    });
    return { first: first!, lit, appsInstalled: readdirSync(join(home, '.megabit', 'apps')).filter((name) => !name.startsWith('.')).length };
  } finally {
    clearTimeout(timer);
    client.end(true);
    await stop(proc.child);
    rmSync(home, { recursive: true, force: true });
  }
}

/** The default run `runs` times, each a first run; the goal holds when every run makes it. */
async function measureDefaultRun(runs: number, baselineMs: number | null): Promise<DefaultRunResult> {
  const first: number[] = [];
  const lit: number[] = [];
  const apps: number[] = [];
  for (let run = 0; run < runs; run++) {
    const times = await defaultRunOnce();
    first.push(times.first);
    lit.push(times.lit);
    apps.push(times.appsInstalled);
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
  };
}

export async function measureStartup(broker: Broker, { runs = 5 } = {}): Promise<StartupResult> {
  const client = await connectAsync(broker.url, { protocolVersion: 4, reconnectPeriod: 0 });
  try {
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
    return {
      runs,
      default_run: defaultRun,
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
