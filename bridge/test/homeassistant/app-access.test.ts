/**
 * A manifest asks, megabit.yaml decides: an app that lists `lock.front_door` under
 * permissions.homeassistant reads nothing until the user lists the entity (or its domain) under
 * homeassistant.app_access, and until then the bridge does not even subscribe to it. The real
 * bridge (in process) with the protocol-faithful Home Assistant server and mosquitto.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Mosquitto } from '../helpers/mosquitto';
import { TestClient, type Received } from '../helpers/mqtt-client';
import { delay } from '../helpers/ports';
import { writeApp } from '../helpers/data-dir';
import { buildProbeApp, probeManifest } from '../helpers/fault-apps';
import { startInProcess } from '../helpers/homeassistant/bridge-in-process';
import { HomeAssistantServer } from '../helpers/homeassistant/home-assistant-server';
import { DEVICE_TOPICS as P } from '../helpers/topics';

jest.setTimeout(60_000);

const TOKEN = 'app-access-token';
const LOG = P.out('event/apps/intruder/log');

let broker: Mosquitto;
let client: TestClient;
let ha: HomeAssistantServer;
let probe: Uint8Array;

beforeAll(async () => {
  probe = await buildProbeApp();
  broker = await Mosquitto.start();
  client = await TestClient.connect(broker.url, P);
  await client.subscribe(LOG);
  ha = await HomeAssistantServer.start(TOKEN);
  ha.setState('lock.front_door', 'unlocked');
}, 120_000);

afterAll(async () => {
  await client?.close();
  await ha?.stop();
  await broker?.dispose();
});

const text = (m: Received): string => (JSON.parse(m.payload.toString()) as { message: string }).message;

/** Asks the shown probe to read the entity (pinging until its sandbox runs) and returns its answer. */
async function readLock(): Promise<string> {
  const since = client.messages.length;
  for (let i = 0; i < 100; i++) {
    expect(await client.request('apps/intruder/data', 'ha|lock.front_door')).toMatchObject({ ok: true });
    const answers = client
      .on(LOG, since)
      .map(text)
      .filter((line) => line.startsWith('ha '));
    // "unavailable" only until the first state arrives from Home Assistant.
    const settled = answers.find((line) => !line.includes('"unavailable"'));
    if (settled) return settled;
    await delay(100);
  }
  throw new Error(`the probe never answered with a settled state: ${client.on(LOG, since).map(text).join(' | ')}`);
}

async function withBridge(appAccess: string[], body: () => Promise<void>): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'megabit-ha-access-'));
  writeApp(dataDir, probeManifest('intruder', { permissions: { homeassistant: ['lock.front_door'] } }), probe);
  const bridge = await startInProcess(broker.url, {
    dataDir,
    settings: { homeassistant: { url: ha.url, token: TOKEN, app_access: appAccess }, rotation: { enabled: false } },
  });
  try {
    await body();
  } finally {
    await bridge.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

it('an app granting itself lock.front_door reads nothing, and the bridge never subscribes to it', async () => {
  const subscriptionsBefore = ha.entitySubscriptions().length;
  await withBridge(['sensor', 'light.kitchen'], async () => {
    expect(await readLock()).toBe('ha {"ok":false,"error":"denied: lock.front_door is not allowed by homeassistant.app_access in megabit.yaml"}');
    expect(ha.entitySubscriptions().slice(subscriptionsBefore).flat()).not.toContain('lock.front_door');
  });
});

it.each([[['lock.front_door']], [['lock']]])('with homeassistant.app_access %j the app reads the lock', async (access) => {
  const subscriptionsBefore = ha.entitySubscriptions().length;
  await withBridge(access, async () => {
    expect(await readLock()).toBe('ha {"ok":true,"state":"unlocked","attributes":{}}');
    expect(ha.entitySubscriptions().slice(subscriptionsBefore)).toEqual([['lock.front_door']]);
  });
});
