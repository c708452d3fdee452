/**
 * Rules that can never hold as the bridge is configured are stored all the same (Home Assistant
 * may be configured later) and the reply says why, in `warnings`, logged once: an entity or
 * template condition without Home Assistant, a sun window with no location and no Home
 * Assistant for zone.home. The real bridge in process on a real broker (mosquitto).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../helpers/display';
import { startInProcess, type InProcessBridge } from '../helpers/homeassistant/bridge-in-process';
import { Mosquitto } from '../helpers/mosquitto';
import { TestClient } from '../helpers/mqtt-client';
import { DEVICE_TOPICS } from '../helpers/topics';

jest.setTimeout(60_000);

/** Wednesday 4 March 2026, 12:00 in Berlin. */
const WED_NOON = Date.UTC(2026, 2, 4, 11, 0);
const SETTINGS = { time_zone: 'Europe/Berlin', rotation: { enabled: false, fallback: 'clock' }, templates: { mqtt_topics: ['home/#'] } };
const NO_HA = expect.stringContaining('homeassistant.url and .token are not set');

let broker: Mosquitto;
let client: TestClient;
let bridge: InProcessBridge | undefined;
let dataDir: string;
let warnings: string[];

async function start(settings: Record<string, unknown>): Promise<void> {
  warnings = [];
  bridge = await startInProcess(broker.url, {
    apps: ['clock', 'life'],
    dataDir,
    clock: new ManualClock(WED_NOON),
    settings: { ...SETTINGS, ...settings },
    logSink: (level, _component, message) => {
      if (level === 'warn' && message.includes('never holds')) warnings.push(message);
    },
  });
}

beforeAll(async () => {
  broker = await Mosquitto.start();
  client = await TestClient.connect(broker.url, DEVICE_TOPICS);
});

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'megabit-never-'));
});

afterEach(async () => {
  await bridge?.stop();
  bridge = undefined;
  rmSync(dataDir, { recursive: true, force: true });
});

afterAll(async () => {
  await client?.close();
  await broker?.dispose();
});

it('without Home Assistant or a location: entity, template and sun rules are stored, and the reply warns, logged once', async () => {
  await start({ homeassistant: { enabled: false } });

  const entity = { entity: 'binary_sensor.washer', state: 'on' };
  for (let i = 0; i < 2; i++) {
    expect(await client.request('apps/life/show_when', entity)).toMatchObject({
      ok: true,
      visible: false,
      reason: 'condition',
      warnings: [{ field: 'show_when', warning: expect.stringMatching(/^never holds: reads Home Assistant entity "binary_sensor\.washer"/) }],
    });
  }
  expect(warnings).toEqual([expect.stringContaining('life: show_when never holds')]);

  expect(await client.request('apps/life/pin_when', { any: [{ template: '{{ true }}' }, { topic: 'home/door', equals: 'open' }] })).toMatchObject({
    ok: true,
    warnings: [{ field: 'pin_when', warning: expect.stringMatching(/^never holds: reads a Home Assistant template/) }],
  });
  expect(await client.request('apps/clock/schedule', { sun: { after: 'sunset', before: 'sunrise' } })).toMatchObject({
    ok: true,
    visible: false,
    reason: 'schedule',
    warnings: [{ field: 'schedule', warning: expect.stringContaining('no location in megabit.yaml') }],
  });
  expect(warnings).toHaveLength(3);

  // What can hold gets no warnings: a clock window, a topic condition, a rule removed.
  for (const [path, payload] of [
    ['apps/clock/schedule', { from: '07:00', to: '09:00' }],
    ['apps/life/show_when', { topic: 'home/door', equals: 'open' }],
    ['apps/life/pin_when', null],
  ] as const) {
    const reply = await client.request(path, payload === null ? 'null' : payload);
    expect(reply).toMatchObject({ ok: true });
    expect(reply.warnings).toBeUndefined();
  }

  // A screen's keys the same way.
  expect(
    await client.request('screens/note', {
      text: 'hi',
      schedule: { sun: { after: 'sunset', before: 'sunrise' } },
      show_when: { entity: 'sensor.power', above: 100 },
    }),
  ).toMatchObject({
    ok: true,
    warnings: [
      { field: 'schedule', warning: expect.stringContaining('sun times need a place') },
      { field: 'show_when', warning: NO_HA },
    ],
  });
});

it('with Home Assistant configured (connected or not) or a location, the same rules get no warnings', async () => {
  await start({ homeassistant: { enabled: false, url: 'http://127.0.0.1:9', token: 'not-connected-token-0123456789' } });
  for (const [path, payload] of [
    ['apps/life/show_when', { entity: 'binary_sensor.washer', state: 'on' }],
    ['apps/life/pin_when', { template: '{{ true }}' }],
    ['apps/clock/schedule', { sun: { after: 'sunset', before: 'sunrise' } }],
  ] as const) {
    const reply = await client.request(path, payload);
    expect(reply).toMatchObject({ ok: true });
    expect(reply.warnings).toBeUndefined();
  }
  await bridge!.stop();
  bridge = undefined;

  await start({ homeassistant: { enabled: false }, location: { latitude: 52.52, longitude: 13.405 } });
  const reply = await client.request('apps/clock/schedule', { sun: { after: 'sunset', before: 'sunrise' } });
  expect(reply).toMatchObject({ ok: true });
  expect(reply.warnings).toBeUndefined();
  expect(warnings).toEqual([]);
});
