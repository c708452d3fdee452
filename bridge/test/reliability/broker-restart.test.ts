/**
 * mosquitto (without persistence) killed with SIGKILL and restarted 10 times while QoS 1 commands
 * flow: the bridge reconnects each time, puts its retained availability, state and Home Assistant
 * discovery configs back, and every command sent once it is back is applied exactly once.
 */
import type { AppStatus, DeviceState } from '@megabit/contract';
import { startBridge, type RunningBridge } from '../helpers/bridge-process';
import { Mosquitto } from '../helpers/mosquitto';
import { TestClient, type Received } from '../helpers/mqtt-client';
import { delay } from '../helpers/ports';
import { newDataDir, writeApp } from '../helpers/data-dir';
import { buildProbeApp, probeManifest } from '../helpers/fault-apps';
import { seededRandom } from '../helpers/seeded-random';

jest.setTimeout(150_000);

const RESTARTS = 10;
/** Numbered commands of each kind sent after each restart. */
const COMMANDS = 5;
/** The bridge's retained Home Assistant discovery config (device-based). */
const DISCOVERY_TOPIC = 'homeassistant/device/megabit_megabit/config';
/** Seeds the outage lengths, so a failing run can be repeated with the same ones. */
const SEED = 0x0b0c;
/** How long the broker stays down in each restart: 100 to 499 ms, from SEED. */
const OUTAGES_MS = ((random: () => number) => Array.from({ length: RESTARTS }, () => 100 + Math.floor(random() * 400)))(seededRandom(SEED));

describe('broker restarts while commands flow', () => {
  let broker: Mosquitto;
  let bridge: RunningBridge;
  let client: TestClient;
  const P = (path: string): string => `megabit/megabit/${path}`;

  beforeAll(async () => {
    broker = await Mosquitto.start();
    const dataDir = newDataDir();
    writeApp(dataDir, probeManifest('probe'), await buildProbeApp());
    bridge = await startBridge({
      mqttUrl: broker.url,
      dataDir,
      settings: { rotation: { enabled: false }, sandbox: { log_lines_per_second: 1000 } },
    });
    client = await TestClient.connect(broker.url);
    await client.subscribe([P('#'), 'homeassistant/#']);
  });

  afterAll(async () => {
    await client?.close();
    await bridge?.dispose();
    await broker?.dispose();
  });

  const json = <T>(m: { payload: Buffer }): T => JSON.parse(m.payload.toString()) as T;

  it(`reconnects, republishes and applies each later command exactly once, ${RESTARTS} times`, async () => {
    // The probe app must be running before its inbox can take commands.
    await client.waitFor(P('state'), (m) => json<DeviceState>(m).app === 'probe', 15_000);

    // Background traffic through every outage: QoS 1 notifications, 20 a second, never awaited.
    let flowing = true;
    let background = 0;
    const flow = (async () => {
      while (flowing) {
        client.publish(P('cmd/notify'), JSON.stringify({ text: `bg ${background}`, id: 'bg', transaction: `bg-${background++}` })).catch(() => undefined);
        await delay(50);
      }
    })();

    try {
      console.log(`broker outages (seed ${SEED}): ${OUTAGES_MS.join(', ')} ms`);
      for (let cycle = 0; cycle < RESTARTS; cycle++) {
        const since = client.messages.length;
        // Killed, not stopped: no clean goodbye to the bridge, as after a crash or a power cut.
        await broker.restart(OUTAGES_MS[cycle], 'SIGKILL');
        expect(broker.lastExit).toEqual({ code: null, signal: 'SIGKILL' });
        await client.waitFor(P('availability'), (m) => m.payload.toString() === 'online', 20_000, since);
        await client.waitFor(P('state/apps'), () => true, 10_000, since);
        await client.waitFor(DISCOVERY_TOPIC, (m) => m.payload.length > 0, 10_000, since);

        // Numbered commands: app data the probe logs back, and brightness steps with transactions.
        const sent = client.messages.length;
        const tag = (k: number): string => `c${cycle}k${k}`;
        for (let k = 0; k < COMMANDS; k++) {
          await client.publish(P('cmd/apps/probe/data'), `log|1|${tag(k)}`);
          await client.publish(P('cmd/display'), JSON.stringify({ brightness: cycle * COMMANDS + k, transaction: tag(k) }));
        }
        const lastBrightness = cycle * COMMANDS + COMMANDS - 1;
        await client.waitFor(P('state'), (m) => json<DeviceState>(m).brightness === lastBrightness, 10_000, sent);
        await client.waitFor(P('event/apps/probe/log'), (m) => json<{ message: string }>(m).message === tag(COMMANDS - 1), 10_000, sent);
        // Let any duplicate arrive before counting.
        await delay(300);
        const logged = client
          .on(P('event/apps/probe/log'), sent)
          .map((m) => json<{ message: string }>(m).message)
          .filter((t) => t.startsWith(`c${cycle}k`));
        expect(logged).toEqual(Array.from({ length: COMMANDS }, (_, k) => tag(k)));
        expect(client.on(P('response/apps/probe/data'), sent).map((m) => json<{ ok: boolean; bytes: number; queued: boolean }>(m))).toEqual(
          Array.from({ length: COMMANDS }, (_, k) => ({ ok: true, bytes: `log|1|${tag(k)}`.length, queued: false })),
        );
        const brightnessReplies = client.on(P('response/display'), sent).map((m) => json<{ transaction: string; brightness: number }>(m));
        expect(brightnessReplies.map((r) => [r.transaction, r.brightness])).toEqual(Array.from({ length: COMMANDS }, (_, k) => [tag(k), cycle * COMMANDS + k]));

        // Nothing survives a mosquitto restart here: what a newcomer finds retained, the bridge put back.
        const fresh = await TestClient.connect(broker.url);
        try {
          await fresh.subscribe([P('availability'), P('state'), P('state/apps'), DISCOVERY_TOPIC]);
          const retained = async (topic: string): Promise<Received> => {
            const m = await fresh.waitFor(topic, (x) => x.payload.length > 0, 10_000);
            expect(m.retain).toBe(true);
            return m;
          };
          expect((await retained(P('availability'))).payload.toString()).toBe('online');
          expect(json<DeviceState>(await retained(P('state'))).brightness).toBe(lastBrightness);
          expect(json<AppStatus[]>(await retained(P('state/apps')))).toEqual([expect.objectContaining({ id: 'probe', status: 'ok' })]);
          expect(json<{ cmps: Record<string, { unique_id: string }> }>(await retained(DISCOVERY_TOPIC)).cmps.notification.unique_id).toBeTruthy();
        } finally {
          await fresh.close();
        }
      }
    } finally {
      flowing = false;
      await flow;
    }
    expect(bridge.running).toBe(true);
    expect(bridge.output).toMatch(/connected to mqtt:\/\/127\.0\.0\.1:\d+ again/);
    // The background flow kept going and the bridge kept answering it.
    expect(client.on(P('response/notify')).length).toBeGreaterThan(RESTARTS);
  });
});
