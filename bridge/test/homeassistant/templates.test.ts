/**
 * Home Assistant templates in live text: the real bridge (in process, its own Home Assistant
 * client) against the protocol-faithful Home Assistant server, which renders with real Jinja and
 * answers render_template as Home Assistant does (events with `result` or `error`, a new event
 * when a state the template reads changes, unsubscribe_events), and mosquitto for
 * `{{mqtt:…}}` values mixed in.
 */
import { startInProcess, type InProcessBridge } from '../helpers/homeassistant/bridge-in-process';
import { HomeAssistantServer } from '../helpers/homeassistant/home-assistant-server';
import { Mosquitto } from '../helpers/mosquitto';
import { TestClient } from '../helpers/mqtt-client';
import { type TemplateWatch, TemplateWatches } from '../helpers/template-watches';
import { freePort, waitUntil } from '../helpers/ports';
import { DEVICE_TOPICS as P } from '../helpers/topics';
import { TEMPLATE_LIMITS } from '../../src/templates/live-templates';
import type { TemplateResult } from '../../src/templates/template-source';

jest.setTimeout(60_000);

const TOKEN = 'templates-token-0123456789';
const POWER = "{{ states('sensor.power') | round }} W";

let broker: Mosquitto;
let client: TestClient;
let ha: HomeAssistantServer;
let bridge: InProcessBridge;

beforeAll(async () => {
  broker = await Mosquitto.start();
  client = await TestClient.connect(broker.url, P);
  ha = await HomeAssistantServer.start(TOKEN);
  ha.setState('sensor.power', '1234.6', { unit_of_measurement: 'W' });
  ha.setState('sensor.temp', '21.5');
  ha.setState('lock.front_door', 'locked');
  bridge = await startInProcess(broker.url, {
    settings: { homeassistant: { enabled: false, url: ha.url, token: TOKEN }, templates: { mqtt_topics: ['home/#'] } },
  });
});

afterAll(async () => {
  await bridge?.stop();
  await client?.close();
  await ha?.stop();
  await broker?.dispose();
});

const watches = new TemplateWatches(() => bridge.controller.templates);

afterEach(() => {
  watches.stopAll();
  ha.legacyTemplateErrors = false;
});

const watch = (text: string): TemplateWatch => watches.watch(text);
const firstResult = (text: string): Promise<TemplateResult> => watches.firstResult(text, 15_000);

it('renders a template, renders it again when a state it reads changes, and unsubscribes when stopped', async () => {
  const w = watch(POWER);
  await waitUntil(() => w.results.length > 0, 'the first result', 15_000);
  expect(w.results[0]).toEqual({ ok: true, text: '1235 W' });
  const sent = ha.commands.filter((c) => c.message.type === 'render_template').at(-1)!.message;
  expect(sent).toMatchObject({ type: 'render_template', template: POWER, report_errors: true, timeout: 3 });

  ha.setState('sensor.temp', '30');
  ha.setState('sensor.power', '99.2', { unit_of_measurement: 'W' });
  await waitUntil(() => w.results.length > 1, 'the second result', 15_000);
  expect(w.results).toEqual([
    { ok: true, text: '1235 W' },
    { ok: true, text: '99 W' },
  ]);
  expect(ha.templateSubscriptions).toBe(1);
  w.stop();
  await waitUntil(() => ha.templateSubscriptions === 0, 'the unsubscription');
  expect(ha.commands.at(-1)!.message).toMatchObject({ type: 'unsubscribe_events', subscription: sent.id });
});

it('a result Home Assistant sends as a number, a boolean or None reads as the text it rendered', async () => {
  expect(await firstResult("{{ states('sensor.temp') }}")).toEqual({ ok: true, text: '30' });
  expect(await firstResult('{{ 21.5 }}')).toEqual({ ok: true, text: '21.5' });
  expect(await firstResult("{{ is_state('lock.front_door', 'locked') }}")).toEqual({ ok: true, text: 'True' });
  expect(await firstResult('{{ none }}')).toEqual({ ok: true, text: 'None' });
});

it('an invalid template gives the error text Home Assistant reports', async () => {
  expect(await firstResult('{{ states("sensor.power") | round ')).toEqual({ ok: false, error: expect.stringMatching(/^TemplateSyntaxError: /) });
  const missing = await firstResult("{{ states('sensor.missing') | round }} W");
  expect(missing).toEqual({
    ok: false,
    error:
      "ValueError: Template error: round got invalid input 'unknown' when rendering template '{{ states('sensor.missing') | round }} W' but no default was specified",
  });
});

it('a template that starts failing shows the error, and its value again once it renders', async () => {
  ha.setState('sensor.flaky', '5');
  const w = watch("{{ states('sensor.flaky') | int * 2 }}");
  await waitUntil(() => w.results.length > 0, 'the first result', 15_000);
  ha.setState('sensor.flaky', 'unavailable');
  await waitUntil(() => w.results.length > 1, 'the error', 15_000);
  ha.setState('sensor.flaky', '7');
  await waitUntil(() => w.results.length > 2, 'the value again', 15_000);
  expect(w.results).toEqual([
    { ok: true, text: '10' },
    { ok: false, error: expect.stringContaining("int got invalid input 'unavailable'") },
    { ok: true, text: '14' },
  ]);
});

it('a warning (an undefined variable) leaves the rendered result in place', async () => {
  expect(await firstResult('{{ nothing_here }}before and after')).toEqual({ ok: true, text: 'before and after' });
});

it('a Home Assistant that refuses a bad template with a failed result: its message is the error', async () => {
  ha.legacyTemplateErrors = true;
  expect(await firstResult('{{ 1 + }}')).toEqual({ ok: false, error: expect.stringMatching(/^TemplateSyntaxError: /) });
  expect(await firstResult('{{ 1 + 1 }}')).toEqual({ ok: true, text: '2' });
});

it('mqtt values reach Home Assistant as variables: usable in expressions, never rendered as template code', async () => {
  await client.publish('home/setpoint', JSON.stringify({ target: 20 }), { retain: true });
  await client.publish('home/label', "{{ states('lock.front_door') }}", { retain: true });
  expect(await firstResult("{{mqtt:home/label}}: {{ {{mqtt:home/setpoint#target}} + 1 }} / {{ states('sensor.temp') }}")).toEqual({
    ok: true,
    text: "{{ states('lock.front_door') }}: 21 / 30",
  });
  const sent = ha.commands.filter((c) => c.message.type === 'render_template').at(-1)!.message;
  expect(sent).toMatchObject({
    template: "{{ mqtt_0 }}: {{ mqtt_1 + 1 }} / {{ states('sensor.temp') }}",
    variables: { mqtt_0: "{{ states('lock.front_door') }}", mqtt_1: 20 },
  });
});

it('a new mqtt value renders the template again in Home Assistant', async () => {
  const w = watch("{{ ({{mqtt:home/setpoint#target}} - states('sensor.temp') | float) | round }} to go");
  await waitUntil(() => w.results.length > 0, 'the first result', 15_000);
  await client.publish('home/setpoint', JSON.stringify({ target: 34 }), { retain: true });
  await waitUntil(() => w.results.length > 1, 'the second result', 15_000);
  expect(w.results).toEqual([
    { ok: true, text: '-10 to go' },
    { ok: true, text: '4 to go' },
  ]);
  w.stop();
  await waitUntil(() => ha.templateSubscriptions === 0, 'no subscription left');
});

it('an mqtt value that goes missing shows its error until it is back, whatever Home Assistant renders meanwhile', async () => {
  await client.publish('home/mode', JSON.stringify({ name: 'eco' }), { retain: true });
  const w = watch("{{mqtt:home/mode#name}}: {{ states('sensor.temp') }}");
  await waitUntil(() => w.results.length > 0, 'the first result', 15_000);
  await client.publish('home/mode', JSON.stringify({}), { retain: true });
  await waitUntil(() => w.results.length > 1, 'the error', 15_000);
  const subscriptionsBefore = ha.renderedTemplates().length;
  await waitUntil(() => ha.templateSubscriptions === 0, 'the Home Assistant rendering ended');
  ha.setState('sensor.temp', '31');
  await client.publish('home/mode', JSON.stringify({ name: 'comfort' }), { retain: true });
  await waitUntil(() => w.results.length > 2, 'the value again', 15_000);
  expect(w.results).toEqual([
    { ok: true, text: 'eco: 30' },
    { ok: false, error: 'home/mode has no name' },
    { ok: true, text: 'comfort: 31' },
  ]);
  expect(ha.renderedTemplates().length).toBe(subscriptionsBefore + 1);
  ha.setState('sensor.temp', '30');
});

it('after a Home Assistant restart every watched template is subscribed again, keeping its value meanwhile', async () => {
  const w = watch(POWER);
  await waitUntil(() => w.results.length > 0, 'the first result', 15_000);
  const before = ha.renderedTemplates().length;
  await ha.restart();
  await waitUntil(() => ha.renderedTemplates().length > before && ha.templateSubscriptions === 1, 'the subscription again', 20_000);
  expect(ha.renderedTemplates().slice(before)).toEqual([POWER]);
  // Home Assistant rendered the same value again: nothing new to show.
  expect(w.results).toEqual([{ ok: true, text: '99 W' }]);
  ha.setState('sensor.power', '512.4', { unit_of_measurement: 'W' });
  await waitUntil(() => w.results.length > 1, 'the change after the restart', 15_000);
  expect(w.latest()).toEqual({ ok: true, text: '512 W' });
});

it('events it cannot use change nothing; a result that is not text shows as JSON, a huge one cut to the limit', async () => {
  const w = watch("{{ states('sensor.temp') }} °C");
  await waitUntil(() => w.results.length > 0, 'the first result', 15_000);
  for (const junk of [null, 'text', 42, [], {}, { error: 5 }, { level: 'ERROR' }, { listeners: {} }]) ha.sendTemplateEvent(junk);
  ha.sendTemplateEvent({ result: { rooms: ['hall', 'attic'] }, listeners: { all: false, entities: [], domains: [], time: false } });
  await waitUntil(() => w.results.length > 1, 'the object result', 15_000);
  ha.sendTemplateEvent({ result: 'x'.repeat(100_000), listeners: { all: false, entities: [], domains: [], time: false } });
  await waitUntil(() => w.results.length > 2, 'the long result', 15_000);
  expect(w.results.slice(0, 2)).toEqual([
    { ok: true, text: '30 °C' },
    { ok: true, text: '{"rooms":["hall","attic"]}' },
  ]);
  expect(w.results[2]).toEqual({ ok: true, text: 'x'.repeat(TEMPLATE_LIMITS.maxResultChars) });
});

it('Home Assistant down when the bridge starts: templates render once it comes up', async () => {
  const port = await freePort();
  const late = await startInProcess(broker.url, {
    settings: { device_id: 'late', homeassistant: { enabled: false, url: `http://127.0.0.1:${port}`, token: TOKEN } },
  });
  const results: TemplateResult[] = [];
  const stop = late.controller.templates.watch(POWER, (r) => results.push(r));
  let server: HomeAssistantServer | undefined;
  try {
    server = await HomeAssistantServer.start(TOKEN, port);
    server.setState('sensor.power', '7.4');
    await waitUntil(() => results.length > 0, 'the result once Home Assistant is up', 30_000);
    expect(results).toEqual([{ ok: true, text: '7 W' }]);
  } finally {
    stop();
    await late.stop();
    await server?.stop();
  }
});
