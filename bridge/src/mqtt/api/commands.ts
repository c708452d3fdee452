/**
 * The handlers of the MQTT control API v1: one per command of the contract's COMMANDS table, by
 * name, so a command without a handler does not compile. Each gets its request already parsed
 * (and its size checked) by the router, acts on the device and returns the reply's data. What
 * the device refuses it throws as a domain error; the router maps it to an error code
 * (error-codes.ts).
 */
import { type CommandName, type CommandParams, type CommandReply, type CommandRequest, isScreenId, isValidIconName, type ParamArgs } from '@megabit/contract';
import type { DeviceControl } from '../../device/device-control';
import { InvalidIconError, InvalidRequestError, UnknownAppError } from '../../errors';
import type { IconStore } from '../../icons/icon-store';

export interface CommandContext {
  device: DeviceControl;
  /** Uploads and deletes icons (`icons/<name>`). */
  icons: Pick<IconStore, 'upload' | 'remove'>;
  /** Publishes `P/display/png` now. */
  publishScreen(): void;
}

/** How the command arrived. */
export interface Delivery {
  /** A retained command the broker re-sent (on the bridge's (re)subscribe), not a new publish. */
  retained: boolean;
}

export type CommandHandler<K extends CommandName> = (
  context: CommandContext,
  request: CommandRequest<K>,
  params: CommandParams<K>,
  delivery: Delivery,
) => Promise<CommandReply<K>> | CommandReply<K>;

export type CommandHandlers = { [K in CommandName]: CommandHandler<K> };

function requireApp(device: DeviceControl, id: string): void {
  if (!device.apps().some((a) => a.id === id)) throw new UnknownAppError([id], `no app "${id}" is installed`);
}

export const HANDLERS: CommandHandlers = {
  notify: ({ device }, request) => device.notify(request),
  notifyDismiss: ({ device }, { id }) => ({ dismissed: device.dismissNotification(id) }),
  app: ({ device }, { id }) => {
    requireApp(device, id);
    device.showApp(id);
    return { app: id };
  },
  appNext: ({ device }) => {
    device.nextApp();
    return { app: device.state().app };
  },
  appPrevious: ({ device }) => {
    device.previousApp();
    return { app: device.state().app };
  },
  display: ({ device }, request) => {
    device.setDisplay(request);
    const { state, brightness } = device.state();
    return { state, brightness };
  },
  appsInstall: async ({ device }, request) => {
    const wasm = Buffer.from(request.wasm, 'base64');
    await device.installApp(request.manifest, wasm, { replace: request.replace === true });
    return { id: request.manifest.id, version: request.manifest.version, ...(request.replace ? { replaced: true as const } : {}) };
  },
  appsRemove: async ({ device }, { id }) => {
    requireApp(device, id);
    await device.removeApp(id);
    return { id };
  },
  appsOrder: async ({ device }, { order, disabled }) => {
    await device.setAppOrder(order, disabled);
    return { apps: device.apps().map((a) => a.id) };
  },
  appsPreview: async ({ device }, request) => {
    await device.previewApp(request.manifest, Buffer.from(request.wasm, 'base64'));
    return { id: request.manifest.id };
  },
  appsPreviewStop: ({ device }) => ({ stopped: device.endPreview() }),
  appConfig: async ({ device }, config, { appId }) => {
    // Field names only: config values are often API keys, and replies go to every subscriber
    // of P/response/#.
    return { id: appId, fields: Object.keys(await device.setAppConfig(appId, config)).sort() };
  },
  appData: ({ device }, data, { appId }) => {
    const delivered = device.pushAppData(appId, data);
    return { bytes: data.length, queued: !delivered };
  },
  appSchedule: ({ device }, { schedule }, { appId }) => device.setAppSchedule(appId, schedule),
  appShowWhen: ({ device }, { condition }, { appId }) => device.setAppCondition(appId, 'show_when', condition),
  appPinWhen: ({ device }, { condition }, { appId }) => device.setAppCondition(appId, 'pin_when', condition),
  button: ({ device }, { button, action }) => {
    device.pressButton({ button, action });
    return {};
  },
  screen: ({ publishScreen }) => {
    publishScreen();
    return {};
  },
  screens: async ({ device }, request, { screenId }, { retained }) => {
    // Removing what is not there is not an error: clearing a retained screen twice is harmless.
    if (request.remove) return { id: screenId, removed: device.removeScreen(screenId) };
    return device.publishScreen(screenId, request.screen, { retained });
  },
  night: ({ device }, request) => device.setNight(request),
  rotation: ({ device }, { enabled }) => {
    device.setRotation(enabled);
    return { rotation: device.state().rotation };
  },
  icon: async ({ icons }, request, { name }) => {
    if ('remove' in request) {
      await icons.remove(name);
      return { name, deleted: true as const };
    }
    const icon = await icons.upload(name, request.image, request.format);
    return { name, width: icon.width, height: icon.height, frames: icon.frames.length };
  },
};

/** The commands whose path has route parameters (`apps/{appId}/...`). */
type RoutedCommand = { [K in CommandName]: ParamArgs<K> extends [] ? never : K }[CommandName];

/**
 * For each command with route parameters, the check of what they name, run before the payload
 * is parsed: a request about an app that is not installed is answered unknown_app, whatever
 * its payload.
 */
export const ROUTE_CHECKS: { [K in RoutedCommand]: (context: CommandContext, params: CommandParams<K>) => void } = {
  appConfig: ({ device }, { appId }) => requireApp(device, appId),
  appData: ({ device }, { appId }) => requireApp(device, appId),
  appSchedule: ({ device }, { appId }) => requireApp(device, appId),
  appShowWhen: ({ device }, { appId }) => requireApp(device, appId),
  appPinWhen: ({ device }, { appId }) => requireApp(device, appId),
  screens: (_context, { screenId }) => {
    if (!isScreenId(screenId)) {
      throw new InvalidRequestError(`screen id "${screenId}" must be 1-32 characters of a-z, 0-9, "_" and "-", starting with a letter or digit`);
    }
  },
  icon: (_, { name }) => {
    if (!isValidIconName(name)) throw new InvalidIconError(`"${name}" is not an icon name: 1 to 32 of a-z, 0-9, _ and -`);
  },
};
