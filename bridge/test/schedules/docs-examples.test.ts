/** The examples in docs/schedules.md stay true: each payload parses, each YAML block loads. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { DeviceTopics, parseConditionPayload, parseNight, parseSchedule, parseScreen } from '@megabit/contract';
import { settingsFrom } from '../../src/config';
import { buildDiscoveryConfigs } from '../../src/homeassistant/discovery-configs';

const DOC = readFileSync(join(__dirname, '..', '..', '..', 'docs', 'schedules.md'), 'utf8');

function blocks(info: string): string[] {
  return [...DOC.matchAll(new RegExp(`^\`\`\`${info}\\n([\\s\\S]*?)^\`\`\`$`, 'gm'))].map((m) => m[1]);
}

describe('docs/schedules.md', () => {
  it('shows schedule payloads that parse', () => {
    const examples = blocks('json schedule');
    expect(examples.length).toBeGreaterThanOrEqual(5);
    for (const payload of examples) expect(parseSchedule(payload)).toMatchObject({ ok: true });
  });

  it('shows condition payloads that parse', () => {
    const examples = blocks('json condition');
    expect(examples.length).toBeGreaterThanOrEqual(1);
    for (const payload of examples) expect(parseConditionPayload(payload, 'show_when')).toMatchObject({ ok: true });
  });

  /** What the command at `topic` makes of `payload`, by the command's own parser. */
  function parsed(topic: string, payload: string): { ok: boolean } {
    const rule = /\/cmd\/apps\/[a-z0-9_-]+\/(schedule|show_when|pin_when)$/.exec(topic)?.[1];
    if (rule === 'schedule') return parseSchedule(payload);
    if (rule === 'show_when' || rule === 'pin_when') return parseConditionPayload(payload, rule);
    if (/\/cmd\/screens\/[a-z0-9_-]+$/.test(topic)) return parseScreen(payload);
    if (/\/cmd\/night$/.test(topic)) return parseNight(payload);
    throw new Error(`docs/schedules.md publishes to ${topic}, which is no rules or night command`);
  }

  it('shows mosquitto_pub commands whose payloads parse', () => {
    const commands = blocks('sh').flatMap((b) => [...b.matchAll(/^mosquitto_pub -t (\S+)(?: -r)? -m '([^']*)'$/gm)]);
    expect(commands.length).toBeGreaterThanOrEqual(5);
    for (const [, topic, payload] of commands) expect({ topic, result: parsed(topic, payload) }).toMatchObject({ topic, result: { ok: true } });
  });

  it('shows Home Assistant YAML that loads, whose mqtt.publish payloads parse', () => {
    const examples = blocks('yaml homeassistant');
    expect(examples.length).toBeGreaterThanOrEqual(1);
    const publishes: Array<{ topic: string; payload: string }> = [];
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (typeof v === 'object' && v !== null) {
        const o = v as Record<string, unknown>;
        if (o.action === 'mqtt.publish') publishes.push(o.data as { topic: string; payload: string });
        Object.values(o).forEach(walk);
      }
    };
    for (const yaml of examples) walk(parseYaml(yaml));
    expect(publishes.length).toBeGreaterThanOrEqual(2);
    for (const { topic, payload } of publishes) expect({ topic, result: parsed(topic, payload) }).toMatchObject({ topic, result: { ok: true } });
  });

  it('shows settings that load', () => {
    const examples = blocks('yaml');
    expect(examples.length).toBe(2);
    for (const yaml of examples) expect(() => settingsFrom(parseYaml(yaml), 'docs/schedules.md', {})).not.toThrow();
    expect(settingsFrom(parseYaml(examples[0]), 'docs/schedules.md', {}).night.from).toBe('sunset+30');
  });

  it('shows night commands that parse', () => {
    const [shell] = blocks('sh').filter((b) => b.includes('cmd/night'));
    const payloads = [...shell.matchAll(/cmd\/night -m ('[^']*'|\S+)/g)].map((m) => m[1].replace(/^'|'$/g, ''));
    expect(payloads).toEqual(['ON', 'AUTO', '{"brightness": 8, "transaction": 1}']);
    for (const payload of payloads) expect(parseNight(payload)).toMatchObject({ ok: true });
  });

  it("shows a Home Assistant automation that names the night entities discovery creates, with the select's options", () => {
    const [automation] = blocks('yaml homeassistant').filter((b) => b.includes('night'));
    const topics = new DeviceTopics('megabit', 'megabit');
    const configs = buildDiscoveryConfigs({ discoveryPrefix: 'homeassistant', baseTopic: 'megabit', deviceId: 'megabit', version: '0.1.0' }, topics, []);
    const select = configs.find((c) => c.payload.default_entity_id === 'select.megabit_night_mode_setting');
    expect(select?.payload.options).toEqual(['auto', 'on', 'off']);
    const named = automation.match(/\b[a-z_]+\.megabit_[a-z_]+\b/g) ?? [];
    expect(named).toEqual(['select.megabit_night_mode_setting']);
    expect(JSON.stringify(parseYaml(automation))).toContain("{{ 'on' if trigger.id == 'tv_on' else 'auto' }}");
  });
});
