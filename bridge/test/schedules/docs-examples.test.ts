/** The examples in docs/schedules.md stay true: each payload parses, each YAML block loads. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { DeviceTopics, parseConditionPayload, parseNight, parseSchedule } from '@megabit/contract';
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
    const [automation] = blocks('yaml homeassistant');
    const topics = new DeviceTopics('megabit', 'megabit');
    const configs = buildDiscoveryConfigs({ discoveryPrefix: 'homeassistant', baseTopic: 'megabit', deviceId: 'megabit', version: '0.1.0' }, topics, []);
    const select = configs.find((c) => c.payload.default_entity_id === 'select.megabit_night_mode_setting');
    expect(select?.payload.options).toEqual(['auto', 'on', 'off']);
    const named = automation.match(/\b[a-z_]+\.megabit_[a-z_]+\b/g) ?? [];
    expect(named).toEqual(['select.megabit_night_mode_setting']);
    expect(JSON.stringify(parseYaml(automation))).toContain("{{ 'on' if trigger.id == 'tv_on' else 'auto' }}");
  });
});
