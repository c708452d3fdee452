/**
 * Home Assistant entity states for apps: the compressed-event reducer, then the client part
 * (home-assistant-js-websocket) against a server speaking Home Assistant's WebSocket API.
 */
import { EventBus } from '../../src/events';
import { applyEntityEvent } from '../../src/homeassistant/entity-updates';
import { HomeAssistantStates, type EntityStateSink } from '../../src/homeassistant/states';
import type { HomeAssistantEntityState } from '../../src/sandbox/types';
import type { Logger } from '../../src/util/logger';
import { recordingLog } from '../helpers/logs';
import { delay, freePort, waitUntil } from '../helpers/ports';
import { HomeAssistantServer } from '../helpers/homeassistant/home-assistant-server';

const TOKEN = 'test-token-0123456789-never-logged';

describe('applyEntityEvent', () => {
  const wanted = new Set(['light.kitchen', 'sensor.temp']);

  it('adds, changes (set and removed attributes) and removes states', () => {
    const states = new Map<string, HomeAssistantEntityState>();
    expect(
      applyEntityEvent(states, { a: { 'light.kitchen': { s: 'on', a: { brightness: 200, friendly_name: 'Kitchen' }, c: 'x', lc: 1_700_000_000 } } }, wanted),
    ).toEqual([['light.kitchen', { state: 'on', attributes: { brightness: 200, friendly_name: 'Kitchen' }, last_changed: '2023-11-14T22:13:20.000Z' }]]);
    const changed = applyEntityEvent(
      states,
      { c: { 'light.kitchen': { '+': { s: 'off', a: { color_mode: 'brightness' }, lc: 1_700_000_060 }, '-': { a: ['brightness'] } } } },
      wanted,
    );
    expect(changed).toEqual([
      ['light.kitchen', { state: 'off', attributes: { friendly_name: 'Kitchen', color_mode: 'brightness' }, last_changed: '2023-11-14T22:14:20.000Z' }],
    ]);
    expect(applyEntityEvent(states, { r: ['light.kitchen'] }, wanted)).toEqual([['light.kitchen', null]]);
    expect(states.size).toBe(0);
  });

  it('entities nobody asked for, unknown entities and malformed events change nothing', () => {
    const states = new Map<string, HomeAssistantEntityState>();
    expect(applyEntityEvent(states, { a: { 'lock.front_door': { s: 'unlocked', a: {}, lc: 1 } } }, wanted)).toEqual([]);
    expect(applyEntityEvent(states, { c: { 'sensor.temp': { '+': { s: '21' } } } }, wanted)).toEqual([]);
    for (const bad of [null, 'x', 42, [], { a: 'x' }, { a: { 'sensor.temp': { s: 5 } } }, { c: { 'sensor.temp': 'x' } }, { r: 'sensor.temp' }, { r: [7] }]) {
      expect(applyEntityEvent(states, bad, wanted)).toEqual([]);
    }
    expect(states.size).toBe(0);
    applyEntityEvent(states, { a: { 'sensor.temp': { s: '20.5', a: 'not an object', lc: 'soon' } } }, wanted);
    expect(states.get('sensor.temp')).toEqual({ state: '20.5', attributes: {} });
  });
});

/** The device's side of the boundary: records what it is handed, lists what apps may read. */
class RecordingSink implements EntityStateSink {
  readonly updates: Array<[string, HomeAssistantEntityState | null]> = [];
  constructor(public entities: string[]) {}
  setEntityState(entityId: string, state: HomeAssistantEntityState | null): void {
    this.updates.push([entityId, state]);
  }
  readableEntities(): string[] {
    return this.entities;
  }
  latest(entityId: string): HomeAssistantEntityState | null | undefined {
    return this.updates.filter(([id]) => id === entityId).pop()?.[1];
  }
}

describe('HomeAssistantStates against a Home Assistant WebSocket server', () => {
  let server: HomeAssistantServer;
  let states: HomeAssistantStates | undefined;

  beforeEach(async () => {
    server = await HomeAssistantServer.start(TOKEN);
    server.setState('light.kitchen', 'off', { friendly_name: 'Kitchen' });
    server.setState('sensor.temp', '21.5', { unit_of_measurement: '°C' });
    server.setState('lock.front_door', 'locked');
  });

  afterEach(async () => {
    await states?.stop();
    states = undefined;
    await server.stop();
  });

  const start = (sink: RecordingSink, log: Logger, url = server.url, token = TOKEN): { bus: EventBus } => {
    const bus = new EventBus(log);
    states = new HomeAssistantStates({ url, token }, sink, bus, log);
    states.start();
    return { bus };
  };

  it('subscribes to exactly the entities apps may read and hands their states over', async () => {
    const sink = new RecordingSink(['sensor.temp', 'light.kitchen', 'light.missing']);
    start(sink, recordingLog());
    await waitUntil(() => sink.latest('light.kitchen') !== undefined && sink.latest('sensor.temp') !== undefined, 'both initial states', 15_000);
    expect(server.entitySubscriptions()).toEqual([['light.kitchen', 'light.missing', 'sensor.temp']]);
    expect(sink.latest('light.kitchen')).toMatchObject({ state: 'off', attributes: { friendly_name: 'Kitchen' } });
    expect(sink.latest('sensor.temp')).toMatchObject({ state: '21.5', attributes: { unit_of_measurement: '°C' } });
    expect(sink.updates.some(([id]) => id === 'lock.front_door')).toBe(false);

    server.setState('light.kitchen', 'on', { friendly_name: 'Kitchen', brightness: 255 });
    await waitUntil(() => sink.latest('light.kitchen')?.state === 'on', 'the change', 15_000);
    expect(sink.latest('light.kitchen')!.attributes).toEqual({ friendly_name: 'Kitchen', brightness: 255 });

    server.removeEntity('sensor.temp');
    await waitUntil(() => sink.latest('sensor.temp') === null, 'the removal', 15_000);
    // The supported_features handshake was answered and nothing unknown was sent.
    expect(server.commands.map((c) => c.message.type)).toEqual(['supported_features', 'subscribe_entities']);
  });

  it('a bad token is a clear error, not a retry loop, and the token is never logged', async () => {
    const log = recordingLog();
    const sink = new RecordingSink(['light.kitchen']);
    start(sink, log, server.url, 'wrong-token-abcdef');
    await waitUntil(() => log.lines.some((l) => l.level === 'error'), 'the error', 15_000);
    const error = log.lines.find((l) => l.level === 'error')!.message;
    expect(error).toContain(`Home Assistant at ${server.url} refused the access token (homeassistant.token)`);
    await delay(1500);
    expect(server.authAttempts).toEqual([{ accepted: false }]);
    expect(sink.updates).toEqual([]);
    expect(log.lines.some((l) => l.message.includes('wrong-token'))).toBe(false);
  });

  it('after a Home Assistant restart the client reconnects, resubscribes and gets changes again', async () => {
    const log = recordingLog();
    const sink = new RecordingSink(['light.kitchen']);
    start(sink, log);
    await waitUntil(() => sink.latest('light.kitchen')?.state === 'off', 'the first state', 15_000);
    await server.restart();
    await waitUntil(() => server.entitySubscriptions().length === 2, 'a second subscription', 20_000);
    expect(server.entitySubscriptions()).toEqual([['light.kitchen'], ['light.kitchen']]);
    server.setState('light.kitchen', 'on');
    await waitUntil(() => sink.latest('light.kitchen')?.state === 'on', 'the change after the restart', 15_000);
    expect(log.lines.map((l) => l.message)).toEqual(
      expect.arrayContaining(['connection to Home Assistant lost; reconnecting', 'connected to Home Assistant again']),
    );
    expect(log.lines.some((l) => l.message.includes(TOKEN))).toBe(false);
  });

  it('Home Assistant down at start: one warning, then it connects when Home Assistant comes up', async () => {
    const port = await freePort();
    const log = recordingLog();
    const sink = new RecordingSink(['sensor.temp']);
    start(sink, log, `http://127.0.0.1:${port}`);
    await waitUntil(() => log.lines.some((l) => l.level === 'warn'), 'the warning', 15_000);
    expect(log.lines.filter((l) => l.level === 'warn')[0].message).toMatch(/cannot reach Home Assistant at http:\/\/127\.0\.0\.1:\d+/);
    const late = await HomeAssistantServer.start(TOKEN, port);
    try {
      late.setState('sensor.temp', '19');
      await waitUntil(() => sink.latest('sensor.temp')?.state === '19', 'the state', 20_000);
      expect(log.lines.filter((l) => l.level === 'warn')).toHaveLength(1);
    } finally {
      await states?.stop();
      await late.stop();
    }
  });

  it('installing and removing apps changes the subscription; entities no app reads become unavailable', async () => {
    const sink = new RecordingSink(['light.kitchen']);
    const { bus } = start(sink, recordingLog());
    await waitUntil(() => sink.latest('light.kitchen') !== undefined, 'the first state', 15_000);
    sink.entities = ['sensor.temp'];
    bus.emit('appsChanged');
    await waitUntil(() => server.entitySubscriptions().length === 2, 'the new subscription', 15_000);
    expect(server.entitySubscriptions()[1]).toEqual(['sensor.temp']);
    await waitUntil(() => sink.latest('sensor.temp')?.state === '21.5', 'the new state', 15_000);
    expect(sink.latest('light.kitchen')).toBeNull();
    expect(server.commands.some((c) => c.message.type === 'unsubscribe_events')).toBe(true);
    // The same list again: nothing is resent.
    bus.emit('appsChanged');
    await delay(300);
    expect(server.entitySubscriptions()).toHaveLength(2);
    // Changes to the dropped entity no longer arrive.
    const before = sink.updates.length;
    server.setState('light.kitchen', 'on');
    server.setState('sensor.temp', '22');
    await waitUntil(() => sink.latest('sensor.temp')?.state === '22', 'the sensor change', 15_000);
    expect(sink.updates.slice(before).map(([id]) => id)).toEqual(['sensor.temp']);
  });

  it('no app reads Home Assistant: connected, but nothing subscribed', async () => {
    const sink = new RecordingSink([]);
    const log = recordingLog();
    start(sink, log);
    await waitUntil(() => log.lines.some((l) => l.message.startsWith('connected to Home Assistant')), 'the connection', 15_000);
    await delay(300);
    expect(server.entitySubscriptions()).toEqual([]);
  });
});
