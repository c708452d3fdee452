/**
 * Validation of screens (`P/cmd/screens/<id>`) and of the content fields a rich notification
 * shares with them. Strict: unknown keys are refused, colours are `#rrggbb` (or a template),
 * numbers must be in range and lists and strings have caps, so that no payload can make the
 * bridge draw without bound. Every error names the field by its path (`draw[3].color`).
 */
import { parseObject, payloadText } from './validate';
import { fail, ok, type Result } from './result';
import type { DrawCommand, ScreenChart, ScreenContent, ScreenIcon, ScreenProgress, ScreenRequest, ScreenText, TextSegment } from './screens';
import { ICON_NAME_PATTERN } from './icons';
import { ID_PATTERN } from './topics';
import { scheduleJson } from './schedule-format';
import { parseConditionValue, parseScheduleValue } from './schedule-parse';

/** Screen ids are topic levels and rotation entries beside app ids: the same alphabet, shorter. */
export const SCREEN_ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,31}$/;
/** Screens the bridge keeps at once; the next one is refused until one is removed. */
export const MAX_SCREENS = 100;
export const MAX_DRAW_COMMANDS = 256;
export const MAX_CHART_VALUES = 64;
export const MAX_SEGMENTS = 32;
/** Characters of one text field (a segment, a draw command's text, a plain text). */
export const MAX_SCREEN_TEXT = 1024;
/**
 * Code points of all the text of one content together (the text, its segments, the draw list's
 * texts): each is laid out and drawn on every frame of a scrolling screen.
 */
export const MAX_CONTENT_TEXT = 2048;
/**
 * What the draw list may paint each frame, in pixels: the area of each primitive (clipped to the
 * panel where the drawing is clipped before work is done) or the length of a line: the panel 16 times over.
 */
export const MAX_DRAW_AREA = 16 * 64 * 32;
/** Longest template a colour field may hold. */
const MAX_COLOR_TEMPLATE = 256;
export const MAX_SCREEN_DURATION_S = 86_400;
export const MAX_SCREEN_LIFETIME_S = 7 * 86_400;
/** Coordinates of draw commands: a little beyond the panel, so shapes may be clipped at its edges. */
const COORD_MIN = -256;
const COORD_MAX = 256;
/** A bitmap covers at most the whole panel. */
const MAX_BITMAP_PIXELS = 64 * 32;

export const SCREEN_CONTENT_FIELDS = ['text', 'icon', 'progress', 'chart', 'draw', 'background'] as const;
const SCREEN_TIMING_FIELDS = ['duration_s', 'lifetime_s', 'on_expiry', 'pos'] as const;
/** When the screen shows: the same rules, and the same parsers, as `apps/<id>/schedule`, `show_when` and `pin_when`. */
const SCREEN_RULE_FIELDS = ['schedule', 'show_when', 'pin_when'] as const;

/** `P/cmd/screens/<id>`: a screen to show, or (empty payload) the screen to remove. */
export type ScreenCommand = { remove: true; transaction?: string | number } | { remove?: false; screen: ScreenRequest; transaction?: string | number };

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** A field that is wrong: thrown inside this module only, returned as an invalid_payload error. */
class FieldError extends Error {}

const bad = (at: string, problem: string): never => {
  throw new FieldError(`"${at}" ${problem}`);
};

function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function object(v: Json, at: string, allowed: readonly string[]): JsonObject {
  if (!isObject(v)) return bad(at, 'must be an object');
  const extra = Object.keys(v).find((k) => !allowed.includes(k));
  if (extra !== undefined) throw new FieldError(`unknown field "${at}.${extra}"`);
  return v;
}

function text(v: Json, at: string, max = MAX_SCREEN_TEXT): string {
  if (typeof v !== 'string') return bad(at, 'must be a string');
  if (v.length > max) bad(at, `is longer than ${max} characters`);
  return v;
}

/** A rule parser's value, or its message as this module's field error. */
function ruleValue<T>(result: Result<T>): T {
  if (!result.ok) throw new FieldError(result.error.message);
  return result.value;
}

/** Template syntax is left to the bridge, which renders (and reports) it while the screen lives. */
export const isTemplateText = (s: string): boolean => s.includes('{{');

function color(v: Json, at: string): string {
  if (typeof v === 'string' && /^#[0-9a-fA-F]{6}$/.test(v)) return v;
  if (typeof v === 'string' && isTemplateText(v) && v.length <= MAX_COLOR_TEMPLATE) return v;
  return bad(at, 'must be a colour like "#ff8800" (or a template giving one)');
}

function number(v: Json, at: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) return bad(at, `must be a number from ${min} to ${max}`);
  return v;
}

function integer(v: Json, at: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) return bad(at, `must be an integer from ${min} to ${max}`);
  return v;
}

function boolean(v: Json, at: string): boolean {
  return typeof v === 'boolean' ? v : bad(at, 'must be true or false');
}

function oneOf<T extends string>(v: Json, at: string, values: readonly T[]): T {
  return typeof v === 'string' && values.includes(v as T) ? (v as T) : bad(at, `must be one of ${values.map((x) => `"${x}"`).join(', ')}`);
}

function list(v: Json, at: string, min: number, max: number): Json[] {
  if (!Array.isArray(v)) return bad(at, 'must be an array');
  if (v.length < min || v.length > max) bad(at, min === max ? `must have ${min} items` : `must have ${min} to ${max} items`);
  return v;
}

/** Copies the fields of `o` that are present, each through its check. */
function pick<T>(o: JsonObject, at: string, checks: { [K in keyof T]-?: (v: Json, at: string) => T[K] }): T {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(checks) as (keyof T & string)[]) {
    const v = o[key];
    if (v !== undefined) out[key] = checks[key](v, `${at}${at ? '.' : ''}${key}`);
  }
  return out as T;
}

function segments(v: Json, at: string): TextSegment[] {
  return list(v, at, 1, MAX_SEGMENTS).map((s, i) => {
    const o = object(s, `${at}[${i}]`, ['t', 'c']);
    if (o.t === undefined) bad(`${at}[${i}].t`, 'is required');
    return pick<TextSegment>(o, `${at}[${i}]`, { t: (x, a) => text(x, a), c: color });
  });
}

const FONTS = ['small', 'regular'] as const;

function screenText(v: Json, at: string): string | TextSegment[] | ScreenText {
  if (typeof v === 'string') return text(v, at);
  if (Array.isArray(v)) return segments(v, at);
  const o = object(v, at, ['value', 'color', 'rainbow', 'gradient', 'font', 'scroll', 'speed', 'repeat', 'align']);
  if (o.value === undefined) bad(`${at}.value`, 'is required');
  return pick<ScreenText>(o, at, {
    value: (x, a) => (Array.isArray(x) ? segments(x, a) : text(x, a)),
    color,
    rainbow: boolean,
    gradient: (x, a) => list(x, a, 2, 2).map((c, i) => color(c, `${a}[${i}]`)) as [string, string],
    font: (x, a) => oneOf(x, a, FONTS),
    scroll: (x, a) => oneOf(x, a, ['auto', 'always', 'never'] as const),
    speed: (x, a) => number(x, a, 1, 500),
    repeat: (x, a) => integer(x, a, 0, 100),
    align: (x, a) => oneOf(x, a, ['left', 'center', 'right'] as const),
  });
}

function iconName(v: Json, at: string): string {
  // The rule icons are stored by (cmd/icons/<name>): a name no icon can have is a mistake.
  return typeof v === 'string' && ICON_NAME_PATTERN.test(v) ? v : bad(at, 'must be an icon name: 1 to 32 of a-z, 0-9, "_" and "-"');
}

function icon(v: Json, at: string): string | ScreenIcon {
  if (typeof v === 'string') return iconName(v, at);
  const o = object(v, at, ['name', 'position']);
  if (o.name === undefined) bad(`${at}.name`, 'is required');
  return pick<ScreenIcon>(o, at, { name: iconName, position: (x, a) => oneOf(x, a, ['left', 'right'] as const) });
}

function progress(v: Json, at: string): number | ScreenProgress {
  if (typeof v === 'number') return number(v, at, 0, 100);
  const o = object(v, at, ['value', 'color', 'background']);
  if (o.value === undefined) bad(`${at}.value`, 'is required');
  return pick<ScreenProgress>(o, at, { value: (x, a) => number(x, a, 0, 100), color, background: color });
}

function chart(v: Json, at: string): ScreenChart {
  const o = object(v, at, ['type', 'values', 'color']);
  if (o.type === undefined) bad(`${at}.type`, 'is required');
  if (o.values === undefined) bad(`${at}.values`, 'is required');
  return pick<ScreenChart>(o, at, {
    type: (x, a) => oneOf(x, a, ['bar', 'line'] as const),
    values: (x, a) => list(x, a, 1, MAX_CHART_VALUES).map((n, i) => number(n, `${a}[${i}]`, -1e9, 1e9)),
    color,
  });
}

function coords(v: Json, at: string, n: number, sizes: readonly number[] = []): number[] {
  return list(v, at, n, n).map((c, i) => (sizes.includes(i) ? integer(c, `${at}[${i}]`, 0, COORD_MAX) : integer(c, `${at}[${i}]`, COORD_MIN, COORD_MAX)));
}

/** Which primitive a draw command is: the one of these keys it has. */
const PRIMITIVES = ['pixel', 'line', 'rect', 'circle', 'text', 'bitmap'] as const;

function drawCommand(v: Json, at: string): DrawCommand {
  if (!isObject(v)) return bad(at, 'must be an object');
  const kinds = PRIMITIVES.filter((k) => v[k] !== undefined);
  if (kinds.length !== 1) bad(at, `must have exactly one of ${PRIMITIVES.map((k) => `"${k}"`).join(', ')}`);
  const colorRequired = (o: JsonObject): void => {
    if (o.color === undefined) bad(`${at}.color`, 'is required');
  };
  switch (kinds[0]) {
    case 'pixel': {
      const o = object(v, at, ['pixel', 'color']);
      colorRequired(o);
      return { pixel: coords(o.pixel, `${at}.pixel`, 2) as [number, number], color: color(o.color, `${at}.color`) };
    }
    case 'line': {
      const o = object(v, at, ['line', 'color']);
      colorRequired(o);
      return { line: coords(o.line, `${at}.line`, 4) as [number, number, number, number], color: color(o.color, `${at}.color`) };
    }
    case 'rect': {
      const o = object(v, at, ['rect', 'color', 'fill']);
      colorRequired(o);
      return {
        rect: coords(o.rect, `${at}.rect`, 4, [2, 3]) as [number, number, number, number],
        color: color(o.color, `${at}.color`),
        ...(o.fill !== undefined ? { fill: boolean(o.fill, `${at}.fill`) } : {}),
      };
    }
    case 'circle': {
      const o = object(v, at, ['circle', 'color', 'fill']);
      colorRequired(o);
      return {
        circle: coords(o.circle, `${at}.circle`, 3, [2]) as [number, number, number],
        color: color(o.color, `${at}.color`),
        ...(o.fill !== undefined ? { fill: boolean(o.fill, `${at}.fill`) } : {}),
      };
    }
    case 'text': {
      const o = object(v, at, ['text', 'at', 'color', 'font']);
      colorRequired(o);
      if (o.at === undefined) bad(`${at}.at`, 'is required');
      return {
        text: text(o.text, `${at}.text`, 256),
        at: coords(o.at, `${at}.at`, 2) as [number, number],
        color: color(o.color, `${at}.color`),
        ...(o.font !== undefined ? { font: oneOf(o.font, `${at}.font`, FONTS) } : {}),
      };
    }
    default: {
      const o = object(v, at, ['bitmap', 'pixels']);
      const [x, y, w, h] = coords(o.bitmap, `${at}.bitmap`, 4, [2, 3]);
      if (w * h > MAX_BITMAP_PIXELS) bad(`${at}.bitmap`, `covers more than ${MAX_BITMAP_PIXELS} pixels`);
      if (o.pixels === undefined) bad(`${at}.pixels`, 'is required');
      const pixels = list(o.pixels, `${at}.pixels`, w * h, w * h).map((p, i) => (p === null ? null : color(p, `${at}.pixels[${i}]`)));
      return { bitmap: [x, y, w, h], pixels };
    }
  }
}

/** Code points of the content's text: its text field and the draw list's texts. */
export function contentTextLength(content: ScreenContent): number {
  let total = 0;
  const t = content.text;
  const value = typeof t === 'object' && t !== null && !Array.isArray(t) ? t.value : t;
  if (typeof value === 'string') total += codePoints(value);
  else if (Array.isArray(value)) for (const segment of value) total += codePoints(segment.t);
  for (const d of content.draw ?? []) if ('text' in d) total += codePoints(d.text);
  return total;
}

function codePoints(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** Pixels one span [from, from + size) keeps on a panel side of `side` pixels. */
function clippedSpan(from: number, size: number, side: number): number {
  return Math.max(0, Math.min(side, from + size) - Math.max(0, from));
}

/** The work one draw command asks of each frame, in pixels (see MAX_DRAW_AREA). */
export function drawArea(d: DrawCommand): number {
  if ('pixel' in d) return 1;
  if ('line' in d) return Math.max(Math.abs(d.line[2] - d.line[0]), Math.abs(d.line[3] - d.line[1])) + 1;
  if ('rect' in d) {
    const [x, y, w, h] = d.rect;
    const area = clippedSpan(x, w, 64) * clippedSpan(y, h, 32);
    return d.fill ? area : Math.min(area, 2 * (w + h));
  }
  if ('circle' in d) {
    // Rows of the circle are walked whatever the clipping; filled, each row is painted across.
    const [cx, cy, r] = d.circle;
    const box = clippedSpan(cx - r, 2 * r + 1, 64) * clippedSpan(cy - r, 2 * r + 1, 32);
    return 2 * r + 1 + (d.fill ? box : Math.min(box, 8 * r));
  }
  if ('bitmap' in d) return d.bitmap[2] * d.bitmap[3];
  // Text: each character's glyph box (at most 8 × 16 pixels in the larger font).
  return codePoints(d.text) * 128;
}

/** The content fields of `o` (what a screen shows), each checked; `prefix` for nested use. */
function contentOf(o: JsonObject, at = ''): ScreenContent {
  const content = contentFields(o, at);
  const textLength = contentTextLength(content);
  if (textLength > MAX_CONTENT_TEXT)
    bad(at ? `${at}.text` : 'text', `and the draw list's texts together are longer than ${MAX_CONTENT_TEXT} characters (${textLength})`);
  const area = (content.draw ?? []).reduce((sum, d) => sum + drawArea(d), 0);
  if (area > MAX_DRAW_AREA)
    bad(
      at ? `${at}.draw` : 'draw',
      `paints more than ${MAX_DRAW_AREA} pixels a frame (${area}: the areas of its shapes and the lengths of its lines together)`,
    );
  return content;
}

function contentFields(o: JsonObject, at: string): ScreenContent {
  return pick<ScreenContent>(o, at, {
    text: screenText,
    icon,
    progress,
    chart,
    draw: (x, a) => list(x, a, 0, MAX_DRAW_COMMANDS).map((d, i) => drawCommand(d, `${a}[${i}]`)),
    background: color,
  });
}

/** Runs a check that throws FieldError, as a Result. */
function checked<T>(run: () => T): Result<T> {
  try {
    return ok(run());
  } catch (e) {
    if (e instanceof FieldError) return fail('invalid_payload', e.message);
    throw e;
  }
}

/**
 * The content fields of a JSON object that may hold other fields too (a notification's): the
 * content, or the error naming the field. Unknown keys are the caller's to refuse.
 */
export function parseScreenContent(o: Record<string, unknown>): Result<ScreenContent> {
  return checked(() => contentOf(o as JsonObject));
}

export function isScreenId(id: unknown): id is string {
  return typeof id === 'string' && SCREEN_ID_PATTERN.test(id) && ID_PATTERN.test(id);
}

/** `P/cmd/screens/<id>`: a JSON screen, or an empty payload (only whitespace too) to remove it. */
export function parseScreen(payload: Uint8Array | string): Result<ScreenCommand> {
  const textResult = payloadText(payload);
  if (!textResult.ok) return textResult;
  if (textResult.value.trim().length === 0) return ok({ remove: true });
  const obj = parseObject(textResult.value);
  if (!obj.ok) return obj;
  const o = obj.value as JsonObject;
  const t = o.transaction;
  const transaction = typeof t === 'string' || typeof t === 'number' ? { transaction: t } : {};
  return checked(() => {
    const allowed: readonly string[] = [...SCREEN_CONTENT_FIELDS, ...SCREEN_TIMING_FIELDS, ...SCREEN_RULE_FIELDS, 'transaction'];
    const extra = Object.keys(o).find((k) => !allowed.includes(k));
    if (extra !== undefined) throw new FieldError(`unknown field "${extra}"`);
    if (t !== undefined && typeof t !== 'string' && typeof t !== 'number') bad('transaction', 'must be a string or a number');
    const content = contentOf(o);
    if (Object.keys(content).length === 0) bad('text', 'or another content field (icon, progress, chart, draw, background) is required');
    const timing = pick<Pick<ScreenRequest, 'duration_s' | 'lifetime_s' | 'on_expiry' | 'pos'>>(o, '', {
      duration_s: (x, a) => number(x, a, 1, MAX_SCREEN_DURATION_S),
      lifetime_s: (x, a) => number(x, a, 1, MAX_SCREEN_LIFETIME_S),
      on_expiry: (x, a) => oneOf(x, a, ['remove', 'stale'] as const),
      pos: (x, a) => integer(x, a, 0, 10_000),
    });
    const rules = pick<Pick<ScreenRequest, 'schedule' | 'show_when' | 'pin_when'>>(o, '', {
      schedule: (x, a) => scheduleJson(ruleValue(parseScheduleValue(x, a))),
      show_when: (x, a) => ruleValue(parseConditionValue(x, a)),
      pin_when: (x, a) => ruleValue(parseConditionValue(x, a)),
    });
    return { screen: { ...content, ...timing, ...rules }, ...transaction };
  });
}
