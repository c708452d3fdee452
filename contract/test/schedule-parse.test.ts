import { MAX_CONDITIONS, parseBoundaryText, parseConditionPayload, parseConditionValue, parseSchedule, parseScheduleValue, type Result } from '../src';

function errorOf<T>(r: Result<T>): string {
  if (r.ok) throw new Error(`expected an error, got ${JSON.stringify(r.value)}`);
  return r.error.message;
}

function parsed<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

describe('schedule boundaries', () => {
  it('reads clock times and sun events with offsets', () => {
    expect(parseBoundaryText('07:30')).toEqual({ kind: 'clock', minutes: 450 });
    expect(parseBoundaryText('00:00')).toEqual({ kind: 'clock', minutes: 0 });
    expect(parseBoundaryText('sunset')).toEqual({ kind: 'sun', event: 'sunset', offsetMin: 0 });
    expect(parseBoundaryText('sunrise-15')).toEqual({ kind: 'sun', event: 'sunrise', offsetMin: -15 });
    expect(parseBoundaryText('dusk+720')).toEqual({ kind: 'sun', event: 'dusk', offsetMin: 720 });
  });

  it('refuses what is not one', () => {
    for (const bad of ['7:30', '24:00', '07:60', 'noon', 'sunset+', 'sunset+999', 'sunset 30', ' 07:30']) expect(parseBoundaryText(bad)).toBeUndefined();
  });
});

describe('parseSchedule', () => {
  it('takes one window, a list, or {"windows"}, with the transaction kept apart', () => {
    const one = { days: ['mon'], from: '22:00', to: '02:00' };
    const expected = { days: ['mon'], from: { kind: 'clock', minutes: 1320 }, to: { kind: 'clock', minutes: 120 } };
    expect(parsed(parseSchedule(JSON.stringify({ ...one, transaction: 7 })))).toEqual({ schedule: { windows: [expected] }, transaction: 7 });
    expect(parsed(parseSchedule(JSON.stringify([one, one])))).toEqual({ schedule: { windows: [expected, expected] } });
    expect(parsed(parseSchedule(JSON.stringify({ windows: [one], transaction: 'a' })))).toEqual({ schedule: { windows: [expected] }, transaction: 'a' });
  });

  it('reads sun windows and whole days', () => {
    expect(parsed(parseSchedule('{"sun":{"after":"sunset","before":"sunrise+30"}}')).schedule).toEqual({
      windows: [{ from: { kind: 'sun', event: 'sunset', offsetMin: 0 }, to: { kind: 'sun', event: 'sunrise', offsetMin: 30 } }],
    });
    expect(parsed(parseSchedule('{"days":["sat","sun"]}')).schedule).toEqual({
      windows: [{ days: ['sat', 'sun'], from: { kind: 'clock', minutes: 0 }, to: { kind: 'clock', minutes: 0 } }],
    });
  });

  it('removes the schedule with null or an empty payload', () => {
    expect(parsed(parseSchedule('null'))).toEqual({ schedule: null });
    expect(parsed(parseSchedule(''))).toEqual({ schedule: null });
  });

  it('names the field in every refusal', () => {
    expect(errorOf(parseSchedule('{"from":"7:00","to":"09:00"}'))).toMatch(/^"schedule.from" must be a time "HH:MM"/);
    expect(errorOf(parseSchedule('[{"from":"07:00","to":"09:00"},{"from":"07:00"}]'))).toBe('schedule[1]: give both "from" and "to"');
    expect(errorOf(parseSchedule('{"windows":[{"days":["monday"],"from":"07:00","to":"09:00"}]}'))).toMatch(
      /^"schedule.windows\[0\].days" must be a non-empty list of days/,
    );
    expect(errorOf(parseSchedule('{"days":["mon","mon"]}'))).toBe('"schedule.days" names a day twice');
    expect(errorOf(parseSchedule('{"sun":{"after":"21:00","before":"sunrise"}}'))).toMatch(/^"schedule.sun.after" must be a sun event/);
    expect(errorOf(parseSchedule('{"sun":{"after":"sunset","before":"sunrise"},"from":"07:00"}'))).toBe('schedule: give "sun" or "from" and "to", not both');
    expect(errorOf(parseSchedule('{"from":"07:00","to":"09:00","every":"day"}'))).toBe('schedule: unknown field "every"');
    expect(errorOf(parseSchedule('{}'))).toBe('schedule: give "from" and "to", "sun", or "days"');
    expect(errorOf(parseSchedule('[]'))).toMatch(/must list at least one window/);
    expect(errorOf(parseSchedule(JSON.stringify(Array(17).fill({ from: '07:00', to: '08:00' }))))).toBe('"schedule" has more than 16 windows');
    expect(errorOf(parseSchedule('{"from":'))).toMatch(/not valid JSON/);
    expect(errorOf(parseSchedule('"07:00"'))).toMatch(/^"schedule" must be an object/);
  });

  it('names a nested schedule by the key it was found under', () => {
    expect(errorOf(parseScheduleValue({ from: '25:00', to: '09:00' }, 'screen.schedule'))).toMatch(/^"screen.schedule.from"/);
  });
});

describe('conditions', () => {
  it('reads each kind of condition, a single state as a list of one', () => {
    expect(parsed(parseConditionValue({ entity: 'binary_sensor.washer', state: 'on' }))).toEqual({ entity: 'binary_sensor.washer', state: ['on'] });
    expect(parsed(parseConditionValue({ entity: 'sensor.power', above: 100 }))).toEqual({ entity: 'sensor.power', above: 100 });
    expect(parsed(parseConditionValue({ template: "{{ is_state('sun.sun', 'below_horizon') }}" }))).toEqual({
      template: "{{ is_state('sun.sun', 'below_horizon') }}",
    });
    expect(parsed(parseConditionValue({ topic: 'home/door', equals: 'open' }))).toEqual({ topic: 'home/door', equals: 'open' });
    expect(parsed(parseConditionValue({ topic: 'home/temp', above: -5, below: 30 }))).toEqual({ topic: 'home/temp', above: -5, below: 30 });
    const nested = {
      any: [
        {
          all: [
            { entity: 'a.b', state: ['on', 'idle'] },
            { topic: 't', below: 3 },
          ],
        },
        { template: 'x' },
      ],
    };
    expect(parsed(parseConditionValue(nested))).toEqual(nested);
  });

  it('names the field in every refusal', () => {
    expect(errorOf(parseConditionValue({ entity: 'washer', state: 'on' }, 'show_when'))).toBe(
      '"show_when.entity" must be an entity id like "binary_sensor.washer"',
    );
    expect(errorOf(parseConditionValue({ entity: 'sensor.x' }, 'show_when'))).toBe('show_when: give "state", "above", "below" or both');
    expect(errorOf(parseConditionValue({ entity: 'sensor.x', state: 'on', above: 1 }, 'show_when'))).toBe(
      'show_when: give "state" or "above"/"below", not both',
    );
    expect(errorOf(parseConditionValue({ entity: 'sensor.x', above: 5, below: 5 }, 'show_when'))).toMatch(/^show_when: "above" must be less than "below"/);
    expect(errorOf(parseConditionValue({ topic: 'home/+/temp', above: 1 }, 'pin_when'))).toMatch(
      /^"pin_when.topic" must be one MQTT topic .* without wildcards$/,
    );
    expect(errorOf(parseConditionValue({ topic: 't', equals: 1 }))).toBe('"condition.equals" must be a string (the payload as text)');
    expect(errorOf(parseConditionValue({ template: '' }))).toMatch(/^"condition.template" must be a Home Assistant template/);
    expect(errorOf(parseConditionValue({ all: [] }))).toBe('"condition.all" must be a non-empty list of conditions');
    expect(errorOf(parseConditionValue({ all: [{ entity: 'a.b', state: 'on' }], any: [] }))).toBe('condition: "all" stands alone, unknown field "any"');
    expect(
      errorOf(
        parseConditionValue({
          any: [
            { entity: 'a.b', state: 'on' },
            { entity: 'a.b', colour: 'red' },
          ],
        }),
      ),
    ).toBe('condition.any[1]: unknown field "colour" beside "entity"');
    expect(errorOf(parseConditionValue({ weather: 'sunny' }))).toBe('"condition" must have one of "entity", "template", "topic", "all" or "any"');
  });

  it('bounds nesting and the number of conditions', () => {
    const leaf = { entity: 'a.b', state: 'on' };
    expect(parseConditionValue({ all: [{ any: [{ all: [leaf] }] }] }).ok).toBe(true);
    expect(errorOf(parseConditionValue({ all: [{ any: [{ all: [{ any: [leaf] }] }] }] }))).toBe(
      'condition.all[0].any[0].all[0]: conditions nested deeper than 4 levels',
    );
    expect(errorOf(parseConditionValue({ any: Array(MAX_CONDITIONS).fill(leaf) }))).toMatch(/more than 32 conditions in all$/);
  });

  it('takes a payload with a transaction, and null or empty to remove', () => {
    expect(parsed(parseConditionPayload('{"entity":"binary_sensor.washer","state":"on","transaction":3}', 'show_when'))).toEqual({
      condition: { entity: 'binary_sensor.washer', state: ['on'] },
      transaction: 3,
    });
    expect(parsed(parseConditionPayload('null', 'pin_when'))).toEqual({ condition: null });
    expect(parsed(parseConditionPayload('', 'pin_when'))).toEqual({ condition: null });
    expect(errorOf(parseConditionPayload('{"entity":"x"}', 'pin_when'))).toMatch(/^"pin_when.entity"/);
  });
});
