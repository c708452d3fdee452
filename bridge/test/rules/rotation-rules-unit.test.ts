/**
 * RotationRules on its own, on a hand-moved clock: one timer for the whole rotation, set to the
 * next schedule change (at most MAX_RULES_WAIT_MS away), the gate it hands the scheduler, and
 * nothing left behind by stop(). The whole path over MQTT is in rotation-rules.test.ts.
 */
import { parseConditionValue, parseScheduleValue } from '@megabit/contract';
import { MAX_RULES_WAIT_MS, MIN_INPUT_EVALUATION_MS, RotationRules } from '../../src/rules/rotation-rules';
import type { RotationGate } from '../../src/scheduler/scheduler';
import { NO_TEMPLATES } from '../../src/templates/template-source';
import { createLogger } from '../../src/util/logger';
import { ManualClock } from '../helpers/display';

const MINUTE = 60_000;
/** Monday 2 March 2026, 06:00 UTC. */
const MON_0600 = Date.UTC(2026, 2, 2, 6, 0);

function setup() {
  const clock = new ManualClock(MON_0600);
  const gates: RotationGate[] = [];
  let changes = 0;
  const rules = new RotationRules({
    clock,
    timeZone: 'UTC',
    fallback: 'clock',
    templates: NO_TEMPLATES,
    log: createLogger('error'),
    onGate: (gate) => gates.push(gate),
    onVisibilityChange: () => changes++,
  });
  return { clock, rules, gates, changes: () => changes };
}

const schedule = (v: unknown) => {
  const r = parseScheduleValue(v);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
};

describe('RotationRules', () => {
  it('keeps one timer, set to the next schedule change, and hands on the gate only when it changes', () => {
    const { clock, rules, gates, changes } = setup();
    rules.start();
    rules.setEntries([
      { id: 'news', rules: { schedule: schedule({ from: '07:00', to: '08:00' }) } },
      { id: 'clock', rules: {} },
    ]);
    expect(clock.pending).toBe(1);
    expect([...gates.at(-1)!.hidden]).toEqual(['news']);
    const before = { gates: gates.length, changes: changes() };
    clock.advance(15 * MINUTE); // a look at the clock (the 15-minute cap), nothing changed
    expect(clock.pending).toBe(1);
    expect({ gates: gates.length, changes: changes() }).toEqual(before);
    clock.advance(45 * MINUTE - 1);
    expect([...gates.at(-1)!.hidden]).toEqual(['news']);
    clock.advance(1);
    expect([...gates.at(-1)!.hidden]).toEqual([]);
    expect(changes()).toBe(before.changes + 1);
    expect(rules.visibilityOf('news')).toEqual({ visible: true, pinned: false });
    expect(clock.pending).toBe(1);
    rules.stop();
    expect(clock.pending).toBe(0);
  });

  it('looks at the clock again every MAX_RULES_WAIT_MS with no schedule at all (a stepped system clock is caught)', () => {
    const { clock, rules } = setup();
    let armed = 0;
    const setTimer = clock.setTimeout.bind(clock);
    clock.setTimeout = (callback, ms) => {
      armed++;
      return setTimer(callback, ms);
    };
    rules.start();
    rules.setEntries([{ id: 'clock', rules: {} }]);
    const before = armed;
    clock.advance(MAX_RULES_WAIT_MS - 1);
    expect(armed).toBe(before);
    clock.advance(1);
    expect(armed).toBe(before + 1);
    expect(clock.pending).toBe(1);
    rules.stop();
  });

  it("gives night mode's app as the only entry while night is on, with the fallback and the pin", () => {
    const { rules, gates } = setup();
    rules.start();
    const pin = parseConditionValue({ template: 'true' });
    if (!pin.ok) throw new Error('pin');
    rules.setEntries([
      { id: 'a', rules: { pinWhen: pin.value } },
      { id: 'b', rules: { disabled: true } },
    ]);
    rules.setNight({ active: true, app: 'b' });
    expect(gates.at(-1)).toMatchObject({ only: 'b', fallback: 'clock' });
    expect([...gates.at(-1)!.hidden]).toEqual(['b']);
    expect(rules.visibilityOf('b')).toEqual({ visible: false, reason: 'disabled' });
    rules.setNight({ active: false });
    expect(gates.at(-1)).not.toHaveProperty('only');
    rules.stop();
  });

  it('follows zone.home only while a sun window needs a place', () => {
    const { rules } = setup();
    rules.start();
    rules.setEntries([{ id: 'a', rules: { schedule: schedule({ from: '07:00', to: '08:00' }) } }]);
    expect(rules.entityIds()).toEqual([]);
    rules.setEntries([{ id: 'a', rules: { schedule: schedule({ sun: { after: 'sunset', before: 'sunrise' } }) } }]);
    expect(rules.entityIds()).toEqual(['zone.home']);
    expect(rules.context.location).toBeUndefined();
    rules.setEntityState('zone.home', { state: '0', attributes: { latitude: 52.52, longitude: 13.405 } });
    expect(rules.context.location).toEqual({ latitude: 52.52, longitude: 13.405 });
    rules.stop();
  });

  it('evaluates the first input change at once and a burst after it at most once per MIN_INPUT_EVALUATION_MS, ending on the last value', async () => {
    const clock = new ManualClock(MON_0600);
    let push: ((payload: Buffer) => void) | undefined;
    let changes = 0;
    const rules = new RotationRules({
      clock,
      timeZone: 'UTC',
      fallback: 'clock',
      templates: NO_TEMPLATES,
      topics: {
        refusal: () => undefined,
        watch: (_topic, onPayload) => {
          push = onPayload;
          return () => undefined;
        },
      },
      log: createLogger('error'),
      onGate: () => undefined,
      onVisibilityChange: () => changes++,
    });
    const condition = parseConditionValue({ topic: 'home/door', equals: 'open' });
    if (!condition.ok) throw new Error('condition');
    rules.start();
    rules.setEntries([{ id: 'door', rules: { showWhen: condition.value } }]);
    expect(rules.visibilityOf('door')).toEqual({ visible: false, reason: 'condition' });
    const before = changes;
    push!(Buffer.from('open'));
    expect(rules.visibilityOf('door')).toEqual({ visible: true, pinned: false });
    for (const value of ['closed', 'open', 'closed', 'open', 'closed']) push!(Buffer.from(value));
    // The burst waits; then the latest value counts, in one evaluation.
    expect(rules.visibilityOf('door')).toEqual({ visible: true, pinned: false });
    expect(changes).toBe(before + 1);
    // A timer set after the rules' own (shorter) one fires after it.
    await new Promise((resolve) => setTimeout(resolve, MIN_INPUT_EVALUATION_MS + 50));
    expect(rules.visibilityOf('door')).toEqual({ visible: false, reason: 'condition' });
    expect(changes).toBe(before + 2);
    rules.stop();
  });
});
