/**
 * The command router on its own: a recording MQTT transport in front, a scripted device behind.
 * Lanes, size limits per descriptor, exactly one reply per command, the transaction echo, the
 * queue bound, and how thrown errors become replies.
 */
import {
  COMMANDS,
  DeviceTopics,
  MAX_COMMAND_BYTES,
  commandPath,
  type AppManifest,
  type AppStatus,
  type CommandName,
  type DeviceState,
} from '@megabit/contract';
import type { DeviceControl } from '../../../src/device/device-control';
import { PreviewRunningError } from '../../../src/errors';
import { CommandRouter, type CommandTransport } from '../../../src/mqtt/api/command-router';
import type { MessageHandler } from '../../../src/mqtt/connection';
import { createLogger, type Level } from '../../../src/util/logger';

const topics = new DeviceTopics('megabit', 'megabit');

class RecordingTransport implements CommandTransport {
  readonly handlers = new Map<string, MessageHandler>();
  readonly replies: { path: string; body: Record<string, unknown> }[] = [];

  subscribe(filter: string, handler: MessageHandler): void {
    this.handlers.set(filter, handler);
  }

  unsubscribe(filter: string): void {
    this.handlers.delete(filter);
  }

  publish(topic: string, payload: string | Buffer): void {
    const path = topic.slice(topics.response('').length);
    this.replies.push({ path, body: JSON.parse(payload.toString()) as Record<string, unknown> });
  }

  send(path: string, payload: string | Buffer): void {
    this.handlers.get(topics.allCommands)!(topics.cmd(path), Buffer.from(payload), false);
  }
}

/** A promise the test resolves when it chooses. */
function gate(): { promise: Promise<void>; open(): void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

const APPS: AppStatus[] = [{ id: 'clock', name: 'Clock', version: '1.0.0', enabled: true, status: 'ok' }];

/** Only what the commands call; `calls` records them in order. */
function scriptedDevice(overrides: Partial<DeviceControl> = {}): DeviceControl & { calls: string[] } {
  const calls: string[] = [];
  const state: DeviceState = {
    state: 'ON',
    brightness: 100,
    app: 'clock',
    fps: 0,
    uptime_s: 0,
    version: '0.0.0',
    rotation: true,
    notification: null,
    display: { width: 64, height: 32, connected: false, transport: 'none' },
  };
  const device: Partial<DeviceControl> = {
    notify: (r) => {
      calls.push(`notify ${r.text}`);
      return { id: r.id ?? 'n1' };
    },
    setNight: (r) => {
      calls.push(`night ${JSON.stringify(r)}`);
      return { mode: r.mode ?? 'auto', active: r.mode === 'on', awake: false, brightness: r.brightness ?? 16 };
    },
    dismissNotification: () => {
      calls.push('dismiss');
      return false;
    },
    showApp: (id) => void calls.push(`show ${id}`),
    nextApp: () => void calls.push('next'),
    previousApp: () => void calls.push('previous'),
    setRotation: (on) => void calls.push(`rotation ${on}`),
    setDisplay: (c) => void calls.push(`display ${JSON.stringify(c)}`),
    installApp: async (m: AppManifest) => void calls.push(`install ${m.id}`),
    removeApp: async (id) => void calls.push(`remove ${id}`),
    previewApp: async (m: AppManifest) => void calls.push(`preview ${m.id}`),
    endPreview: () => {
      calls.push('end preview');
      return true;
    },
    setAppOrder: async (order) => void calls.push(`order ${order.join(',')}`),
    setAppConfig: async (id, config) => {
      calls.push(`config ${id}`);
      return config;
    },
    pushAppData: (id) => {
      calls.push(`data ${id}`);
      return true;
    },
    setAppSchedule: (id) => {
      calls.push(`schedule ${id}`);
      return { id, visible: true };
    },
    setAppCondition: (id, which) => {
      calls.push(`${which} ${id}`);
      return { id, visible: true };
    },
    pressButton: (e) => void calls.push(`button ${e.action}`),
    publishScreen: async (id) => {
      calls.push(`screen ${id}`);
      return { id };
    },
    removeScreen: (id) => {
      calls.push(`remove screen ${id}`);
      return true;
    },
    state: () => state,
    apps: () => APPS,
    ...overrides,
  };
  return Object.assign(device as DeviceControl, { calls });
}

const manifest = { id: 'clock', name: 'Clock', version: '1.0.0', bin: 'clock.wasm', refresh_period_ms: 1000 };
const wasm = Buffer.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]).toString('base64');

/** A valid payload for every command. */
const VALID: Record<CommandName, string> = {
  notify: 'Door open',
  notifyDismiss: '',
  app: 'clock',
  appNext: '',
  appPrevious: '',
  display: '{"brightness":10}',
  appsInstall: JSON.stringify({ manifest, wasm }),
  appsRemove: '{"id":"clock"}',
  appsOrder: '{"order":["clock"]}',
  appsPreview: JSON.stringify({ manifest, wasm }),
  appsPreviewStop: '',
  night: 'AUTO',
  appConfig: '{"hour24":true}',
  appData: 'hello',
  appSchedule: '{"from":"07:00","to":"09:30"}',
  appShowWhen: '{"topic":"home/door","equals":"open"}',
  appPinWhen: 'null',
  button: '{"button":"main","action":"press"}',
  screen: '',
  screens: '{"text":"21.5 °C"}',
  rotation: 'OFF',
  icon: '',
};
const NAMES = Object.keys(COMMANDS) as CommandName[];
const pathOf = (name: CommandName): string => commandPath(name, { appId: 'clock', name: 'sun', screenId: 'weather' } as never);

function setup(device = scriptedDevice(), stopGraceMs?: number) {
  const mqtt = new RecordingTransport();
  const lines: { level: Level; message: string }[] = [];
  const log = createLogger('debug', 'api', (level, _c, message) => lines.push({ level, message }));
  let screens = 0;
  // The icon store's calls go in the device's record, so one list shows every command's effect.
  const icons = {
    upload: () => Promise.reject(new Error('not used')),
    remove: async (name: string) => void device.calls.push(`removeIcon ${name}`),
  };
  const router = new CommandRouter(mqtt, topics, { device, icons, publishScreen: () => void screens++ }, log, stopGraceMs);
  router.start();
  return { mqtt, router, device, lines, screens: () => screens };
}

describe('CommandRouter', () => {
  it('answers every command exactly once, on its own response topic', async () => {
    const { mqtt, router, device, screens } = setup();
    for (const name of NAMES) mqtt.send(pathOf(name), VALID[name]);
    await router.idle();
    expect(mqtt.replies.map((r) => r.path).sort()).toEqual(NAMES.map(pathOf).sort());
    expect(mqtt.replies.filter((r) => r.body.ok !== true)).toEqual([]);
    expect(device.calls).toHaveLength(NAMES.length - 1);
    expect(screens()).toBe(1);
    const reply = (name: CommandName) => mqtt.replies.find((r) => r.path === pathOf(name))!.body;
    expect(reply('notify')).toEqual({ ok: true, id: 'n1' });
    expect(reply('appsInstall')).toEqual({ ok: true, id: 'clock', version: '1.0.0' });
    expect(reply('appConfig')).toEqual({ ok: true, id: 'clock', fields: ['hour24'] });
    expect(reply('appData')).toEqual({ ok: true, bytes: 5, queued: false });
    expect(reply('display')).toEqual({ ok: true, state: 'ON', brightness: 100 });
    expect(reply('icon')).toEqual({ ok: true, name: 'sun', deleted: true });
  });

  it('checks the payload of a schedule or condition before the device sees it, and hands a good one on with its transaction', async () => {
    const { mqtt, router, device } = setup();
    mqtt.send('apps/clock/schedule', '{"from":"25:00","to":"09:00"}');
    mqtt.send('apps/clock/show_when', '{"entity":"washer","state":"on","transaction":"t1"}');
    mqtt.send('apps/clock/pin_when', '{"topic":"home/door","equals":"open","transaction":"t2"}');
    await router.idle();
    expect(mqtt.replies.map((r) => [r.path, r.body])).toEqual([
      ['apps/clock/schedule', { ok: false, error: { code: 'invalid_payload', message: expect.stringContaining('"schedule.from" must be a time "HH:MM"') } }],
      [
        'apps/clock/show_when',
        { ok: false, error: { code: 'invalid_payload', message: '"show_when.entity" must be an entity id like "binary_sensor.washer"' }, transaction: 't1' },
      ],
      ['apps/clock/pin_when', { ok: true, id: 'clock', visible: true, transaction: 't2' }],
    ]);
    expect(device.calls).toEqual(['pin_when clock']);
  });

  it('answers a command in flight before stop() unsubscribes', async () => {
    const installing = gate();
    const { mqtt, router } = setup(scriptedDevice({ installApp: async () => installing.promise }));
    mqtt.send('apps/install', VALID.appsInstall);
    let stopped = false;
    const stopping = router.stop().then(() => (stopped = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(stopped).toBe(false);
    expect(mqtt.handlers.size).toBe(1);
    installing.open();
    await stopping;
    expect(mqtt.replies).toEqual([{ path: 'apps/install', body: { ok: true, id: 'clock', version: '1.0.0' } }]);
    expect(mqtt.handlers.size).toBe(0);
  });

  it('stops after its grace period when a command is stuck, and says so', async () => {
    const { mqtt, router, lines } = setup(scriptedDevice({ installApp: () => new Promise<void>(() => undefined) }), 30);
    mqtt.send('apps/install', VALID.appsInstall);
    await router.stop();
    expect(mqtt.handlers.size).toBe(0);
    expect(mqtt.replies).toEqual([]);
    expect(lines).toContainEqual({ level: 'warn', message: 'stopping with 1 command(s) unanswered after 0.03 s' });
  });

  it("runs each command in its descriptor's lane: a display command never waits behind an install", async () => {
    const installing = gate();
    const device = scriptedDevice({ installApp: async () => installing.promise });
    const { mqtt, router } = setup(device);
    mqtt.send('apps/install', VALID.appsInstall);
    mqtt.send('app', 'clock');
    for (const name of NAMES.filter((n) => COMMANDS[n].lane === 'display')) mqtt.send(pathOf(name), VALID[name]);
    await new Promise((r) => setImmediate(r));
    // Every display-lane command is answered; the apps lane waits, in order, behind the install.
    const displayPaths = NAMES.filter((n) => COMMANDS[n].lane === 'display').map(pathOf);
    expect(mqtt.replies.map((r) => r.path)).toEqual(displayPaths);
    installing.open();
    await router.idle();
    expect(mqtt.replies.map((r) => r.path).slice(displayPaths.length)).toEqual(['apps/install', 'app']);
  });

  it("refuses a payload over its descriptor's limit before parsing it, and takes one at the limit", async () => {
    const { mqtt, router, device } = setup();
    for (const name of NAMES) mqtt.send(pathOf(name), Buffer.alloc(COMMANDS[name].maxBytes + 1, 0x20));
    await router.idle();
    expect(mqtt.replies).toHaveLength(NAMES.length);
    for (const { path, body } of mqtt.replies) {
      const name = NAMES.find((n) => pathOf(n) === path)!;
      expect(body).toEqual({
        ok: false,
        error: { code: 'too_large', message: `payload of ${COMMANDS[name].maxBytes + 1} bytes is larger than the ${COMMANDS[name].maxBytes} allowed` },
      });
    }
    expect(device.calls).toEqual([]);
    // At the limit, app data is delivered; an install of more than the command limit is parsed.
    mqtt.send('apps/clock/data', Buffer.alloc(MAX_COMMAND_BYTES, 0x61));
    mqtt.send('apps/install', Buffer.alloc(MAX_COMMAND_BYTES + 1, 0x20));
    await router.idle();
    expect(mqtt.replies.slice(-2).map((r) => r.body)).toEqual([
      { ok: true, bytes: MAX_COMMAND_BYTES, queued: false },
      { ok: false, error: { code: 'bad_json', message: expect.stringContaining('payload is not valid JSON') } },
    ]);
  });

  it('echoes the transaction in ok and error replies, and answers a parse error without calling the device', async () => {
    const { mqtt, router, device } = setup();
    mqtt.send('display', '{"brightness":5,"transaction":"t1"}');
    mqtt.send('display', '{"brightness":300,"transaction":7}');
    mqtt.send('notify', 'plain text has no transaction');
    await router.idle();
    expect(mqtt.replies.map((r) => r.body)).toEqual([
      { ok: true, state: 'ON', brightness: 100, transaction: 't1' },
      { ok: false, error: { code: 'invalid_payload', message: '"brightness" must be an integer from 0 to 255' }, transaction: 7 },
      { ok: true, id: 'n1' },
    ]);
    expect(device.calls).toEqual(['display {"brightness":5,"transaction":"t1"}', 'notify plain text has no transaction']);
  });

  it('answers unknown commands and unknown apps without acting', async () => {
    const { mqtt, router, device } = setup();
    mqtt.send('reboot', '');
    mqtt.send('apps/ghost/config', '{}');
    mqtt.send('apps/ghost/data', 'x');
    mqtt.send('app', 'ghost');
    // The app a path names is checked before the payload: not installed, whatever it holds.
    mqtt.send('apps/ghost/config', 'not json');
    await router.idle();
    expect(mqtt.replies.map((r) => r.body.error)).toEqual([
      { code: 'unknown_command', message: 'unknown command "reboot" (see docs/mqtt-api.md)' },
      { code: 'unknown_app', message: 'no app "ghost" is installed' },
      { code: 'unknown_app', message: 'no app "ghost" is installed' },
      { code: 'unknown_app', message: 'no app "ghost" is installed' },
      { code: 'unknown_app', message: 'no app "ghost" is installed' },
    ]);
    expect(device.calls).toEqual([]);
  });

  it('answers busy at once when 256 commands wait, and every queued one later', async () => {
    const installing = gate();
    const { mqtt, router } = setup(scriptedDevice({ installApp: async () => installing.promise }));
    mqtt.send('apps/install', VALID.appsInstall);
    for (let i = 0; i < 255; i++) mqtt.send('app/next', `{"transaction":${i}}`);
    mqtt.send('app', '{"id":"clock","transaction":"late"}');
    expect(mqtt.replies).toEqual([
      {
        path: 'app',
        body: { ok: false, error: { code: 'busy', message: 'more than 256 commands are waiting; try again' }, transaction: 'late' },
      },
    ]);
    installing.open();
    await router.idle();
    expect(mqtt.replies).toHaveLength(257);
    expect(mqtt.replies.filter((r) => r.body.ok === true)).toHaveLength(256);
    // Room again once they are answered.
    mqtt.send('app', 'clock');
    await router.idle();
    expect(mqtt.replies.at(-1)!.body).toEqual({ ok: true, app: 'clock' });
  });

  it('maps a domain error to its code, and answers anything else internal with one log line', async () => {
    const device = scriptedDevice({
      showApp: () => {
        throw new PreviewRunningError('draft');
      },
      notify: () => {
        throw new TypeError('cannot read properties of undefined');
      },
    });
    const { mqtt, router, lines } = setup(device);
    mqtt.send('app', 'clock');
    mqtt.send('notify', 'hello');
    await router.idle();
    expect(mqtt.replies.map((r) => r.body)).toEqual([
      { ok: false, error: { code: 'preview_running', message: 'a preview of "draft" is showing; end it with cmd/apps/preview/stop first' } },
      { ok: false, error: { code: 'internal', message: 'cannot read properties of undefined' } },
    ]);
    const errors = lines.filter((l) => l.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toMatch(
      /^command notify failed unexpectedly \(a bug\): TypeError: cannot read properties of undefined \(at .*command-router\.test\.ts:\d+:\d+\)\)?$/,
    );
    expect(errors[0].message).not.toContain('\n');
    expect(lines.filter((l) => l.level !== 'debug' && l.level !== 'error')).toEqual([]);
  });

  it('stops listening on stop()', async () => {
    const { mqtt, router } = setup();
    await router.stop();
    expect(mqtt.handlers.size).toBe(0);
  });
});
