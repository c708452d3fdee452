/** `megabit app <new|install|preview>`: the app author's tools. */
import { DEFAULT_BASE_TOPIC, DEFAULT_DEVICE_ID, DeviceTopics, isValidId } from '@megabit/contract';
import { join, resolve } from 'node:path';
import { buildApp, changedSinceBuild, hasBuildScript } from './app-build';
import { readBuiltApp } from './app-folder';
import { previewApp } from './app-preview';
import { scaffoldApp } from './app-scaffold';
import { connectRequester } from './mqtt-request';

export const APP_HELP = `megabit app: tools for app authors

  megabit app new <name> [--dir DIR]      scaffold an app (source, manifest, build script, test)
  megabit app install <dir> [--replace]   install the built app in <dir> on a display, over MQTT;
                                          --replace: also when its permissions changed, starting
                                          it with empty config and KV store
  megabit app preview <dir>               show <dir>'s app on the display without installing it,
                                          rebuilding and reloading on every save (Ctrl-C ends it)

Options for install and preview:
  --mqtt URL       broker (default $MEGABIT_MQTT_URL or mqtt://localhost:1883)
  --device ID      device id (default $MEGABIT_DEVICE_ID or megabit)
  --base TOPIC     base topic (default $MEGABIT_MQTT_BASE_TOPIC or megabit)
  --username U, --password P   broker login (default $MEGABIT_MQTT_USERNAME / _PASSWORD)
`;

export interface AppCommandOptions {
  positional: string[];
  flags: Map<string, string>;
}

export function parseAppArgs(argv: string[]): AppCommandOptions {
  const positional: string[] = [];
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split('=', 2);
    if (name === 'replace' && inline === undefined) {
      flags.set(name, 'true');
      continue;
    }
    if (!['mqtt', 'device', 'base', 'username', 'password', 'dir'].includes(name)) throw new Error(`unknown option --${name}`);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new Error(`--${name} needs a value`);
    flags.set(name, value);
  }
  return { positional, flags };
}

export interface Target {
  url: string;
  topics: DeviceTopics;
  auth: { username?: string; password?: string };
}

export function targetFrom(flags: Map<string, string>, env: NodeJS.ProcessEnv = process.env): Target {
  const device = flags.get('device') ?? env.MEGABIT_DEVICE_ID ?? DEFAULT_DEVICE_ID;
  if (!isValidId(device)) throw new Error(`invalid device id "${device}"`);
  return {
    url: flags.get('mqtt') ?? env.MEGABIT_MQTT_URL ?? 'mqtt://localhost:1883',
    topics: new DeviceTopics(flags.get('base') ?? env.MEGABIT_MQTT_BASE_TOPIC ?? DEFAULT_BASE_TOPIC, device),
    auth: { username: flags.get('username') ?? env.MEGABIT_MQTT_USERNAME, password: flags.get('password') ?? env.MEGABIT_MQTT_PASSWORD },
  };
}

export async function installApp(dir: string, target: Target, print: (line: string) => void, replace = false): Promise<void> {
  await rebuildIfChanged(resolve(dir), print);
  const app = readBuiltApp(dir);
  print(`installing ${app.manifest.id} ${app.manifest.version} (${app.wasm.length} bytes) on ${target.topics.prefix} via ${target.url}`);
  const requester = await connectRequester(target.url, target.topics, target.auth);
  try {
    const request = { manifest: app.manifest, wasm: app.wasm.toString('base64'), ...(replace ? { replace: true } : {}) };
    const reply = await requester.request('appsInstall', request, 30_000);
    if (!reply.ok) {
      const { error } = reply;
      const hint = error.code === 'permissions_changed' ? ' (megabit app install --replace does that)' : '';
      throw new Error(`the display refused the app (${error.code}): ${error.message}${hint}`);
    }
    print(`installed ${app.manifest.id} ${app.manifest.version}`);
  } finally {
    await requester.close();
  }
}

/** Installing a build older than its sources would install yesterday's app without a word: build it first. */
async function rebuildIfChanged(root: string, print: (line: string) => void): Promise<void> {
  const changed = changedSinceBuild(root);
  if (!changed) return;
  if (!hasBuildScript(root))
    throw new Error(`${changed} is newer than the build in ${join(root, 'build')}, and package.json has no build script: build the app again, then install it`);
  print(`${changed} changed since the last build: building first`);
  if (!(await buildApp(root, print))) throw new Error(`the build failed, so nothing was installed: fix what it says above (or run "npm run build" in ${root})`);
}

export async function runAppCommand(argv: string[], print: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<number> {
  const [sub, ...rest] = argv;
  if (!sub || sub === '--help' || sub === '-h') {
    print(APP_HELP);
    return sub ? 0 : 2;
  }
  const { positional, flags } = parseAppArgs(rest);
  switch (sub) {
    case 'new': {
      if (positional.length !== 1) throw new Error('usage: megabit app new <name> [--dir DIR]');
      const dir = scaffoldApp(positional[0], flags.get('dir') ?? '.');
      print(`created ${dir}\nnext: cd ${dir} && npm run build, then megabit app preview . or megabit app install .`);
      return 0;
    }
    case 'install': {
      if (positional.length !== 1) throw new Error('usage: megabit app install <dir> [--replace]');
      await installApp(positional[0], targetFrom(flags), print, flags.get('replace') === 'true');
      return 0;
    }
    case 'preview': {
      if (positional.length !== 1) throw new Error('usage: megabit app preview <dir>');
      await previewApp(positional[0], targetFrom(flags), print);
      return 0;
    }
    default:
      throw new Error(`unknown app command "${sub}" (see megabit app --help)`);
  }
}
