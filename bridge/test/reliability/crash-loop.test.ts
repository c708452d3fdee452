/**
 * No crash loop, with the real bridge restarted: an app whose setup fails in every run is disabled
 * after 3 runs with the reason in P/state/apps; it stays disabled across restarts (never started
 * again) until it is reinstalled.
 */
import type { AppStatus, DeviceState } from '@megabit/contract';
import { START_FAILURES_TO_DISABLE } from '../../src/apps/start-failures';
import { startBridge, type RunningBridge } from '../helpers/bridge-process';
import { TestClient } from '../helpers/mqtt-client';
import { expectStillOnline } from '../helpers/still-online';
import { newDataDir, writeApp } from '../helpers/data-dir';
import { buildProbeApp, installRequest, probeManifest } from '../helpers/fault-apps';
import { P } from '../helpers/topics';

jest.setTimeout(120_000);

/** The probe, whose setup() reads its config: "setupFail" makes it fail. */
function crashyManifest(mode: string): ReturnType<typeof probeManifest> {
  return probeManifest('crashy', { config: { type: 'object', properties: { mode: { type: 'string', default: mode } } } });
}

let bridge: RunningBridge | undefined;
let client: TestClient | undefined;
let probe: Uint8Array;

beforeAll(async () => {
  probe = await buildProbeApp();
});

afterEach(async () => {
  await client?.close();
  await bridge?.dispose();
  client = undefined;
  bridge = undefined;
});

/** Connects a fresh client to the bridge (after each restart) and subscribes to its state. */
async function watch(): Promise<TestClient> {
  await client?.close();
  client = await TestClient.connect(bridge!.mqttUrl);
  await client.subscribe([P('state'), P('state/apps'), P('response/#')]);
  return client;
}

/** Waits until P/state/apps reports `id` failed with an error matching `error`. */
const failedWith = (c: TestClient, id: string, error: RegExp): Promise<unknown> =>
  c.waitFor(
    P('state/apps'),
    (m) => (JSON.parse(m.payload.toString()) as AppStatus[]).some((a) => a.id === id && a.status === 'failed' && error.test(a.error ?? '')),
    20_000,
  );

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const DISABLED = (last: string): RegExp =>
  new RegExp(`^${escapeRegExp(`disabled after 3 failed starts in a row (reinstall it to try again); the last: ${last}`)}$`);
const SETUP_REFUSED = 'setup() failed (returned 1): setup refused';

const showing = (c: TestClient, id: string): Promise<unknown> =>
  c.waitFor(P('state'), (m) => (JSON.parse(m.payload.toString()) as DeviceState).app === id, 20_000);

it('an app whose setup fails in every run is disabled after 3 runs, stays so across restarts, and runs again once reinstalled', async () => {
  const dataDir = newDataDir();
  writeApp(dataDir, crashyManifest('setupFail'), probe);
  bridge = await startBridge({ dataDir, settings: { rotation: { enabled: false } } });
  for (let run = 1; run <= START_FAILURES_TO_DISABLE; run++) {
    if (run > 1) await bridge.restart();
    await failedWith(await watch(), 'crashy', run < START_FAILURES_TO_DISABLE ? new RegExp(`^${escapeRegExp(SETUP_REFUSED)}$`) : DISABLED(SETUP_REFUSED));
  }
  // Another restart: still disabled, and never started (no new failure in the log).
  const from = bridge.output.length;
  await bridge.restart();
  const c = await watch();
  await failedWith(c, 'crashy', DISABLED(SETUP_REFUSED));
  await expectStillOnline(bridge);
  expect(bridge.output.slice(from)).not.toContain('failed and leaves the rotation');
  expect(await c.request('app', 'crashy')).toMatchObject({ ok: false, error: { code: 'app_failed' } });
  // Reinstalled (now with a setup that works): it runs.
  expect(await c.request('apps/install', installRequest(crashyManifest('calm'), probe), 30_000)).toMatchObject({ ok: true });
  await showing(c, 'crashy');
  const ok = await c.waitFor(P('state/apps'), (m) => (JSON.parse(m.payload.toString()) as AppStatus[]).some((a) => a.id === 'crashy' && a.status === 'ok'));
  expect(ok).toBeDefined();
});
