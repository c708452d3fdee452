/**
 * The Megabit nodes in Node-RED 4.1's real runtime against the real bridge (its own process and
 * embedded broker): notifications reach the display, button events reach the flow, apps install
 * and switch, and error replies, timeouts and bad input reach Catch nodes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CMD, FRAME_BYTES, OUT, type AppStatus, type DeviceState } from '@megabit/contract';
import { REPO_ROOT, startBridge, type RunningBridge } from '../../bridge/test/helpers/bridge-process';
import { TestClient } from '../../bridge/test/helpers/mqtt-client';
import { Collector, deviceConfig, flow, helper, linkOf, NODES, until } from './helpers/node-red';

const EXAMPLE_APP = join(REPO_ROOT, 'apps', 'examples', 'clock', 'build');

let bridge: RunningBridge;
let client: TestClient;

function device(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return deviceConfig('dev', { broker: bridge.mqttUrl, baseTopic: bridge.baseTopic, deviceId: bridge.deviceId, ...overrides });
}

function hasPixel(frame: Buffer, [r, g, b]: [number, number, number]): boolean {
  for (let i = 0; i + 2 < frame.length; i += 3) {
    if (frame[i] === r && frame[i + 1] === g && frame[i + 2] === b) return true;
  }
  return false;
}

/** The example app's files, under a new id so that installing it is a real install. */
function exampleApp(id: string): { manifest: Record<string, unknown>; wasm: Buffer } {
  const manifest = JSON.parse(readFileSync(join(EXAMPLE_APP, 'manifest.json'), 'utf8')) as Record<string, unknown>;
  const wasm = readFileSync(join(EXAMPLE_APP, String(manifest.bin)));
  return { manifest: { ...manifest, id, name: 'Node-RED test clock' }, wasm };
}

beforeAll(async () => {
  bridge = await startBridge();
  client = await TestClient.connect(bridge.mqttUrl, bridge.topics);
  await helper.startServer();
});

afterEach(async () => {
  await helper.unload();
});

afterAll(async () => {
  await helper.stopServer();
  await client?.close();
  await bridge?.dispose();
});

it('a notification reaches the display frame, and the reply comes out of the node', async () => {
  await helper.load(
    NODES,
    flow(
      device(),
      { id: 'notify', type: 'megabit notify', device: 'dev', color: '#00ff00', wires: [['out']] },
      { id: 'completer', type: 'complete', scope: ['notify'], uncaught: false, wires: [['completed']] },
      { id: 'out', type: 'helper' },
      { id: 'completed', type: 'helper' },
    ),
  );
  const out = new Collector('out');
  const completed = new Collector('completed');
  await client.subscribe(bridge.topics.out(OUT.frame));
  await until('the device to be online', () => linkOf('dev').state === 'online');
  const since = client.messages.length;

  helper.getNode('notify').receive({ payload: 'Hi Node-RED' });

  const reply = await out.next();
  expect(reply.payload).toMatchObject({ ok: true });
  expect(typeof (reply.payload as { id?: unknown }).id).toBe('string');
  const frame = await client.waitFor(bridge.topics.out(OUT.frame), (m) => m.payload.length === FRAME_BYTES && hasPixel(m.payload, [0, 255, 0]), 10_000, since);
  expect(frame.payload.length).toBe(FRAME_BYTES);

  helper.getNode('notify').receive({ topic: 'dismiss', payload: { id: (reply.payload as { id: string }).id } });
  expect((await out.next(() => true, 10_000, 1)).payload).toMatchObject({ ok: true, dismissed: true });
  // One done() per input message: the Complete node sees each of the two once.
  await completed.next(() => true, 10_000, 1);
  expect(completed.messages.map((m) => m.topic)).toEqual([undefined, 'dismiss']);
});

it('button events come out of the button node, on one output or one per action', async () => {
  await helper.load(
    NODES,
    flow(
      device(),
      { id: 'button-single', type: 'megabit button', device: 'dev', outputMode: 'single', wires: [['all']] },
      { id: 'button-split', type: 'megabit button', device: 'dev', outputMode: 'per-action', outputs: 3, wires: [['press'], ['long'], ['double']] },
      { id: 'all', type: 'helper' },
      { id: 'press', type: 'helper' },
      { id: 'long', type: 'helper' },
      { id: 'double', type: 'helper' },
    ),
  );
  const [all, press, long, double] = ['all', 'press', 'long', 'double'].map((id) => new Collector(id));
  await until('the device to be online', () => linkOf('dev').state === 'online');

  expect(await client.request(CMD.button, { button: 'main', action: 'long_press' })).toMatchObject({ ok: true });
  expect((await all.next()).payload).toEqual({ button: 'main', action: 'long_press' });
  expect((await long.next()).payload).toEqual({ button: 'main', action: 'long_press' });

  expect(await client.request(CMD.button, { button: 'main', action: 'double_press' })).toMatchObject({ ok: true });
  expect((await all.next((m) => (m.payload as { action: string }).action === 'double_press')).payload).toEqual({ button: 'main', action: 'double_press' });
  await double.next();
  expect(press.messages).toHaveLength(0);
  expect(long.messages).toHaveLength(1);
  expect(all.messages[0].topic).toBe(bridge.topics.out(OUT.buttonEvent));
});

it('an app installs, shows, is configured, takes data, leaves the rotation and is removed', async () => {
  const app = exampleApp('nr-clock');
  app.manifest.config = {
    type: 'object',
    properties: { color: { type: 'string', pattern: '^#[0-9a-fA-F]{6}$' } },
    additionalProperties: false,
  };
  await helper.load(
    NODES,
    flow(
      device(),
      { id: 'apps', type: 'megabit app', device: 'dev', command: '', wires: [['replies']] },
      { id: 'configure', type: 'megabit app', device: 'dev', command: 'config', app: 'nr-clock', wires: [['replies']] },
      { id: 'data', type: 'megabit data', device: 'dev', app: 'nr-clock', wires: [['replies']] },
      { id: 'state', type: 'megabit state', device: 'dev', emit: 'all', wires: [['states']] },
      // Errors join the replies, so a failure shows the bridge's error reply in the assertion.
      { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['replies']] },
      { id: 'replies', type: 'helper' },
      { id: 'states', type: 'helper' },
    ),
  );
  const replies = new Collector('replies');
  const states = new Collector('states');
  await until('the device to be online', () => linkOf('dev').state === 'online');
  /** Sends a message into a node; resolves with the reply and the state messages from then on. */
  const ask = async (nodeId: string, msg: Record<string, unknown>): Promise<{ reply: unknown; since: number }> => {
    const since = states.messages.length;
    const before = replies.messages.length;
    helper.getNode(nodeId).receive(msg);
    return { reply: (await replies.next(() => true, 15_000, before)).payload, since };
  };
  const appsAfter = (since: number, check: (apps: AppStatus[]) => boolean): Promise<unknown> =>
    states.next((m) => m.topic === 'apps' && check(m.payload as AppStatus[]), 10_000, since);
  const mine = (apps: AppStatus[]): AppStatus | undefined => apps.find((a) => a.id === 'nr-clock');

  const install = await ask('apps', { topic: 'install', payload: app });
  expect(install.reply).toMatchObject({ ok: true, id: 'nr-clock', version: app.manifest.version });
  await appsAfter(install.since, (apps) => mine(apps)?.enabled === true);

  const show = await ask('apps', { topic: 'switch', payload: 'nr-clock' });
  expect(show.reply).toMatchObject({ ok: true, app: 'nr-clock' });
  // The only app may already be on screen since its install; then the switch changes nothing.
  await states.next((m) => m.topic === 'state' && (m.payload as DeviceState).app === 'nr-clock', 10_000, install.since);

  // The reply names the fields set, never their values (they may be API keys).
  expect((await ask('configure', { payload: { color: '#00ff00' } })).reply).toMatchObject({ ok: true, id: 'nr-clock', fields: ['color'] });
  expect((await ask('configure', { payload: { colour: 'green' } })).reply).toMatchObject({ ok: false });

  // "queued" says whether the app's sandbox had finished starting (then it has the data now) or
  // not yet (it gets it when it has): either can come first on a loaded machine, and the bridge's
  // own tests cover both. Here the node's reply is what counts.
  expect((await ask('data', { payload: { temperature: 21.5 } })).reply).toEqual({
    ok: true,
    bytes: JSON.stringify({ temperature: 21.5 }).length,
    queued: expect.any(Boolean),
  });

  const disable = await ask('apps', { topic: 'disable', app: 'nr-clock' });
  expect(disable.reply).toMatchObject({ ok: true });
  await appsAfter(disable.since, (apps) => mine(apps)?.enabled === false);

  const enable = await ask('apps', { topic: 'enable', payload: { id: 'nr-clock' } });
  expect(enable.reply).toMatchObject({ ok: true });
  await appsAfter(enable.since, (apps) => mine(apps)?.enabled === true);

  expect((await ask('apps', { topic: 'next' })).reply).toHaveProperty('app');

  const remove = await ask('apps', { topic: 'remove', app: 'nr-clock' });
  expect(remove.reply).toMatchObject({ ok: true, id: 'nr-clock' });
  await appsAfter(remove.since, (apps) => mine(apps) === undefined);
});

it('error replies, timeouts and bad input reach a Catch node, one done each', async () => {
  await helper.load(
    NODES,
    flow(
      device(),
      deviceConfig('nobody', { broker: bridge.mqttUrl, baseTopic: bridge.baseTopic, deviceId: 'nobody-here', timeout: 1 }),
      { id: 'show', type: 'megabit app', device: 'dev', command: 'switch', app: 'no-such-app', wires: [['out']] },
      { id: 'lost', type: 'megabit notify', device: 'nobody', wires: [['out']] },
      { id: 'bright', type: 'megabit display', device: 'dev', wires: [['out']] },
      { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
      { id: 'out', type: 'helper' },
      { id: 'caught', type: 'helper' },
    ),
  );
  const out = new Collector('out');
  const caught = new Collector('caught');
  await until('the device to be online', () => linkOf('dev').state === 'online');

  helper.getNode('show').receive({ payload: 'go' });
  const unknownApp = await caught.next((m) => (m.error as { source: { id: string } }).source.id === 'show');
  expect((unknownApp.error as { message: string }).message).toContain('unknown_app');
  expect(unknownApp.payload).toMatchObject({ ok: false, error: { code: 'unknown_app' } });

  helper.getNode('lost').receive({ payload: 'anyone?' });
  const timeout = await caught.next((m) => (m.error as { source: { id: string } }).source.id === 'lost', 5_000);
  expect((timeout.error as { message: string }).message).toContain('no reply within 1 s');

  helper.getNode('bright').receive({ payload: 999 });
  const invalid = await caught.next((m) => (m.error as { source: { id: string } }).source.id === 'bright');
  expect((invalid.error as { message: string }).message).toMatch(/brightness/);

  expect(caught.messages).toHaveLength(3);
  expect(out.messages).toHaveLength(0);
});

it('the display node sets power and brightness and replies with the result', async () => {
  await helper.load(
    NODES,
    flow(device(), { id: 'display', type: 'megabit display', device: 'dev', power: 'ON', brightness: '', wires: [['out']] }, { id: 'out', type: 'helper' }),
  );
  const out = new Collector('out');
  await until('the device to be online', () => linkOf('dev').state === 'online');

  helper.getNode('display').receive({ payload: 42 });
  expect((await out.next()).payload).toMatchObject({ ok: true, state: 'ON', brightness: 42 });
  helper.getNode('display').receive({ payload: { state: 'off' } });
  expect((await out.next(() => true, 10_000, 1)).payload).toMatchObject({ ok: true, state: 'OFF', brightness: 42 });
  helper.getNode('display').receive({ payload: true });
  expect((await out.next(() => true, 10_000, 2)).payload).toMatchObject({ ok: true, state: 'ON' });
  // A fade and a flash, as Home Assistant's light sends them.
  helper.getNode('display').receive({ payload: { brightness: 100, transition: 0.5 } });
  expect((await out.next(() => true, 10_000, 3)).payload).toMatchObject({ ok: true, state: 'ON', brightness: 100 });
  helper.getNode('display').receive({ payload: { flash: 1 } });
  expect((await out.next(() => true, 10_000, 4)).payload).toMatchObject({ ok: true, state: 'ON', brightness: 100 });
});
