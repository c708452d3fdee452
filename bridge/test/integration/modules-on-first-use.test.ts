/**
 * util/on-first-use.ts, in the real bridge: started without TLS settings, on its embedded broker
 * and on an external broker over plain TCP, it has loaded neither Node's `tls` and `https` nor the
 * `ws` package; the first WebSocket (the page's /mqtt, the broker's ws_port) loads them, and MQTT
 * goes through it. A probe preloaded into the bridge (helpers/first-use-probe.js) tells what is
 * loaded.
 */
import { join } from 'node:path';
import { type RunningBridge, startBridge } from '../helpers/bridge-process';
import { Mosquitto } from '../helpers/mosquitto';
import { TestClient } from '../helpers/mqtt-client';
import { freePort, waitUntil } from '../helpers/ports';

jest.setTimeout(60_000);

const PROBE_ENV = { NODE_OPTIONS: `--require ${JSON.stringify(join(__dirname, '..', 'helpers', 'first-use-probe.js'))}` };

/** The first-use modules the bridge has loaded now, as its probe prints them. */
async function loadedOnFirstUse(bridge: RunningBridge): Promise<string[]> {
  const from = bridge.output.length;
  const line = /first-use modules loaded: \[([^\]]*)\]/;
  process.kill(bridge.pid!, 'SIGUSR2');
  await waitUntil(() => line.test(bridge.output.slice(from)), 'the probe’s answer');
  const listed = line.exec(bridge.output.slice(from))![1]!;
  return listed === '' ? [] : listed.split(',');
}

/** An MQTT client over `url` (WebSocket) sees the bridge online. */
async function onlineOver(url: string, bridge: RunningBridge): Promise<void> {
  const client = await TestClient.connect(url, bridge.topics, { reconnectPeriod: 0 });
  try {
    await client.subscribe(bridge.topics.out('availability'));
    await client.waitFor(bridge.topics.out('availability'), (m) => m.payload.toString() === 'online');
  } finally {
    await client.client.endAsync();
  }
}

describe('on its embedded broker', () => {
  let bridge: RunningBridge;
  let brokerWsPort: number;
  beforeAll(async () => {
    brokerWsPort = await freePort();
    bridge = await startBridge({ env: PROBE_ENV, broker: { ws_port: brokerWsPort } });
  });
  afterAll(() => bridge?.dispose());

  it('an idle bridge has loaded none of them', async () => {
    expect(await loadedOnFirstUse(bridge)).toEqual([]);
  });

  it('the broker’s ws_port speaks MQTT, and its first handshake loaded `ws` (which loads `tls` and `https`)', async () => {
    await onlineOver(`ws://127.0.0.1:${brokerWsPort}`, bridge);
    expect((await loadedOnFirstUse(bridge)).sort()).toEqual(['https', 'tls', 'ws']);
  });

  it('the page’s /mqtt speaks MQTT too', async () => {
    await onlineOver(bridge.wsUrl, bridge);
  });
});

describe('on an external broker over plain TCP', () => {
  let mosquitto: Mosquitto;
  let bridge: RunningBridge;
  beforeAll(async () => {
    mosquitto = await Mosquitto.start();
    bridge = await startBridge({ env: PROBE_ENV, mqttUrl: mosquitto.url });
  });
  afterAll(async () => {
    await bridge?.dispose();
    await mosquitto?.dispose();
  });

  it('an idle bridge has loaded none of them', async () => {
    expect(await loadedOnFirstUse(bridge)).toEqual([]);
  });

  it('the page’s /mqtt, carried to the external broker, loads `ws` on the first WebSocket and speaks MQTT', async () => {
    await onlineOver(bridge.wsUrl, bridge);
    expect(await loadedOnFirstUse(bridge)).toContain('ws');
  });
});
