/**
 * Whether the bridge takes a payload on `P/cmd/screens/<id>`, or a notification with screen
 * content on `P/cmd/notify`: the field names and value types of contract/src/screens.ts, for the
 * tests of what Node-RED and Home Assistant publish. The key maps are typed by the contract, so a
 * field added to or dropped from it fails the type check here.
 *
 * The contract has no parser for screens yet. When it has one, each of the two functions at the
 * end becomes that parser's verdict in one line (`const r = parseScreen(payload); return r.ok ?
 * [] : [r.error.message];`) and the maps go.
 */
import {
  parseNotify,
  type ScreenChart,
  type ScreenContent,
  type ScreenIcon,
  type ScreenProgress,
  type ScreenRequest,
  type ScreenText,
} from '@megabit/contract';

/** The problems with one value, each naming where it is; none means it is fine. */
type Check = (value: unknown, at: string) => string[];
type Fields<T> = { [K in keyof Required<T>]: Check };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const problem = (ok: boolean, at: string, what: string): string[] => (ok ? [] : [`${at} must be ${what}`]);

/** A colour, or a template that renders to one (the bridge renders templates in colours too). */
const color: Check = (v, at) => problem(typeof v === 'string' && (/^#[0-9a-fA-F]{6}$/.test(v) || v.includes('{{')), at, 'a colour like "#ff8800"');
const nonEmptyString: Check = (v, at) => problem(typeof v === 'string' && v.length > 0, at, 'a non-empty string');
const boolean: Check = (v, at) => problem(typeof v === 'boolean', at, 'true or false');
const oneOf =
  (...values: string[]): Check =>
  (v, at) =>
    problem(values.includes(v as string), at, `one of ${values.join(', ')}`);
const numberIn =
  (min: number, max: number, integer = false): Check =>
  (v, at) =>
    problem(typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max && (!integer || Number.isInteger(v)), at, `a number from ${min} to ${max}`);
const numberList =
  (length: number): Check =>
  (v, at) =>
    problem(Array.isArray(v) && v.length === length && v.every((n) => typeof n === 'number' && Number.isFinite(n)), at, `a list of ${length} numbers`);

/** An object with only the fields of `shape`, each as its check says; `required` must be there. */
function object<T>(shape: Fields<T>, required: (keyof T)[] = []): Check {
  return (v, at) => {
    if (!isObject(v)) return [`${at} must be an object`];
    const unknown = Object.keys(v)
      .filter((k) => !(k in shape))
      .map((k) => `unknown field ${at}.${k}`);
    const missing = required.filter((k) => v[k as string] === undefined).map((k) => `${at}.${String(k)} is required`);
    const wrong = Object.entries(v).flatMap(([k, value]) => (k in shape ? shape[k as keyof T](value, `${at}.${k}`) : []));
    return [...unknown, ...missing, ...wrong];
  };
}

type JsonKind = 'string' | 'number' | 'list' | 'object';
const kindOf = (v: unknown): JsonKind | undefined =>
  typeof v === 'string' ? 'string' : typeof v === 'number' ? 'number' : Array.isArray(v) ? 'list' : isObject(v) ? 'object' : undefined;

/** A field that takes several shapes (`"text": "Hi"` or `{"value": "Hi", ...}`): checked by the one its kind of value has. */
const byKind =
  (checks: Partial<Record<JsonKind, Check>>): Check =>
  (v, at) => {
    const kind = kindOf(v);
    const check = kind === undefined ? undefined : checks[kind];
    return check ? check(v, at) : [`${at} must be a ${Object.keys(checks).join(' or ')}`];
  };

const segments: Check = (v, at) =>
  Array.isArray(v) && v.length > 0
    ? v.flatMap((s, i) => object<{ t: string; c?: string }>({ t: (t, a) => problem(typeof t === 'string', a, 'a string'), c: color }, ['t'])(s, `${at}[${i}]`))
    : [`${at} must be a non-empty list of segments`];

const SCREEN_TEXT: Fields<ScreenText> = {
  value: byKind({ string: nonEmptyString, list: segments }),
  color,
  rainbow: boolean,
  gradient: (v, at) => (Array.isArray(v) && v.length === 2 ? v.flatMap((c, i) => color(c, `${at}[${i}]`)) : [`${at} must be two colours`]),
  font: oneOf('small', 'regular'),
  scroll: oneOf('auto', 'always', 'never'),
  speed: numberIn(1, 500),
  repeat: numberIn(0, 100, true),
  align: oneOf('left', 'center', 'right'),
};

const ICON: Fields<ScreenIcon> = { name: nonEmptyString, position: oneOf('left', 'right') };
const PROGRESS: Fields<ScreenProgress> = { value: numberIn(0, 100), color, background: color };
const CHART: Fields<ScreenChart> = {
  type: oneOf('bar', 'line'),
  values: (v, at) =>
    problem(Array.isArray(v) && v.length > 0 && v.length <= 64 && v.every((n) => typeof n === 'number' && Number.isFinite(n)), at, 'a list of 1 to 64 numbers'),
  color,
};

/** One drawing primitive: exactly one of the shapes, with its own fields. */
const drawCommand: Check = (v, at) => {
  if (!isObject(v)) return [`${at} must be an object`];
  const withColor = { color, fill: boolean };
  if ('pixel' in v) return object({ pixel: numberList(2), color }, ['color'])(v, at);
  if ('line' in v) return object({ line: numberList(4), color }, ['color'])(v, at);
  if ('rect' in v) return object({ rect: numberList(4), ...withColor }, ['color'])(v, at);
  if ('circle' in v) return object({ circle: numberList(3), ...withColor }, ['color'])(v, at);
  if ('text' in v) return object({ text: nonEmptyString, at: numberList(2), color, font: oneOf('small', 'regular') }, ['at', 'color'])(v, at);
  if ('bitmap' in v) {
    return object({
      bitmap: numberList(4),
      pixels: (p, a) => problem(Array.isArray(p) && p.every((c) => c === null || color(c, a).length === 0), a, 'colours or nulls'),
    })(v, at);
  }
  return [`${at} must be one of pixel, line, rect, circle, text, bitmap`];
};

const CONTENT: Fields<ScreenContent> = {
  text: byKind({ string: nonEmptyString, list: segments, object: object(SCREEN_TEXT, ['value']) }),
  icon: byKind({ string: nonEmptyString, object: object(ICON, ['name']) }),
  progress: byKind({ number: numberIn(0, 100), object: object(PROGRESS, ['value']) }),
  chart: object(CHART, ['type', 'values']),
  draw: (v, at) => (Array.isArray(v) ? v.flatMap((d, i) => drawCommand(d, `${at}[${i}]`)) : [`${at} must be a list`]),
  background: color,
};

const REQUEST: Fields<ScreenRequest> = {
  ...CONTENT,
  duration_s: numberIn(1, 86_400),
  lifetime_s: numberIn(1, 7 * 86_400),
  on_expiry: oneOf('remove', 'stale'),
  pos: numberIn(0, 10_000, true),
  transaction: (v, at) => problem(typeof v === 'string' || typeof v === 'number', at, 'a string or a number'),
};

function parsed(payload: string): { value?: unknown; problems: string[] } {
  try {
    return { value: JSON.parse(payload) as unknown, problems: [] };
  } catch (e) {
    return { problems: [`not JSON: ${(e as Error).message}`] };
  }
}

/** Problems with a payload for `P/cmd/screens/<id>`; an empty one (removal) has none. */
export function screenProblems(payload: string): string[] {
  if (payload === '') return [];
  const { value, problems } = parsed(payload);
  if (problems.length > 0) return problems;
  // A screen shows something: a payload of timing fields alone is refused.
  const shows = isObject(value) && Object.keys(CONTENT).some((key) => value[key] !== undefined);
  return [...object(REQUEST)(value, 'screen'), ...(shows ? [] : ['screen needs text or another content field'])];
}

/** Problems with a payload for `P/cmd/notify`: the notification's own fields by its parser, the screen content by the contract's types. */
export function notifyProblems(payload: string): string[] {
  const { value, problems } = parsed(payload);
  if (problems.length > 0 || !isObject(value)) return problems.length > 0 ? problems : ['notify must be an object'];
  const notification = { ...value };
  const content: Record<string, unknown> = {};
  for (const key of ['icon', 'progress', 'chart', 'draw', 'background'] as const) {
    if (key in notification) content[key] = notification[key];
    delete notification[key];
  }
  const own = parseNotify(JSON.stringify(notification));
  return [...(own.ok ? [] : [own.error.message]), ...object(CONTENT)(content, 'notify')];
}
