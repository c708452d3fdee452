import { type Condition, parseConditionValue, parseScheduleValue, type Schedule } from '@megabit/contract';
import { type ConditionInputs, conditionHolds, conditionReads, nextVisibilityChange, rotationView, templateIsTrue } from '../../src/schedules';

function condition(value: unknown): Condition {
  const parsed = parseConditionValue(value);
  if (!parsed.ok) throw new Error(parsed.error.message);
  return parsed.value;
}

function schedule(value: unknown): Schedule {
  const parsed = parseScheduleValue(value);
  if (!parsed.ok) throw new Error(parsed.error.message);
  return parsed.value;
}

/** A snapshot of inputs the test sets by hand; what is not set is unknown. */
function inputs(values: { entities?: Record<string, string>; topics?: Record<string, string>; templates?: Record<string, string> }): ConditionInputs {
  return {
    entityState: (id) => values.entities?.[id],
    topicValue: (topic) => values.topics?.[topic],
    templateResult: (t) => values.templates?.[t],
  };
}

describe('conditionHolds', () => {
  it('compares an entity state with one or several states', () => {
    const washer = condition({ entity: 'binary_sensor.washer', state: ['on', 'running'] });
    expect(conditionHolds(washer, inputs({ entities: { 'binary_sensor.washer': 'running' } }))).toBe(true);
    expect(conditionHolds(washer, inputs({ entities: { 'binary_sensor.washer': 'off' } }))).toBe(false);
    expect(conditionHolds(washer, inputs({}))).toBe(false);
  });

  it('tests numbers strictly above and below, and never a state that is not a number', () => {
    const warm = condition({ entity: 'sensor.temp', above: 20, below: 25 });
    const at = (state: string) => conditionHolds(warm, inputs({ entities: { 'sensor.temp': state } }));
    expect(at('21.5')).toBe(true);
    expect(at('20')).toBe(false);
    expect(at('25')).toBe(false);
    expect(at('unavailable')).toBe(false);
    expect(at('')).toBe(false);
  });

  it("reads a template's result as Home Assistant does", () => {
    for (const yes of ['True', 'true', ' on ', 'yes', 'enable', '1', '2.5']) expect(templateIsTrue(yes)).toBe(true);
    for (const no of ['False', 'off', '0', '', 'maybe']) expect(templateIsTrue(no)).toBe(false);
    expect(templateIsTrue(undefined)).toBe(false);
    const c = condition({ template: '{{ 1 < 2 }}' });
    expect(conditionHolds(c, inputs({ templates: { '{{ 1 < 2 }}': 'True' } }))).toBe(true);
  });

  it('compares an MQTT topic as text or as a number', () => {
    expect(conditionHolds(condition({ topic: 'home/door', equals: 'open' }), inputs({ topics: { 'home/door': 'open' } }))).toBe(true);
    expect(conditionHolds(condition({ topic: 'home/door', equals: 'open' }), inputs({ topics: { 'home/door': 'opened' } }))).toBe(false);
    expect(conditionHolds(condition({ topic: 'home/co2', above: 1000 }), inputs({ topics: { 'home/co2': '1200' } }))).toBe(true);
  });

  it('combines with all and any', () => {
    const c = condition({
      any: [
        {
          all: [
            { entity: 'a.b', state: 'on' },
            { topic: 't', below: 3 },
          ],
        },
        { template: 'x' },
      ],
    });
    expect(conditionHolds(c, inputs({ entities: { 'a.b': 'on' }, topics: { t: '2' } }))).toBe(true);
    expect(conditionHolds(c, inputs({ entities: { 'a.b': 'on' }, topics: { t: '4' } }))).toBe(false);
    expect(conditionHolds(c, inputs({ templates: { x: 'true' } }))).toBe(true);
  });
});

describe('conditionReads', () => {
  it('lists each entity, topic and template once, across conditions', () => {
    const show = condition({
      all: [
        { entity: 'a.b', state: 'on' },
        {
          any: [
            { topic: 't/1', equals: 'x' },
            { entity: 'a.b', above: 1 },
          ],
        },
      ],
    });
    const pin = condition({ any: [{ template: '{{ x }}' }, { topic: 't/1', above: 2 }, { topic: 't/2', below: 2 }] });
    expect(conditionReads([show, undefined, pin])).toEqual({ entities: ['a.b'], topics: ['t/1', 't/2'], templates: ['{{ x }}'] });
    expect(conditionReads([])).toEqual({ entities: [], topics: [], templates: [] });
  });
});

describe('rotationView', () => {
  const ctx = { timeZone: 'Europe/Berlin' };
  const noon = Date.parse('2024-06-17T12:00:00+02:00');
  const washerOn = inputs({ entities: { 'binary_sensor.washer': 'on' } });

  it('says why each hidden entry is hidden, disabled first, then schedule, then condition', () => {
    const view = rotationView(
      [
        { id: 'off', rules: { disabled: true, schedule: schedule({ from: '07:00', to: '08:00' }) } },
        { id: 'morning', rules: { schedule: schedule({ from: '07:00', to: '08:00' }), showWhen: condition({ entity: 'a.b', state: 'on' }) } },
        { id: 'washer', rules: { showWhen: condition({ entity: 'binary_sensor.washer', state: 'off' }) } },
      ],
      noon,
      ctx,
      washerOn,
    );
    expect(view.entries.map((e) => e.visibility)).toEqual([
      { visible: false, reason: 'disabled' },
      { visible: false, reason: 'schedule' },
      { visible: false, reason: 'condition' },
    ]);
    expect(view.fallback).toBe(true);
    expect(view.pinned).toBeUndefined();
  });

  it('pins the first visible entry whose pin_when holds, and needs no fallback', () => {
    const pin = condition({ entity: 'binary_sensor.washer', state: 'on' });
    const view = rotationView(
      [
        { id: 'clock', rules: {} },
        { id: 'hidden-pin', rules: { pinWhen: pin, schedule: schedule({ from: '07:00', to: '08:00' }) } },
        { id: 'washer', rules: { pinWhen: pin } },
      ],
      noon,
      ctx,
      washerOn,
    );
    expect(view.pinned).toBe('washer');
    expect(view.entries[0].visibility).toEqual({ visible: true, pinned: false });
    expect(view.fallback).toBe(false);
  });

  it('gives the earliest schedule change of all entries, skipping disabled ones', () => {
    const order = [
      { rules: { schedule: schedule({ from: '18:00', to: '19:00' }) } },
      { rules: { disabled: true, schedule: schedule({ from: '13:00', to: '14:00' }) } },
      { rules: { schedule: schedule({ from: '11:00', to: '15:00' }) } },
      { rules: {} },
    ];
    expect(new Date(nextVisibilityChange(order, noon, ctx) as number).toISOString()).toBe('2024-06-17T13:00:00.000Z');
    expect(nextVisibilityChange([{ rules: {} }], noon, ctx)).toBeUndefined();
  });
});
