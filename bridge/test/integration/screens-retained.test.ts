/**
 * A retained screen on Debian's mosquitto: the broker hands it to the bridge again after every
 * reconnect and restart, and each time it changes nothing (screens.json not rewritten, the
 * rotation where it was).
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AppStatus, DeviceState } from '@megabit/contract';
import { startBridge, type RunningBridge } from '../helpers/bridge-process';
import { Mosquitto } from '../helpers/mosquitto';
import { waitUntil } from '../helpers/ports';
import { json, TestClient } from '../helpers/mqtt-client';
import { P } from '../helpers/topics';

jest.setTimeout(120_000);

describe('a retained screen re-applied by mosquitto', () => {
  let broker: Mosquitto;
  let bridge: RunningBridge;
  let client: TestClient;
  let store: string;
  const SCREEN = JSON.stringify({ text: 'kept', background: '#202020', lifetime_s: 3600 });
  const mark = (): number => client.messages.length;
  const files = (): Array<number | string> => {
    const screens = statSync(join(bridge.dataDir, 'screens.json'));
    const state = statSync(join(bridge.dataDir, 'state.json'));
    return [screens.ino, screens.mtimeMs, state.ino, state.mtimeMs, readFileSync(join(bridge.dataDir, 'screens.json'), 'utf8')];
  };
  /** How often the bridge has been handed the screen unchanged (its debug log says so). */
  const reapplied = (): number => bridge.output.split('screen "kept" unchanged').length - 1;
  const lastApps = (): string[] => json<AppStatus[]>(client.on(P('state/apps')).at(-1)!.payload).map((a) => `${a.kind}:${a.id}`);
  const lastState = (): DeviceState => json<DeviceState>(client.on(P('state')).at(-1)!.payload);

  beforeAll(async () => {
    // Retained messages kept over the broker's own restart, as a real installation keeps them.
    store = mkdtempSync(join(tmpdir(), 'megabit-mosquitto-store-'));
    // mosquitto started as root writes its database as the mosquitto user.
    chmodSync(store, 0o777);
    broker = await Mosquitto.start({ extraConfig: ['persistence true', `persistence_location ${store}/`] });
    bridge = await startBridge({ mqttUrl: broker.url, apps: ['clock'], settings: { rotation: { enabled: false } } });
    client = await TestClient.connect(broker.url);
    await client.subscribe(['megabit/megabit/state', 'megabit/megabit/state/apps', 'megabit/megabit/response/screens/+']);
    await client.waitFor(P('state/apps'), (m) => json<AppStatus[]>(m.payload).length === 1);
    const since = mark();
    await client.publish(P('cmd/screens/kept'), SCREEN, { retain: true });
    await client.waitFor(P('response/screens/kept'), (m) => json<{ ok: boolean }>(m.payload).ok, 10_000, since);
    await client.waitFor(P('state/apps'), (m) => json<AppStatus[]>(m.payload).some((a) => a.id === 'kept'), 10_000, since);
    // The app is the one shown: a screen re-applied must not take its place.
    expect(await client.request('app', 'clock')).toMatchObject({ ok: true });
    expect(lastState().app).toBe('clock');
  });

  afterAll(async () => {
    await client?.close();
    await bridge?.dispose();
    await broker?.dispose();
    rmSync(store, { recursive: true, force: true });
  });

  it('changes nothing when the bridge reconnects after the broker restarts', async () => {
    const before = files();
    const apps = lastApps();
    expect(apps).toEqual(['app:clock', 'screen:kept']);
    const count = reapplied();
    await client.close();
    await broker.restart();
    client = await TestClient.connect(broker.url);
    await client.subscribe(['megabit/megabit/state', 'megabit/megabit/state/apps', 'megabit/megabit/response/screens/+']);
    // The bridge got the retained screen again.
    await waitUntil(() => reapplied() > count, 'the bridge to get the retained screen again', 30_000);
    await client.waitFor(P('state/apps'));
    await client.waitFor(P('state'));
    expect(files()).toEqual(before);
    expect(lastApps()).toEqual(apps);
    expect(lastState().app).toBe('clock');
  });

  it('changes nothing when the bridge restarts and gets it again', async () => {
    const before = files();
    const since = mark();
    const count = reapplied();
    await bridge.restart();
    await client.waitFor(P('response/screens/kept'), (m) => json<{ ok: boolean }>(m.payload).ok, 30_000, since);
    await client.waitFor(P('state/apps'), (m) => json<AppStatus[]>(m.payload).length === 2, 30_000, since);
    await waitUntil(() => reapplied() > count, 'the bridge to log the screen unchanged', 10_000);
    expect(files()).toEqual(before);
    expect(lastApps()).toEqual(['app:clock', 'screen:kept']);
  });

  it('a retained screen its lifetime removed stays removed when the broker sends it again', async () => {
    const since = mark();
    await client.publish(P('cmd/screens/brief'), JSON.stringify({ text: 'brief', lifetime_s: 1 }), { retain: true });
    await client.waitFor(P('state/apps'), (m) => json<AppStatus[]>(m.payload).some((a) => a.id === 'brief'), 10_000, since);
    await client.waitFor(P('state/apps'), (m) => !json<AppStatus[]>(m.payload).some((a) => a.id === 'brief'), 10_000, since);
    const notAgain = 'screen "brief": retained copy of the screen its lifetime removed; not shown again';
    expect(bridge.output).not.toContain(notAgain);
    await client.close();
    await broker.restart();
    client = await TestClient.connect(broker.url);
    await client.subscribe(['megabit/megabit/state', 'megabit/megabit/state/apps', 'megabit/megabit/response/screens/+']);
    await waitUntil(() => bridge.output.includes(notAgain), 'the bridge to get the expired screen again and leave it out', 30_000);
    await client.waitFor(P('state/apps'));
    expect(lastApps()).toEqual(['app:clock', 'screen:kept']);
    expect(readFileSync(join(bridge.dataDir, 'screens.json'), 'utf8')).not.toContain('brief');
    await client.publish(P('cmd/screens/brief'), '', { retain: true });
  });
});
