/**
 * Auto-brightness in the real bridge (in process, on mosquitto), with the calendar clock in the
 * test's hand: a jittering lux series on an MQTT topic changes the brightness no more than once
 * per min_interval_s of injected time and follows a real change; the light level from a Home
 * Assistant entity (the protocol-faithful server) within night mode's limit; zone.home as the
 * place for a sun-time night window when megabit.yaml names none.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DeviceState } from '@megabit/contract';
import { curveAt, luxScale } from '../../src/schedules/brightness-curve';
import { type InProcessBridge, startInProcess } from '../helpers/homeassistant/bridge-in-process';
import { HomeAssistantServer } from '../helpers/homeassistant/home-assistant-server';
import { ManualClock } from '../helpers/display';
import { Mosquitto } from '../helpers/mosquitto';
import { json, TestClient } from '../helpers/mqtt-client';
import { seededRandom } from '../helpers/seeded-random';
import { DEVICE_TOPICS as P } from '../helpers/topics';

jest.setTimeout(120_000);

const STATE = P.out('state');
const LUX_TOPIC = 'home/living_room/lux';
const TOKEN = 'night-auto-brightness-token';
const CURVE: Array<[number, number]> = [
  [0, 8],
  [10, 32],
  [100, 96],
  [1000, 192],
  [10000, 255],
];
const EVENING = Date.parse('2026-06-01T19:00:00Z'); // 21:00 in Berlin, before sunset (about 21:25)

let broker: Mosquitto;
let client: TestClient;
let ha: HomeAssistantServer;
let bridge: InProcessBridge | undefined;
let dataDir: string;

beforeAll(async () => {
  broker = await Mosquitto.start();
  client = await TestClient.connect(broker.url, P);
  await client.subscribe(STATE);
  ha = await HomeAssistantServer.start(TOKEN);
}, 60_000);

afterAll(async () => {
  await client?.close();
  await ha?.stop();
  await broker?.dispose();
});

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'megabit-auto-brightness-'));
});

afterEach(async () => {
  await bridge?.stop();
  bridge = undefined;
  rmSync(dataDir, { recursive: true, force: true });
});

async function start(clock: ManualClock, settings: Record<string, unknown>): Promise<InProcessBridge> {
  bridge = await startInProcess(broker.url, { dataDir, clock, settings: { time_zone: 'Europe/Berlin', ...settings } });
  return bridge;
}

async function stateWhere(test: (s: DeviceState) => boolean, since: number, what: string): Promise<DeviceState> {
  try {
    return json<DeviceState>((await client.waitFor(STATE, (m) => test(json<DeviceState>(m.payload)), 10_000, since)).payload);
  } catch {
    throw new Error(`no P/state with ${what}; the last: ${client.on(STATE).at(-1)?.payload.toString()}`);
  }
}

/** The latest P/state, once everything the bridge did before answering a harmless command has arrived. */
async function settledState(): Promise<DeviceState> {
  await client.request('notify/dismiss', { id: 'nothing-to-dismiss' });
  return json<DeviceState>(client.on(STATE).at(-1)!.payload);
}

it('a jittering lux series on an MQTT topic changes the brightness at most once per min_interval_s, and a real change is followed', async () => {
  const seed = 1717;
  console.log(`lux jitter seed ${seed}`);
  const random = seededRandom(seed);
  const clock = new ManualClock(Date.parse('2026-06-01T10:00:00Z'));
  const b = await start(clock, { display: { auto_brightness: { topic: LUX_TOPIC, curve: CURVE, smoothing_s: 10, hysteresis: 8, min_interval_s: 30 } } });
  // When each brightness change happened, by the injected clock: stateChanged is emitted as the panel changes.
  const changedAt: number[] = [];
  b.controller.bus.on(changedAt, 'stateChanged', () => changedAt.push(clock.now()));
  await stateWhere((s) => s.shown_brightness === 128, 0, 'the configured brightness before any reading');

  const changes: Array<{ at: number; level: number }> = [];
  let shown = 128;
  const t0 = clock.now();
  for (let second = 0; second < 240; second++) {
    // ±15 % around 300 lux, then around 3000 lux from two minutes on: a lamp switched on.
    const lux = (second < 120 ? 300 : 3000) * (1 + 0.3 * (random() - 0.5));
    clock.advanceTo(t0 + second * 1000);
    await client.publish(LUX_TOPIC, lux.toFixed(1));
    const level = (await settledState()).shown_brightness!;
    if (level !== shown) {
      changes.push({ at: changedAt.at(-1)! - t0, level });
      shown = level;
    }
  }
  const gaps = changes.slice(1).map((c, i) => c.at - changes[i].at);
  console.log(`changes (ms from the first reading, level): ${JSON.stringify(changes)}`);
  expect(gaps.every((gap) => gap >= 30_000)).toBe(true);
  // The jitter alone: the first reading sets the level (as it reads), the smoothing may settle it once; then it holds until the lamp.
  const before = changes.filter((c) => c.at < 120_000);
  expect(before[0].at).toBe(0);
  expect(before.every((c) => Math.abs(c.level - curveAt(CURVE, luxScale(300))) <= 8)).toBe(true);
  expect(before.filter((c) => c.at >= 60_000)).toEqual([]);
  // The lamp is followed, within the hysteresis of where the curve puts 3000 lux.
  expect(changes.length).toBeGreaterThanOrEqual(2);
  expect(Math.abs(shown - curveAt(CURVE, luxScale(3000)))).toBeLessThanOrEqual(8);
});

it("reads the light level from a Home Assistant entity, within night mode's limit; zone.home gives a sun-time night its place", async () => {
  ha.setState('sensor.living_room_lux', '10', { unit_of_measurement: 'lx' });
  ha.setState('zone.home', 'zoning', { latitude: 52.52, longitude: 13.405, friendly_name: 'Home' });
  const clock = new ManualClock(EVENING);
  let since = client.messages.length;
  await start(clock, {
    homeassistant: { url: ha.url, token: TOKEN },
    night: { from: 'sunset', to: 'sunrise', brightness: 20 },
    display: { auto_brightness: { entity: 'sensor.living_room_lux', curve: CURVE, smoothing_s: 0, hysteresis: 0, min_interval_s: 0 } },
  });
  await stateWhere((s) => s.shown_brightness === 32 && s.night?.active === false, since, 'the curve at 10 lux, by day');

  since = client.messages.length;
  ha.setState('sensor.living_room_lux', '1000', { unit_of_measurement: 'lx' });
  await stateWhere((s) => s.shown_brightness === 192, since, 'the curve at 1000 lux');
  // A sensor that goes away leaves the brightness as it is.
  ha.setState('sensor.living_room_lux', 'unavailable');
  expect((await settledState()).shown_brightness).toBe(192);

  // Sunset in Berlin on 1 June 2026 is about 21:25 local (19:25 UTC): zone.home places it.
  since = client.messages.length;
  clock.advanceTo(Date.parse('2026-06-01T19:40:00Z'));
  await stateWhere((s) => s.night?.active === true && s.shown_brightness === 20, since, 'night at sunset, capped at the night brightness');
  since = client.messages.length;
  ha.setState('sensor.living_room_lux', '1', { unit_of_measurement: 'lx' });
  const dim = Math.round(curveAt(CURVE, luxScale(1)));
  expect(dim).toBeLessThan(20);
  await stateWhere((s) => s.shown_brightness === dim, since, 'a darker room, below the night limit');
});
