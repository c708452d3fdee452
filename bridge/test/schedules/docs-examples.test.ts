/** The examples in docs/schedules.md stay true: each payload parses, each YAML block loads. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { parseConditionPayload, parseSchedule } from '@megabit/contract';
import { settingsFrom } from '../../src/config';

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
});
