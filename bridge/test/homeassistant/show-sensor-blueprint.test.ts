/**
 * config/homeassistant/blueprints/automation/megabit/show_sensor.yaml as Home Assistant runs it:
 * its inputs put in place of `!input` (the user's values, else the defaults), its variables and
 * the mqtt.publish data rendered with real Jinja in order, and the result checked against the
 * contract's screen types. The screen's text must reach the bridge as a template (Home Assistant
 * must not render it), and that template must be one the bridge can have Home Assistant render:
 * it is rendered here with a stand-in `states()` that reports how it was called.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml, type ScalarTag } from 'yaml';
import { DeviceTopics, OUT, type AppStatus } from '@megabit/contract';
import { renderWithVariables } from '../helpers/homeassistant/ha-template';
import { type BridgeOnMosquitto, clockBridgeOnMosquitto } from '../helpers/homeassistant/bridge-on-mosquitto';
import type { TestClient } from '../helpers/mqtt-client';
import { screenProblems } from '../helpers/screen-payload';

const FILE = join(__dirname, '..', '..', '..', 'config', 'homeassistant', 'blueprints', 'automation', 'megabit', 'show_sensor.yaml');

/** What `!input name` stands for until the blueprint is used. */
class InputRef {
  constructor(readonly name: string) {}
}

const INPUT_TAG: ScalarTag = { tag: '!input', resolve: (name) => new InputRef(name) as unknown as string };

interface Blueprint {
  blueprint: {
    name: string;
    domain: string;
    input: Record<string, { name: string; default?: unknown; selector: Record<string, unknown> }>;
  };
  mode: string;
  triggers: Array<Record<string, unknown>>;
  variables: Record<string, unknown>;
  actions: Array<{ action: string; data: { topic: string; payload: string; retain: boolean; qos: number } }>;
}

const blueprint = parseYaml(readFileSync(FILE, 'utf8'), { customTags: [INPUT_TAG] }) as Blueprint;

/** The automation Home Assistant makes from the blueprint with these inputs, as what it publishes. */
function publish(inputs: Record<string, unknown>): { topic: string; payload: string; retain: boolean; qos: number } {
  const declared = blueprint.blueprint.input;
  for (const name of Object.keys(inputs)) expect(Object.keys(declared)).toContain(name);
  const inputValue = (ref: InputRef): unknown => {
    if (ref.name in inputs) return inputs[ref.name];
    if (!('default' in declared[ref.name])) throw new Error(`input ${ref.name} is required`);
    return declared[ref.name].default;
  };
  // Variables are rendered in order, each seeing those before it; only strings are templates.
  const variables: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(blueprint.variables)) {
    const given = value instanceof InputRef ? inputValue(value) : value;
    variables[name] = typeof given === 'string' && !(value instanceof InputRef) ? renderWithVariables(given, variables) : given;
  }
  const { data } = blueprint.actions[0];
  return { topic: renderWithVariables(data.topic, variables), payload: renderWithVariables(data.payload, variables), retain: data.retain, qos: data.qos };
}

/** The screen's text template rendered with a `states()` that prints its arguments, as Home Assistant would call it. */
function renderStates(template: string): string {
  const states = '{% macro states(entity_id, rounded=False, with_unit=False) %}[{{ entity_id }} rounded={{ rounded }} with_unit={{ with_unit }}]{% endmacro %}';
  return renderWithVariables(states + template, {});
}

describe('the show_sensor blueprint', () => {
  it('is an automation blueprint with the inputs a user sets: sensor, screen id, unit, icon, colour and the display', () => {
    expect(blueprint.blueprint.domain).toBe('automation');
    expect(blueprint.blueprint.name).toBe('Show a sensor on Megabit');
    const inputs = blueprint.blueprint.input;
    expect(Object.keys(inputs)).toEqual(['sensor', 'screen_id', 'unit', 'icon', 'colour', 'device']);
    expect(inputs.sensor.selector).toEqual({ entity: { domain: 'sensor' } });
    expect('default' in inputs.sensor).toBe(false);
    for (const name of ['screen_id', 'unit', 'icon', 'colour', 'device']) expect('default' in inputs[name]).toBe(true);
    expect(Object.keys(inputs.colour.selector)).toEqual(['color_rgb']);
    expect(inputs.device.default).toBe('megabit/megabit');
    // Runs when it is created or changed (automations reload) and when Home Assistant starts:
    // the bridge keeps the value current, not this automation.
    expect(blueprint.triggers).toEqual([
      { trigger: 'homeassistant', event: 'start' },
      { trigger: 'event', event_type: 'automation_reloaded' },
    ]);
    expect(blueprint.actions.map((a) => a.action)).toEqual(['mqtt.publish']);
  });

  it('publishes one retained screen whose text is the unrendered template of the sensor, in the colour, with the icon', () => {
    const sent = publish({ sensor: 'sensor.living_room_temperature', icon: 'thermometer', colour: [255, 136, 0] });
    expect(sent.topic).toBe('megabit/megabit/cmd/screens/living_room_temperature');
    expect(sent.retain).toBe(true);
    expect(sent.qos).toBe(1);
    expect(screenProblems(sent.payload)).toEqual([]);
    const screen = JSON.parse(sent.payload) as { text: { value: string; color: string }; icon: string };
    expect(screen).toEqual({
      text: { value: "{{ states('sensor.living_room_temperature', rounded=True, with_unit=True) }}", color: '#ff8800' },
      icon: 'thermometer',
    });
    // The bridge hands the text to Home Assistant's render_template: one states() call, rounded to
    // the sensor's display precision, with its unit.
    expect(renderStates(screen.text.value)).toBe('[sensor.living_room_temperature rounded=True with_unit=True]');
  });

  it("a unit of the user's replaces the sensor's own, after the rounded value", () => {
    const sent = publish({ sensor: 'sensor.grid_power', unit: ' kW ', screen_id: 'power', device: 'home/hall' });
    expect(sent.topic).toBe('home/hall/cmd/screens/power');
    expect(screenProblems(sent.payload)).toEqual([]);
    const screen = JSON.parse(sent.payload) as { text: { value: string; color: string } };
    expect(screen).toEqual({ text: { value: "{{ states('sensor.grid_power', rounded=True) }} kW", color: '#ffffff' } });
    expect(renderStates(screen.text.value)).toBe('[sensor.grid_power rounded=True with_unit=False] kW');
  });

  it('keeps quotes and braces in a unit as text in valid JSON, and derives a valid screen id from any sensor', () => {
    const sent = publish({ sensor: 'sensor.a_very_long_name_of_a_sensor_in_a_house_with_many_rooms_and_even_more_sensors', unit: '"in"', icon: ' ' });
    const screen = JSON.parse(sent.payload) as { text: { value: string } };
    expect(screen.text.value.endsWith(' "in"')).toBe(true);
    expect(screen).not.toHaveProperty('icon');
    const id = sent.topic.split('/').pop();
    // The bridge's screen ids: app ids' alphabet, at most 32 characters.
    expect(id).toMatch(/^[a-z0-9][a-z0-9_-]{0,31}$/);
    expect(id).toHaveLength(32);
  });

  it('publishes exactly the example of docs/home-assistant.md', () => {
    const doc = readFileSync(join(__dirname, '..', '..', '..', 'docs', 'home-assistant.md'), 'utf8');
    const section = doc.slice(doc.indexOf('## A sensor on the display'), doc.indexOf('## Example automations'));
    const example = /```json\n(.*)\n```/.exec(section)?.[1];
    const sent = publish({ sensor: 'sensor.grid_power', unit: 'kW', icon: 'bolt', colour: [255, 136, 0] });
    expect(sent.payload).toBe(example);
    expect(section).toContain(`retained, to\n\`${sent.topic}\``);
  });

  describe('against the bridge on mosquitto', () => {
    const P = new DeviceTopics('megabit', 'megabit');
    let setup: BridgeOnMosquitto | undefined;
    let ha: TestClient;

    beforeAll(async () => {
      setup = await clockBridgeOnMosquitto(P, [P.response('screens/+'), P.out(OUT.stateApps)], P.out(OUT.stateApps));
      ha = setup.ha;
    });

    afterAll(async () => {
      await setup?.stop();
    });

    it('takes the retained screen into its rotation, its template kept for Home Assistant to render', async () => {
      const sent = publish({ sensor: 'sensor.grid_power', unit: 'kW', icon: 'bolt', colour: [255, 136, 0] });
      await ha.publish(sent.topic, sent.payload, { retain: sent.retain, qos: sent.qos as 1 });
      const reply = JSON.parse((await ha.waitFor(P.response('screens/grid_power'))).payload.toString()) as Record<string, unknown>;
      // This bridge has no Home Assistant to render with: the screen is kept and says so.
      expect(reply).toMatchObject({ ok: true, id: 'grid_power', errors: [{ field: 'text.value' }] });
      await ha.waitFor(P.out(OUT.stateApps), (m) =>
        (JSON.parse(m.payload.toString()) as AppStatus[]).some((a) => a.id === 'grid_power' && a.kind === 'screen'),
      );
      // Clear the retained screen, as docs/home-assistant.md says: it is removed.
      await ha.publish(sent.topic, '', { retain: true });
      await ha.waitFor(P.response('screens/grid_power'), (m) => JSON.parse(m.payload.toString()).removed === true);
    });
  });

  it('the check it is held to refuses what the bridge would refuse', () => {
    // Not vacuous: the contract's parser, which the bridge runs, refuses each of these.
    expect(screenProblems('{"text":{"value":"x","colour":"#fff"}}')).toEqual(['unknown field "text.colour"']);
    expect(screenProblems('{"text":{"value":"x","color":"orange"}}')).toHaveLength(1);
    expect(screenProblems('{"icon":{"position":"left"}}')).toEqual(['"icon.name" is required']);
    expect(screenProblems('{"text":')).toHaveLength(1);
  });
});
