/**
 * Misbehaving apps in the real bridge while notifications flow: an endless loop, a trap, a memory
 * bomb, a KV flood and an app logging 10,000 lines a second, against the embedded aedes and
 * against a real mosquitto. The bridge must stay responsive, stop the app and report why in
 * P/state/apps.
 *
 * Responsive: every notification sent while the fault happens is answered, and none waits
 * STALL_MS longer than the slowest reply of the reference just before it: a main thread held by
 * the fault shows as a reply that late, while the machine's own load (a shared 2-core machine
 * once delayed a reply by a whole second in both) is in the reference too. The p99 against a reference
 * measured just before it is printed, not asserted: ratios of milliseconds are the bench's job,
 * and asserting them here made the suite flaky. How the fault is
 * kept happening through the whole measurement depends on the fault:
 * - sustained: the loop (its time budget is longer than the measurement) and the log flood (it is
 *   stopped after LOG_FLOOD_WINDOWS seconds) last the whole window, which opens when the app's
 *   first tick says the fault begins. Reference: the app's well-behaved twin showing.
 * - repeated: a trap, a memory bomb and a KV flood end the app within its first ticks, so the test
 *   brings the fault back over and over: install a fresh build (which clears the failure), show it,
 *   wait until it is marked failed and the clock is back. Starting an app (a worker, a compile)
 *   costs the bridge's 2 cores far more than the fault itself, so the reference runs the same
 *   cycle with the app's well-behaved twin (install, show it, let it tick as long as the faulty one
 *   lives, back to the clock): the ratio is then what the fault adds, not what app starts cost.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AppStatus, DeviceState } from '@megabit/contract';
import { startBridge, type RunningBridge } from '../helpers/bridge-process';
import { Mosquitto } from '../helpers/mosquitto';
import { TestClient, type Received } from '../helpers/mqtt-client';
import { delay } from '../helpers/ports';
import { KV_FLOOD_REFUSALS } from '../../src/sandbox/kv-flood';
import { LOG_FLOOD_WINDOWS } from '../../src/sandbox/log-limiter';
import { buildFaultyApp, faultyManifest, installRequest, tagged, type FaultMode } from '../helpers/fault-apps';
import { notifyLatencies } from '../helpers/latency';
import { percentile } from '../helpers/stats';

/** A reply this late means the bridge stalled; scheduling noise on a busy 2-core machine stays well under it. */
const STALL_MS = 1000;

jest.setTimeout(120_000);

/** Longer than a measurement: the looping app keeps looping through all of it. */
const RUN_TIMEOUT_MS = 4000;
const LOG_LINES_PER_SECOND = 20;
const KV_QUOTA_BYTES = 16 * 1024;
/**
 * Notifications per measurement, and their spacing: 2 s at 100 a second. Its p99 is then the
 * third-slowest reply, so one or two scheduling hiccups of a shared machine do not decide it.
 */
const SAMPLES = 200;
const INTERVAL_MS = 10;

const brokers: Array<[string, () => Promise<Mosquitto | undefined>]> = [
  ['embedded aedes', async () => undefined],
  ['mosquitto', () => Mosquitto.start()],
];

describe.each(brokers)('app faults while notifications flow, with %s', (brokerName, makeBroker) => {
  let broker: Mosquitto | undefined;
  let bridge: RunningBridge;
  let client: TestClient;
  /** Measures latency only: it records nothing but the replies it waits for. */
  let timer: TestClient;
  let wasm: Uint8Array;
  let build = 0;
  const P = (path: string): string => `megabit/megabit/${path}`;

  beforeAll(async () => {
    wasm = await buildFaultyApp();
    broker = await makeBroker();
    bridge = await startBridge({
      mqttUrl: broker?.url,
      apps: ['clock'],
      settings: {
        rotation: { enabled: false },
        homeassistant: { enabled: false },
        sandbox: { run_timeout_ms: RUN_TIMEOUT_MS, log_lines_per_second: LOG_LINES_PER_SECOND, default_kv_bytes: KV_QUOTA_BYTES },
      },
    });
    client = await TestClient.connect(bridge.mqttUrl);
    await client.subscribe(P('#'));
    timer = await TestClient.connect(bridge.mqttUrl);
    await timer.subscribe(P('response/notify'));
  });

  afterAll(async () => {
    await timer?.close();
    await client?.close();
    await bridge?.dispose();
    await broker?.dispose();
  });

  const appStatus = (m: Received, id: string): AppStatus | undefined => (JSON.parse(m.payload.toString()) as AppStatus[]).find((a) => a.id === id);

  /**
   * Installs a fresh build of the faulty app: a distinct module, so a failed app gets a new start.
   * The status is published on change only: a failed app's turns back to ok, a healthy one's stays.
   */
  async function install(id: string, mode: FaultMode): Promise<void> {
    const since = client.messages.length;
    const wasFailed = client
      .on(P('state/apps'))
      .slice(-1)
      .some((m) => appStatus(m, id)?.status === 'failed');
    const module = tagged(wasm, `${id}-${++build}`);
    expect(await client.request('apps/install', installRequest(faultyManifest(id, mode), module))).toMatchObject({ ok: true, id });
    if (wasFailed) await client.waitFor(P('state/apps'), (m) => appStatus(m, id)?.status === 'ok', 10_000, since);
  }

  const showing = (since: number, id: string): Promise<Received> =>
    client.waitFor(P('state'), (m) => (JSON.parse(m.payload.toString()) as DeviceState).app === id, 10_000, since);

  /** Shows `id` and waits until the bridge marks it failed; returns the reason. */
  async function showUntilFailed(id: string): Promise<string> {
    const since = client.messages.length;
    expect(await client.request('app', id)).toMatchObject({ ok: true, app: id });
    const failed = await client.waitFor(P('state/apps'), (m) => appStatus(m, id)?.status === 'failed', 15_000, since);
    // The bridge puts the clock back on (another app start) before the next cycle.
    await showing(client.messages.indexOf(failed), 'clock');
    return appStatus(failed, id)!.error ?? '';
  }

  /** Waits for the app's first tick, which logs "<mode> begins". */
  const firstTick = (since: number, id: string, mode: FaultMode): Promise<Received> =>
    client.waitFor(P(`event/apps/${id}/log`), (m) => m.payload.toString().includes(`"${mode} begins"`), 10_000, since);

  /**
   * One reference cycle, the faulty one's twin: a fresh build of the well-behaved app, shown until
   * its first tick and `lifeMs` more (as long as the faulty app lives), then the clock again.
   */
  async function calmCycle(id: string, lifeMs: number): Promise<void> {
    await install(id, 'calm');
    let since = client.messages.length;
    expect(await client.request('app', id)).toMatchObject({ ok: true, app: id });
    await firstTick(since, id, 'calm');
    await delay(lifeMs);
    since = client.messages.length;
    expect(await client.request('app', 'clock')).toMatchObject({ ok: true, app: 'clock' });
    await showing(since, 'clock');
  }

  /**
   * Notification latencies while `cycle` runs over and over, at least `minCycles` times; and the
   * cycles' results. Notifications are measured in rounds of SAMPLES until that many cycles have
   * ended: how many cycles fit in one round depends on how fast the machine is (one app start can
   * outlast a round on a loaded one), so the count of cycles is what the measurement waits for, and
   * every cycle still runs while notifications flow. A cycle that fails ends the wait (the test's
   * own timeout bounds a cycle that hangs).
   */
  async function latenciesWhile<T>(cycle: () => Promise<T>, minCycles = 1): Promise<{ samples: number[]; results: T[] }> {
    let measured = false;
    let failed = false;
    const results: T[] = [];
    const repeat = async (): Promise<void> => {
      do results.push(await cycle());
      while (!measured);
    };
    const cycling = repeat();
    // Awaited below; a failure meanwhile must not count as unhandled.
    cycling.catch(() => {
      failed = true;
    });
    const samples: number[] = [];
    do samples.push(...(await notifyLatencies(timer, SAMPLES, INTERVAL_MS)));
    while (results.length < minCycles && !failed);
    measured = true;
    await cycling;
    return { samples, results };
  }

  interface FaultRun {
    id: string;
    /** The reason of every time the app was marked failed. */
    reasons: string[];
    /** Index of the first message recorded after the fault began, and when it began. */
    since: number;
    began: number;
  }

  function compare(mode: FaultMode, reference: string, normalSamples: number[], faultSamples: number[], failures: number): void {
    const normal = percentile(normalSamples, 99);
    const faulty = percentile(faultSamples, 99);
    process.stdout.write(
      `fault ${mode} (${brokerName}): notify reply p99 ${normal.toFixed(1)} ms ${reference}, ${faulty.toFixed(1)} ms ` +
        `during the fault (${(faulty / normal).toFixed(2)}x); the app failed ${failures} time(s)\n`,
    );
    expect(bridge.running).toBe(true);
    // notifyLatencies has already failed the test if any notification went unanswered.
    expect(faultSamples.length).toBeGreaterThanOrEqual(SAMPLES);
    expect(Math.max(...faultSamples)).toBeLessThan(Math.max(...normalSamples) + STALL_MS);
  }

  /** Ends a fault run: the clock is back on the display, and the failed app cannot be shown. */
  async function expectLeftRotation(id: string, failedAt: number): Promise<void> {
    await showing(failedAt, 'clock');
    expect(await client.request('app', id)).toMatchObject({ ok: false, error: { code: 'app_failed' } });
  }

  /**
   * A fault that lasts: the reference with the well-behaved twin showing, then the window from the
   * moment the faulty app says its fault begins (its first tick).
   */
  async function sustainedFault(mode: FaultMode): Promise<FaultRun> {
    const id = `faulty-${mode}`;
    const twin = `twin-${mode}`;
    await install(id, mode);
    await install(twin, 'calm');
    let since = client.messages.length;
    expect(await client.request('app', twin)).toMatchObject({ ok: true, app: twin });
    await showing(since, twin);
    // Let the installs' scratch sandboxes and the app switch settle before the reference measurement.
    await delay(500);
    const normal = await notifyLatencies(timer, SAMPLES, INTERVAL_MS);

    since = client.messages.length;
    const began = Date.now();
    expect(await client.request('app', id)).toMatchObject({ ok: true, app: id });
    await firstTick(since, id, mode);
    const during = await notifyLatencies(timer, SAMPLES, INTERVAL_MS);
    // The fault was still going on when the window closed.
    expect(client.on(P('state/apps'), since).every((m) => appStatus(m, id)?.status !== 'failed')).toBe(true);
    // Gone, so the clock is what the bridge falls back to when the faulty app fails.
    expect(await client.request('apps/remove', { id: twin })).toMatchObject({ ok: true });
    const failed = await client.waitFor(P('state/apps'), (m) => appStatus(m, id)?.status === 'failed', 15_000, since);
    compare(mode, 'with its well-behaved twin showing', normal, during, 1);
    await expectLeftRotation(id, client.messages.indexOf(failed));
    return { id, reasons: [appStatus(failed, id)!.error ?? ''], since, began };
  }

  /**
   * A fault that ends the app at once, brought back over and over (at least twice: each time the app
   * must be started again and fail with its reason); the reference cycles the well-behaved twin.
   */
  async function repeatedFault(mode: FaultMode, lifeMs: number): Promise<FaultRun> {
    const id = `faulty-${mode}`;
    const twin = `twin-${mode}`;
    expect(await client.request('app', 'clock')).toMatchObject({ ok: true });
    await delay(500);
    const normal = await latenciesWhile(() => calmCycle(twin, lifeMs));
    // Gone, so the clock is what the bridge falls back to when the faulty app fails.
    expect(await client.request('apps/remove', { id: twin })).toMatchObject({ ok: true });
    const since = client.messages.length;
    const began = Date.now();
    const during = await latenciesWhile(async () => {
      await install(id, mode);
      return showUntilFailed(id);
    }, 2);
    compare(mode, `cycling the well-behaved twin (${normal.results.length} cycles)`, normal.samples, during.samples, during.results.length);
    await expectLeftRotation(id, since);
    return { id, reasons: during.results, since, began };
  }

  // Each fails on its first tick.
  const quickFailures: Array<[FaultMode, RegExp]> = [
    ['trap', /^trapped: .*unreachable/],
    ['memory', /^ran out of memory/],
  ];

  it.each(quickFailures)('%s: stays responsive while the app fails again and again, each time with its reason', async (mode, reason) => {
    const { reasons } = await repeatedFault(mode, 0);
    expect(reasons.length).toBeGreaterThanOrEqual(2);
    for (const r of reasons) expect(r).toMatch(reason);
  });

  it('loop: stays responsive while the app burns its whole time budget, then stops it with its reason', async () => {
    const { reasons } = await sustainedFault('loop');
    expect(reasons).toEqual([`run() exceeded its ${RUN_TIMEOUT_MS} ms time budget`]);
  });

  it('kv flood: stays responsive while the app floods again and again, each time stopped with its reason; the quota held', async () => {
    // About 16 ticks of 320 writes until KV_FLOOD_REFUSALS + 1 were refused: the twin lives as long.
    const { id, reasons } = await repeatedFault('kv', 16 * 20);
    expect(reasons.length).toBeGreaterThanOrEqual(2);
    for (const r of reasons)
      expect(r).toMatch(new RegExp(`^KV flood: ${KV_FLOOD_REFUSALS + 1} writes refused in \\d+\\.\\d s for going over the ${KV_QUOTA_BYTES}-byte quota`));
    // What it stored before it was stopped was saved, and stays within the quota.
    const stored = JSON.parse(readFileSync(join(bridge.dataDir, 'apps', id, 'kv.json'), 'utf8')) as { format: string; entries: Record<string, string> };
    expect(stored.format).toBe('megabit-kv/1');
    const used = Object.entries(stored.entries).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.from(v, 'base64').length, 0);
    expect(used).toBeGreaterThan(KV_QUOTA_BYTES / 2);
    expect(used).toBeLessThanOrEqual(KV_QUOTA_BYTES);
  });

  it(`log flood of 10,000 lines a second: stays responsive, passes on only the allowed lines, stops the app after ${LOG_FLOOD_WINDOWS} s`, async () => {
    const { id, reasons, since, began } = await sustainedFault('log');
    const seconds = (Date.now() - began) / 1000;
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toMatch(new RegExp(`^log flood: about \\d+ lines a second for \\d+\\.\\d s \\(limit: ${LOG_LINES_PER_SECOND} per second\\)$`));
    expect(Number(/about (\d+)/.exec(reasons[0])![1])).toBeGreaterThan(1000);
    expect(seconds).toBeGreaterThanOrEqual(LOG_FLOOD_WINDOWS - 1);
    const lines = client.on(P(`event/apps/${id}/log`), since).map((m) => JSON.parse(m.payload.toString()) as { level: string; message: string });
    const flood = lines.filter((l) => l.message.startsWith('flood '));
    expect(flood.length).toBeGreaterThan(0);
    // Limit windows are one second long: the lines so far span at most ceil(seconds) + 1 of them.
    expect(flood.length).toBeLessThanOrEqual(LOG_LINES_PER_SECOND * (Math.ceil(seconds) + 1));
    const dropped = lines.filter((l) => new RegExp(`^\\d+ log lines dropped \\(limit: ${LOG_LINES_PER_SECOND} per second\\)$`).test(l.message));
    expect(dropped.length).toBeGreaterThan(0);
    expect(Number(dropped[0].message.split(' ')[0])).toBeGreaterThan(1000);
  });
});
