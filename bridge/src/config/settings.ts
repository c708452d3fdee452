/**
 * Loads megabit.yaml: parse, apply MEGABIT_* environment overrides, fill defaults, validate.
 * Every problem is reported with the key it concerns; unknown keys are errors, not ignored.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import type { ErrorObject } from 'ajv';
import { GROUP_LEVEL } from '@megabit/contract';
import { resolveListenHosts } from './exposure';
import { ruleSettingProblems } from './rules-settings';
import { SETTINGS_SCHEMA, type Settings } from './schema';
import { settingsValidator } from './settings-validator';

export class SettingsError extends Error {
  constructor(
    readonly problems: string[],
    source: string,
  ) {
    super(`invalid settings in ${source}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'SettingsError';
  }
}

type SchemaNode = { type?: string; enum?: readonly string[]; properties?: Record<string, SchemaNode> };

/** `MEGABIT_MQTT_BASE_TOPIC` → ['mqtt', 'base_topic'], derived from the schema so names never drift. */
export function environmentKeys(): Map<string, { path: string[]; node: SchemaNode }> {
  const keys = new Map<string, { path: string[]; node: SchemaNode }>();
  const walk = (node: SchemaNode, path: string[]): void => {
    if (node.properties) {
      for (const [key, child] of Object.entries(node.properties)) walk(child, [...path, key]);
      return;
    }
    keys.set(`MEGABIT_${path.join('_').toUpperCase()}`, { path, node });
  };
  walk(SETTINGS_SCHEMA as unknown as SchemaNode, []);
  return keys;
}

function coerce(raw: string, node: SchemaNode): unknown {
  if (node.type === 'integer') return /^-?\d+$/.test(raw) ? Number(raw) : raw;
  if (node.type === 'number') return /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw;
  if (node.type === 'boolean') return raw === 'true' ? true : raw === 'false' ? false : raw;
  // Lists of lists (the auto-brightness curve) as JSON: MEGABIT_DISPLAY_AUTO_BRIGHTNESS_CURVE=[[0,8],[1000,255]].
  if (node.type === 'array' && raw.trimStart().startsWith('[')) {
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      return raw;
    }
  }
  // Lists: comma-separated (MEGABIT_SANDBOX_ALLOW_PRIVATE_HOSTS=nas.local,printer.local).
  if (node.type === 'array')
    return raw
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '');
  return raw;
}

/** Shorter names people know from other tools; the schema-derived name wins when both are set. */
const ENVIRONMENT_ALIASES: Record<string, string> = { MEGABIT_HOMEASSISTANT_TOKEN: 'MEGABIT_HA_TOKEN' };

/** Applies the overrides; returns which variable set each key (`http.port` → `MEGABIT_HTTP_PORT`), to name it in errors. */
function applyEnvironment(doc: Record<string, unknown>, env: NodeJS.ProcessEnv): Map<string, string> {
  const setBy = new Map<string, string>();
  for (const [name, { path, node }] of environmentKeys()) {
    const alias = ENVIRONMENT_ALIASES[name];
    const raw = env[name] || (alias ? env[alias] : undefined);
    if (raw === undefined || raw === '') continue;
    let target = doc;
    for (const key of path.slice(0, -1)) {
      if (typeof target[key] !== 'object' || target[key] === null) target[key] = {};
      target = target[key] as Record<string, unknown>;
    }
    target[path[path.length - 1]] = coerce(raw, node);
    setBy.set(path.join('.'), env[name] ? name : (alias ?? name));
  }
  return setBy;
}

/** Keys an earlier version had, and where they went: a file written for it gets told. */
const MOVED_KEYS: Record<string, string> = {
  'serial.button': 'the top-level "button" section (button.double_press_ms, button.long_press_ms)',
};

/**
 * Shows a key with the variables that set it: its own, an enclosing list's (a list item such as
 * `sandbox.allow_private_hosts.0` came from the variable that set the list), or those of the keys
 * inside it (`display.auto_brightness` from `MEGABIT_DISPLAY_AUTO_BRIGHTNESS_TOPIC`).
 */
function keyNamer(setBy: ReadonlyMap<string, string>): (key: string) => string {
  return (key) => {
    const variables = [...setBy].filter(([path]) => key === path || key.startsWith(`${path}.`) || path.startsWith(`${key}.`)).map(([, variable]) => variable);
    return `${key || '(top level)'}${variables.length > 0 ? ` (from ${variables.join(', ')})` : ''}`;
  };
}

function describe(error: ErrorObject, name: (key: string) => string): string {
  const key = error.instancePath.split('/').filter(Boolean).join('.');
  const where = name(key);
  switch (error.keyword) {
    case 'additionalProperties': {
      const unknown = `${key ? `${key}.` : ''}${String(error.params.additionalProperty)}`;
      const moved = MOVED_KEYS[unknown];
      return moved ? `"${unknown}" has moved to ${moved}` : `unknown key "${unknown}"`;
    }
    case 'enum':
      return `${where} must be one of ${(error.params.allowedValues as string[]).join(', ')}`;
    case 'type':
      return `${where} must be ${error.params.type === 'integer' ? 'a whole number' : /^[aeiou]/.test(String(error.params.type)) ? `an ${String(error.params.type)}` : `a ${String(error.params.type)}`}`;
    default:
      return `${where} ${error.message ?? 'is invalid'}`;
  }
}

function expandHome(path: string): string {
  return path === '~' || path.startsWith('~/') ? resolve(homedir(), path.slice(2)) : resolve(path);
}

/** Validates a settings object (already parsed); fills in every default. */
export function settingsFrom(doc: unknown, source: string, env: NodeJS.ProcessEnv = process.env): Settings {
  if (doc === null || doc === undefined) doc = {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new SettingsError(['the file must hold a mapping of keys to values'], source);
  const copy = structuredClone(doc) as Record<string, unknown>;
  const setBy = applyEnvironment(copy, env);
  // With a variable in play the file (or the defaults) alone is not what was wrong.
  const where = setBy.size > 0 ? `${source} and the environment` : source;
  const name = keyNamer(setBy);
  const validate = settingsValidator();
  if (!validate(copy))
    throw new SettingsError(
      (validate.errors ?? []).map((e) => describe(e, name)),
      where,
    );
  const settings = copy as unknown as Settings;
  // <base>/group/... holds the groups: a display by that id would take a group's commands as its own.
  if (settings.groups.length > 0 && settings.device_id === GROUP_LEVEL)
    throw new SettingsError([`${name('device_id')} "${GROUP_LEVEL}" is taken by the groups' topics (<base>/${GROUP_LEVEL}/<name>): choose another`], where);
  const exposed = resolveListenHosts(settings, name);
  if (exposed.length > 0) throw new SettingsError(exposed, where);
  const rules = ruleSettingProblems(settings, name);
  if (rules.length > 0) throw new SettingsError(rules, where);
  settings.data_dir = expandHome(settings.data_dir);
  environmentOrigins.set(settings, setBy);
  return settings;
}

/** Which variable set each key of a loaded settings object, kept beside it for later messages (a busy port). */
const environmentOrigins = new WeakMap<Settings, ReadonlyMap<string, string>>();

/** The MEGABIT_* variable that set `key` (`broker.port` → `MEGABIT_BROKER_PORT`), or undefined when the file or the default did. */
export function environmentVariableFor(settings: Settings, key: string): string | undefined {
  return environmentOrigins.get(settings)?.get(key);
}

/** Reads settings from `file` (absent file: defaults only, when `required` is false). */
export function loadSettings(file: string | undefined, env: NodeJS.ProcessEnv = process.env): Settings {
  if (file === undefined) return settingsFrom({}, 'defaults', env);
  if (!existsSync(file)) throw new SettingsError([`file not found: ${file}`], file);
  let doc: unknown;
  try {
    // The YAML parser only when there is a file to read (a start with defaults needs none).
    doc = (require('yaml') as typeof import('yaml')).parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new SettingsError([`not valid YAML: ${(e as Error).message}`], file);
  }
  return settingsFrom(doc, file, env);
}
