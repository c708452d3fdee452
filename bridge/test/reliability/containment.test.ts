/**
 * The "one message takes the whole bridge down" reproductions that concern the sandbox, each sent
 * to the real bridge over MQTT: the bridge stays up with P/availability `online`, the app (or the
 * install) fails with a clear reason, and the bridge's peak RSS stays bounded.
 * - a module with 8 funcref tables of 10M entries (V8 ran out of memory in the install check);
 * - `table.grow` in run() (installed, then crashed the bridge whenever rotation reached it);
 * - an app asking for its config again and again (111 MiB → 1.5 GiB before).
 */
import type { AppStatus } from '@megabit/contract';
import { MAX_TABLES } from '../../src/sandbox/wasm-limits';
import { WasmBuilder, op } from '../helpers/sandbox/wasm-builder';
import { startBridge, type RunningBridge } from '../helpers/bridge-process';
import { TestClient } from '../helpers/mqtt-client';
import { peakRssBytes } from '../helpers/process-memory';
import { expectStillOnline } from '../helpers/still-online';
import { newDataDir, writeApp } from '../helpers/data-dir';
import { buildProbeApp, installRequest, probeManifest } from '../helpers/fault-apps';
import { P } from '../helpers/topics';

jest.setTimeout(90_000);

const MiB = 1024 * 1024;
const MEMORY_MB = 64;

let bridge: RunningBridge;
let client: TestClient;

beforeAll(async () => {
  const dataDir = newDataDir();
  writeApp(dataDir, probeManifest('hoarder', { config: { type: 'object' } }), await buildProbeApp());
  bridge = await startBridge({ dataDir, settings: { rotation: { enabled: false }, sandbox: { memory_mb: MEMORY_MB, run_timeout_ms: 4000 } } });
  client = await TestClient.connect(bridge.mqttUrl);
  await client.subscribe(P('#'));
});

afterAll(async () => {
  await client?.close();
  await bridge?.dispose();
});

function manifestFor(id: string): ReturnType<typeof probeManifest> {
  return { ...probeManifest(id), bin: `${id}.wasm`, refresh_period_ms: 50 };
}

/** Waits until P/state/apps reports `id` failed, and returns its error. */
async function failure(id: string, since: number): Promise<string> {
  const m = await client.waitFor(
    P('state/apps'),
    (r) => (JSON.parse(r.payload.toString()) as AppStatus[]).some((a) => a.id === id && a.status === 'failed'),
    30_000,
    since,
  );
  return (JSON.parse(m.payload.toString()) as AppStatus[]).find((a) => a.id === id)!.error ?? '';
}

it('a module with 8 funcref tables of 10M entries is refused at install with the reason', async () => {
  const b = new WasmBuilder();
  for (let i = 0; i < 8; i++) b.table(10_000_000);
  const wasm = b.exportFunc('run', b.func([], ['i32'], op.i32(0))).build();
  const before = peakRssBytes(bridge.pid!);
  const reply = await client.request('apps/install', installRequest(manifestFor('tables'), wasm), 30_000);
  expect(reply).toMatchObject({
    ok: false,
    error: { code: 'install_failed', message: expect.stringContaining(`the module declares 8 tables; an app may have at most ${MAX_TABLES}`) },
  });
  await expectStillOnline(bridge);
  // 8 x 10M entries would be at least 640 MB.
  expect(peakRssBytes(bridge.pid!) - before).toBeLessThan(64 * MiB);
});

it('table.grow in run() installs, then fails inside the app when the app runs; the bridge stays up', async () => {
  const b = new WasmBuilder().table(1);
  const run = b.func(
    [],
    ['i32'],
    [...op.refNullFunc, ...op.i32(10_000_000), ...op.tableGrow(0), ...op.i32(-1), ...op.i32Eq, ...op.if, ...op.unreachable, ...op.end, ...op.i32(0)],
  );
  const wasm = b.exportFunc('run', run).build();
  const before = peakRssBytes(bridge.pid!);
  expect(await client.request('apps/install', installRequest(manifestFor('grower'), wasm), 30_000)).toMatchObject({ ok: true });
  const since = client.messages.length;
  expect(await client.request('app', 'grower')).toMatchObject({ ok: true });
  expect(await failure('grower', since)).toMatch(/^trapped: .*unreachable/);
  await expectStillOnline(bridge);
  expect(peakRssBytes(bridge.pid!) - before).toBeLessThan(64 * MiB);
});

it('an app asking for its config without end is stopped at its memory cap; the bridge stays bounded', async () => {
  expect(await client.request('apps/hoarder/config', { blob: 'x'.repeat(60 * 1024) })).toMatchObject({ ok: true });
  const since = client.messages.length;
  expect(await client.request('app', 'hoarder')).toMatchObject({ ok: true });
  await client.waitFor(P('state'), (m) => (JSON.parse(m.payload.toString()) as { app: string | null }).app === 'hoarder', 10_000, since);
  // Data for an app whose sandbox is still starting is kept for it and handed over once it runs.
  const before = peakRssBytes(bridge.pid!);
  expect(await client.request('apps/hoarder/data', 'hoard|config')).toMatchObject({ ok: true });
  expect(await failure('hoarder', since)).toMatch(new RegExp(`^ran out of memory \\(${MEMORY_MB} MiB cap\\): \\d+ more bytes of host data`));
  await expectStillOnline(bridge);
  // The cap, plus the worker's own use and what the collector has not returned yet.
  expect(peakRssBytes(bridge.pid!) - before).toBeLessThan(3 * MEMORY_MB * MiB);
});
