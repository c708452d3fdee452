/**
 * Strict parsers for schedules and `show_when`/`pin_when` conditions. Each error names the field
 * (with its place in a list: `windows[1].to`) and what is wrong with it. The value parsers take
 * already-parsed JSON so a screen's `schedule` key can be checked with the same code.
 */
import { fail, ok, type Result } from './result';
import {
  type Boundary,
  BOUNDARY_PATTERN,
  type Condition,
  type ConditionRequest,
  MAX_CONDITION_DEPTH,
  MAX_CONDITION_TOPIC_LENGTH,
  MAX_CONDITIONS,
  MAX_SCHEDULE_WINDOWS,
  MAX_SUN_OFFSET_MIN,
  MAX_TEMPLATE_LENGTH,
  type Schedule,
  type ScheduleRequest,
  type ScheduleWindow,
  SUN_EVENTS,
  type SunEvent,
  WEEKDAYS,
  type Weekday,
} from './schedules';
import { parseJson } from './validate';

type JsonObject = { [key: string]: unknown };

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function invalid<T>(message: string): Result<T> {
  return fail('invalid_payload', message);
}

function unknownKey(obj: JsonObject, allowed: readonly string[]): string | undefined {
  return Object.keys(obj).find((k) => !allowed.includes(k));
}

function transactionOf(obj: JsonObject): { transaction?: string | number } {
  const t = obj.transaction;
  return typeof t === 'string' || typeof t === 'number' ? { transaction: t } : {};
}

const BOUNDARY = new RegExp(BOUNDARY_PATTERN);

/** `"07:30"`, `"sunset"`, `"sunrise-15"` → a boundary; `undefined` when the text is none of these. */
export function parseBoundaryText(text: string): Boundary | undefined {
  if (!BOUNDARY.test(text)) return undefined;
  const clock = /^(\d\d):(\d\d)$/.exec(text);
  if (clock) return { kind: 'clock', minutes: Number(clock[1]) * 60 + Number(clock[2]) };
  const sun = /^([a-z]+)([+-]\d+)?$/.exec(text) as RegExpExecArray;
  const offsetMin = sun[2] === undefined ? 0 : Number(sun[2]);
  if (Math.abs(offsetMin) > MAX_SUN_OFFSET_MIN) return undefined;
  return { kind: 'sun', event: sun[1] as SunEvent, offsetMin };
}

function boundary(value: unknown, field: string, sunOnly = false): Result<Boundary> {
  const expected = sunOnly
    ? `a sun event (${SUN_EVENTS.join(', ')}) with an optional offset in minutes, like "sunset+30"`
    : `a time "HH:MM" (00:00 to 23:59) or a sun event (${SUN_EVENTS.join(', ')}) with an optional offset in minutes, like "sunset+30"`;
  const parsed = typeof value === 'string' ? parseBoundaryText(value) : undefined;
  if (parsed === undefined || (sunOnly && parsed.kind !== 'sun')) return invalid(`"${field}" must be ${expected}`);
  return ok(parsed);
}

function days(value: unknown, field: string): Result<Weekday[] | undefined> {
  if (value === undefined) return ok(undefined);
  if (!Array.isArray(value) || value.length === 0 || !value.every((d) => typeof d === 'string' && WEEKDAYS.includes(d as Weekday))) {
    return invalid(`"${field}" must be a non-empty list of days: ${WEEKDAYS.join(', ')}`);
  }
  if (new Set(value).size !== value.length) return invalid(`"${field}" names a day twice`);
  return ok(value as Weekday[]);
}

const MIDNIGHT: Boundary = { kind: 'clock', minutes: 0 };

/**
 * One window: `{days?, from, to}`, `{days?, sun: {after, before}}`, or `{days}` alone for those
 * whole days (midnight to midnight).
 */
export function parseScheduleWindow(value: unknown, field = 'window'): Result<ScheduleWindow> {
  if (!isObject(value)) return invalid(`"${field}" must be an object like {"days":["mon"],"from":"07:00","to":"09:30"}`);
  const extra = unknownKey(value, ['days', 'from', 'to', 'sun']);
  if (extra !== undefined) return invalid(`${field}: unknown field "${extra}"`);
  const d = days(value.days, `${field}.days`);
  if (!d.ok) return d;
  const dayPart = d.value ? { days: d.value } : {};
  if (value.sun !== undefined) {
    if (value.from !== undefined || value.to !== undefined) return invalid(`${field}: give "sun" or "from" and "to", not both`);
    const sun = value.sun;
    if (!isObject(sun)) return invalid(`"${field}.sun" must be an object like {"after":"sunset","before":"sunrise"}`);
    const extraSun = unknownKey(sun, ['after', 'before']);
    if (extraSun !== undefined) return invalid(`${field}.sun: unknown field "${extraSun}"`);
    const from = boundary(sun.after, `${field}.sun.after`, true);
    if (!from.ok) return from;
    const to = boundary(sun.before, `${field}.sun.before`, true);
    if (!to.ok) return to;
    return ok({ ...dayPart, from: from.value, to: to.value });
  }
  if (value.from === undefined && value.to === undefined) {
    if (d.value === undefined) return invalid(`${field}: give "from" and "to", "sun", or "days"`);
    return ok({ ...dayPart, from: MIDNIGHT, to: MIDNIGHT });
  }
  if (value.from === undefined || value.to === undefined) return invalid(`${field}: give both "from" and "to"`);
  const from = boundary(value.from, `${field}.from`);
  if (!from.ok) return from;
  const to = boundary(value.to, `${field}.to`);
  if (!to.ok) return to;
  return ok({ ...dayPart, from: from.value, to: to.value });
}

/**
 * A schedule as JSON: one window, a list of windows, or `{"windows": [...]}`. The field name is
 * the key it was found under, for the messages.
 */
export function parseScheduleValue(value: unknown, field = 'schedule'): Result<Schedule> {
  let windows: unknown[];
  let place: (i: number) => string;
  if (Array.isArray(value)) {
    windows = value;
    place = (i) => `${field}[${i}]`;
  } else if (isObject(value) && value.windows !== undefined) {
    const extra = unknownKey(value, ['windows']);
    if (extra !== undefined) return invalid(`${field}: unknown field "${extra}"`);
    if (!Array.isArray(value.windows)) return invalid(`"${field}.windows" must be a list of windows`);
    windows = value.windows;
    place = (i) => `${field}.windows[${i}]`;
  } else {
    windows = [value];
    place = () => field;
  }
  if (windows.length === 0) return invalid(`"${field}" must list at least one window (send null to remove the schedule)`);
  if (windows.length > MAX_SCHEDULE_WINDOWS) return invalid(`"${field}" has more than ${MAX_SCHEDULE_WINDOWS} windows`);
  const out: ScheduleWindow[] = [];
  for (const [i, w] of windows.entries()) {
    const parsed = parseScheduleWindow(w, place(i));
    if (!parsed.ok) return parsed;
    out.push(parsed.value);
  }
  return ok({ windows: out });
}

function withoutTransaction(value: unknown): unknown {
  if (!isObject(value)) return value;
  const { transaction: _t, ...rest } = value;
  return rest;
}

/** `P/cmd/apps/<id>/schedule`: `null` (or an empty payload) removes the schedule. */
export function parseSchedule(payload: Uint8Array | string): Result<ScheduleRequest> {
  if (payload.length === 0) return ok({ schedule: null });
  const json = parseJson(payload);
  if (!json.ok) return json;
  const value = json.value;
  if (value === null) return ok({ schedule: null });
  const transaction = isObject(value) ? transactionOf(value) : {};
  const schedule = parseScheduleValue(withoutTransaction(value));
  if (!schedule.ok) return schedule;
  return ok({ schedule: schedule.value, ...transaction });
}

const ENTITY_ID = /^[a-z0-9_]+\.[a-z0-9_]+$/;

function optionalNumber(obj: JsonObject, key: string, field: string): Result<number | undefined> {
  const v = obj[key];
  if (v === undefined) return ok(undefined);
  if (typeof v !== 'number' || !Number.isFinite(v)) return invalid(`"${field}.${key}" must be a number`);
  return ok(v);
}

/** `above`/`below`, at least one, and a range that some value can be in. */
function range(obj: JsonObject, field: string): Result<{ above?: number; below?: number }> {
  const above = optionalNumber(obj, 'above', field);
  if (!above.ok) return above;
  const below = optionalNumber(obj, 'below', field);
  if (!below.ok) return below;
  if (above.value === undefined && below.value === undefined) return invalid(`${field}: give "above", "below" or both`);
  if (above.value !== undefined && below.value !== undefined && above.value >= below.value) {
    return invalid(`${field}: "above" must be less than "below" (no value is above ${above.value} and below ${below.value})`);
  }
  return ok({ ...(above.value !== undefined ? { above: above.value } : {}), ...(below.value !== undefined ? { below: below.value } : {}) });
}

function stateList(value: unknown, field: string): Result<string[]> {
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0 || list.length > 16 || !list.every((s) => typeof s === 'string' && s.length <= 255)) {
    return invalid(`"${field}.state" must be a state like "on", or a list of up to 16 states`);
  }
  return ok(list as string[]);
}

class ConditionCounter {
  count = 0;
}

function condition(value: unknown, field: string, level: number, counter: ConditionCounter): Result<Condition> {
  counter.count += 1;
  if (counter.count > MAX_CONDITIONS) return invalid(`${field}: more than ${MAX_CONDITIONS} conditions in all`);
  if (!isObject(value))
    return invalid(`"${field}" must be a condition object: {entity, state}, {entity, above/below}, {template}, {topic, ...}, {all} or {any}`);
  if ('all' in value || 'any' in value) {
    const key = 'all' in value ? 'all' : 'any';
    const extra = unknownKey(value, [key]);
    if (extra !== undefined) return invalid(`${field}: "${key}" stands alone, unknown field "${extra}"`);
    if (level >= MAX_CONDITION_DEPTH) return invalid(`${field}: conditions nested deeper than ${MAX_CONDITION_DEPTH} levels`);
    const list = value[key];
    if (!Array.isArray(list) || list.length === 0) return invalid(`"${field}.${key}" must be a non-empty list of conditions`);
    const out: Condition[] = [];
    for (const [i, c] of list.entries()) {
      const parsed = condition(c, `${field}.${key}[${i}]`, level + 1, counter);
      if (!parsed.ok) return parsed;
      out.push(parsed.value);
    }
    return ok(key === 'all' ? { all: out } : { any: out });
  }
  if ('entity' in value) {
    const extra = unknownKey(value, ['entity', 'state', 'above', 'below']);
    if (extra !== undefined) return invalid(`${field}: unknown field "${extra}" beside "entity"`);
    const entity = value.entity;
    if (typeof entity !== 'string' || !ENTITY_ID.test(entity) || entity.length > 255) {
      return invalid(`"${field}.entity" must be an entity id like "binary_sensor.washer"`);
    }
    if (value.state !== undefined) {
      if (value.above !== undefined || value.below !== undefined) return invalid(`${field}: give "state" or "above"/"below", not both`);
      const state = stateList(value.state, field);
      return state.ok ? ok({ entity, state: state.value }) : state;
    }
    const r = range(value, field);
    return r.ok ? ok({ entity, ...r.value }) : invalid(r.error.message.replace('give "above"', 'give "state", "above"'));
  }
  if ('template' in value) {
    const extra = unknownKey(value, ['template']);
    if (extra !== undefined) return invalid(`${field}: unknown field "${extra}" beside "template"`);
    const t = value.template;
    if (typeof t !== 'string' || t.trim().length === 0 || t.length > MAX_TEMPLATE_LENGTH) {
      return invalid(`"${field}.template" must be a Home Assistant template of 1-${MAX_TEMPLATE_LENGTH} characters`);
    }
    return ok({ template: t });
  }
  if ('topic' in value) {
    const extra = unknownKey(value, ['topic', 'equals', 'above', 'below']);
    if (extra !== undefined) return invalid(`${field}: unknown field "${extra}" beside "topic"`);
    const topic = value.topic;
    if (
      typeof topic !== 'string' ||
      topic.length === 0 ||
      topic.length > MAX_CONDITION_TOPIC_LENGTH ||
      /[#+]/.test(topic) ||
      topic.includes(String.fromCharCode(0))
    ) {
      return invalid(`"${field}.topic" must be one MQTT topic of 1-${MAX_CONDITION_TOPIC_LENGTH} characters, without wildcards`);
    }
    if (value.equals !== undefined) {
      if (value.above !== undefined || value.below !== undefined) return invalid(`${field}: give "equals" or "above"/"below", not both`);
      if (typeof value.equals !== 'string') return invalid(`"${field}.equals" must be a string (the payload as text)`);
      return ok({ topic, equals: value.equals });
    }
    const r = range(value, field);
    return r.ok ? ok({ topic, ...r.value }) : invalid(r.error.message.replace('give "above"', 'give "equals", "above"'));
  }
  return invalid(`"${field}" must have one of "entity", "template", "topic", "all" or "any"`);
}

/** A `show_when`/`pin_when` condition as JSON; `field` names it in the messages. */
export function parseConditionValue(value: unknown, field = 'condition'): Result<Condition> {
  return condition(value, field, 1, new ConditionCounter());
}

/** `P/cmd/apps/<id>/show_when` and `pin_when`: a condition, or `null`/empty to remove it. */
export function parseConditionPayload(payload: Uint8Array | string, field: 'show_when' | 'pin_when'): Result<ConditionRequest> {
  if (payload.length === 0) return ok({ condition: null });
  const json = parseJson(payload);
  if (!json.ok) return json;
  const value = json.value;
  if (value === null) return ok({ condition: null });
  const transaction = isObject(value) ? transactionOf(value) : {};
  const parsed = parseConditionValue(withoutTransaction(value), field);
  if (!parsed.ok) return parsed;
  return ok({ condition: parsed.value, ...transaction });
}
