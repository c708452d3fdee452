/**
 * The command table of the MQTT control API v1: one handler per `P/cmd/<path>`. Handlers parse
 * with the contract's validators, act on the device and return the reply's data; a thrown
 * ApiFailure becomes an error reply (see command-router.ts).
 */
import {
  ApiFailure, CMD, parseAppConfig, parseAppId, parseAppRemove, parseAppsOrder, parseButton,
  parseDismiss, parseDisplay, parseEmpty, parseInstall, parseNotify, parseRotation, type CommandRoute, type Result,
} from '@megabit/contract';
import type { DeviceControl } from '../../device/device-control';

export type CommandData = Record<string, unknown>;
export interface CommandContext {
  device: DeviceControl;
  /** Publishes `P/display/png` now. */
  publishScreen(): void;
}
export type CommandHandler = (context: CommandContext, payload: Buffer, route: CommandRoute) => Promise<CommandData> | CommandData;

function valid<T>(result: Result<T>): T {
  if (!result.ok) throw new ApiFailure(result.error.code, result.error.message);
  return result.value;
}

function requireApp(device: DeviceControl, id: string): void {
  if (!device.apps().some((a) => a.id === id)) throw new ApiFailure('unknown_app', `no app "${id}" is installed`);
}

export const COMMANDS: Record<string, CommandHandler> = {
  [CMD.notify]: ({ device }, payload) => {
    const request = valid(parseNotify(payload));
    return { id: device.notify(request) };
  },
  [CMD.notifyDismiss]: ({ device }, payload) => {
    const { id } = valid(parseDismiss(payload));
    return { dismissed: device.dismissNotification(id) };
  },
  [CMD.app]: ({ device }, payload) => {
    const { id } = valid(parseAppId(payload));
    requireApp(device, id);
    device.showApp(id);
    return { app: id };
  },
  [CMD.appNext]: ({ device }, payload) => {
    valid(parseEmpty(payload));
    device.nextApp();
    return { app: device.state().app };
  },
  [CMD.appPrevious]: ({ device }, payload) => {
    valid(parseEmpty(payload));
    device.previousApp();
    return { app: device.state().app };
  },
  [CMD.display]: ({ device }, payload) => {
    device.setDisplay(valid(parseDisplay(payload)));
    const { state, brightness } = device.state();
    return { state, brightness };
  },
  [CMD.appsInstall]: async ({ device }, payload) => {
    const request = valid(parseInstall(payload));
    const wasm = Buffer.from(request.wasm, 'base64');
    await device.installApp(request.manifest, wasm, { replace: request.replace === true });
    return { id: request.manifest.id, version: request.manifest.version, ...(request.replace ? { replaced: true } : {}) };
  },
  [CMD.appsRemove]: async ({ device }, payload) => {
    const { id } = valid(parseAppRemove(payload));
    requireApp(device, id);
    await device.removeApp(id);
    return { id };
  },
  [CMD.appsPreview]: async ({ device }, payload) => {
    const request = valid(parseInstall(payload));
    await device.previewApp(request.manifest, Buffer.from(request.wasm, 'base64'));
    return { id: request.manifest.id };
  },
  [CMD.appsPreviewStop]: ({ device }, payload) => {
    valid(parseEmpty(payload));
    return { stopped: device.endPreview() };
  },
  [CMD.appsOrder]: async ({ device }, payload) => {
    const { order, disabled } = valid(parseAppsOrder(payload));
    await device.setAppOrder(order, disabled);
    return { apps: device.apps().map((a) => a.id) };
  },
  [CMD.button]: ({ device }, payload) => {
    const { button, action } = valid(parseButton(payload));
    device.pressButton({ button, action });
    return {};
  },
  [CMD.rotation]: ({ device }, payload) => {
    device.setRotation(valid(parseRotation(payload)).enabled);
    return { rotation: device.state().rotation };
  },
  [CMD.screen]: ({ publishScreen }, payload) => {
    valid(parseEmpty(payload));
    publishScreen();
    return {};
  },
};

export const APP_COMMANDS: Record<'appConfig' | 'appData', CommandHandler> = {
  appConfig: async ({ device }, payload, route) => {
    const appId = (route as { appId: string }).appId;
    requireApp(device, appId);
    const config = valid(parseAppConfig(payload));
    // Field names only: config values are often API keys, and replies go to every subscriber
    // of P/response/#.
    return { id: appId, fields: Object.keys(await device.setAppConfig(appId, config)).sort() };
  },
  appData: ({ device }, payload, route) => {
    const appId = (route as { appId: string }).appId;
    requireApp(device, appId);
    const delivered = device.pushAppData(appId, payload);
    return { bytes: payload.length, queued: !delivered };
  },
};
