/**
 * The real bridge process against a real broker (its embedded aedes, and Debian's mosquitto):
 * every command of the control API, its replies and error paths, and what the bridge publishes.
 */
import { FRAME_BYTES, type AppStatus, type DeviceState } from '@megabit/contract';
import { exampleInstall, startBridge, type RunningBridge } from '../helpers/bridge-process';
import { Mosquitto } from '../helpers/mosquitto';
import { json, TestClient, type Received } from '../helpers/mqtt-client';

jest.setTimeout(60_000);

const brokers: Array<[string, () => Promise<Mosquitto | undefined>]> = [
  ['embedded aedes', async () => undefined],
  ['mosquitto', () => Mosquitto.start()],
];

/** A built example app as an install request body. */
function litPixels(frame: Buffer): number {
  let lit = 0;
  for (let i = 0; i < frame.length; i += 3) if (frame[i] + frame[i + 1] + frame[i + 2] > 0) lit++;
  return lit;
}

describe.each(brokers)('control API with %s', (_name, makeBroker) => {
  let broker: Mosquitto | undefined;
  let bridge: RunningBridge;
  let client: TestClient;
  const P = (path: string): string => `megabit/megabit/${path}`;

  beforeAll(async () => {
    broker = await makeBroker();
    bridge = await startBridge({ mqttUrl: broker?.url, apps: ['clock', 'scroll'], settings: { rotation: { enabled: false } } });
    client = await TestClient.connect(bridge.mqttUrl);
    await client.subscribe('megabit/megabit/#');
  });

  afterAll(async () => {
    await client?.close();
    await bridge?.dispose();
    await broker?.dispose();
  });

  /** The first P/state from message index `since` on that satisfies `predicate`. */
  const state = async (predicate: (s: DeviceState) => boolean = () => true, since = 0): Promise<DeviceState> =>
    json<DeviceState>((await client.waitFor(P('state'), (m) => predicate(json(m.payload)), 10_000, since)).payload);
  const mark = (): number => client.messages.length;

  it('announces itself: availability, state, apps and a frame, all retained', async () => {
    expect((await client.waitFor(P('availability'))).payload.toString()).toBe('online');
    const s = await state();
    expect(s).toMatchObject({ state: 'ON', display: { width: 64, height: 32, connected: false, transport: 'none' } });
    expect(typeof s.version).toBe('string');
    const apps = json<AppStatus[]>((await client.waitFor(P('state/apps'))).payload);
    expect(apps.map((a) => a.id).sort()).toEqual(['clock', 'scroll']);
    expect(apps.every((a) => a.status === 'ok' && a.enabled)).toBe(true);
    const frame = await client.waitFor(P('display/frame'));
    expect(frame.payload.length).toBe(FRAME_BYTES);
    for (const topic of ['availability', 'state', 'state/apps', 'display/frame']) {
      expect(client.on(P(topic)).some((m) => m.retain)).toBe(true);
    }
  });

  it('shows a plain-text notification over the app and replies ok', async () => {
    await client.request('display', { state: 'ON', brightness: 200 });
    const before = mark();
    const reply = await client.request('notify', 'Door open');
    expect(reply.ok).toBe(true);
    expect(typeof reply.id).toBe('string');
    await state((s) => s.notification === reply.id, before);
    const frame = await client.waitFor(P('display/frame'), (m) => litPixels(m.payload) > 20, 5000, before);
    expect(frame.payload.length).toBe(FRAME_BYTES);
    const beforeDismiss = mark();
    const dismissed = await client.request('notify/dismiss', { id: reply.id as string });
    expect(dismissed).toMatchObject({ ok: true, dismissed: true });
    await state((s) => s.notification === null, beforeDismiss);
  });

  it('echoes the transaction and names the wrong field in error replies', async () => {
    const reply = await client.request('notify', { text: 'x', color: 'purple' });
    expect(reply.ok).toBe(false);
    expect(reply.error).toEqual({ code: 'invalid_payload', message: '"color" must be a colour like "#ff8800"' });
    expect(typeof reply.transaction).toBe('string');
    expect((await client.request('notify', '{"text":')).error).toMatchObject({ code: 'bad_json' });
    expect((await client.request('display', { brightness: 300 })).error).toMatchObject({ code: 'invalid_payload' });
    expect((await client.request('reboot', {})).error).toMatchObject({ code: 'unknown_command' });
    expect((await client.request('app', 'nope')).error).toMatchObject({ code: 'unknown_app' });
    expect((await client.request('apps/../../etc/config', {})).error).toMatchObject({ code: 'unknown_command' });
    expect((await client.request('apps/ghost/config', {})).error).toMatchObject({ code: 'unknown_app' });
    expect((await client.request('apps/ghost/data', 'x')).error).toMatchObject({ code: 'unknown_app' });
    expect((await client.request('notify', Buffer.alloc(70 * 1024, 0x41))).error).toMatchObject({ code: 'too_large' });
  });

  it('switches apps: by id, next and previous', async () => {
    let since = mark();
    expect(await client.request('app', 'scroll')).toMatchObject({ ok: true, app: 'scroll' });
    await state((s) => s.app === 'scroll', since);
    since = mark();
    expect(await client.request('app/next')).toMatchObject({ ok: true });
    await state((s) => s.app === 'clock', since);
    since = mark();
    expect(await client.request('app/previous', {})).toMatchObject({ ok: true });
    await state((s) => s.app === 'scroll', since);
  });

  it('turns the display off (black frame) and on, with brightness, like an HA JSON light', async () => {
    // Something lit first, so that "off" visibly changes the frame.
    const lit = mark();
    await client.request('notify', { text: 'lit', hold: true, id: 'lit' });
    await client.waitFor(P('display/frame'), (m) => litPixels(m.payload) > 0, 5000, lit);
    const since = mark();
    expect(await client.request('display', { state: 'OFF' })).toMatchObject({ ok: true, state: 'OFF' });
    await state((s) => s.state === 'OFF', since);
    await client.waitFor(P('display/frame'), (m) => litPixels(m.payload) === 0, 5000, since);
    const onAgain = mark();
    expect(await client.request('display', { state: 'ON', brightness: 17 })).toMatchObject({ ok: true, state: 'ON', brightness: 17 });
    await state((s) => s.state === 'ON' && s.brightness === 17, onAgain);
    expect(await client.request('notify/dismiss', { id: 'lit' })).toMatchObject({ ok: true, dismissed: true });
  });

  it('turns the rotation off and on', async () => {
    let since = mark();
    expect(await client.request('rotation', 'ON')).toMatchObject({ ok: true, rotation: true });
    await state((s) => s.rotation, since);
    since = mark();
    expect(await client.request('rotation', { enabled: false })).toMatchObject({ ok: true, rotation: false });
    await state((s) => !s.rotation, since);
  });

  it('reorders and disables apps, refusing unknown ids without changing anything', async () => {
    const since = mark();
    expect((await client.request('apps/order', { order: ['scroll', 'ghost'] })).error).toMatchObject({ code: 'unknown_app' });
    const reply = await client.request('apps/order', { order: ['scroll', 'clock'], disabled: ['clock'] });
    expect(reply).toMatchObject({ ok: true, apps: ['scroll', 'clock'] });
    const apps = json<AppStatus[]>((await client.waitFor(P('state/apps'), (m) => json<AppStatus[]>(m.payload)[0]?.id === 'scroll', 5000, since)).payload);
    expect(apps.find((a) => a.id === 'clock')?.enabled).toBe(false);
    await client.request('apps/order', { order: ['clock', 'scroll'], disabled: [] });
  });

  it('installs an app over MQTT, refuses a broken module, and removes it', async () => {
    const { manifest, wasm } = exampleInstall('life');
    let since = mark();
    expect(await client.request('apps/install', { manifest, wasm })).toMatchObject({ ok: true, id: 'life', version: manifest.version });
    const listed = (m: { payload: Buffer }): AppStatus | undefined => json<AppStatus[]>(m.payload).find((a) => a.id === 'life');
    expect(listed(await client.waitFor(P('state/apps'), (m) => listed(m) !== undefined, 5000, since))).toMatchObject({ status: 'ok', enabled: true });
    expect(await client.request('app', 'life')).toMatchObject({ ok: true });

    const notWasm = await client.request('apps/install', {
      manifest: { ...manifest, id: 'broken' },
      wasm: Buffer.from('not a module at all').toString('base64'),
    });
    expect(notWasm).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
    // A valid but empty module: it loads in no sandbox, having no `run`.
    const emptyModule = Buffer.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]).toString('base64');
    const broken = await client.request('apps/install', { manifest: { ...manifest, id: 'broken' }, wasm: emptyModule });
    expect(broken).toMatchObject({ ok: false, error: { code: 'install_failed' } });
    expect((broken.error as { message: string }).message).toMatch(/run/);
    const bad = await client.request('apps/install', { manifest: { ...manifest, id: '../escape' }, wasm });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });

    since = mark();
    expect(await client.request('apps/remove', { id: 'life' })).toMatchObject({ ok: true, id: 'life' });
    await client.waitFor(P('state/apps'), (m) => listed(m) === undefined, 5000, since);
    expect((await client.request('apps/remove', { id: 'life' })).error).toMatchObject({ code: 'unknown_app' });
    const apps = json<AppStatus[]>((await client.waitFor(P('state/apps'), () => true, 5000, since)).payload).map((a) => a.id);
    expect(apps).not.toContain('broken');
  });

  it('answers a notification sent during an install at once, and still runs "install, then show" in order', async () => {
    const { manifest, wasm } = exampleInstall('plasma');
    const since = mark();
    // Written back to back on one connection, without waiting for acknowledgements: the bridge
    // receives them in this order, the notification while the install is still being checked.
    await Promise.all([
      client.publish(P('cmd/apps/install'), JSON.stringify({ manifest, wasm, transaction: 'lanes' })),
      client.publish(P('cmd/app'), 'plasma'),
      client.publish(P('cmd/notify'), JSON.stringify({ text: 'meanwhile', transaction: 'lanes' })),
    ]);
    const replyTopics = [P('response/apps/install'), P('response/app'), P('response/notify')];
    const replies = (): Received[] => client.messages.slice(since).filter((m) => replyTopics.includes(m.topic));
    await client.waitFor(P('response/app'), () => true, 10_000, since);
    await client.waitFor(P('response/notify'), () => true, 10_000, since);
    expect(replies().map((m) => m.topic)).toEqual([P('response/notify'), P('response/apps/install'), P('response/app')]);
    expect(replies().map((m) => json<{ ok: boolean }>(m.payload).ok)).toEqual([true, true, true]);
    expect(await client.request('apps/remove', { id: 'plasma' })).toMatchObject({ ok: true });
  });

  it('previews an app without installing it, until the preview ends', async () => {
    const { manifest, wasm } = exampleInstall('plasma');
    let since = mark();
    expect(await client.request('apps/preview', { manifest, wasm })).toMatchObject({ ok: true, id: 'plasma' });
    await state((s) => s.app === 'plasma', since);
    const apps = json<AppStatus[]>((await client.waitFor(P('state/apps'))).payload).map((a) => a.id);
    expect(apps).not.toContain('plasma');
    // Another app cannot be shown over a preview: a clear refusal, not a bug report.
    expect(await client.request('app', 'clock')).toEqual({
      ok: false,
      error: { code: 'preview_running', message: 'a preview of "plasma" is showing; end it with cmd/apps/preview/stop first' },
    });
    expect(bridge.output).not.toMatch(/command app failed/);
    since = mark();
    expect(await client.request('apps/preview/stop')).toMatchObject({ ok: true, stopped: true });
    await state((s) => s.app !== 'plasma', since);
    expect(await client.request('apps/preview/stop')).toMatchObject({ ok: true, stopped: false });
  });

  it('publishes the button event for cmd/button', async () => {
    const since = client.messages.length;
    expect(await client.request('button', { button: 'main', action: 'double_press' })).toMatchObject({ ok: true });
    const event = await client.waitFor(P('event/button'), () => true, 5000, since);
    expect(json(event.payload)).toEqual({ button: 'main', action: 'double_press' });
  });

  it('publishes a PNG of the screen on cmd/screen', async () => {
    const since = client.messages.length;
    expect(await client.request('screen')).toMatchObject({ ok: true });
    const png = await client.waitFor(P('display/png'), () => true, 5000, since);
    expect(png.payload.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  });

  it('sets app config against the app schema', async () => {
    expect((await client.request('apps/clock/config', { hour24: 'banana' })).error).toEqual({
      code: 'invalid_payload',
      message: 'config.hour24 must be of type boolean',
    });
    expect((await client.request('apps/clock/config', { alarm: true })).error).toMatchObject({ code: 'invalid_payload' });
    const reply = await client.request('apps/clock/config', { hour24: false });
    expect(reply.ok).toBe(true);
    // The schema's defaults are filled in; the reply names the fields, never their values.
    expect(reply).toMatchObject({ id: 'clock', fields: ['color', 'hour24'] });
    expect(reply).not.toHaveProperty('config');
  });

  it('delivers data to an app and survives a burst of commands in order', async () => {
    expect(await client.request('apps/clock/data', 'hello')).toMatchObject({ ok: true, bytes: 5 });
    const since = mark();
    const replies = await Promise.all(Array.from({ length: 30 }, (_, i) => client.request('display', { brightness: i })));
    expect(replies.every((r) => r.ok)).toBe(true);
    await state((s) => s.brightness === 29, since);
  });

  it('goes offline on Ctrl-C and comes back with its state on restart', async () => {
    const since = client.messages.length;
    expect(await bridge.stop()).toBe(0);
    const offline = await client.waitFor(P('availability'), (m) => m.payload.toString() === 'offline', 5000, since);
    expect(offline).toBeDefined();
    await bridge.relaunch();
    await client.waitFor(P('availability'), (m) => m.payload.toString() === 'online', 10000, since);
    const s = json<DeviceState>((await client.waitFor(P('state'), () => true, 10000, since)).payload);
    expect(s.brightness).toBe(29);
  });
});

describe('broker restart', () => {
  it('reconnects to mosquitto by itself and puts its retained state back', async () => {
    const broker = await Mosquitto.start();
    const bridge = await startBridge({ mqttUrl: broker.url });
    try {
      await broker.restart(300);
      const fresh = await TestClient.connect(broker.url);
      await fresh.subscribe('megabit/megabit/#');
      await fresh.waitFor('megabit/megabit/availability', (m) => m.payload.toString() === 'online', 15000);
      // The bridge puts availability back first and the rest right after: a subscriber that came
      // before the rest was published gets it live (retain flag clear), so wait until all is back.
      const topics = ['availability', 'state', 'state/apps', 'display/frame'];
      for (const topic of topics) await fresh.waitFor(`megabit/megabit/${topic}`, () => true, 15000);
      // mosquitto runs without persistence: only a republishing bridge puts these back, retained.
      const late = await TestClient.connect(broker.url);
      try {
        await late.subscribe('megabit/megabit/#');
        for (const topic of topics) {
          expect((await late.waitFor(`megabit/megabit/${topic}`, () => true, 15000)).retain).toBe(true);
        }
        expect(await late.request('notify', 'back')).toMatchObject({ ok: true });
      } finally {
        await late.close();
        await fresh.close();
      }
    } finally {
      await bridge.dispose();
      await broker.dispose();
    }
  });
});

describe('data for an app that is not running', () => {
  it('is kept and delivered when the app starts', async () => {
    const bridge = await startBridge({ apps: ['clock', 'board'], settings: { rotation: { enabled: false } } });
    const client = await TestClient.connect(bridge.mqttUrl);
    try {
      await client.subscribe('megabit/megabit/#');
      await client.waitFor('megabit/megabit/state', (m) => json<DeviceState>(m.payload).app === 'board' || json<DeviceState>(m.payload).app === 'clock');
      await client.request('app', 'clock');
      const reply = await client.request('apps/board/data', { text: 'QUEUED', color: '#ff0000' });
      expect(reply).toMatchObject({ ok: true, queued: true });
      const red = (m: { payload: Buffer }): boolean => {
        for (let i = 0; i < m.payload.length; i += 3) if (m.payload[i] > 200 && m.payload[i + 1] < 60 && m.payload[i + 2] < 60) return true;
        return false;
      };
      const since = client.messages.length;
      await client.request('app', 'board');
      await client.waitFor('megabit/megabit/display/frame', red, 10_000, since);
      // The shown app gets data at once.
      expect(await client.request('apps/board/data', 'now')).toMatchObject({ ok: true, queued: false });
    } finally {
      await client.close();
      await bridge.dispose();
    }
  });
});
