/**
 * The commands of the MQTT control API v1 (docs/mqtt-api.md), each defined once: the path of
 * `P/cmd/<path>` (route parameters in braces), the parser of its payload, the lane it runs in,
 * the largest payload it takes and the type of its reply's data. The bridge's router, its size
 * limits and lanes, the docs check and the Node-RED nodes' reply types all derive from this
 * table; adding a command means one entry here and one handler in the bridge.
 */
import { type IconInfo, MAX_ICON_UPLOAD_BYTES, parseIconUpload } from './icons';
import type { Response } from './payloads';
import { ok, type Result } from './result';
import {
  MAX_COMMAND_BYTES,
  MAX_INSTALL_BYTES,
  parseAppConfig,
  parseAppId,
  parseAppRemove,
  parseAppsOrder,
  parseButton,
  parseDismiss,
  parseDisplay,
  parseEmpty,
  parseInstall,
  parseNotify,
  parseRotation,
} from './validate';
import { parseScreen } from './screen-validate';
import { parseConditionPayload, parseSchedule } from './schedule-parse';
import type { EntryRulesReply } from './schedules';

/**
 * Commands run one at a time, in arrival order, within their lane: `apps` for what changes the
 * installed apps or picks among them (so "install, then show it" runs as written), `display` for
 * what only touches the picture (so a notification never waits behind an install being checked).
 */
export type Lane = 'apps' | 'display';

export interface CommandDescriptor<Path extends string = string, Request = unknown, Reply extends object = object> {
  /** Under `P/cmd/`; a `{name}` level is a route parameter (one non-empty topic level). */
  readonly path: Path;
  readonly lane: Lane;
  /** Larger payloads are refused with `too_large` before they are parsed. */
  readonly maxBytes: number;
  /** The typed request, or the error reply (`bad_json`, `invalid_payload`, ...) that names the field. */
  parse(payload: Uint8Array | string): Result<Request>;
  /** Type only, never set: the reply's data beside `ok` and `transaction`. */
  readonly reply?: Reply;
}

/** `command<Reply>()({...})`: the reply type is given, the request type comes from `parse`. */
function command<Reply extends object>() {
  return <Path extends string, Request>(d: Omit<CommandDescriptor<Path, Request, Reply>, 'reply'>): CommandDescriptor<Path, Request, Reply> => d;
}

/** `P/cmd/apps/<id>/data` takes any bytes: the app decides what they mean. */
function parseBytes(payload: Uint8Array | string): Result<Uint8Array> {
  return ok(typeof payload === 'string' ? new TextEncoder().encode(payload) : payload);
}

type Empty = Record<string, never>;

/** `P/response/screens/<id>`: the screen's id; `removed` after an empty payload; template problems by field. */
export type ScreenReply = {
  id: string;
  removed?: boolean;
  errors?: Array<{ field: string; error: string }>;
  /** What was stored but may not show as meant, e.g. an icon the bridge does not have (yet). */
  warnings?: Array<{ field: string; warning: string }>;
};

export const COMMANDS = {
  notify: command<{ id: string }>()({ path: 'notify', lane: 'display', maxBytes: MAX_COMMAND_BYTES, parse: parseNotify }),
  notifyDismiss: command<{ dismissed: boolean }>()({ path: 'notify/dismiss', lane: 'display', maxBytes: MAX_COMMAND_BYTES, parse: parseDismiss }),
  app: command<{ app: string }>()({ path: 'app', lane: 'apps', maxBytes: MAX_COMMAND_BYTES, parse: parseAppId }),
  appNext: command<{ app: string | null }>()({ path: 'app/next', lane: 'apps', maxBytes: MAX_COMMAND_BYTES, parse: parseEmpty }),
  appPrevious: command<{ app: string | null }>()({ path: 'app/previous', lane: 'apps', maxBytes: MAX_COMMAND_BYTES, parse: parseEmpty }),
  display: command<{ state: 'ON' | 'OFF'; brightness: number }>()({ path: 'display', lane: 'display', maxBytes: MAX_COMMAND_BYTES, parse: parseDisplay }),
  appsInstall: command<{ id: string; version: string; replaced?: true }>()({
    path: 'apps/install',
    lane: 'apps',
    maxBytes: MAX_INSTALL_BYTES,
    parse: parseInstall,
  }),
  appsRemove: command<{ id: string }>()({ path: 'apps/remove', lane: 'apps', maxBytes: MAX_COMMAND_BYTES, parse: parseAppRemove }),
  appsOrder: command<{ apps: string[] }>()({ path: 'apps/order', lane: 'apps', maxBytes: MAX_COMMAND_BYTES, parse: parseAppsOrder }),
  appsPreview: command<{ id: string }>()({ path: 'apps/preview', lane: 'apps', maxBytes: MAX_INSTALL_BYTES, parse: parseInstall }),
  appsPreviewStop: command<{ stopped: boolean }>()({ path: 'apps/preview/stop', lane: 'apps', maxBytes: MAX_COMMAND_BYTES, parse: parseEmpty }),
  // Field names only, never values: config often holds API keys, and replies reach every reader of P/response/#.
  appConfig: command<{ id: string; fields: string[] }>()({ path: 'apps/{appId}/config', lane: 'apps', maxBytes: MAX_COMMAND_BYTES, parse: parseAppConfig }),
  appData: command<{ bytes: number; queued: boolean }>()({ path: 'apps/{appId}/data', lane: 'apps', maxBytes: MAX_COMMAND_BYTES, parse: parseBytes }),
  // When the app (or screen) may show, and what pins it: kept with the entry, answered with whether it shows now.
  appSchedule: command<EntryRulesReply>()({ path: 'apps/{appId}/schedule', lane: 'apps', maxBytes: MAX_COMMAND_BYTES, parse: parseSchedule }),
  appShowWhen: command<EntryRulesReply>()({
    path: 'apps/{appId}/show_when',
    lane: 'apps',
    maxBytes: MAX_COMMAND_BYTES,
    parse: (payload) => parseConditionPayload(payload, 'show_when'),
  }),
  appPinWhen: command<EntryRulesReply>()({
    path: 'apps/{appId}/pin_when',
    lane: 'apps',
    maxBytes: MAX_COMMAND_BYTES,
    parse: (payload) => parseConditionPayload(payload, 'pin_when'),
  }),
  button: command<Empty>()({ path: 'button', lane: 'display', maxBytes: MAX_COMMAND_BYTES, parse: parseButton }),
  screen: command<Empty>()({ path: 'screen', lane: 'display', maxBytes: MAX_COMMAND_BYTES, parse: parseEmpty }),
  // A template that does not render yet comes back in `errors` (the screen is kept and shows it).
  screens: command<ScreenReply>()({ path: 'screens/{screenId}', lane: 'apps', maxBytes: MAX_COMMAND_BYTES, parse: parseScreen }),
  rotation: command<{ rotation: boolean }>()({ path: 'rotation', lane: 'display', maxBytes: MAX_COMMAND_BYTES, parse: parseRotation }),
  // The display lane: an upload and then a notification showing it run in the order sent.
  icon: command<Omit<IconInfo, 'builtin'> | { name: string; deleted: true }>()({
    path: 'icons/{name}',
    lane: 'display',
    maxBytes: MAX_ICON_UPLOAD_BYTES,
    parse: parseIconUpload,
  }),
} as const;

export type CommandName = keyof typeof COMMANDS;
type Descriptor<K extends CommandName> = (typeof COMMANDS)[K];

/** What the command's parser returns: `CommandRequest<'notify'>` is a NotifyRequest. */
export type CommandRequest<K extends CommandName> = Extract<ReturnType<Descriptor<K>['parse']>, { ok: true }>['value'];
/** The data of its `{"ok":true,...}` reply: `CommandReply<'notify'>` is `{ id: string }`. */
export type CommandReply<K extends CommandName> = NonNullable<Descriptor<K>['reply']>;
/** The whole reply body on `P/response/<path>`. */
export type CommandResponse<K extends CommandName> = Response<CommandReply<K>>;

type ParamNames<Path extends string> = Path extends `${string}{${infer Name}}${infer Rest}` ? Name | ParamNames<Rest> : never;
/** The route parameters of a path: `apps/{appId}/config` has `{ appId: string }`. */
export type RouteParams<Path extends string> = { [Name in ParamNames<Path>]: string };
export type CommandParams<K extends CommandName> = RouteParams<Descriptor<K>['path']>;

/** A command path resolved: which command, and the values of its route parameters. */
export type CommandRoute = { [K in CommandName]: { name: K; params: CommandParams<K> } }[CommandName];

interface Pattern {
  name: CommandName;
  /** Each level: a fixed string, or null for a parameter (named in `params`). */
  levels: (string | null)[];
  params: string[];
}

const PATTERNS: Pattern[] = (Object.keys(COMMANDS) as CommandName[]).map((name) => {
  const levels = COMMANDS[name].path.split('/');
  const param = (level: string): string | undefined => /^\{(\w+)\}$/.exec(level)?.[1];
  return { name, levels: levels.map((l) => (param(l) === undefined ? l : null)), params: levels.flatMap((l) => param(l) ?? []) };
});

/** The command a `P/cmd/<path>` names, or undefined; fixed paths win over parameters. */
export function routeCommand(path: string): CommandRoute | undefined {
  const levels = path.split('/');
  const match = (p: Pattern): boolean => p.levels.length === levels.length && p.levels.every((l, i) => (l === null ? levels[i].length > 0 : l === levels[i]));
  const found = PATTERNS.find((p) => p.params.length === 0 && match(p)) ?? PATTERNS.find(match);
  if (!found) return undefined;
  const values = levels.filter((_, i) => found.levels[i] === null);
  return { name: found.name, params: Object.fromEntries(found.params.map((n, i) => [n, values[i]])) } as CommandRoute;
}

/** The path of a command with its route parameters filled in. */
export function commandPath<K extends CommandName>(name: K, ...params: ParamArgs<K>): string {
  const values = (params[0] ?? {}) as Record<string, string>;
  return COMMANDS[name].path.replace(/\{(\w+)\}/g, (_, n: string) => values[n]);
}

/** No argument for a command without route parameters, else an object of their values. */
export type ParamArgs<K extends CommandName> = [ParamNames<Descriptor<K>['path']>] extends [never] ? [] : [CommandParams<K>];

/** Parses a payload with the command's own parser, typed by the command. */
export function parseCommand<K extends CommandName>(name: K, payload: Uint8Array | string): Result<CommandRequest<K>> {
  return COMMANDS[name].parse(payload) as Result<CommandRequest<K>>;
}

type CommandPaths = { [K in CommandName]: ParamArgs<K> extends [] ? Descriptor<K>['path'] : (params: CommandParams<K>) => string };

/** Command paths by name (`CMD.notify` is `'notify'`); one with route parameters is a function of them. */
export const CMD: CommandPaths = Object.fromEntries(
  PATTERNS.map(({ name, params }) => [
    name,
    params.length === 0 ? COMMANDS[name].path : (values: Record<string, string>) => commandPath(name, values as never),
  ]),
) as unknown as CommandPaths;
