/**
 * Home Assistant discovery end to end: the real bridge against a real mosquitto, watched by an
 * MQTT client that acts the way Home Assistant does (reads the retained configs, sends the
 * commands each entity sends, announces itself on homeassistant/status).
 */
import { DeviceTopics } from '@megabit/contract';
import { buildDiscoveryConfigs } from '../../src/homeassistant/discovery-configs';
import { removeDiscovery } from '../../src/homeassistant';
import { simulatorUrl } from '../../src/homeassistant/discovery';
import { VERSION } from '../../src/version';
import { exampleInstall } from '../helpers/bridge-process';
import { Mosquitto } from '../helpers/mosquitto';
import { TestClient, type Received } from '../helpers/mqtt-client';
import { delay } from '../helpers/ports';
import { startInProcess, type InProcessBridge } from './bridge-in-process';
import { discoveryProblems } from './discovery-schema';

const P = new DeviceTopics('megabit', 'megabit');
const OURS = 'homeassistant/+/megabit_megabit/+/config';
const STALE = 'homeassistant/sensor/megabit_megabit/old_sensor/config';
const FOREIGN = 'homeassistant/sensor/other_node/temperature/config';
const LAST_CONFIG = 'homeassistant/device_automation/megabit_megabit/button_double_press/config';

/** A built example app as an `apps/install` request body. */
const json = (m: Received): Record<string, unknown> => JSON.parse(m.payload.toString()) as Record<string, unknown>;

describe('Home Assistant discovery against mosquitto', () => {
  let broker: Mosquitto;
  let ha: TestClient;
  let bridge: InProcessBridge;
  let unchangedTopic: string;

  beforeAll(async () => {
    broker = await Mosquitto.start();
    ha = await TestClient.connect(broker.url, P);
    // Left by an earlier run: a config this version no longer has, another device's config, and
    // one identical to what the bridge is about to publish.
    await ha.publish(STALE, '{"name":"old"}', { retain: true });
    await ha.publish(FOREIGN, '{"name":"other"}', { retain: true });
    const { freePort } = await import('../helpers/ports');
    const httpPort = await freePort();
    const current = buildDiscoveryConfigs(
      { discoveryPrefix: 'homeassistant', baseTopic: 'megabit', deviceId: 'megabit', version: VERSION, configurationUrl: simulatorUrl('127.0.0.1', httpPort) },
      P,
      [{ id: 'clock', name: 'Clock', version: '1.0.0', enabled: true, status: 'ok' }, { id: 'scroll', name: 'Scroll', version: '1.0.0', enabled: true, status: 'ok' }],
    );
    const rotation = current.find((c) => c.objectId === 'rotation')!;
    unchangedTopic = rotation.topic;
    await ha.publish(rotation.topic, JSON.stringify(rotation.payload), { retain: true });
    await ha.subscribe(['homeassistant/#', `${P.prefix}/#`]);
    bridge = await startInProcess(broker.url, { apps: ['clock', 'scroll'], settings: { http: { host: '127.0.0.1', port: httpPort } } });
    await ha.waitFor(LAST_CONFIG);
  });

  afterAll(async () => {
    await bridge?.stop();
    await ha?.close();
    await broker?.dispose();
  });

  /** The latest message on each config topic of this device (an empty one means cleared). */
  const latestConfigs = (since = 0): Map<string, Received> => {
    const latest = new Map<string, Received>();
    for (const m of ha.messages.slice(since)) if (/^homeassistant\/[^/]+\/megabit_megabit\/[^/]+\/config$/.test(m.topic)) latest.set(m.topic, m);
    return latest;
  };

  /** The configs Home Assistant currently sees. */
  const liveConfigs = (): Array<Record<string, unknown>> => [...latestConfigs().values()].filter((m) => m.payload.length > 0).map(json);

  it('every published config passes the component rules, on the exact topics, retained', () => {
    const live = [...latestConfigs()].filter(([, m]) => m.payload.length > 0);
    const problems = live.flatMap(([topic, m]) => discoveryProblems(topic, json(m), 'homeassistant').map((p) => `${topic}: ${p}`));
    expect(problems).toEqual([]);
    expect(live.map(([t]) => t).sort()).toEqual([
      'homeassistant/button/megabit_megabit/dismiss_notification/config',
      'homeassistant/button/megabit_megabit/next_app/config',
      'homeassistant/button/megabit_megabit/previous_app/config',
      'homeassistant/device_automation/megabit_megabit/button_double_press/config',
      'homeassistant/device_automation/megabit_megabit/button_long_press/config',
      'homeassistant/device_automation/megabit_megabit/button_short_press/config',
      'homeassistant/event/megabit_megabit/button/config',
      'homeassistant/image/megabit_megabit/screen/config',
      'homeassistant/light/megabit_megabit/display/config',
      'homeassistant/notify/megabit_megabit/notification/config',
      'homeassistant/select/megabit_megabit/app/config',
      'homeassistant/sensor/megabit_megabit/current_app/config',
      'homeassistant/sensor/megabit_megabit/fps/config',
      'homeassistant/sensor/megabit_megabit/uptime/config',
      'homeassistant/switch/megabit_megabit/rotation/config',
    ]);
    const select = json(latestConfigs().get('homeassistant/select/megabit_megabit/app/config')!);
    expect(select.options).toEqual(['clock', 'scroll']);
    expect((select.device as Record<string, unknown>).configuration_url).toBe(`http://127.0.0.1:${bridge.settings.http.port}/`);
  });

  it('configs are retained on the broker', async () => {
    const late = await TestClient.connect(broker.url, P);
    try {
      await late.subscribe(OURS);
      const m = await late.waitFor('homeassistant/light/megabit_megabit/display/config');
      expect(m.retain).toBe(true);
    } finally {
      await late.close();
    }
  });

  it('stale configs of this device are cleared, other devices and unchanged configs are left alone', () => {
    const stale = ha.on(STALE);
    expect(stale[0].payload.toString()).toBe('{"name":"old"}');
    expect(stale[stale.length - 1].payload.length).toBe(0);
    expect(ha.on(FOREIGN).map((m) => m.payload.toString())).toEqual(['{"name":"other"}']);
    // Only the retained copy arrived: the bridge did not publish an unchanged config again.
    expect(ha.on(unchangedTopic)).toHaveLength(1);
    expect(ha.on(unchangedTopic)[0].retain).toBe(true);
  });

  it('each entity command, sent as Home Assistant sends it, is accepted by the control API', async () => {
    const configs = liveConfigs().filter((c) => typeof c.command_topic === 'string');
    const homeAssistantPayload = (c: Record<string, unknown>): string => {
      if (c.schema === 'json') return '{"state":"ON","brightness":200}';
      if (Array.isArray(c.options)) return String(c.options[0]);
      if (c.payload_press !== undefined) return String(c.payload_press);
      if (c.payload_off !== undefined) return String(c.payload_off);
      return 'Hello from Home Assistant';
    };
    const sent: string[] = [];
    for (const config of configs) {
      const path = P.commandPath(config.command_topic as string);
      expect(path).toBeDefined();
      const reply = await ha.request(path!, homeAssistantPayload(config));
      expect({ path, reply }).toEqual({ path, reply: expect.objectContaining({ ok: true }) });
      sent.push(path!);
    }
    expect(sent.sort()).toEqual(['app', 'app/next', 'app/previous', 'display', 'notify', 'notify/dismiss', 'rotation']);
  });

  it('a state change reaches every bound state topic with the fields the templates read', async () => {
    const since = ha.messages.length;
    await ha.request('display', '{"state":"OFF"}');
    await ha.request('button', { button: 'main', action: 'long_press' });
    await ha.request('screen', '');
    const stateMsg = await ha.waitFor(P.out('state'), (m) => json(m).state === 'OFF', 10_000, since);
    await ha.waitFor(P.out('event/button'), () => true, 10_000, since);
    await ha.waitFor(P.out('display/png'), () => true, 10_000, since);
    expect(stateMsg.retain).toBe(false);

    const configs = liveConfigs();
    const bound = configs.flatMap((c) => ['state_topic', 'topic', 'image_topic'].filter((k) => typeof c[k] === 'string').map((k) => ({ config: c, topic: c[k] as string })));
    expect(new Set(bound.map((b) => b.topic))).toEqual(new Set([P.out('state'), P.out('event/button'), P.out('display/png')]));
    for (const { config, topic } of bound) {
      const m = ha.on(topic, since).pop();
      expect({ topic, arrived: m !== undefined }).toEqual({ topic, arrived: true });
      if (topic.endsWith('/png')) {
        expect(m!.payload.subarray(1, 4).toString()).toBe('PNG');
        continue;
      }
      const fields = json(m!);
      for (const [, key] of String(config.value_template ?? '').matchAll(/value_json\.(\w+)/g)) {
        expect({ topic, key, present: key in fields }).toEqual({ topic, key, present: true });
      }
    }
    const light = json(stateMsg);
    expect(light).toMatchObject({ state: 'OFF', brightness: 200, rotation: false });
    // The device trigger's payload matches what its template extracts from the event.
    const trigger = configs.find((c) => c.type === 'button_long_press')!;
    expect(json(ha.on(P.out('event/button'), since).pop()!).action).toBe(trigger.payload);
    await ha.request('display', '{"state":"ON"}');
  });

  it('Home Assistant coming online gets configs, availability and state again', async () => {
    const since = ha.messages.length;
    await ha.publish('homeassistant/status', 'online');
    await ha.waitFor(LAST_CONFIG, () => true, 10_000, since);
    await ha.waitFor(P.out('availability'), (m) => m.payload.toString() === 'online', 10_000, since);
    await ha.waitFor(P.out('state'), () => true, 10_000, since);
    await ha.waitFor(P.out('state/apps'), () => true, 10_000, since);
    expect(latestConfigs(since).size).toBe(15);
  });

  it('an offline status or another payload republishes nothing', async () => {
    const since = ha.messages.length;
    await ha.publish('homeassistant/status', 'offline');
    await ha.publish('homeassistant/status', '{"garbage":');
    await delay(700);
    expect(latestConfigs(since).size).toBe(0);
  });

  it('the app select follows the enabled apps and goes away when none is left', async () => {
    let since = ha.messages.length;
    await ha.request('apps/order', { order: ['clock', 'scroll'], disabled: ['scroll'] });
    const one = await ha.waitFor('homeassistant/select/megabit_megabit/app/config', () => true, 10_000, since);
    expect(json(one).options).toEqual(['clock']);
    // Only the select changed, so only the select was published.
    expect([...latestConfigs(since).keys()]).toEqual(['homeassistant/select/megabit_megabit/app/config']);

    since = ha.messages.length;
    await ha.request('apps/order', { order: ['clock', 'scroll'], disabled: ['clock', 'scroll'] });
    const cleared = await ha.waitFor('homeassistant/select/megabit_megabit/app/config', () => true, 10_000, since);
    expect(cleared.payload.length).toBe(0);

    since = ha.messages.length;
    await ha.request('apps/order', { order: ['clock', 'scroll'], disabled: [] });
    const back = await ha.waitFor('homeassistant/select/megabit_megabit/app/config', () => true, 10_000, since);
    expect(json(back).options).toEqual(['clock', 'scroll']);
  });

  it('the app select follows installs, reorders and removals', async () => {
    const select = 'homeassistant/select/megabit_megabit/app/config';
    const optionsAfter = async (path: string, payload: Record<string, unknown>): Promise<unknown> => {
      const since = ha.messages.length;
      const reply = await ha.request(path, payload, 30_000);
      expect({ path, reply }).toEqual({ path, reply: expect.objectContaining({ ok: true }) });
      const m = await ha.waitFor(select, () => true, 10_000, since);
      // Only the select changed, so only the select was published.
      expect([...latestConfigs(since).keys()]).toEqual([select]);
      return json(m).options;
    };

    expect(await optionsAfter('apps/install', exampleInstall('life'))).toEqual(['clock', 'scroll', 'life']);
    expect(await optionsAfter('apps/order', { order: ['life', 'scroll', 'clock'] })).toEqual(['life', 'scroll', 'clock']);
    expect(await optionsAfter('apps/remove', { id: 'scroll' })).toEqual(['life', 'clock']);

    // What a Home Assistant starting now reads from the broker is the current list.
    const late = await TestClient.connect(broker.url, P);
    try {
      await late.subscribe(select);
      expect(json(await late.waitFor(select)).options).toEqual(['life', 'clock']);
    } finally {
      await late.close();
    }
  });

  it('removeDiscovery clears every config of this device and nothing else', async () => {
    await bridge.stop();
    await removeDiscovery(bridge.settings);
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
  it('homeassistant.enabled: false publishes no configs and ignores Home Assistant\'s status', async () => {
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
    await ha.waitFor(`${PREFIX}/device_automation/megabit_megabit/button_double_press/config`);
  });

  afterAll(async () => {
    await bridge?.stop();
    await ha?.close();
    await broker?.dispose();
  });

  const configsUnder = (prefix: string, since = 0): Map<string, Received> => {
    const latest = new Map<string, Received>();
    const pattern = new RegExp(`^${prefix}/[^/]+/megabit_megabit/[^/]+/config$`);
    for (const m of ha.messages.slice(since)) if (pattern.test(m.topic)) latest.set(m.topic, m);
    return latest;
  };

  it('every config is published under the prefix, valid, and nothing under the default one', () => {
    const live = [...configsUnder(PREFIX)].filter(([, m]) => m.payload.length > 0);
    expect(live).toHaveLength(15);
    expect(live.flatMap(([topic, m]) => discoveryProblems(topic, json(m), PREFIX).map((p) => `${topic}: ${p}`))).toEqual([]);
    expect(json(configsUnder(PREFIX).get(`${PREFIX}/select/megabit_megabit/app/config`)!).options).toEqual(['clock']);
    expect(ha.on(CUSTOM_STALE).pop()!.payload.length).toBe(0);
    expect(ha.messages.filter((m) => m.topic.startsWith('homeassistant/')).map((m) => [m.topic, m.payload.toString()])).toEqual([
      [DEFAULT_PREFIX_CONFIG, '{"name":"old"}'],
    ]);
  });

  it('Home Assistant\'s birth message counts on <prefix>/status only', async () => {
    let since = ha.messages.length;
    await ha.publish('homeassistant/status', 'online');
    await delay(700);
    expect(configsUnder(PREFIX, since).size).toBe(0);

    since = ha.messages.length;
    await ha.publish(`${PREFIX}/status`, 'online');
    await ha.waitFor(`${PREFIX}/device_automation/megabit_megabit/button_double_press/config`, () => true, 10_000, since);
    await ha.waitFor(P.out('availability'), (m) => m.payload.toString() === 'online', 10_000, since);
    expect(configsUnder(PREFIX, since).size).toBe(15);
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
