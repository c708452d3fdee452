/**
 * Schedules, show_when and pin_when on the real rotation, end to end: commands over a real
 * broker (mosquitto) to the real bridge (in process), Home Assistant states and zone.home from
 * the protocol-faithful Home Assistant server, MQTT topic values from the broker, and the
 * schedules' wall clock injected and moved by hand (the pure rules' own cases, DST and sun times
 * against published tables, are in test/schedules/). What shows is read from P/state and
 * P/state/apps, as any client sees it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AppStatus, DeviceState } from '@megabit/contract';
import { ManualClock } from '../helpers/display';
import { startInProcess, type InProcessBridge } from '../helpers/homeassistant/bridge-in-process';
import { HomeAssistantServer } from '../helpers/homeassistant/home-assistant-server';
import { Mosquitto } from '../helpers/mosquitto';
import { json, TestClient } from '../helpers/mqtt-client';
import { DEVICE_TOPICS, P } from '../helpers/topics';

jest.setTimeout(60_000);

const TOKEN = 'rotation-rules-token-0123456789';
const MINUTE = 60_000;
/** Wednesday 4 March 2026, 06:00 in Berlin (05:00 UTC). */
const WED_0600 = Date.UTC(2026, 2, 4, 5, 0);

let broker: Mosquitto;
let client: TestClient;
let ha: HomeAssistantServer;
let bridge: InProcessBridge;
let clock: ManualClock;
let dataDir: string;

const SETTINGS = {
  time_zone: 'Europe/Berlin',
  rotation: { enabled: false, fallback: 'clock' },
  homeassistant: { enabled: false, url: '', token: TOKEN },
  templates: { mqtt_topics: ['home/#'] },
};

/** The bridge on this test's data dir (kept across its restarts); the example apps go in the first time. */
async function start(apps: string[] = []): Promise<void> {
  bridge = await startInProcess(broker.url, {
    apps,
    dataDir,
    clock,
    settings: { ...SETTINGS, homeassistant: { ...SETTINGS.homeassistant, url: ha.url } },
  });
}

beforeAll(async () => {
  broker = await Mosquitto.start();
  client = await TestClient.connect(broker.url, DEVICE_TOPICS);
  await client.subscribe([P('state'), P('state/apps')]);
  ha = await HomeAssistantServer.start(TOKEN);
  // No location in megabit.yaml: sun times come from Home Assistant's home zone (Berlin).
  ha.setState('zone.home', 'zoning', { latitude: 52.52, longitude: 13.405, radius: 100, friendly_name: 'Home' });
  ha.setState('binary_sensor.washer', 'off');
  clock = new ManualClock(WED_0600);
  dataDir = mkdtempSync(join(tmpdir(), 'megabit-rules-'));
  await start(['clock', 'life', 'plasma']);
  // The first lists are in: every `since` taken from here on is past them.
  await client.waitFor(P('state/apps'));
  await client.waitFor(P('state'));
});

afterAll(async () => {
  await bridge?.stop();
  await client?.close();
  await ha?.stop();
  await broker?.dispose();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

type Seen = { visible: boolean; reason?: string; pinned?: boolean };

/** Waits for P/state/apps (published from `since` on) to list `id` as `seen`. */
async function listed(id: string, seen: Seen, since: number): Promise<void> {
  const matches = (apps: AppStatus[]): boolean => {
    const entry = apps.find((a) => a.id === id);
    return entry !== undefined && entry.visible === seen.visible && entry.reason === seen.reason && entry.pinned === seen.pinned;
  };
  await client
    .waitFor(P('state/apps'), (m) => matches(json<AppStatus[]>(m.payload)), 15_000, since)
    .catch(() => {
      const last = client.on(P('state/apps')).at(-1);
      throw new Error(`P/state/apps never listed ${id} as ${JSON.stringify(seen)}; last: ${last?.payload.toString()}`);
    });
}

/** Waits for P/state (from `since` on) to name `app` as the one shown. */
async function showing(app: string | null, since: number): Promise<void> {
  await client
    .waitFor(P('state'), (m) => json<DeviceState>(m.payload).app === app, 15_000, since)
    .catch(() => {
      const last = client.on(P('state')).at(-1);
      throw new Error(`P/state never showed ${app}; last: ${last?.payload.toString()}`);
    });
}

/** The entry's visibility now, as the bridge evaluates it at the clock's time (an unchanged rule set again answers it). */
async function visibilityNow(id: string): Promise<Seen> {
  const reply = await client.request(`apps/${id}/pin_when`, '');
  expect(reply.ok).toBe(true);
  return { visible: reply.visible as boolean, ...(reply.reason !== undefined ? { reason: reply.reason as string } : {}) };
}

describe('commands', () => {
  it('refuses bad schedules and conditions with an error naming the field, and changes nothing', async () => {
    const cases: Array<[string, string | Record<string, unknown>, string, RegExp]> = [
      ['apps/life/schedule', '{"from":"7:00","to":"09:30"}', 'invalid_payload', /"schedule.from" must be a time "HH:MM"/],
      ['apps/life/schedule', { windows: [{ from: '07:00', to: '08:00' }, { days: ['monday'] }] }, 'invalid_payload', /"schedule.windows\[1\].days"/],
      ['apps/life/schedule', '{"from":"07:00"', 'bad_json', /./],
      ['apps/life/show_when', { entity: 'washer', state: 'on' }, 'invalid_payload', /"show_when.entity" must be an entity id/],
      ['apps/life/pin_when', { topic: 'home/#', equals: 'x' }, 'invalid_payload', /without wildcards/],
      ['apps/life/show_when', { any: [] }, 'invalid_payload', /"show_when.any" must be a non-empty list/],
      // Topics go through the same rules as templates: listed in templates.mqtt_topics, never commands.
      ['apps/life/show_when', { topic: 'garage/door', equals: 'open' }, 'invalid_payload', /templates\.mqtt_topics/],
      ['apps/life/show_when', { topic: P('cmd/notify'), equals: 'x' }, 'invalid_payload', /commands, replies and \$ topics/],
      ['apps/nope/schedule', { from: '07:00', to: '08:00' }, 'unknown_app', /no app "nope"/],
    ];
    for (const [path, payload, code, message] of cases) {
      const reply = await client.request(path, payload);
      expect({ path, reply }).toMatchObject({ path, reply: { ok: false, error: { code, message: expect.stringMatching(message) } } });
    }
    expect(await visibilityNow('life')).toEqual({ visible: true });
  });

  it('refuses rules sent to a screen id: a screen carries its own', async () => {
    expect(await client.request('screens/note', { text: 'hi' })).toMatchObject({ ok: true });
    const reply = await client.request('apps/note/schedule', { from: '07:00', to: '08:00' });
    expect(reply).toMatchObject({ ok: false, error: { code: 'invalid_payload', message: expect.stringContaining('cmd/screens/note') } });
    expect(await client.request('screens/note', '')).toMatchObject({ ok: true, removed: true });
  });
});

describe('schedules on the rotation', () => {
  it('hides an app before its window, shows it from the start to the end, and hides it again, moving the rotation off it', async () => {
    // 06:00 on a Wednesday; the window is 07:00-09:30 on Wednesdays.
    let since = client.messages.length;
    const reply = await client.request('apps/life/schedule', { days: ['wed'], from: '07:00', to: '09:30' });
    expect(reply).toMatchObject({ ok: true, id: 'life', visible: false, reason: 'schedule' });
    await listed('life', { visible: false, reason: 'schedule' }, since);

    clock.advance(60 * MINUTE - 1);
    expect(await visibilityNow('life')).toEqual({ visible: false, reason: 'schedule' });
    since = client.messages.length;
    clock.advance(1);
    await listed('life', { visible: true }, since);
    expect(await client.request('app', 'life')).toMatchObject({ ok: true, app: 'life' });

    since = client.messages.length;
    clock.advance(150 * MINUTE);
    await listed('life', { visible: false, reason: 'schedule' }, since);
    // It leaves the screen at once for the next entry that may show.
    await showing('plasma', since);
  });

  it('follows a window across midnight and keeps to its days', async () => {
    // Wednesday 09:30 now. Wednesday 22:00 to Thursday 02:00.
    expect(await client.request('apps/life/schedule', { days: ['wed'], from: '22:00', to: '02:00' })).toMatchObject({ visible: false });
    clock.advance((12 * 60 + 30) * MINUTE); // Wed 22:00
    expect(await visibilityNow('life')).toEqual({ visible: true });
    clock.advance(3 * 60 * MINUTE); // Thu 01:00: still the Wednesday window
    expect(await visibilityNow('life')).toEqual({ visible: true });
    clock.advance(60 * MINUTE); // Thu 02:00
    expect(await visibilityNow('life')).toEqual({ visible: false, reason: 'schedule' });
    clock.advance(20 * 60 * MINUTE); // Thu 22:00: not a Wednesday
    expect(await visibilityNow('life')).toEqual({ visible: false, reason: 'schedule' });
  });

  it('shows a sun window by the sunset Home Assistant’s zone.home puts it at', async () => {
    // Thursday 22:00 in Berlin: after sunset. The place comes from zone.home, which the bridge
    // follows once a sun window needs it; until it is known, a sun window stays closed.
    const since = client.messages.length;
    expect(await client.request('apps/life/schedule', { sun: { after: 'sunset', before: 'sunrise' } })).toMatchObject({ ok: true });
    await listed('life', { visible: true }, since);
    clock.advance((2 * 24 + 13) * 60 * MINUTE); // Sunday 11:00
    expect(await visibilityNow('life')).toEqual({ visible: false, reason: 'schedule' });
  });

  it('keeps the schedule across a restart (rules.json) and drops it with null', async () => {
    await bridge.stop();
    let since = client.messages.length;
    await start();
    await listed('life', { visible: false, reason: 'schedule' }, since);
    expect(await visibilityNow('life')).toEqual({ visible: false, reason: 'schedule' });
    since = client.messages.length;
    expect(await client.request('apps/life/schedule', 'null')).toMatchObject({ ok: true, visible: true });
    await listed('life', { visible: true }, since);
  });
});

describe('a daylight saving change', () => {
  it('opens a Sunday 03:30 window on the spring-forward night at 03:30 summer time, by its one timer', async () => {
    expect(await client.request('apps/life/schedule', { days: ['sun'], from: '03:30', to: '04:00' })).toMatchObject({ ok: true });
    // Saturday 28 March 2026, 23:00 CET; clocks go from 02:00 CET to 03:00 CEST that night.
    clock.advance(Date.UTC(2026, 2, 28, 22, 0) - clock.now());
    expect(await visibilityNow('life')).toEqual({ visible: false, reason: 'schedule' });
    // 03:30 CEST is 01:30 UTC: 2.5 hours after 23:00 CET, not 4.5.
    const opens = Date.UTC(2026, 2, 29, 1, 30);
    clock.advance(opens - 1 - clock.now());
    expect(await visibilityNow('life')).toEqual({ visible: false, reason: 'schedule' });
    const since = client.messages.length;
    clock.advance(1);
    await listed('life', { visible: true }, since);
    expect(await client.request('apps/life/schedule', '')).toMatchObject({ ok: true, visible: true });
  });
});

describe('conditions', () => {
  afterEach(async () => {
    for (const id of ['clock', 'life', 'plasma']) {
      for (const rule of ['schedule', 'show_when', 'pin_when']) expect(await client.request(`apps/${id}/${rule}`, '')).toMatchObject({ ok: true });
    }
  });

  it('shows an app only while a Home Assistant entity has the state', async () => {
    let since = client.messages.length;
    expect(await client.request('apps/plasma/show_when', { entity: 'binary_sensor.washer', state: ['on', 'running'] })).toMatchObject({
      ok: true,
      visible: false,
      reason: 'condition',
    });
    await listed('plasma', { visible: false, reason: 'condition' }, since);
    since = client.messages.length;
    ha.setState('binary_sensor.washer', 'running');
    await listed('plasma', { visible: true }, since);
    since = client.messages.length;
    ha.setState('binary_sensor.washer', 'off');
    await listed('plasma', { visible: false, reason: 'condition' }, since);
  });

  it("shows an app while a Home Assistant template renders true, or an MQTT topic's latest value matches", async () => {
    ha.setState('sensor.co2', '1250');
    let since = client.messages.length;
    const condition = { any: [{ topic: 'home/door', equals: 'open' }, { template: "{{ states('sensor.co2') | int > 1000 }}" }] };
    expect(await client.request('apps/life/show_when', condition)).toMatchObject({ ok: true });
    // Home Assistant renders the template (True), and again when the state it reads changes (False).
    await listed('life', { visible: true }, since);
    since = client.messages.length;
    ha.setState('sensor.co2', '700');
    await listed('life', { visible: false, reason: 'condition' }, since);
    // Retained, as state topics are: the value reaches the bridge however its subscription races the publish.
    since = client.messages.length;
    await client.publish('home/door', 'open', { retain: true });
    await listed('life', { visible: true }, since);
    since = client.messages.length;
    await client.publish('home/door', 'closed', { retain: true });
    await listed('life', { visible: false, reason: 'condition' }, since);
    await client.publish('home/door', '', { retain: true });
  });

  it('pins an app while its pin_when holds: shown at once, and the rotation stays on it', async () => {
    ha.setState('binary_sensor.doorbell', 'off');
    expect(await client.request('app', 'clock')).toMatchObject({ ok: true, app: 'clock' });
    expect(await client.request('apps/plasma/pin_when', { entity: 'binary_sensor.doorbell', state: 'on' })).toMatchObject({ ok: true, visible: true });
    let since = client.messages.length;
    ha.setState('binary_sensor.doorbell', 'on');
    await showing('plasma', since);
    await listed('plasma', { visible: true, pinned: true }, since);
    expect(await client.request('app/next', '')).toMatchObject({ ok: true, app: 'plasma' });
    since = client.messages.length;
    ha.setState('binary_sensor.doorbell', 'off');
    await listed('plasma', { visible: true }, since);
    // Unpinned: the next step moves on again.
    since = client.messages.length;
    expect(await client.request('app/next', '')).toMatchObject({ ok: true });
    await showing('clock', since);
  });

  it('shows the fallback (the clock) when nothing is visible, and an entry again once one is', async () => {
    expect(await client.request('apps/clock/schedule', { from: '01:00', to: '01:01' })).toMatchObject({ visible: false });
    expect(await client.request('apps/life/show_when', { topic: 'home/nothing', equals: 'x' })).toMatchObject({ visible: false });
    expect(await client.request('app', 'plasma')).toMatchObject({ ok: true, app: 'plasma' });
    let since = client.messages.length;
    expect(await client.request('apps/plasma/show_when', { entity: 'binary_sensor.washer', state: 'on' })).toMatchObject({ visible: false });
    await showing('clock', since);
    await listed('clock', { visible: false, reason: 'schedule' }, since);
    since = client.messages.length;
    ha.setState('binary_sensor.washer', 'on');
    await showing('plasma', since);
    ha.setState('binary_sensor.washer', 'off');
  });

  it("shows only night mode's app while night mode says so, then the rotation again", async () => {
    expect(await client.request('app', 'plasma')).toMatchObject({ ok: true, app: 'plasma' });
    expect(await client.request('apps/life/show_when', { topic: 'home/nothing', equals: 'x' })).toMatchObject({ visible: false });
    let since = client.messages.length;
    bridge.controller.bus.emit('nightChanged', { active: true, app: 'life' });
    await showing('life', since);
    expect(await client.request('app/next', '')).toMatchObject({ ok: true, app: 'life' });
    since = client.messages.length;
    bridge.controller.bus.emit('nightChanged', { active: false });
    // The night app is hidden by its own condition: the rotation moves on from it.
    await showing('plasma', since);
  });
});

describe('screens and disabled entries', () => {
  it('takes schedule, show_when and pin_when as keys of a screen, checked by the same parsers', async () => {
    const bad = await client.request('screens/note', { text: 'hi', schedule: { from: '25:00', to: '08:00' } });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_payload', message: expect.stringContaining('"schedule.from"') } });
    let since = client.messages.length;
    expect(await client.request('screens/note', { text: 'hi', schedule: { days: ['sat'] } })).toMatchObject({ ok: true });
    await listed('note', { visible: false, reason: 'schedule' }, since);
    since = client.messages.length;
    const warned = await client.request('screens/note', { text: 'hi', show_when: { topic: 'garage/door', equals: 'open' } });
    expect(warned).toMatchObject({ ok: true, warnings: [{ field: 'show_when', warning: expect.stringContaining('templates.mqtt_topics') }] });
    await listed('note', { visible: false, reason: 'condition' }, since);
    expect(await client.request('screens/note', '')).toMatchObject({ ok: true, removed: true });
  });

  it('lists a disabled entry as not visible for that reason first', async () => {
    expect(await client.request('apps/plasma/schedule', { from: '01:00', to: '01:01' })).toMatchObject({ ok: true });
    const since = client.messages.length;
    expect(await client.request('apps/order', { order: ['clock', 'life', 'plasma'], disabled: ['plasma'] })).toMatchObject({ ok: true });
    await listed('plasma', { visible: false, reason: 'disabled' }, since);
    expect(await client.request('apps/order', { order: ['clock', 'life', 'plasma'], disabled: [] })).toMatchObject({ ok: true });
    expect(await visibilityNow('plasma')).toEqual({ visible: false, reason: 'schedule' });
    expect(await client.request('apps/plasma/schedule', '')).toMatchObject({ ok: true, visible: true });
  });
});
