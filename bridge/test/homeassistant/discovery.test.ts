/**
 * Home Assistant discovery end to end: the real bridge against a real mosquitto, watched by an
 * MQTT client that acts the way Home Assistant does (reads the retained device config, sends the
 * commands each entity sends, renders its templates with real Jinja, announces itself on
 * homeassistant/status), starting from the single-component configs an earlier version left.
 */
import { buildDiscoveryConfigs } from '../../src/homeassistant/discovery-configs';
import { removeDiscovery } from '../../src/homeassistant';
import { simulatorUrl } from '../../src/homeassistant/discovery';
import { VERSION } from '../../src/version';
import { exampleInstall } from '../helpers/bridge-process';
import { Mosquitto } from '../helpers/mosquitto';
import { TestClient, type Received } from '../helpers/mqtt-client';
import { delay } from '../helpers/ports';
import { startInProcess, type InProcessBridge } from '../helpers/homeassistant/bridge-in-process';
import { parseNotify } from '@megabit/contract';
import { deviceDiscoveryProblems, discoveryProblems } from '../helpers/homeassistant/discovery-schema';
import { renderTemplate } from '../helpers/homeassistant/ha-template';
import { DEVICE_TOPICS as P } from '../helpers/topics';

const DEVICE = 'homeassistant/device/megabit_megabit/config';
const SINGLES = 'homeassistant/+/megabit_megabit/+/config';
const STALE = 'homeassistant/sensor/megabit_megabit/old_sensor/config';
const FOREIGN = 'homeassistant/sensor/other_node/temperature/config';
const MIGRATE = '{"migrate_discovery":true}';

const json = (m: Received): Record<string, unknown> => JSON.parse(m.payload.toString()) as Record<string, unknown>;
type Components = Record<string, Record<string, unknown>>;

describe('Home Assistant discovery against mosquitto', () => {
  let broker: Mosquitto;
  let ha: TestClient;
  let bridge: InProcessBridge;
  /** The single-component configs an earlier version published (topic → payload). */
  let earlier: Map<string, string>;

  beforeAll(async () => {
    broker = await Mosquitto.start();
    ha = await TestClient.connect(broker.url, P);
    const { freePort } = await import('../helpers/ports');
    const httpPort = await freePort();
    const apps = [
      { id: 'clock', name: 'Clock', version: '1.0.0', enabled: true, status: 'ok' as const },
      { id: 'scroll', name: 'Scroll', version: '1.0.0', enabled: true, status: 'ok' as const },
    ];
    earlier = new Map(
      buildDiscoveryConfigs(
        {
          discoveryPrefix: 'homeassistant',
          baseTopic: 'megabit',
          deviceId: 'megabit',
          version: '0.0.1',
          configurationUrl: simulatorUrl('127.0.0.1', httpPort),
        },
        P,
        apps,
      ).map((c) => [c.topic, JSON.stringify(c.payload)]),
    );
    earlier.set(STALE, '{"name":"old"}');
    for (const [topic, payload] of earlier) await ha.publish(topic, payload, { retain: true });
    await ha.publish(FOREIGN, '{"name":"other"}', { retain: true });
    await ha.subscribe(['homeassistant/#', `${P.prefix}/#`]);
    bridge = await startInProcess(broker.url, { apps: ['clock', 'scroll'], settings: { http: { host: '127.0.0.1', port: httpPort } } });
    // The migration's last step: every single-component topic cleared.
    for (const topic of earlier.keys()) await ha.waitFor(topic, (m) => m.payload.length === 0, 15_000);
  });

  afterAll(async () => {
    await bridge?.stop();
    await ha?.close();
    await broker?.dispose();
  });

  /** The latest device config after message index `since`. */
  const deviceConfig = (since = 0): Record<string, unknown> | undefined => {
    const m = ha.on(DEVICE, since).pop();
    return m && m.payload.length > 0 ? json(m) : undefined;
  };
  const components = (since = 0): Components => (deviceConfig(since)?.cmps ?? {}) as Components;

  it('migration: migrate_discovery on every kept single topic, then the device config, then the old topics cleared', () => {
    const index = (topic: string, predicate: (m: Received) => boolean): number => ha.messages.findIndex((m) => m.topic === topic && predicate(m));
    const firstDevice = index(DEVICE, (m) => m.payload.length > 0);
    expect(firstDevice).toBeGreaterThan(0);
    for (const topic of earlier.keys()) {
      const cleared = index(topic, (m) => m.payload.length === 0);
      expect({ topic, clearedAfterDevice: cleared > firstDevice }).toEqual({ topic, clearedAfterDevice: true });
      const marker = index(topic, (m) => m.payload.toString() === MIGRATE);
      if (topic === STALE) {
        // A component this version no longer has is removed, not handed over.
        expect(marker).toBe(-1);
        continue;
      }
      expect({ topic, markerBeforeDevice: marker >= 0 && marker < firstDevice }).toEqual({ topic, markerBeforeDevice: true });
      // The interim payload passes the config-time check too.
      expect(discoveryProblems(topic, JSON.parse(MIGRATE) as Record<string, unknown>, 'homeassistant')).toEqual([]);
    }
    expect(ha.on(FOREIGN).map((m) => m.payload.toString())).toEqual(['{"name":"other"}']);
  });

  it('keeps the entity ids of the version before device-based discovery (0.1.0), written out so that no change of both can hide', () => {
    // What 0.1.0 published, one topic per entity: the registry keys users' renames and cards by these.
    const released: Array<[topic: string, uniqueId: string | null]> = [
      ['homeassistant/light/megabit_megabit/display/config', 'megabit_megabit_display'],
      ['homeassistant/select/megabit_megabit/app/config', 'megabit_megabit_app'],
      ['homeassistant/button/megabit_megabit/next_app/config', 'megabit_megabit_next_app'],
      ['homeassistant/button/megabit_megabit/previous_app/config', 'megabit_megabit_previous_app'],
      ['homeassistant/button/megabit_megabit/dismiss_notification/config', 'megabit_megabit_dismiss_notification'],
      ['homeassistant/notify/megabit_megabit/notification/config', 'megabit_megabit_notification'],
      ['homeassistant/sensor/megabit_megabit/current_app/config', 'megabit_megabit_current_app'],
      ['homeassistant/sensor/megabit_megabit/fps/config', 'megabit_megabit_fps'],
      ['homeassistant/sensor/megabit_megabit/uptime/config', 'megabit_megabit_uptime'],
      ['homeassistant/event/megabit_megabit/button/config', 'megabit_megabit_button'],
      ['homeassistant/image/megabit_megabit/screen/config', 'megabit_megabit_screen'],
      ['homeassistant/switch/megabit_megabit/rotation/config', 'megabit_megabit_rotation'],
      ['homeassistant/device_automation/megabit_megabit/button_short_press/config', null],
      ['homeassistant/device_automation/megabit_megabit/button_long_press/config', null],
      ['homeassistant/device_automation/megabit_megabit/button_double_press/config', null],
    ];
    expect(DEVICE).toBe('homeassistant/device/megabit_megabit/config');
    const cmps = components();
    for (const [topic, uniqueId] of released) {
      const [, component, , objectId] = topic.split('/');
      expect({ topic, p: cmps[objectId]?.p, unique_id: cmps[objectId]?.unique_id ?? null }).toEqual({ topic, p: component, unique_id: uniqueId });
    }
  });

  it("the device config passes Home Assistant's checks and keeps every discovery id and unique id", () => {
    const config = deviceConfig()!;
    expect(deviceDiscoveryProblems(DEVICE, config, 'homeassistant')).toEqual([]);
    const cmps = components();
    for (const [topic, payload] of earlier) {
      if (topic === STALE) continue;
      const [, component, , objectId] = topic.split('/');
      const old = JSON.parse(payload) as Record<string, unknown>;
      expect({ objectId, p: cmps[objectId]?.p, unique_id: cmps[objectId]?.unique_id }).toEqual({ objectId, p: component, unique_id: old.unique_id });
    }
    expect(cmps.app.options).toEqual(['clock', 'scroll']);
    expect(config.o).toEqual({ name: 'Megabit bridge', sw_version: VERSION, support_url: `http://127.0.0.1:${bridge.settings.http.port}/` });
    // The bridge's own version on the device.
    expect(config.dev).toMatchObject({ sw_version: VERSION, configuration_url: `http://127.0.0.1:${bridge.settings.http.port}/` });
  });

  it('the device config is retained; no single-component config is left', async () => {
    const late = await TestClient.connect(broker.url, P);
    try {
      await late.subscribe([DEVICE, SINGLES]);
      const m = await late.waitFor(DEVICE);
      expect(m.retain).toBe(true);
      await delay(500);
      expect(late.messages.map((x) => x.topic)).toEqual([DEVICE]);
    } finally {
      await late.close();
    }
  });

  it('each entity command, sent as Home Assistant sends it, is accepted by the control API', async () => {
    const cmps = Object.values(components()).filter((c) => typeof c.command_topic === 'string');
    const homeAssistantPayload = (c: Record<string, unknown>): string => {
      if (c.schema === 'json') return '{"state":"ON","brightness":200}';
      if (Array.isArray(c.options)) return String(c.options[0]);
      if (c.payload_press !== undefined) return String(c.payload_press);
      if (c.payload_off !== undefined) return String(c.payload_off);
      // number: its value through the entity's command template.
      if (typeof c.max === 'number') return renderTemplate(c.command_template as string, String(c.max));
      // notify: the message through the entity's command template.
      return renderTemplate(c.command_template as string, 'Hello from Home Assistant');
    };
    const sent: string[] = [];
    for (const c of cmps) {
      const path = P.commandPath(c.command_topic as string);
      expect(path).toBeDefined();
      const reply = await ha.request(path!, homeAssistantPayload(c));
      expect({ path, reply }).toEqual({ path, reply: expect.objectContaining({ ok: true }) });
      sent.push(path!);
    }
    expect(sent.sort()).toEqual(['app', 'app/next', 'app/previous', 'display', 'night', 'night', 'night', 'notify', 'notify/dismiss', 'rotation']);
  });

  it("the light's transition and flash, as Home Assistant sends them, are accepted", async () => {
    const light = components().display;
    expect(light.transition).not.toBe(false);
    expect(light.flash).not.toBe(false);
    for (const payload of [
      '{"state":"ON","brightness":120,"transition":2}',
      '{"state":"OFF","transition":2}',
      '{"state":"ON","transition":2}',
      `{"state":"ON","flash":${String(light.flash_time_short)}}`,
      `{"state":"ON","flash":${String(light.flash_time_long)}}`,
    ]) {
      const reply = await ha.request('display', payload);
      expect({ payload, reply }).toEqual({ payload, reply: expect.objectContaining({ ok: true, state: 'ON' === JSON.parse(payload).state ? 'ON' : 'OFF' }) });
    }
    expect(await ha.request('display', '{"state":"ON","brightness":200}')).toMatchObject({ ok: true, state: 'ON', brightness: 200 });
  });

  it('notify shows exactly the message, whatever characters it holds', async () => {
    const notify = components().notification;
    const messages = ['{garage} open', '{"text":"not a field"}', 'quotes " and \\ backslash', 'Zürich → 21 °C ✓', '{{ not a template }}', '  spaced  '];
    for (const message of messages) {
      const payload = renderTemplate(notify.command_template as string, message);
      const parsed = parseNotify(payload);
      expect({ message, parsed }).toEqual({ message, parsed: { ok: true, value: { text: message } } });
      const reply = await ha.request('notify', payload);
      expect({ message, reply }).toEqual({ message, reply: expect.objectContaining({ ok: true }) });
    }
    await ha.request('notify/dismiss', '{}');
  });

  it('a state change reaches every bound state topic with the fields the templates read', async () => {
    const since = ha.messages.length;
    await ha.request('display', '{"state":"OFF"}');
    await ha.request('button', { button: 'main', action: 'long_press' });
    const stateMsg = await ha.waitFor(P.out('state'), (m) => json(m).state === 'OFF', 10_000, since);
    await ha.waitFor(P.out('event/button'), () => true, 10_000, since);
    await ha.waitFor(P.out('display/snapshot'), () => true, 10_000);
    expect(stateMsg.retain).toBe(false);

    const cmps = Object.values(components());
    const bound = cmps.flatMap((c) =>
      ['state_topic', 'topic', 'image_topic'].filter((k) => typeof c[k] === 'string').map((k) => ({ config: c, topic: c[k] as string })),
    );
    expect(new Set(bound.map((b) => b.topic))).toEqual(new Set([P.out('state'), P.out('event/button'), P.out('display/snapshot')]));
    for (const { config, topic } of bound) {
      const m = ha.on(topic).pop();
      expect({ topic, arrived: m !== undefined }).toEqual({ topic, arrived: true });
      if (topic.endsWith('/snapshot')) {
        expect(m!.payload.subarray(1, 4).toString()).toBe('PNG');
        continue;
      }
      if (typeof config.value_template === 'string') {
        // Home Assistant's own rendering of the template over what the bridge published.
        expect({ topic, rendered: renderTemplate(config.value_template, m!.payload.toString()).length > 0 }).toEqual({ topic, rendered: true });
      }
    }
    const light = json(stateMsg);
    expect(light).toMatchObject({ state: 'OFF', brightness: 200, rotation: false });
    // The device trigger's payload matches what its template extracts from the event.
    const trigger = cmps.find((c) => c.type === 'button_long_press')!;
    expect(renderTemplate(trigger.value_template as string, ha.on(P.out('event/button'), since).pop()!.payload.toString())).toBe(trigger.payload);
    await ha.request('display', '{"state":"ON"}');
  });

  it('Home Assistant coming online gets the config, availability, state and the screen again', async () => {
    const since = ha.messages.length;
    await ha.publish('homeassistant/status', 'online');
    await ha.waitFor(DEVICE, () => true, 10_000, since);
    await ha.waitFor(P.out('availability'), (m) => m.payload.toString() === 'online', 10_000, since);
    await ha.waitFor(P.out('state'), () => true, 10_000, since);
    await ha.waitFor(P.out('state/apps'), () => true, 10_000, since);
    await ha.waitFor(P.out('display/snapshot'), () => true, 10_000, since);
    expect(deviceDiscoveryProblems(DEVICE, deviceConfig(since)!, 'homeassistant')).toEqual([]);
  });

  it('an offline status or another payload republishes nothing', async () => {
    const since = ha.messages.length;
    await ha.publish('homeassistant/status', 'offline');
    await ha.publish('homeassistant/status', '{"garbage":');
    await delay(700);
    expect(ha.on(DEVICE, since)).toHaveLength(0);
  });

  it('the app select follows the enabled apps and stays, with no options, when none is left', async () => {
    let since = ha.messages.length;
    await ha.request('apps/order', { order: ['clock', 'scroll'], disabled: ['scroll'] });
    await ha.waitFor(DEVICE, () => true, 10_000, since);
    expect(components(since).app.options).toEqual(['clock']);
    // One publish: only the device config, once.
    expect(ha.on(DEVICE, since)).toHaveLength(1);

    since = ha.messages.length;
    await ha.request('apps/order', { order: ['clock', 'scroll'], disabled: ['clock', 'scroll'] });
    await ha.waitFor(DEVICE, () => true, 10_000, since);
    const none = deviceConfig(since)!;
    expect((none.cmps as Components).app).toMatchObject({ p: 'select', options: [], unique_id: 'megabit_megabit_app' });
    expect(deviceDiscoveryProblems(DEVICE, none, 'homeassistant')).toEqual([]);

    since = ha.messages.length;
    await ha.request('apps/order', { order: ['clock', 'scroll'], disabled: [] });
    await ha.waitFor(DEVICE, () => true, 10_000, since);
    expect(components(since).app.options).toEqual(['clock', 'scroll']);
    // At no point was the select (or anything) removed.
    expect(ha.on(DEVICE).every((m) => m.payload.length > 0 && 'app' in (json(m).cmps as Components))).toBe(true);
  });

  it('the app select follows installs, reorders and removals', async () => {
    const optionsAfter = async (path: string, payload: Record<string, unknown>): Promise<unknown> => {
      const since = ha.messages.length;
      const reply = await ha.request(path, payload, 30_000);
      expect({ path, reply }).toEqual({ path, reply: expect.objectContaining({ ok: true }) });
      await ha.waitFor(DEVICE, () => true, 10_000, since);
      return components(since).app.options;
    };

    expect(await optionsAfter('apps/install', exampleInstall('life'))).toEqual(['clock', 'scroll', 'life']);
    expect(await optionsAfter('apps/order', { order: ['life', 'scroll', 'clock'] })).toEqual(['life', 'scroll', 'clock']);
    expect(await optionsAfter('apps/remove', { id: 'scroll' })).toEqual(['life', 'clock']);

    // What a Home Assistant starting now reads from the broker is the current list.
    const late = await TestClient.connect(broker.url, P);
    try {
      await late.subscribe(DEVICE);
      expect((json(await late.waitFor(DEVICE)).cmps as Components).app.options).toEqual(['life', 'clock']);
    } finally {
      await late.close();
    }
  });

  it('removeDiscovery clears the device config and nothing else', async () => {
    await bridge.stop();
    expect(await removeDiscovery(bridge.settings)).toMatch(/^removed 1 Home Assistant discovery config/);
    const after = await TestClient.connect(broker.url, P);
    try {
      await after.subscribe('homeassistant/#');
      await after.waitFor(FOREIGN);
      await delay(500);
      expect(after.messages.map((m) => m.topic)).toEqual([FOREIGN]);
    } finally {
      await after.close();
    }
  });
});

describe('a restart with the device config already there', () => {
  it('publishes nothing to single-component topics, and removes a component it no longer has with {p} first', async () => {
    const broker = await Mosquitto.start();
    const ha = await TestClient.connect(broker.url, P);
    let bridge: InProcessBridge | undefined;
    try {
      const current = buildDiscoveryConfigs({ discoveryPrefix: 'homeassistant', baseTopic: 'megabit', deviceId: 'megabit', version: VERSION }, P, []);
      const { devicePayload } = await import('../../src/homeassistant/device-discovery');
      const withOld = devicePayload(current) as { cmps: Components };
      withOld.cmps.old_sensor = { p: 'sensor', state_topic: 'megabit/megabit/state', unique_id: 'megabit_megabit_old_sensor' };
      await ha.publish(DEVICE, JSON.stringify(withOld), { retain: true });
      await ha.subscribe(['homeassistant/#']);
      await ha.waitFor(DEVICE);
      const since = ha.messages.length;
      bridge = await startInProcess(broker.url, { apps: ['clock'] });
      const final = await ha.waitFor(DEVICE, (m) => !('old_sensor' in (json(m).cmps as Components)), 15_000, since);
      const published = ha.on(DEVICE, since);
      expect(published.length).toBe(2);
      expect((json(published[0]).cmps as Components).old_sensor).toEqual({ p: 'sensor' });
      expect(deviceDiscoveryProblems(DEVICE, json(published[0]), 'homeassistant')).toEqual([]);
      expect(deviceDiscoveryProblems(DEVICE, json(final), 'homeassistant')).toEqual([]);
      expect(ha.messages.slice(since).filter((m) => m.topic !== DEVICE && m.topic !== 'homeassistant/status')).toEqual([]);
    } finally {
      await bridge?.stop();
      await ha.close();
      await broker.dispose();
    }
  });
});

describe('a migration interrupted after its first step', () => {
  it('the markers left are cleared only after the device config is out, and none is sent again', async () => {
    const broker = await Mosquitto.start();
    const ha = await TestClient.connect(broker.url, P);
    let bridge: InProcessBridge | undefined;
    try {
      const marked = ['homeassistant/light/megabit_megabit/display/config', 'homeassistant/select/megabit_megabit/app/config'];
      for (const topic of marked) await ha.publish(topic, MIGRATE, { retain: true });
      await ha.subscribe(['homeassistant/#']);
      for (const topic of marked) await ha.waitFor(topic);
      const since = ha.messages.length;
      bridge = await startInProcess(broker.url, { apps: ['clock'] });
      for (const topic of marked) await ha.waitFor(topic, (m) => m.payload.length === 0, 15_000, since);
      const after = ha.messages.slice(since);
      const device = after.findIndex((m) => m.topic === DEVICE && m.payload.length > 0);
      expect(device).toBeGreaterThanOrEqual(0);
      for (const topic of marked) {
        expect(after.filter((m) => m.topic === topic).map((m) => m.payload.toString())).toEqual(['']);
        expect(after.findIndex((m) => m.topic === topic)).toBeGreaterThan(device);
      }
    } finally {
      await bridge?.stop();
      await ha.close();
      await broker.dispose();
    }
  });
});

describe('removeDiscovery without a broker', () => {
  it('an unreachable external broker is a clear error', async () => {
    const { settingsFrom } = await import('../../src/config');
    const { freePort } = await import('../helpers/ports');
    const settings = settingsFrom({ mqtt: { url: `mqtt://127.0.0.1:${await freePort()}` } }, 'test', {});
    await expect(removeDiscovery(settings)).rejects.toThrow(/cannot reach the MQTT broker mqtt:\/\/127\.0\.0\.1:\d+/);
  });

  it('a stopped embedded broker holds nothing: reported, not an error', async () => {
    const { settingsFrom } = await import('../../src/config');
    const { freePort } = await import('../helpers/ports');
    const settings = settingsFrom({ broker: { port: await freePort() } }, 'test', {});
    expect(await removeDiscovery(settings)).toMatch(/embedded broker .* is not running/);
  });
});

describe('discovery switched off', () => {
  it("homeassistant.enabled: false publishes no configs and ignores Home Assistant's status", async () => {
    const broker = await Mosquitto.start();
    const watcher = await TestClient.connect(broker.url, P);
    let bridge: InProcessBridge | undefined;
    try {
      await watcher.subscribe(['homeassistant/#', P.out('state')]);
      // The bridge is up and publishing once its state arrives.
      bridge = await startInProcess(broker.url, { apps: ['clock'], settings: { homeassistant: { enabled: false } } });
      await watcher.waitFor(P.out('state'));
      await watcher.publish('homeassistant/status', 'online');
      await delay(2000);
      expect(watcher.messages.filter((m) => m.topic !== 'homeassistant/status' && m.topic.startsWith('homeassistant/'))).toEqual([]);
    } finally {
      await bridge?.stop();
      await watcher.close();
      await broker.dispose();
    }
  });
});

describe('a non-default discovery prefix', () => {
  const PREFIX = 'site1/homeassistant';
  const CUSTOM_DEVICE = `${PREFIX}/device/megabit_megabit/config`;
  const CUSTOM_STALE = `${PREFIX}/sensor/megabit_megabit/old_sensor/config`;
  // Left under the default prefix (for example before the prefix was changed): not ours to manage.
  const DEFAULT_PREFIX_CONFIG = 'homeassistant/sensor/megabit_megabit/old_sensor/config';
  let broker: Mosquitto;
  let ha: TestClient;
  let bridge: InProcessBridge | undefined;

  beforeAll(async () => {
    broker = await Mosquitto.start();
    ha = await TestClient.connect(broker.url, P);
    await ha.publish(CUSTOM_STALE, '{"name":"old"}', { retain: true });
    await ha.publish(DEFAULT_PREFIX_CONFIG, '{"name":"old"}', { retain: true });
    await ha.subscribe(['homeassistant/#', 'site1/#', `${P.prefix}/#`]);
    bridge = await startInProcess(broker.url, { apps: ['clock'], settings: { homeassistant: { discovery_prefix: PREFIX } } });
    await ha.waitFor(CUSTOM_DEVICE);
    await ha.waitFor(CUSTOM_STALE, (m) => m.payload.length === 0);
  });

  afterAll(async () => {
    await bridge?.stop();
    await ha?.close();
    await broker?.dispose();
  });

  it('the device config is published under the prefix, valid, and nothing under the default one', () => {
    const config = json(ha.on(CUSTOM_DEVICE).pop()!);
    expect(deviceDiscoveryProblems(CUSTOM_DEVICE, config, PREFIX)).toEqual([]);
    expect((config.cmps as Components).app.options).toEqual(['clock']);
    expect(ha.messages.filter((m) => m.topic.startsWith('homeassistant/')).map((m) => [m.topic, m.payload.toString()])).toEqual([
      [DEFAULT_PREFIX_CONFIG, '{"name":"old"}'],
    ]);
  });

  it("Home Assistant's birth on homeassistant/status counts whatever the prefix; <prefix>/status does not", async () => {
    let since = ha.messages.length;
    await ha.publish(`${PREFIX}/status`, 'online');
    await delay(700);
    expect(ha.on(CUSTOM_DEVICE, since)).toHaveLength(0);

    since = ha.messages.length;
    await ha.publish('homeassistant/status', 'online');
    await ha.waitFor(CUSTOM_DEVICE, () => true, 10_000, since);
    await ha.waitFor(P.out('availability'), (m) => m.payload.toString() === 'online', 10_000, since);
  });

  it('removeDiscovery clears the configs under the prefix only', async () => {
    await bridge!.stop();
    bridge = undefined;
    const settings = (await import('../../src/config')).settingsFrom({ mqtt: { url: broker.url }, homeassistant: { discovery_prefix: PREFIX } }, 'test', {});
    await removeDiscovery(settings);
    const after = await TestClient.connect(broker.url, P);
    try {
      await after.subscribe(['homeassistant/#', 'site1/#']);
      await after.waitFor(DEFAULT_PREFIX_CONFIG);
      await delay(500);
      expect(after.messages.map((m) => m.topic)).toEqual([DEFAULT_PREFIX_CONFIG]);
    } finally {
      await after.close();
    }
  });
});

describe('homeassistant.birth_topic', () => {
  it('a changed birth topic is the one the bridge answers', async () => {
    const broker = await Mosquitto.start();
    const ha = await TestClient.connect(broker.url, P);
    let bridge: InProcessBridge | undefined;
    try {
      await ha.subscribe([DEVICE, P.out('availability')]);
      bridge = await startInProcess(broker.url, { apps: ['clock'], settings: { homeassistant: { birth_topic: 'ha/birth' } } });
      await ha.waitFor(DEVICE);
      let since = ha.messages.length;
      await ha.publish('homeassistant/status', 'online');
      await delay(700);
      expect(ha.on(DEVICE, since)).toHaveLength(0);
      since = ha.messages.length;
      await ha.publish('ha/birth', 'online');
      await ha.waitFor(DEVICE, () => true, 10_000, since);
    } finally {
      await bridge?.stop();
      await ha.close();
      await broker.dispose();
    }
  });
});
