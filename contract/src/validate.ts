/**
 * Validation of command payloads. Each parser takes the raw MQTT payload and returns either the
 * typed request or an error naming the field and what is wrong with it.
 */
import { BUTTON_ACTIONS, PRIORITIES } from './payloads';
import type { AppIdRequest, AppManifest, AppsOrderRequest, ButtonEvent, DismissRequest, DisplayCommand, InstallRequest, NotifyRequest } from './payloads';
import { jsonErrorPlace } from './json-error';
import { fail, ok, type Result } from './result';
import { isValidId } from './topics';
import { parseScreenContent, SCREEN_CONTENT_FIELDS } from './screen-validate';
import type { ScreenContent } from './screens';

/** Largest command payload accepted, except app installs. */
export const MAX_COMMAND_BYTES = 64 * 1024;
/** Largest install payload (base64 Wasm + manifest). */
export const MAX_INSTALL_BYTES = 8 * 1024 * 1024;
export const MAX_NOTIFY_TEXT = 1024;
export const MAX_JSON_DEPTH = 32;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const decoder = new TextDecoder('utf-8', { fatal: true });

export function payloadText(payload: Uint8Array | string): Result<string> {
  if (typeof payload === 'string') return ok(payload);
  try {
    return ok(decoder.decode(payload));
  } catch {
    return fail('invalid_payload', 'payload is not valid UTF-8');
  }
}

function depth(value: unknown, level = 0): number {
  if (level > MAX_JSON_DEPTH) return level;
  if (value === null || typeof value !== 'object') return level;
  let max = level;
  for (const child of Object.values(value as object)) max = Math.max(max, depth(child, level + 1));
  return max;
}

export function parseJson(payload: Uint8Array | string): Result<Json> {
  const text = payloadText(payload);
  if (!text.ok) return text;
  let value: Json;
  try {
    value = JSON.parse(text.value) as Json;
  } catch (e) {
    return fail('bad_json', `payload is not valid JSON${jsonErrorPlace(text.value, e)}`);
  }
  if (depth(value) > MAX_JSON_DEPTH) return fail('invalid_payload', `JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
  return ok(value);
}

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A JSON object, or an error; an empty payload counts as `{}`. */
export function parseObject(payload: Uint8Array | string, allowEmpty = false): Result<JsonObject> {
  if (allowEmpty && payload.length === 0) return ok({});
  const parsed = parseJson(payload);
  if (!parsed.ok) return parsed;
  if (!isObject(parsed.value)) return fail('invalid_payload', 'payload must be a JSON object');
  return ok(parsed.value);
}

/** The `transaction` of a request, if its payload is a JSON object that has one. */
export function transactionOf(payload: Uint8Array | string): string | number | undefined {
  const text = payloadText(payload);
  if (!text.ok || !text.value.trimStart().startsWith('{')) return undefined;
  try {
    const t = (JSON.parse(text.value) as Record<string, unknown>).transaction;
    return typeof t === 'string' || typeof t === 'number' ? t : undefined;
  } catch {
    return undefined;
  }
}

class Fields {
  constructor(
    private readonly obj: JsonObject,
    private readonly allowed: readonly string[],
  ) {}

  unknown(): string | undefined {
    return Object.keys(this.obj).find((k) => !this.allowed.includes(k) && k !== 'transaction');
  }
}

function checkUnknown(obj: JsonObject, allowed: readonly string[]): Result<true> {
  const extra = new Fields(obj, allowed).unknown();
  return extra === undefined ? ok(true) : fail('invalid_payload', `unknown field "${extra}"`);
}

function transaction(obj: JsonObject): { transaction?: string | number } {
  const t = obj.transaction;
  return typeof t === 'string' || typeof t === 'number' ? { transaction: t } : {};
}

const COLOR = /^#[0-9a-fA-F]{6}$/;

function optionalInt(obj: JsonObject, key: string, min: number, max: number): Result<number | undefined> {
  const v = obj[key];
  if (v === undefined) return ok(undefined);
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    return fail('invalid_payload', `"${key}" must be an integer from ${min} to ${max}`);
  }
  return ok(v);
}

/** A number of seconds, fractions allowed (Home Assistant sends `2` or `0.5`). */
function optionalSeconds(obj: JsonObject, key: string, min: number, max: number, minInclusive: boolean): Result<number | undefined> {
  const v = obj[key];
  if (v === undefined) return ok(undefined);
  if (typeof v !== 'number' || !Number.isFinite(v) || (minInclusive ? v < min : v <= min) || v > max) {
    return fail('invalid_payload', `"${key}" must be a number of seconds ${minInclusive ? 'from' : 'above'} ${min} ${minInclusive ? 'to' : 'up to'} ${max}`);
  }
  return ok(v);
}

/** Longest fade and flash, in seconds. */
export const MAX_TRANSITION_S = 3600;
export const MAX_FLASH_S = 600;

function optionalString(obj: JsonObject, key: string, check?: (s: string) => string | undefined): Result<string | undefined> {
  const v = obj[key];
  if (v === undefined) return ok(undefined);
  if (typeof v !== 'string') return fail('invalid_payload', `"${key}" must be a string`);
  const problem = check?.(v);
  return problem ? fail('invalid_payload', `"${key}" ${problem}`) : ok(v);
}

function optionalBool(obj: JsonObject, key: string): Result<boolean | undefined> {
  const v = obj[key];
  if (v === undefined) return ok(undefined);
  return typeof v === 'boolean' ? ok(v) : fail('invalid_payload', `"${key}" must be true or false`);
}

/** Collects the first error of several field reads. */
function all<T extends Record<string, Result<unknown>>>(fields: T): Result<{ [K in keyof T]: T[K] extends Result<infer V> ? V : never }> {
  const out: Record<string, unknown> = {};
  for (const [key, r] of Object.entries(fields)) {
    if (!r.ok) return r;
    if (r.value !== undefined) out[key] = r.value;
  }
  return ok(out as { [K in keyof T]: T[K] extends Result<infer V> ? V : never });
}

const idCheck = (s: string): string | undefined =>
  isValidId(s) ? undefined : 'must be 1-64 characters of a-z, 0-9, "_" and "-", starting with a letter or digit';

export function parseNotify(payload: Uint8Array | string): Result<NotifyRequest> {
  const text = payloadText(payload);
  if (!text.ok) return text;
  const trimmed = text.value.trim();
  if (!trimmed.startsWith('{')) {
    if (trimmed.length === 0) return fail('invalid_payload', 'notification text is empty');
    if (trimmed.length > MAX_NOTIFY_TEXT) return fail('too_large', `notification text is longer than ${MAX_NOTIFY_TEXT} characters`);
    return ok({ text: trimmed });
  }
  const obj = parseObject(trimmed);
  if (!obj.ok) return obj;
  const o = obj.value;
  const known = checkUnknown(o, [...SCREEN_CONTENT_FIELDS, 'id', 'color', 'duration_ms', 'repeat', 'priority', 'hold']);
  if (!known.ok) return known;
  const rich = richNotification(o);
  if (!rich.ok) return rich;
  if (rich.value === undefined) {
    if (typeof o.text !== 'string' || o.text.trim().length === 0) return fail('invalid_payload', '"text" is required and must be a non-empty string');
    if (o.text.length > MAX_NOTIFY_TEXT) return fail('too_large', `"text" is longer than ${MAX_NOTIFY_TEXT} characters`);
  }
  const fields = all({
    id: optionalString(o, 'id', (s) => (s.length > 0 && s.length <= 64 ? undefined : 'must be 1-64 characters')),
    color: optionalString(o, 'color', (s) => (COLOR.test(s) ? undefined : 'must be a colour like "#ff8800"')),
    duration_ms: optionalInt(o, 'duration_ms', 500, 3_600_000),
    repeat: optionalInt(o, 'repeat', 1, 100),
    priority: optionalString(o, 'priority', (s) => (PRIORITIES.includes(s as never) ? undefined : `must be one of ${PRIORITIES.join(', ')}`)),
    hold: optionalBool(o, 'hold'),
  });
  if (!fields.ok) return fields;
  const content = rich.value && withTextColor(rich.value, fields.value.color);
  const plain = content ? plainText(content) : (o.text as string);
  return ok({ text: plain, ...(content ? { content } : {}), ...fields.value, ...transaction(o) } as NotifyRequest);
}

/**
 * The screen content of a notification that uses more than plain text (an icon, progress, a
 * chart, drawing, a background, or text with segments or options), or undefined for a plain one
 * (kept exactly as before). Checked by the screens' own rules.
 */
function richNotification(o: JsonObject): Result<ScreenContent | undefined> {
  const richKeys = SCREEN_CONTENT_FIELDS.filter((k) => k !== 'text' && o[k] !== undefined);
  if (richKeys.length === 0 && (o.text === undefined || typeof o.text === 'string')) return ok(undefined);
  const { id: _i, color: _c, duration_ms: _d, repeat: _r, priority: _p, hold: _h, transaction: _t, ...fields } = o;
  return parseScreenContent(fields);
}

/**
 * The notification's `color` is the colour of its text, as for a plain one: the compositor draws
 * only the content, so it goes into the content's text. A colour the text names itself wins.
 */
function withTextColor(content: ScreenContent, color: string | undefined): ScreenContent {
  const t = content.text;
  if (color === undefined || t === undefined) return content;
  if (typeof t === 'string' || Array.isArray(t)) return { ...content, text: { value: t, color } };
  return t.color === undefined ? { ...content, text: { ...t, color } } : content;
}

/** A rich notification's text as plain characters, for what reports it (logs, Home Assistant). */
function plainText(content: ScreenContent): string {
  const t = content.text;
  if (t === undefined) return '';
  const value = typeof t === 'object' && !Array.isArray(t) ? t.value : t;
  return typeof value === 'string' ? value : value.map((s) => s.t).join('');
}

export function parseDismiss(payload: Uint8Array | string): Result<DismissRequest> {
  const obj = parseObject(payload, true);
  if (!obj.ok) return obj;
  const known = checkUnknown(obj.value, ['id']);
  if (!known.ok) return known;
  const id = optionalString(obj.value, 'id');
  if (!id.ok) return id;
  return ok({ ...(id.value !== undefined ? { id: id.value } : {}), ...transaction(obj.value) });
}

export function parseDisplay(payload: Uint8Array | string): Result<DisplayCommand> {
  const obj = parseObject(payload);
  if (!obj.ok) return obj;
  const o = obj.value;
  const known = checkUnknown(o, ['state', 'brightness', 'transition', 'flash']);
  if (!known.ok) return known;
  const fields = all({
    state: optionalString(o, 'state', (s) => (s === 'ON' || s === 'OFF' ? undefined : 'must be "ON" or "OFF"')),
    brightness: optionalInt(o, 'brightness', 0, 255),
    transition: optionalSeconds(o, 'transition', 0, MAX_TRANSITION_S, true),
    flash: optionalSeconds(o, 'flash', 0, MAX_FLASH_S, false),
  });
  if (!fields.ok) return fields;
  const { state, brightness, flash } = fields.value;
  if (state === undefined && brightness === undefined && flash === undefined) {
    return fail('invalid_payload', 'give "state", "brightness" or "flash"');
  }
  if (flash !== undefined && state === 'OFF') return fail('invalid_payload', '"flash" needs the display on, not "state": "OFF"');
  const given = Object.fromEntries(Object.entries(fields.value).filter(([, v]) => v !== undefined));
  return ok({ ...given, ...transaction(o) } as DisplayCommand);
}

/** `{"id"}` naming an app: the body of `P/cmd/apps/remove`, and JSON form of `P/cmd/app`. */
function appIdObject(payload: Uint8Array | string): Result<AppIdRequest> {
  const obj = parseObject(payload);
  if (!obj.ok) return obj;
  const known = checkUnknown(obj.value, ['id']);
  if (!known.ok) return known;
  const id = obj.value.id;
  if (typeof id !== 'string' || !isValidId(id)) return fail('invalid_payload', `"id" ${idCheck(String(id))}`);
  return ok({ id, ...transaction(obj.value) });
}

/** `P/cmd/app`: a bare app id, or `{"id"}`. */
export function parseAppId(payload: Uint8Array | string): Result<AppIdRequest> {
  const text = payloadText(payload);
  if (!text.ok) return text;
  const trimmed = text.value.trim();
  if (trimmed.startsWith('{')) return appIdObject(trimmed);
  if (!isValidId(trimmed)) return fail('invalid_payload', `app id ${idCheck(trimmed)}`);
  return ok({ id: trimmed });
}

export function parseAppsOrder(payload: Uint8Array | string): Result<AppsOrderRequest> {
  const obj = parseObject(payload);
  if (!obj.ok) return obj;
  const o = obj.value;
  const known = checkUnknown(o, ['order', 'disabled']);
  if (!known.ok) return known;
  const ids = (key: string, required: boolean): Result<string[] | undefined> => {
    const v = o[key];
    if (v === undefined && !required) return ok(undefined);
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string' && isValidId(x))) {
      return fail('invalid_payload', `"${key}" must be an array of app ids`);
    }
    if (new Set(v).size !== v.length) return fail('invalid_payload', `"${key}" lists an app twice`);
    return ok(v as string[]);
  };
  const order = ids('order', true);
  if (!order.ok) return order;
  const disabled = ids('disabled', false);
  if (!disabled.ok) return disabled;
  return ok({ order: order.value ?? [], ...(disabled.value ? { disabled: disabled.value } : {}), ...transaction(o) });
}

export function parseButton(payload: Uint8Array | string): Result<ButtonEvent & { transaction?: string | number }> {
  const obj = parseObject(payload);
  if (!obj.ok) return obj;
  const o = obj.value;
  const known = checkUnknown(o, ['button', 'action']);
  if (!known.ok) return known;
  if (o.button !== 'main') return fail('invalid_payload', '"button" must be "main"');
  if (typeof o.action !== 'string' || !BUTTON_ACTIONS.includes(o.action as never)) {
    return fail('invalid_payload', `"action" must be one of ${BUTTON_ACTIONS.join(', ')}`);
  }
  return ok({ button: 'main', action: o.action as ButtonEvent['action'], ...transaction(o) });
}

const SEMVERISH = /^\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$/;
const BIN = /^[A-Za-z0-9_.-]+\.wasm$/;

/** Validates an app manifest object; the messages name the field. */
export function validateManifest(value: unknown): Result<AppManifest> {
  if (!isObject(value as Json)) return fail('invalid_payload', 'manifest must be a JSON object');
  const m = value as JsonObject;
  const known = ['id', 'name', 'version', 'bin', 'refresh_period_ms', 'duration_ms', 'permissions', 'config', 'description', 'author'];
  const extra = Object.keys(m).find((k) => !known.includes(k));
  if (extra !== undefined) return fail('invalid_payload', `manifest: unknown field "${extra}"`);
  if (typeof m.id !== 'string' || !isValidId(m.id)) return fail('invalid_payload', `manifest: "id" ${idCheck(String(m.id))}`);
  if (typeof m.name !== 'string' || m.name.length === 0 || m.name.length > 64)
    return fail('invalid_payload', 'manifest: "name" must be a string of 1-64 characters');
  if (typeof m.version !== 'string' || !SEMVERISH.test(m.version)) return fail('invalid_payload', 'manifest: "version" must be a version like "1.0.0"');
  if (typeof m.bin !== 'string' || !BIN.test(m.bin)) return fail('invalid_payload', 'manifest: "bin" must be a file name ending in .wasm, with no folders');
  const nums = all({
    refresh_period_ms:
      m.refresh_period_ms === undefined ? fail('invalid_payload', '"refresh_period_ms" is required') : optionalInt(m, 'refresh_period_ms', 10, 3_600_000),
    duration_ms: optionalInt(m, 'duration_ms', 1000, 86_400_000),
  });
  if (!nums.ok) return fail('invalid_payload', `manifest: ${nums.error.message}`);
  for (const key of ['description', 'author'] as const) {
    if (m[key] !== undefined && typeof m[key] !== 'string') return fail('invalid_payload', `manifest: "${key}" must be a string`);
  }
  if (m.config !== undefined && !isObject(m.config)) return fail('invalid_payload', 'manifest: "config" must be a JSON schema object');
  const perms = m.permissions;
  if (perms !== undefined) {
    if (!isObject(perms)) return fail('invalid_payload', 'manifest: "permissions" must be an object');
    const extraPerm = Object.keys(perms).find((k) => !['kv_bytes', 'mqtt', 'homeassistant', 'network'].includes(k));
    if (extraPerm) return fail('invalid_payload', `manifest: unknown permission "${extraPerm}"`);
    const kv = optionalInt(perms, 'kv_bytes', 0, 16 * 1024 * 1024);
    if (!kv.ok) return fail('invalid_payload', `manifest: permissions.${kv.error.message}`);
    for (const key of ['mqtt', 'homeassistant'] as const) {
      const list = perms[key];
      if (list === undefined) continue;
      if (!Array.isArray(list) || !list.every((t) => typeof t === 'string' && t.length > 0 && t.length <= 256)) {
        return fail('invalid_payload', `manifest: permissions.${key} must be an array of non-empty strings`);
      }
    }
    if (Array.isArray(perms.mqtt) && perms.mqtt.some((t) => typeof t === 'string' && /[#+]/.test(t))) {
      return fail('invalid_payload', 'manifest: permissions.mqtt lists exact topics; wildcards are not allowed');
    }
    const network = perms.network;
    if (network !== undefined) {
      if (!Array.isArray(network)) return fail('invalid_payload', 'manifest: permissions.network must be an array of host names');
      const bad = network.find((h) => typeof h !== 'string' || !isNetworkHostPattern(h));
      if (bad !== undefined) {
        return fail(
          'invalid_payload',
          `manifest: permissions.network lists host names such as "api.example.com", "*.example.com" or "192.168.1.20" (lower case, no scheme, port or path), not ${JSON.stringify(bad)}`,
        );
      }
    }
  }
  return ok(m as unknown as AppManifest);
}

const HOST_NAME = /^[a-z0-9-]{1,63}(\.[a-z0-9-]{1,63})*$/;
// At least two labels after `*.`: `*.com` would grant a whole top-level domain.
const HOST_WILDCARD = /^\*\.[a-z0-9-]{1,63}(\.[a-z0-9-]{1,63})+$/;
const IPV6_LITERAL = /^\[[0-9a-f:.]{2,45}\]$/;

/**
 * A host an app may reach: a name or IP address, or `*.` and a domain for any name under it.
 * Nothing broader (no bare `*`), so a grant always names who the app talks to.
 */
export function isNetworkHostPattern(pattern: string): boolean {
  if (pattern.length > 253 || !(HOST_NAME.test(pattern) || HOST_WILDCARD.test(pattern) || IPV6_LITERAL.test(pattern))) return false;
  // Only the form a URL's host takes: `10.1` or `[0:0::1]` would be rewritten by the URL parser
  // (to 10.0.0.1, [::1]) and so never match the request they were meant to allow.
  const host = pattern.startsWith('*.') ? pattern.slice(2) : pattern;
  try {
    return new URL(`http://${host}/`).hostname === host;
  } catch {
    return false;
  }
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export function parseInstall(payload: Uint8Array | string): Result<InstallRequest> {
  if (payload.length > MAX_INSTALL_BYTES) return fail('too_large', `install payload is larger than ${MAX_INSTALL_BYTES} bytes`);
  const obj = parseObject(payload);
  if (!obj.ok) return obj;
  const o = obj.value;
  const known = checkUnknown(o, ['manifest', 'wasm', 'replace']);
  if (!known.ok) return known;
  const manifest = validateManifest(o.manifest);
  if (!manifest.ok) return manifest;
  if (typeof o.wasm !== 'string' || o.wasm.length === 0 || o.wasm.length % 4 !== 0 || !BASE64.test(o.wasm)) {
    return fail('invalid_payload', '"wasm" must be the module encoded as base64');
  }
  if (o.replace !== undefined && typeof o.replace !== 'boolean') return fail('invalid_payload', '"replace" must be true or false');
  return ok({ manifest: manifest.value, wasm: o.wasm, ...(o.replace === true ? { replace: true } : {}), ...transaction(o) });
}

export function parseAppRemove(payload: Uint8Array | string): Result<AppIdRequest> {
  return appIdObject(payload);
}

/** `P/cmd/apps/<id>/config`: a JSON object; the app's own schema is checked by the bridge. */
export function parseAppConfig(payload: Uint8Array | string): Result<Record<string, unknown>> {
  const obj = parseObject(payload);
  if (!obj.ok) return obj;
  const { transaction: _t, ...config } = obj.value;
  return ok(config);
}

export function parseEmpty(payload: Uint8Array | string): Result<{ transaction?: string | number }> {
  if (payload.length === 0) return ok({});
  const obj = parseObject(payload);
  if (!obj.ok) return obj;
  const known = checkUnknown(obj.value, []);
  if (!known.ok) return known;
  return ok(transaction(obj.value));
}

/** `P/cmd/rotation`: `ON`/`OFF` (as Home Assistant's switch sends) or `{"enabled":bool}`. */
export function parseRotation(payload: Uint8Array | string): Result<{ enabled: boolean; transaction?: string | number }> {
  const text = payloadText(payload);
  if (!text.ok) return text;
  const trimmed = text.value.trim();
  if (trimmed === 'ON' || trimmed === 'OFF') return ok({ enabled: trimmed === 'ON' });
  if (!trimmed.startsWith('{')) return fail('invalid_payload', 'payload must be ON, OFF or {"enabled":true|false}');
  const obj = parseObject(trimmed);
  if (!obj.ok) return obj;
  const known = checkUnknown(obj.value, ['enabled']);
  if (!known.ok) return known;
  if (typeof obj.value.enabled !== 'boolean') return fail('invalid_payload', '"enabled" must be true or false');
  return ok({ enabled: obj.value.enabled, ...transaction(obj.value) });
}
