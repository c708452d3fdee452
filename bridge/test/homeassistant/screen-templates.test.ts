/**
 * A screen with a Home Assistant template, end to end: published over MQTT to the real bridge
 * (in process, its own Home Assistant client) against the protocol-faithful Home Assistant
 * server, drawn on P/display/frame with the rendered value, drawn again when the state the
 * template reads changes, an invalid template named in the reply and drawn as its error, and an
 * `{{mqtt:…}}` value drawn from its topic.
 */
import { createHash } from 'node:crypto';
import type { DeviceState } from '@megabit/contract';
import { blankFrame } from '../../src/display/frame';
import type { IconSource } from '../../src/icons/icon';
import { renderScreen } from '../../src/screens/render';
import { startInProcess, type InProcessBridge } from '../helpers/homeassistant/bridge-in-process';
import { HomeAssistantServer } from '../helpers/homeassistant/home-assistant-server';
import { litPixels } from '../helpers/display';
import { Mosquitto } from '../helpers/mosquitto';
import { json, TestClient } from '../helpers/mqtt-client';
import { DEVICE_TOPICS, P } from '../helpers/topics';

jest.setTimeout(60_000);

const TOKEN = 'screen-templates-token-0123456789';
const POWER_TEXT = "{{ states('sensor.power') }} W";

let broker: Mosquitto;
let client: TestClient;
let ha: HomeAssistantServer;
let bridge: InProcessBridge;
const NO_ICONS: IconSource = { get: () => undefined };

beforeAll(async () => {
  broker = await Mosquitto.start();
  client = await TestClient.connect(broker.url, DEVICE_TOPICS);
  await client.subscribe([P('display/frame'), P('state')]);
  ha = await HomeAssistantServer.start(TOKEN);
  ha.setState('sensor.power', '1235', { unit_of_measurement: 'W' });
  bridge = await startInProcess(broker.url, {
    settings: {
      rotation: { enabled: false },
      homeassistant: { enabled: false, url: ha.url, token: TOKEN },
      // Templates read only the topics megabit.yaml lets them (none by default).
      templates: { mqtt_topics: ['home/#'] },
    },
  });
});

afterAll(async () => {
  await bridge?.stop();
  await client?.close();
  await ha?.stop();
  await broker?.dispose();
});

/** What the renderer itself draws for a still screen: the picture the device must show. */
function expected(content: { text: string }): Buffer {
  const frame = blankFrame();
  renderScreen(frame, content, { atMs: 0, icons: NO_ICONS });
  return Buffer.from(frame);
}

const digest = (frame: Uint8Array): string => createHash('sha1').update(frame).digest('hex');

const frameEquals = async (picture: Buffer, what: string, since: number): Promise<void> => {
  await client
    .waitFor(P('display/frame'), (m) => m.payload.equals(picture), 15_000, since)
    .catch(() => {
      throw new Error(`the frame never showed ${what}`);
    });
};

it('draws the value Home Assistant renders, and again when the state changes', async () => {
  const since = client.messages.length;
  const reply = await client.request('screens/power', { text: POWER_TEXT });
  expect(reply).toMatchObject({ ok: true, id: 'power' });
  expect(reply).not.toHaveProperty('errors');
  await client.waitFor(P('state'), (m) => json<DeviceState>(m.payload).app === 'power', 15_000, since);
  const first = expected({ text: '1235 W' });
  const second = expected({ text: '87 W' });
  // Guards the comparison itself: the two values must not draw the same picture.
  expect(first.equals(second)).toBe(false);
  expect(litPixels(first).length).toBeGreaterThan(20);
  await frameEquals(first, '1235 W', since);

  const changed = client.messages.length;
  ha.setState('sensor.power', '87', { unit_of_measurement: 'W' });
  await frameEquals(second, '87 W', changed);
});

it('an invalid template is named by field in the reply and its error is drawn', async () => {
  const broken = { text: "{{ states('sensor.power') | round " };
  const since = client.messages.length;
  const first = await client.request('screens/power', broken);
  expect(first).toMatchObject({ ok: true, id: 'power' });
  const drawn = await client.waitFor(P('display/frame'), (m) => litPixels(new Uint8Array(m.payload)).length > 20, 15_000, since);
  const value = expected({ text: '87 W' });
  expect(drawn.payload.equals(value)).toBe(false);
  // By now the error is known: publishing the same screen again replies with it at once.
  const reply = await client.request('screens/power', broken);
  expect(reply).toMatchObject({ ok: true, id: 'power', errors: [{ field: 'text', error: expect.stringMatching(/^TemplateSyntaxError: /) }] });
  const error = (reply.errors as Array<{ error: string }>)[0]!.error;
  // The error scrolls: whichever moment the frame caught, it is one of the renderer's own
  // pictures of that text (every 5 ms of the first minute; scrolling moves slower than that).
  const pictures = new Set<string>();
  for (let atMs = 0; atMs < 60_000; atMs += 5) {
    const picture = blankFrame();
    renderScreen(picture, { text: error }, { atMs, icons: NO_ICONS });
    pictures.add(digest(picture));
  }
  expect(pictures.has(digest(value))).toBe(false);
  expect(pictures.has(digest(new Uint8Array(drawn.payload)))).toBe(true);
});

it('an {{mqtt:topic#path}} value is drawn, and drawn again when the topic changes', async () => {
  await client.publish('home/setpoint', JSON.stringify({ target: 21 }), { retain: true });
  const since = client.messages.length;
  expect(await client.request('screens/power', { text: '{{mqtt:home/setpoint#target}} °C' })).toMatchObject({ ok: true, id: 'power' });
  await frameEquals(expected({ text: '21 °C' }), '21 °C', since);
  const changed = client.messages.length;
  await client.publish('home/setpoint', JSON.stringify({ target: 22.5 }), { retain: true });
  await frameEquals(expected({ text: '22.5 °C' }), '22.5 °C', changed);
});
