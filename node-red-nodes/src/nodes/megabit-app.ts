/**
 * `megabit app`: shows, rotates, enables, disables, installs, removes and configures apps, and
 * sets when an app shows (schedule, show_when) and what keeps it on screen (pin_when). The
 * command comes from the form, or from msg.topic when the form leaves it open.
 */
import {
  CMD,
  commandPath,
  isValidId,
  parseAppConfig,
  parseAppId,
  parseAppRemove,
  parseAppsOrder,
  parseEmpty,
  parseInstall,
  type AppStatus,
  type AppsOrderRequest,
  type CommandName,
  type InstallRequest,
} from '@megabit/contract';
import { RULE_COMMANDS, ruleBody, ruleValue, type RuleCommand } from '../lib/app-rules';
import { checked, handleCommands, InvalidInputError } from '../lib/command-input';
import type { DeviceLink, OkReply } from '../lib/device-link';
import { useDevice } from '../lib/device-node';
import { formText, isPlainObject } from '../lib/msg-values';
import type { Node, NodeAPI, NodeDef, NodeMessage } from '../lib/node-red';

const APP_COMMANDS = ['switch', 'next', 'previous', 'enable', 'disable', 'install', 'remove', 'config', 'schedule', 'show_when', 'pin_when'] as const;
type AppCommand = (typeof APP_COMMANDS)[number];
type Reply = Promise<OkReply<CommandName>>;

function isAppCommand(value: unknown): value is AppCommand {
  return APP_COMMANDS.includes(value as AppCommand);
}

/** The app a command is about: the form's app id, else msg.app, else msg.payload (id or {id}). */
function appId(what: string, formApp: string | undefined, msg: NodeMessage, payloadMayName: boolean): string {
  let id: unknown = formApp ?? msg.app;
  if (id === undefined && payloadMayName) id = isPlainObject(msg.payload) ? msg.payload.id : msg.payload;
  if (typeof id !== 'string' || !isValidId(id)) {
    const where = payloadMayName ? 'the node, msg.app or msg.payload' : 'the node or msg.app';
    throw new InvalidInputError(what, `give a valid app id in ${where} (got ${JSON.stringify(id) ?? 'nothing'})`);
  }
  return id;
}

function withEnabled(apps: AppStatus[], id: string, enabled: boolean): AppsOrderRequest {
  if (!apps.some((a) => a.id === id)) throw new InvalidInputError(CMD.appsOrder, `no app "${id}" is installed`);
  const disabled = apps.filter((a) => (a.id === id ? !enabled : !a.enabled)).map((a) => a.id);
  return checked(CMD.appsOrder, parseAppsOrder(JSON.stringify({ order: apps.map((a) => a.id), disabled })));
}

function installRequest(payload: unknown): InstallRequest {
  if (!isPlainObject(payload)) throw new InvalidInputError(CMD.appsInstall, 'msg.payload must be { wasm: Buffer, manifest: {...} }');
  const { wasm, manifest, replace } = payload;
  let base64: string;
  if (Buffer.isBuffer(wasm) || wasm instanceof Uint8Array) base64 = Buffer.from(wasm).toString('base64');
  else if (typeof wasm === 'string') base64 = wasm;
  else throw new InvalidInputError(CMD.appsInstall, 'msg.payload.wasm must be the module as a Buffer (or base64 text)');
  // replace: install even when the permissions changed, with empty config and KV store.
  return checked(CMD.appsInstall, parseInstall(JSON.stringify({ manifest, wasm: base64, ...(replace !== undefined ? { replace } : {}) })));
}

/** A schedule, show_when or pin_when for the app, checked before it is sent; null removes it. */
function setRule(command: RuleCommand, formApp: string | undefined, formRule: string | undefined, msg: NodeMessage, link: DeviceLink): Reply {
  const name = RULE_COMMANDS[command];
  const id = appId(commandPath(name, { appId: '<id>' }), formApp, msg, false);
  const body = ruleBody(command, id, ruleValue(commandPath(name, { appId: id }), msg.payload, formRule));
  return link.requestPath(commandPath(name, { appId: id }), body) as Reply;
}

function run(command: AppCommand, formApp: string | undefined, formRule: string | undefined, msg: NodeMessage, link: DeviceLink): Reply {
  switch (command) {
    case 'switch': {
      const id = appId(CMD.app, formApp, msg, true);
      return link.request('app', { json: checked(CMD.app, parseAppId(JSON.stringify({ id }))) });
    }
    case 'next':
    case 'previous': {
      const name = command === 'next' ? 'appNext' : 'appPrevious';
      return link.request(name, { json: checked(CMD[name], parseEmpty('{}')) });
    }
    case 'enable':
    case 'disable': {
      const id = appId(CMD.appsOrder, formApp, msg, true);
      return link.changeAppOrder((apps) => withEnabled(apps, id, command === 'enable'));
    }
    case 'install':
      return link.request('appsInstall', { json: installRequest(msg.payload) });
    case 'remove': {
      const id = appId(CMD.appsRemove, formApp, msg, true);
      return link.request('appsRemove', { json: checked(CMD.appsRemove, parseAppRemove(JSON.stringify({ id }))) });
    }
    case 'config': {
      const id = appId(commandPath('appConfig', { appId: '<id>' }), formApp, msg, false);
      const path = commandPath('appConfig', { appId: id });
      if (!isPlainObject(msg.payload)) throw new InvalidInputError(path, 'msg.payload must be the configuration object');
      return link.request('appConfig', { json: checked(path, parseAppConfig(JSON.stringify(msg.payload))) }, { appId: id });
    }
    case 'schedule':
    case 'show_when':
    case 'pin_when':
      return setRule(command, formApp, formRule, msg, link);
  }
}

function register(RED: NodeAPI): void {
  RED.nodes.registerType('megabit app', function (this: Node, def: NodeDef) {
    RED.nodes.createNode(this, def);
    const link = useDevice(RED, this, def);
    const formCommand = formText(def.command);
    const formApp = formText(def.app);
    const formRule = formText(def.rule);
    handleCommands(this, link, (msg, device) => {
      const command = formCommand ?? msg.topic;
      if (!isAppCommand(command)) {
        throw new InvalidInputError('app', `unknown command ${JSON.stringify(command)}: set one in the node or msg.topic (${APP_COMMANDS.join(', ')})`);
      }
      return run(command, formApp, formRule, msg, device);
    });
  });
}

export = register;
