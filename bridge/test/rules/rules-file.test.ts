/** rules.json: apps' schedules and conditions kept across restarts, read back through the command parsers. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConditionValue, parseScheduleValue } from '@megabit/contract';
import { RulesFile } from '../../src/rules/rules-file';

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'megabit-rules-file-'));
  file = join(dir, 'rules.json');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const value = <T>(r: { ok: true; value: T } | { ok: false }): T => {
  if (!r.ok) throw new Error('does not parse');
  return r.value;
};

describe('RulesFile', () => {
  it('gives back after a restart exactly the rules it was given, sun offsets and days included', () => {
    const schedule = value(
      parseScheduleValue([{ days: ['mon', 'fri'], from: '07:05', to: '09:30' }, { sun: { after: 'sunset-15', before: 'sunrise+30' } }, { days: ['sat'] }]),
    );
    const showWhen = value(
      parseConditionValue({
        any: [
          { entity: 'sensor.power', above: 5 },
          { topic: 'home/door', equals: 'open' },
        ],
      }),
    );
    const pinWhen = value(parseConditionValue({ template: "{{ is_state('binary_sensor.door', 'on') }}" }));
    const rules = new RulesFile(file);
    expect(rules.load()).toEqual([]);
    rules.set('weather', 'schedule', schedule);
    rules.set('weather', 'showWhen', showWhen);
    rules.set('clock', 'pinWhen', pinWhen);
    const again = new RulesFile(file);
    expect(again.load()).toEqual([]);
    expect(again.get('weather')).toEqual({ schedule, showWhen });
    expect(again.get('clock')).toEqual({ pinWhen });
    // The file holds the rules as the commands take them.
    expect(JSON.parse(readFileSync(file, 'utf8')).apps.weather.schedule.windows[1]).toEqual({ from: 'sunset-15', to: 'sunrise+30' });
  });

  it('removes a rule with undefined, and an app with forget', () => {
    const rules = new RulesFile(file);
    rules.set('weather', 'schedule', value(parseScheduleValue({ from: '07:00', to: '08:00' })));
    rules.set('weather', 'pinWhen', value(parseConditionValue({ entity: 'a.b', state: 'on' })));
    rules.set('weather', 'schedule', undefined);
    expect(Object.keys(rules.get('weather'))).toEqual(['pinWhen']);
    rules.forget('weather');
    const again = new RulesFile(file);
    again.load();
    expect(again.get('weather')).toEqual({});
  });

  it('drops what does not parse (a hand edit), names it, and keeps the rest', () => {
    writeFileSync(
      file,
      JSON.stringify({
        apps: {
          good: { schedule: { windows: [{ from: '07:00', to: '08:00' }] }, show_when: { entity: 'nope', state: 'on' } },
          'Bad Id': { schedule: { days: ['sat'] } },
        },
      }),
    );
    const rules = new RulesFile(file);
    const problems = rules.load();
    expect(problems).toEqual([expect.stringContaining('"good.show_when.entity"'), expect.stringContaining('"Bad Id"')]);
    expect(Object.keys(rules.get('good'))).toEqual(['schedule']);
  });

  it('reads a broken file as no rules, with the reason', () => {
    writeFileSync(file, '{"apps":');
    expect(new RulesFile(file).load()).toEqual([expect.stringMatching(/cannot be read/)]);
    writeFileSync(file, '[]');
    expect(new RulesFile(file).load()).toEqual([expect.stringMatching(/must hold/)]);
  });
});
