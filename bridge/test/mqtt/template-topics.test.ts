/**
 * `{{mqtt:topic}}` placeholders in live text, without Home Assistant: the real bridge (in
 * process) against mosquitto, whose subscribe and unsubscribe log shows the bridge subscribing
 * while a template reads a topic and unsubscribing after the last one.
 */
import { startInProcess, type InProcessBridge } from '../helpers/homeassistant/bridge-in-process';
import { Mosquitto } from '../helpers/mosquitto';
import { TestClient } from '../helpers/mqtt-client';
import { type TemplateWatch, TemplateWatches } from '../helpers/template-watches';
import { waitUntil } from '../helpers/ports';
import { DEVICE_TOPICS as P } from '../helpers/topics';
import { settingsFrom } from '../../src/config/settings';
import { TemplateTopics } from '../../src/mqtt/template-topics';
import { NO_HOME_ASSISTANT, TEMPLATE_LIMITS } from '../../src/templates/live-templates';
import type { TemplateResult } from '../../src/templates/template-source';

jest.setTimeout(60_000);

/** The bridge's client id: `megabit-<device id>`. */
const BRIDGE_CLIENT = 'megabit-megabit';

/** What this bridge's templates may read: `home/` one level down, and the display's own topics (to show the command topics are refused still). */
const ALLOWED = ['home/+', 'megabit/#'];

let broker: Mosquitto;
let client: TestClient;
let bridge: InProcessBridge;

beforeAll(async () => {
  broker = await Mosquitto.start({ extraConfig: ['log_type subscribe', 'log_type unsubscribe', 'log_dest stderr'] });
  client = await TestClient.connect(broker.url, P);
  bridge = await startInProcess(broker.url, { settings: { homeassistant: { enabled: false }, templates: { mqtt_topics: ALLOWED } } });
});

afterAll(async () => {
  await bridge?.stop();
  await client?.close();
  await broker?.dispose();
});

const watches = new TemplateWatches(() => bridge.controller.templates);

afterEach(() => watches.stopAll());

const watch = (text: string): TemplateWatch => watches.watch(text);
const resultOf = (text: string): Promise<TemplateResult> => watches.firstResult(text);

/** The bridge's subscribe and unsubscribe requests for `topic`, as mosquitto logged them. */
function brokerLog(topic: string): { subscribed: number; unsubscribed: number } {
  const lines = broker.output.split('\n').map((line) => line.replace(/^\d+: /, ''));
  return {
    subscribed: lines.filter((line) => line === `${BRIDGE_CLIENT} 1 ${topic}`).length,
    unsubscribed: lines.filter((line) => line === `${BRIDGE_CLIENT} ${topic}`).length,
  };
}

it('fills in the latest payload of a topic, and the new one when it changes', async () => {
  await client.publish('home/temp', '21.5', { retain: true });
  const w = watch('T {{mqtt:home/temp}} °C');
  await waitUntil(() => w.results.length > 0, 'the first result');
  expect(w.results[0]).toEqual({ ok: true, text: 'T 21.5 °C' });
  await client.publish('home/temp', '22', { retain: true });
  await waitUntil(() => w.results.length > 1, 'the second result');
  expect(w.latest()).toEqual({ ok: true, text: 'T 22 °C' });
  w.stop();
});

it('a JSON path picks one value: keys and array indexes; numbers and objects show as JSON', async () => {
  await client.publish('home/sensor', JSON.stringify({ temperature: 20.5, rooms: [{ name: 'hall' }, { name: 'attic', window: { open: true } }] }), {
    retain: true,
  });
  expect(await resultOf('{{mqtt:home/sensor#temperature}}° in {{mqtt:home/sensor#rooms.1.name}}')).toEqual({ ok: true, text: '20.5° in attic' });
  expect(await resultOf('{{ mqtt:home/sensor#rooms.1.window }}')).toEqual({ ok: true, text: '{"open":true}' });
});

it('a missing path, or a path into a payload that is not JSON, is an error naming it', async () => {
  await client.publish('home/plain', 'hello', { retain: true });
  expect(await resultOf('{{mqtt:home/sensor#rooms.5.name}}')).toEqual({ ok: false, error: 'home/sensor has no rooms.5' });
  expect(await resultOf('{{mqtt:home/sensor#humidity}}')).toEqual({ ok: false, error: 'home/sensor has no humidity' });
  expect(await resultOf('{{mqtt:home/plain#value}}')).toEqual({ ok: false, error: 'home/plain does not hold JSON, so it has no value' });
});

it('refuses wildcards, $ topics and every display command or reply topic, without subscribing', async () => {
  for (const [text, error] of [
    ['{{mqtt:home/+/temp}}', 'home/+/temp: a template reads one topic, not a wildcard'],
    ['{{mqtt:home/#}}', 'home/#: a template reads one topic, not a wildcard'],
    ['{{mqtt:$SYS/broker/uptime}}', '$SYS/broker/uptime: the bridge does not show this topic (commands, replies and $ topics stay off the display)'],
    ['{{mqtt:megabit/megabit/cmd/apps/weather/config}}', 'megabit/megabit/cmd/apps/weather/config: the bridge does not show this topic'],
    ['{{mqtt:megabit/other/response/apps/weather/config}}', 'megabit/other/response/apps/weather/config: the bridge does not show this topic'],
    ['{{mqtt:megabit/group/kitchen/cmd/notify}}', 'megabit/group/kitchen/cmd/notify: the bridge does not show this topic'],
  ]) {
    const result = await resultOf(`x {{mqtt:home/temp}} ${text}`);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toContain(error);
  }
  // A refused template is refused whole: not even its valid topic was subscribed for it.
  await client.publish('home/never-read', 'x');
  expect(await resultOf('{{mqtt:home/never-read}} {{mqtt:home/+}}')).toMatchObject({ ok: false });
  expect(brokerLog('home/never-read')).toEqual({ subscribed: 0, unsubscribed: 0 });
  for (const refused of ['home/+/temp', 'home/', '$SYS/broker/uptime', 'megabit/megabit/cmd/apps/weather/config', 'megabit/group/kitchen/cmd/notify']) {
    expect(brokerLog(refused).subscribed).toBe(0);
  }
});

it('subscribes while a template reads a topic, once for any number of watchers, and unsubscribes after the last', async () => {
  const first = watch('{{mqtt:home/counted}}');
  const second = watch('again {{mqtt:home/counted}}');
  await waitUntil(() => brokerLog('home/counted').subscribed === 1, 'the subscription');
  await client.publish('home/counted', 'one');
  await waitUntil(() => first.results.length > 0 && second.results.length > 0, 'both results');
  expect([first.latest(), second.latest()]).toEqual([
    { ok: true, text: 'one' },
    { ok: true, text: 'again one' },
  ]);
  first.stop();
  // The bridge's next request on the same connection is logged after any unsubscribe it would have sent.
  const marker = watch('{{mqtt:home/marker}}');
  await waitUntil(() => brokerLog('home/marker').subscribed === 1, 'the marker subscription');
  expect(brokerLog('home/counted')).toEqual({ subscribed: 1, unsubscribed: 0 });
  second.stop();
  await waitUntil(() => brokerLog('home/counted').unsubscribed === 1, 'the unsubscription');
  marker.stop();
  expect(brokerLog('home/counted')).toEqual({ subscribed: 1, unsubscribed: 1 });
  // Nothing is sent for a topic nobody reads any more.
  await client.publish('home/counted', 'two');
  expect(first.results.concat(second.results).map((r) => r.ok && r.text)).not.toContain('two');
});

it('a topic changing many times in a burst reaches the watcher coalesced, ending on the last value', async () => {
  const w = watch('n={{mqtt:home/burst}}');
  await waitUntil(() => brokerLog('home/burst').subscribed === 1, 'the subscription');
  for (let i = 1; i <= 100; i++) await client.publish('home/burst', String(i));
  await waitUntil(() => w.latest()?.ok === true && (w.latest() as { text: string }).text === 'n=100', 'the last value');
  expect(w.results.length).toBeLessThan(100);
  const seen = w.results.map((r) => (r.ok ? Number(r.text.slice(2)) : Number.NaN));
  // Each one a value that was published, in order.
  expect(seen).toEqual([...seen].sort((a, b) => a - b));
  expect(seen.every((n) => n >= 1 && n <= 100)).toBe(true);
});

it('a template joining later gets the value the bridge already holds', async () => {
  const first = watch('{{mqtt:home/unretained}}');
  await waitUntil(() => brokerLog('home/unretained').subscribed === 1, 'the subscription');
  await client.publish('home/unretained', 'kept');
  await waitUntil(() => first.results.length > 0, 'the first result');
  expect(await resultOf('late: {{mqtt:home/unretained}}')).toEqual({ ok: true, text: 'late: kept' });
  first.stop();
});

it('at most a bounded number of watches at once: one more is an error, and freeing one makes room', async () => {
  const watches = Array.from({ length: TEMPLATE_LIMITS.maxWatches }, (_, i) => watch(`{{mqtt:home/temp}} ${i}`));
  const over = watch('{{mqtt:home/temp}} one too many');
  await waitUntil(() => over.results.length > 0 && watches.every((w) => w.results.length > 0), 'every result');
  expect(over.results).toEqual([{ ok: false, error: `too many live templates at once (at most ${TEMPLATE_LIMITS.maxWatches})` }]);
  expect(watches[199].latest()).toEqual({ ok: true, text: '22 199' });
  watches[0].stop();
  expect(await resultOf('{{mqtt:home/temp}} now there is room')).toEqual({ ok: true, text: '22 now there is room' });
  for (const w of watches) w.stop();
  over.stop();
});

it('a payload longer than templates may read is an error, for a template joining later too', async () => {
  const first = watch('{{mqtt:home/big}}');
  await waitUntil(() => brokerLog('home/big').subscribed === 1, 'the subscription');
  await client.publish('home/big', 'y'.repeat(TEMPLATE_LIMITS.maxPayloadBytes + 1000));
  await waitUntil(() => first.results.length > 0, 'the first result');
  const error = { ok: false, error: `home/big holds more than ${TEMPLATE_LIMITS.maxPayloadBytes} bytes` };
  expect(first.results).toEqual([error]);
  expect(await resultOf('{{mqtt:home/big}}')).toEqual(error);
  await client.publish('home/big', 'small again');
  await waitUntil(() => first.results.length > 1, 'the next result');
  expect(first.latest()).toEqual({ ok: true, text: 'small again' });
});

it('an over-long template and too many topics in one are refused', async () => {
  const long = await resultOf(`{{mqtt:home/temp}}${'x'.repeat(TEMPLATE_LIMITS.maxTemplateChars)}`);
  expect(long).toEqual({ ok: false, error: `a template may be at most ${TEMPLATE_LIMITS.maxTemplateChars} characters long` });
  const many = await resultOf(Array.from({ length: TEMPLATE_LIMITS.maxPlaceholders + 1 }, (_, i) => `{{mqtt:home/t${i}}}`).join(' '));
  expect(many).toEqual({ ok: false, error: `a template may read at most ${TEMPLATE_LIMITS.maxPlaceholders} MQTT topics` });
});

it('Home Assistant syntax without Home Assistant configured is a clear error', async () => {
  expect(bridge.controller.templates.isTemplate("{{ states('sensor.power') }} W")).toBe(true);
  expect(bridge.controller.templates.isTemplate('{{mqtt:home/temp}}')).toBe(true);
  expect(bridge.controller.templates.isTemplate('plain text {not a template}')).toBe(false);
  expect(await resultOf("{{ states('sensor.power') }} W")).toEqual({ ok: false, error: NO_HOME_ASSISTANT });
  expect(await resultOf('{{mqtt:home/temp}} {% if true %}!{% endif %}')).toEqual({ ok: false, error: NO_HOME_ASSISTANT });
  expect(NO_HOME_ASSISTANT).toBe('Home Assistant templates need homeassistant.url and a token');
});

describe('templates.mqtt_topics: the topics templates may read', () => {
  it('reads a topic its filters match, and refuses one they do not, without subscribing', async () => {
    await client.publish('garden/temp', '12', { retain: true });
    await client.publish('home/attic/temp', '30', { retain: true });
    expect(await resultOf('{{mqtt:home/temp}}')).toEqual({ ok: true, text: '22' });
    const notListed = 'garden/temp: not a topic templates may read (templates.mqtt_topics in megabit.yaml)';
    expect(await resultOf('{{mqtt:garden/temp}}')).toEqual({ ok: false, error: notListed });
    // `+` is one level: home/+ does not reach home/attic/temp.
    expect(await resultOf('{{mqtt:home/attic/temp}}')).toEqual({
      ok: false,
      error: 'home/attic/temp: not a topic templates may read (templates.mqtt_topics in megabit.yaml)',
    });
    expect(brokerLog('garden/temp').subscribed).toBe(0);
    expect(brokerLog('home/attic/temp').subscribed).toBe(0);
  });

  it('matches filters as a broker does: # takes the rest, + one level', () => {
    const neverUsed = {
      subscribe: () => {
        throw new Error('refusal() must not subscribe');
      },
      unsubscribe: () => undefined,
    };
    const topics = new TemplateTopics(neverUsed, 'megabit', ['zigbee2mqtt/+/state', 'weather/#']);
    expect(topics.refusal('zigbee2mqtt/hall/state')).toBeUndefined();
    expect(topics.refusal('weather')).toBeUndefined();
    expect(topics.refusal('weather/today/max')).toBeUndefined();
    expect(topics.refusal('zigbee2mqtt/hall/set')).toContain('not a topic templates may read');
    expect(topics.refusal('zigbee2mqtt/state')).toContain('not a topic templates may read');
    // The display's own command topics stay refused whatever the list says.
    const everything = new TemplateTopics(neverUsed, 'megabit', ['#']);
    expect(everything.refusal('megabit/megabit/cmd/apps/weather/config')).toContain('the bridge does not show this topic');
  });

  it('is empty by default: every MQTT template is an error naming the setting', () => {
    const defaults = settingsFrom({}, 'test.yaml', {});
    expect(defaults.templates.mqtt_topics).toEqual([]);
    const topics = new TemplateTopics({ subscribe: () => undefined, unsubscribe: () => undefined }, 'megabit', defaults.templates.mqtt_topics);
    expect(topics.refusal('home/temp')).toBe('home/temp: MQTT templates are off (list the topics they may read in templates.mqtt_topics in megabit.yaml)');
  });
});
