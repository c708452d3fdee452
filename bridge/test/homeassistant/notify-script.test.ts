/**
 * config/homeassistant/scripts.yaml's megabit_notify as Home Assistant runs it: its form's fields
 * (what the action editor's selectors give: a colour as [r, g, b], numbers, a boolean), its
 * payload template rendered with real Jinja, published the way mqtt.publish does to the real
 * bridge on mosquitto, and the bridge's reply.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { parse as parseYaml } from 'yaml';
import { DeviceTopics } from '@megabit/contract';
import { type BridgeOnMosquitto, clockBridgeOnMosquitto } from '../helpers/homeassistant/bridge-on-mosquitto';
import type { TestClient } from '../helpers/mqtt-client';
import { renderWithVariables } from '../helpers/homeassistant/ha-template';
import { notifyProblems } from '../helpers/screen-payload';

interface Script {
  fields: Record<string, { required?: boolean; selector: Record<string, unknown> }>;
  sequence: Array<{ variables?: Record<string, string>; action?: string; data?: { topic: string; payload: string } }>;
  mode: string;
}

const script = (parseYaml(readFileSync(join(__dirname, '..', '..', '..', 'config', 'homeassistant', 'scripts.yaml'), 'utf8')) as Record<string, Script>)
  .megabit_notify;
const variables = script.sequence[0].variables!;
const publish = script.sequence[1];

/** What Home Assistant publishes for these field values: [topic, payload]. */
function run(fields: Record<string, unknown>): [string, string] {
  const all = { ...variables, ...fields };
  return [renderWithVariables(publish.data!.topic, all), renderWithVariables(publish.data!.payload, all)];
}

describe('the megabit_notify script', () => {
  it('has a form field for each notification setting, message required, and publishes with mqtt.publish', () => {
    expect(Object.keys(script.fields).sort()).toEqual(['colour', 'duration', 'hold', 'icon', 'message', 'priority', 'progress', 'title']);
    expect(script.fields.message.required).toBe(true);
    expect(
      Object.entries(script.fields)
        .filter(([, f]) => f.required)
        .map(([k]) => k),
    ).toEqual(['message']);
    expect(Object.keys(script.fields.colour.selector)).toEqual(['color_rgb']);
    expect(script.fields.priority.selector).toEqual({ select: { options: ['low', 'normal', 'high', 'critical'] } });
    expect(Object.keys(script.fields.hold.selector)).toEqual(['boolean']);
    expect(Object.keys(script.fields.icon.selector)).toEqual(['text']);
    expect(script.fields.progress.selector).toEqual({ number: { min: 0, max: 100, unit_of_measurement: '%' } });
    expect(publish.action).toBe('mqtt.publish');
    expect(script.mode).toBe('queued');
  });

  it("renders exactly the control API's notification for each combination of fields", () => {
    expect(run({ message: '{garage} "open"' })).toEqual(['megabit/megabit/cmd/notify', '{"text":"{garage} \\"open\\""}']);
    expect(JSON.parse(run({ message: 'Washing done', title: 'Laundry', colour: [255, 136, 0], duration: 10, priority: 'high', hold: true })[1])).toEqual({
      text: 'Laundry: Washing done',
      color: '#ff8800',
      duration_ms: 10000,
      priority: 'high',
      hold: true,
    });
    expect(JSON.parse(run({ message: 'Ü ✓', hold: false, duration: 0.5 })[1])).toEqual({ text: 'Ü ✓', duration_ms: 500 });
  });

  it('adds the icon and the progress bar as the screen content of a notification, a progress of 0 included', () => {
    const [, payload] = run({ message: 'Washing', icon: 'washing_machine', progress: 62.6, colour: [0, 200, 255] });
    expect(JSON.parse(payload)).toEqual({ text: 'Washing', color: '#00c8ff', icon: 'washing_machine', progress: 63 });
    expect(notifyProblems(payload)).toEqual([]);
    expect(JSON.parse(run({ message: 'Starting', progress: 0 })[1])).toEqual({ text: 'Starting', progress: 0 });
    // An empty or blank icon field is left out, as the action editor leaves a cleared field.
    expect(JSON.parse(run({ message: 'x', icon: '  ', progress: null })[1])).toEqual({ text: 'x' });
    // The check is the contract's: what the script must never publish fails it.
    expect(notifyProblems(JSON.stringify({ text: 'x', progress: 101 }))).toEqual(['"progress" must be a number from 0 to 100']);
  });

  describe('against the bridge on mosquitto', () => {
    const P = new DeviceTopics('megabit', 'megabit');
    let setup: BridgeOnMosquitto | undefined;
    let ha: TestClient;

    beforeAll(async () => {
      setup = await clockBridgeOnMosquitto(P, [P.response('notify'), P.out('state'), P.out('display/snapshot')], P.out('state'));
      ha = setup.ha;
    });

    afterAll(async () => {
      await setup?.stop();
    });

    const reply = async (fields: Record<string, unknown>): Promise<Record<string, unknown>> => {
      const since = ha.messages.length;
      const [topic, payload] = run(fields);
      await ha.publish(topic, payload);
      return JSON.parse((await ha.waitFor(P.response('notify'), () => true, 10_000, since)).payload.toString()) as Record<string, unknown>;
    };

    /** Whether a picture on P/display/snapshot has a pixel of exactly this colour. */
    const hasPixel = (png: Buffer, [r, g, b]: [number, number, number]): boolean => {
      const { data } = PNG.sync.read(png);
      for (let i = 0; i < data.length; i += 4) if (data[i] === r && data[i + 1] === g && data[i + 2] === b) return true;
      return false;
    };

    // First, while nothing held is queued before it: the picture shows this notification.
    it("draws a rich notification's text in the form's colour", async () => {
      const since = ha.messages.length;
      expect(await reply({ message: 'Washing', colour: [255, 136, 0], progress: 40 })).toMatchObject({ ok: true });
      // The text is the only thing in that colour (the bar has its own); white text would fail here.
      const picture = await ha.waitFor(P.out('display/snapshot'), (m) => hasPixel(m.payload, [255, 136, 0]), 10_000, since);
      expect(hasPixel(picture.payload, [255, 255, 255])).toBe(false);
    });

    it('the bridge shows what the form asks for', async () => {
      expect(await reply({ message: '{garage} open' })).toMatchObject({ ok: true });
      expect(await reply({ message: 'Washing done', title: 'Laundry', colour: [255, 136, 0], duration: 10, priority: 'critical', hold: true })).toMatchObject({
        ok: true,
      });
      expect(await reply({ message: 'Washing', icon: 'washing_machine', progress: 40 })).toMatchObject({ ok: true });
      const state = await ha.waitFor(P.out('state'), (m) => JSON.parse(m.payload.toString()).notification !== null);
      expect(JSON.parse(state.payload.toString()).notification).toEqual(expect.any(String));
    });
  });
});
