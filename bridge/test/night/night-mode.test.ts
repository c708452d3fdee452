/**
 * Night mode in the real bridge (in process, on mosquitto), with the calendar clock in the
 * test's hand: the night window dims the display and holds quiet notifications (each reply says
 * so), which show in arrival order when the night ends; a press wakes it for wake_s; the
 * `night` command and Home Assistant's switch, select and number set the mode and the night
 * brightness, kept across a restart. Europe/Berlin, June: 22:00 local is 20:00 UTC.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DeviceState } from '@megabit/contract';
import type { NightChange } from '../../src/events';
import { deviceDiscoveryProblems } from '../helpers/homeassistant/discovery-schema';
import { type InProcessBridge, startInProcess } from '../helpers/homeassistant/bridge-in-process';
import { renderTemplate } from '../helpers/homeassistant/ha-template';
import { ManualClock } from '../helpers/display';
import { Mosquitto } from '../helpers/mosquitto';
import { json, TestClient } from '../helpers/mqtt-client';
import { DEVICE_TOPICS as P } from '../helpers/topics';

jest.setTimeout(60_000);

const STATE = P.out('state');
const BUTTON = P.out('event/button');
const NIGHT = { from: '22:00', to: '07:00', brightness: 10, app: 'clock', max_brightness_during_day: 200, wake_s: 60 };
const EVENING = Date.parse('2026-06-01T19:00:00Z'); // 21:00 in Berlin
const NIGHTFALL = Date.parse('2026-06-01T20:00:00Z'); // 22:00
const MORNING = Date.parse('2026-06-02T05:00:00Z'); // 07:00

let broker: Mosquitto;
let client: TestClient;
let bridge: InProcessBridge | undefined;
let dataDir: string;

beforeAll(async () => {
  broker = await Mosquitto.start();
  client = await TestClient.connect(broker.url, P);
  await client.subscribe([STATE, BUTTON, 'homeassistant/#']);
}, 60_000);

afterAll(async () => {
  await client?.close();
  await broker?.dispose();
});

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'megabit-night-'));
});

afterEach(async () => {
  await bridge?.stop();
  bridge = undefined;
  rmSync(dataDir, { recursive: true, force: true });
});

async function start(clock: ManualClock, settings: Record<string, unknown> = {}): Promise<{ events: NightChange[] }> {
  const events: NightChange[] = [];
  bridge = await startInProcess(broker.url, {
    dataDir,
    clock,
    apps: ['clock'],
    settings: { time_zone: 'Europe/Berlin', night: NIGHT, homeassistant: { enabled: true }, ...settings },
  });
  bridge.controller.bus.on(events, 'nightChanged', (change) => events.push(change));
  return { events };
}

/** The first `P/state` from message index `since` on that satisfies `test`. */
async function stateWhere(test: (s: DeviceState) => boolean, since = 0, what = 'the expected P/state'): Promise<DeviceState> {
  try {
    return json<DeviceState>((await client.waitFor(STATE, (m) => test(json<DeviceState>(m.payload)), 10_000, since)).payload);
  } catch {
    const last = client.on(STATE).at(-1);
    throw new Error(`no P/state with ${what}; the last: ${last?.payload.toString()}`);
  }
}

const withoutTransaction = (reply: Record<string, unknown>): Record<string, unknown> => {
  const { transaction: _t, ...rest } = reply;
  return rest;
};

it('dims at nightfall, holds quiet notifications with a reply that says so, and shows them in order in the morning', async () => {
  const clock = new ManualClock(EVENING);
  const { events } = await start(clock);
  let since = client.messages.length;
  await stateWhere((s) => s.night?.active === false && s.shown_brightness === 128, 0, 'the day');
  // Two timers on the calendar clock: night mode's, for nightfall, and the rotation rules' next
  // look. Nothing polls.
  expect(clock.pending).toBe(2);

  clock.advanceTo(NIGHTFALL - 1);
  expect(events).toEqual([]);
  clock.advanceTo(NIGHTFALL);
  expect(events).toEqual([{ active: true, app: 'clock' }]);
  expect(clock.pending).toBe(2);
  // The user's brightness stays as set; the panel shows the night's.
  await stateWhere((s) => s.night?.active === true && s.shown_brightness === 10 && s.brightness === 128, since, 'night');

  const replies: Record<string, unknown>[] = [];
  for (const [id, priority] of [
    ['a', 'normal'],
    ['b', 'low'],
    ['h', 'high'],
    ['c', 'normal'],
  ]) {
    replies.push(withoutTransaction(await client.request('notify', { text: id, id, priority, duration_ms: 500 })));
  }
  expect(replies).toEqual([
    { ok: true, id: 'a', held: true },
    { ok: true, id: 'b', held: true },
    { ok: true, id: 'h' },
    { ok: true, id: 'c', held: true },
  ]);
  // Dismissing a held one works as for one showing.
  expect(await client.request('notify/dismiss', { id: 'b' })).toMatchObject({ ok: true, dismissed: true });
  const h = client.messages.indexOf(await client.waitFor(STATE, (m) => json<DeviceState>(m.payload).notification === 'h', 10_000, since));
  await stateWhere((s) => s.night?.held === 2 && s.notification === null, h, 'two held, the high one shown and gone');

  since = client.messages.length;
  clock.advanceTo(MORNING);
  expect(events.at(-1)).toEqual({ active: false });
  await stateWhere((s) => s.night?.active === false && s.night.held === 0 && s.shown_brightness === 128, since, 'the morning');
  await stateWhere((s) => s.notification === 'c', since, 'the second held notification');
  const shown = client
    .on(STATE, since)
    .map((m) => json<DeviceState>(m.payload).notification)
    .filter((id, i, all) => id !== null && id !== all[i - 1]);
  expect(shown).toEqual(['a', 'c']);
});

it('held notifications survive a restart: still held at night, shown in order when the bridge starts after the morning', async () => {
  let since = client.messages.length;
  await start(new ManualClock(NIGHTFALL + 60 * 60_000));
  await stateWhere((s) => s.night?.active === true, since, 'night');
  for (const id of ['a', 'b']) {
    expect(withoutTransaction(await client.request('notify', { text: id, id, priority: 'normal', duration_ms: 500 }))).toEqual({ ok: true, id, held: true });
  }
  const heldFile = join(dataDir, 'night-held.json');
  // The first is written at once; the second may wait for MIN_HELD_SAVE_MS, and stopping writes it.
  expect(JSON.parse(readFileSync(heldFile, 'utf8'))[0]).toMatchObject({ id: 'a', text: 'a' });
  await bridge!.stop();
  bridge = undefined;
  expect(JSON.parse(readFileSync(heldFile, 'utf8'))).toMatchObject([
    { id: 'a', text: 'a' },
    { id: 'b', text: 'b' },
  ]);
  since = client.messages.length;
  await start(new ManualClock(NIGHTFALL + 2 * 60 * 60_000));
  await stateWhere((s) => s.night?.active === true && s.night.held === 2 && s.notification === null, since, 'both still held after a restart at night');

  await bridge!.stop();
  bridge = undefined;
  since = client.messages.length;
  await start(new ManualClock(MORNING + 60 * 60_000));
  await stateWhere((s) => s.notification === 'b', since, 'the second held notification after a restart in the morning');
  const shown = client
    .on(STATE, since)
    .map((m) => json<DeviceState>(m.payload).notification)
    .filter((id, i, all) => id !== null && id !== all[i - 1]);
  expect(shown).toEqual(['a', 'b']);
  await stateWhere((s) => s.night?.held === 0, since, 'nothing held');
  expect(JSON.parse(readFileSync(heldFile, 'utf8'))).toEqual([]);
});

it('an unreadable night-held.json holds nothing and does not stop the bridge', async () => {
  writeFileSync(join(dataDir, 'night-held.json'), '[{"id": "a", "te');
  const since = client.messages.length;
  await start(new ManualClock(NIGHTFALL + 60 * 60_000));
  await stateWhere((s) => s.night?.active === true && s.night.held === 0, since, 'night, nothing held');
  expect(withoutTransaction(await client.request('notify', { text: 'x', id: 'x', priority: 'low' }))).toEqual({ ok: true, id: 'x', held: true });
  expect(JSON.parse(readFileSync(join(dataDir, 'night-held.json'), 'utf8'))).toMatchObject([{ id: 'x' }]);
});

it('a press at night wakes the display for wake_s: day brightness, notifications shown, then night again', async () => {
  const clock = new ManualClock(NIGHTFALL + 60 * 60_000);
  let since = client.messages.length;
  const { events } = await start(clock);
  await stateWhere((s) => s.night?.active === true && s.night.awake === false && s.shown_brightness === 10, since, 'night');
  expect(await client.request('notify', { text: 'Door', id: 'door', priority: 'critical', hold: true })).toMatchObject({ ok: true, id: 'door' });
  await stateWhere((s) => s.notification === 'door', since, 'the critical notification');

  since = client.messages.length;
  await client.request('button', { button: 'main', action: 'press' });
  // The first press only wakes: the notification it would have dismissed stays, and the press is not reported.
  await stateWhere((s) => s.night?.awake === true && s.shown_brightness === 128 && s.notification === 'door', since, 'awake');
  expect(events.at(-1)).toEqual({ active: false });
  await client.request('button', { button: 'main', action: 'press' });
  await stateWhere((s) => s.notification === null, since, 'the second press dismissing');
  await client.waitFor(BUTTON, () => true, 10_000, since);
  expect(client.on(BUTTON, since)).toHaveLength(1);
  const reply = withoutTransaction(await client.request('notify', { text: 'Quiet', id: 'quiet', priority: 'low', duration_ms: 500 }));
  expect(reply).toEqual({ ok: true, id: 'quiet' });

  since = client.messages.length;
  clock.advance(60_000);
  await stateWhere((s) => s.night?.awake === false && s.night.active === true && s.shown_brightness === 10, since, 'asleep again');
  expect(events.at(-1)).toEqual({ active: true, app: 'clock' });
  expect(withoutTransaction(await client.request('notify', { text: 'Later', id: 'later', priority: 'low' }))).toEqual({ ok: true, id: 'later', held: true });
});

it("Home Assistant's switch, select and number drive night mode through their discovery configs, and the choice survives a restart", async () => {
  const clock = new ManualClock(EVENING);
  const since = client.messages.length;
  await start(clock);
  const topic = 'homeassistant/device/megabit_megabit/config';
  const discovery = json<{ cmps: Record<string, Record<string, string>> }>((await client.waitFor(topic, (m) => m.payload.length > 0, 10_000, since)).payload);
  expect(deviceDiscoveryProblems(topic, discovery, 'homeassistant')).toEqual([]);
  const { night_mode: toggle, night_mode_setting: select, night_brightness: number } = discovery.cmps;
  expect([toggle.p, select.p, number.p]).toEqual(['switch', 'select', 'number']);
  const day = await stateWhere((s) => s.night?.mode === 'auto' && s.night.active === false, since, 'auto, day');
  expect(renderTemplate(toggle.value_template, JSON.stringify(day))).toBe('OFF');

  let mark = client.messages.length;
  await client.publish(toggle.command_topic, toggle.payload_on);
  const on = await stateWhere((s) => s.night?.mode === 'on' && s.night.active && s.shown_brightness === 10, mark, 'night by the switch');
  expect(renderTemplate(toggle.value_template, JSON.stringify(on))).toBe('ON');
  expect(renderTemplate(select.value_template, JSON.stringify(on))).toBe('on');

  mark = client.messages.length;
  await client.publish(number.command_topic, renderTemplate(number.command_template, '42'));
  const brighter = await stateWhere((s) => s.night?.brightness === 42 && s.shown_brightness === 42, mark, 'night brightness 42');
  expect(renderTemplate(number.value_template, JSON.stringify(brighter))).toBe('42');

  mark = client.messages.length;
  await client.publish(toggle.command_topic, toggle.payload_off);
  await stateWhere((s) => s.night?.mode === 'off' && !s.night.active && s.shown_brightness === 128, mark, 'day by the switch');
  mark = client.messages.length;
  await client.publish(select.command_topic, 'on');
  await stateWhere((s) => s.night?.mode === 'on' && s.shown_brightness === 42, mark, 'night by the select');

  await bridge!.stop();
  bridge = undefined;
  mark = client.messages.length;
  await start(clock);
  await stateWhere((s) => s.night?.mode === 'on' && s.night.brightness === 42 && s.shown_brightness === 42, mark, 'the same after a restart');
  mark = client.messages.length;
  await client.publish(select.command_topic, 'auto');
  await stateWhere((s) => s.night?.mode === 'auto' && !s.night.active && s.shown_brightness === 128, mark, 'auto again: the window says day');
});

it('with quiet_notifications "drop", a quiet notification at night is dropped and the reply says so', async () => {
  const since = client.messages.length;
  await start(new ManualClock(NIGHTFALL + 60_000), { night: { ...NIGHT, quiet_notifications: 'drop', notify_min_priority: 'normal' } });
  await stateWhere((s) => s.night?.active === true, since, 'night');
  expect(withoutTransaction(await client.request('notify', { text: 'Low', id: 'low', priority: 'low' }))).toEqual({ ok: true, id: 'low', dropped: true });
  expect(withoutTransaction(await client.request('notify', { text: 'Normal', id: 'normal', priority: 'normal', duration_ms: 500 }))).toEqual({
    ok: true,
    id: 'normal',
  });
  await stateWhere((s) => s.notification === 'normal' && s.night?.held === 0, since, 'the normal one shown, nothing held');
});

it('an unreadable night.json is read as auto with the configured brightness, and the next command writes it whole', async () => {
  writeFileSync(join(dataDir, 'night.json'), '{"mode": "on", "bright');
  const since = client.messages.length;
  await start(new ManualClock(EVENING));
  await stateWhere((s) => s.night?.mode === 'auto' && s.night.brightness === 10, since, 'auto and the configured night brightness');
  expect(await client.request('night', { mode: 'off' })).toMatchObject({ ok: true, mode: 'off', brightness: 10 });
  expect(JSON.parse(readFileSync(join(dataDir, 'night.json'), 'utf8'))).toEqual({ mode: 'off' });
});

it('the night command refuses bad input with a reply that names the problem', async () => {
  await start(new ManualClock(EVENING));
  const refusals: Array<[string | Record<string, unknown>, RegExp]> = [
    ['maybe', /ON, OFF, AUTO/],
    [{ mode: 'dusk' }, /"mode" must be "auto", "on" or "off"/],
    [{ brightness: 256 }, /"brightness" must be an integer from 0 to 255/],
    [{ brightness: 1.5 }, /"brightness" must be an integer/],
    [{}, /give "mode", "brightness" or both/],
    [{ mode: 'on', colour: 'red' }, /unknown field "colour"/],
    ['{"mode":', /./],
  ];
  for (const [payload, message] of refusals) {
    const reply = await client.request('night', payload);
    expect(reply).toMatchObject({ ok: false });
    expect((reply.error as { message: string }).message).toMatch(message);
  }
  expect(withoutTransaction(await client.request('night', { mode: 'on', brightness: 0 }))).toEqual({
    ok: true,
    mode: 'on',
    active: true,
    awake: false,
    brightness: 0,
  });
});
