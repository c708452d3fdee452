/**
 * The screen node, and the notify node's screen content (icon, progress), in Node-RED 4.1's real
 * runtime on mosquitto: what each form field and each kind of msg.payload puts in the JSON on
 * `P/cmd/screens/<id>`, removal, the reply in the output and the status, and one done() per
 * message with errors (bad ids, error replies, unusable payloads) at a Catch node; all against the
 * real bridge (its own process and embedded broker), whose replies the nodes pass on.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OUT, type AppStatus } from '@megabit/contract';
import { REPO_ROOT, startBridge, type RunningBridge } from '../../bridge/test/helpers/bridge-process';
import { TestClient } from '../../bridge/test/helpers/mqtt-client';
import { notifyProblems, screenProblems } from '../../bridge/test/helpers/screen-payload';
import { CommandWatch } from './helpers/command-watch';
import { Collector, deviceConfig, flow, helper, injectNode, linkOf, NODES, until } from './helpers/node-red';

let bridge: RunningBridge;
let commands: CommandWatch;

beforeAll(async () => {
  // The clock app is installed so that a screen can try to take its id.
  bridge = await startBridge({ apps: ['clock'] });
  commands = await CommandWatch.start(bridge);
  await helper.startServer();
});

afterEach(async () => {
  await helper.unload();
});

afterAll(async () => {
  await helper.stopServer();
  await commands?.close();
  await bridge?.dispose();
});

const device = (): Record<string, unknown> => deviceConfig('dev', { broker: bridge.mqttUrl, baseTopic: bridge.baseTopic, deviceId: bridge.deviceId });

/** The JSON a command carried, without the node's transaction id. */
function body(payload: Buffer): Record<string, unknown> {
  const { transaction, ...rest } = JSON.parse(payload.toString()) as Record<string, unknown>;
  expect(transaction).toMatch(/^nr-/);
  return rest;
}

/** Loads the flow with a Status, Complete and Catch node for `nodeId`, and waits for the device. */
async function load(node: Record<string, unknown>): Promise<{ out: Collector; statuses: Collector; completed: Collector; caught: Collector }> {
  await helper.load(
    NODES,
    flow(
      device(),
      { ...node, device: 'dev', wires: [['out']] },
      { id: 'watch', type: 'status', scope: [node.id], wires: [['statuses']] },
      { id: 'completer', type: 'complete', scope: [node.id], uncaught: false, wires: [['completed']] },
      { id: 'catcher', type: 'catch', scope: [node.id], uncaught: false, wires: [['caught']] },
      { id: 'out', type: 'helper' },
      { id: 'statuses', type: 'helper' },
      { id: 'completed', type: 'helper' },
      { id: 'caught', type: 'helper' },
    ),
  );
  const collectors = { out: new Collector('out'), statuses: new Collector('statuses'), completed: new Collector('completed'), caught: new Collector('caught') };
  await until('the device to be online', () => linkOf('dev').state === 'online');
  return collectors;
}

const statusText = (m: Record<string, unknown>): unknown => (m.status as { text?: unknown }).text;

/** The text options of FULL_FORM as the contract nests them beside a text's value. */
const TEXT_STYLE = {
  color: '#ffcc00',
  font: 'small',
  rainbow: true,
  gradient: ['#00c0ff', '#ff00c0'],
  scroll: 'always',
  speed: 30,
  repeat: 2,
  align: 'left',
};
const FORM_DRAW = [
  { rect: [0, 0, 64, 32], color: '#ff0000' },
  { text: 'hi', at: [2, 3], color: '#ffffff', font: 'regular' },
];

const FULL_FORM = {
  id: 'screen',
  type: 'megabit screen',
  screenId: 'power',
  text: "{{ states('sensor.power') }} W",
  color: '#ffcc00',
  font: 'small',
  align: 'left',
  scroll: 'always',
  speed: '30',
  repeat: '2',
  rainbow: true,
  gradientFrom: '#00c0ff',
  gradientTo: '#ff00c0',
  iconName: 'bolt',
  iconPosition: 'right',
  progress: '40',
  progressColor: '#00a0ff',
  progressBackground: '#202020',
  chart: 'line',
  chartValues: '2, 7, 1.5, 8',
  chartColor: '#ff8040',
  draw: '[{"rect":[0,0,64,32],"color":"#ff0000"},{"text":"hi","at":[2,3],"color":"#ffffff","font":"regular"}]',
  background: '#102040',
  duration: '8',
  lifetime: '600',
  onExpiry: 'stale',
  pos: '0',
};

it('sends every form field as the contract names it, and shows the reply in the output and the status', async () => {
  const { out, statuses, completed } = await load(FULL_FORM);
  const since = commands.count;

  helper.getNode('screen').receive({ topic: 'go' });

  const sent = await commands.next('screens/power', since);
  expect(body(sent.payload)).toEqual({
    text: { value: "{{ states('sensor.power') }} W", ...TEXT_STYLE },
    icon: { name: 'bolt', position: 'right' },
    progress: { value: 40, color: '#00a0ff', background: '#202020' },
    chart: { type: 'line', values: [2, 7, 1.5, 8], color: '#ff8040' },
    draw: FORM_DRAW,
    background: '#102040',
    duration_s: 8,
    lifetime_s: 600,
    on_expiry: 'stale',
    pos: 0,
  });
  // Without Home Assistant the template cannot render: the screen is kept, and the reply says why.
  expect((await out.next()).payload).toEqual({
    ok: true,
    id: 'power',
    errors: [{ field: 'text.value', error: expect.stringContaining('homeassistant.url') }],
    transaction: expect.stringMatching(/^nr-/),
  });
  await statuses.next((m) => statusText(m) === 'shown: power, template errors in text.value');
  await completed.next();
  expect(sent.retain).toBe(false);
});

it('msg.payload overrides the form: text, chart values, object fields (text options, bar and chart colours, drawing) and the screen id', async () => {
  const { out, completed } = await load(FULL_FORM);
  const send = async (msg: Record<string, unknown>, path: string): Promise<Record<string, unknown>> => {
    const since = commands.count;
    const replies = out.messages.length;
    helper.getNode('screen').receive(msg);
    const sent = body((await commands.next(path, since)).payload);
    expect((await out.next(() => true, 10_000, replies)).payload).toMatchObject({ ok: true });
    return sent;
  };

  // A string is the text, with the form's colour, font and text options.
  expect((await send({ payload: '1.2 kW' }, 'screens/power')).text).toEqual({ value: '1.2 kW', ...TEXT_STYLE });
  expect((await send({ payload: 21.5 }, 'screens/power')).text).toEqual({ value: '21.5', ...TEXT_STYLE });

  // A list of numbers replaces the form's chart values, in the form's type and colour; the rest of the form stays.
  const chart = await send({ payload: [3, 1, 4, 1, 5] }, 'screens/power');
  expect(chart.chart).toEqual({ type: 'line', values: [3, 1, 4, 1, 5], color: '#ff8040' });
  expect(chart.text).toEqual({ value: "{{ states('sensor.power') }} W", ...TEXT_STYLE });
  expect(chart.progress).toEqual({ value: 40, color: '#00a0ff', background: '#202020' });
  expect(chart.draw).toEqual(FORM_DRAW);

  // Object fields replace the form's; a bare text, icon name or progress number keeps the form's
  // style, a chart the form's type, values and colour where it leaves them out.
  const object = await send(
    { payload: { text: 'Solar', icon: 'solar', progress: 75, chart: { values: [1, 2] }, draw: [{ pixel: [1, 1], color: '#00ff00' }], on_expiry: 'remove' } },
    'screens/power',
  );
  expect(object).toMatchObject({
    text: { value: 'Solar', ...TEXT_STYLE },
    icon: { name: 'solar', position: 'right' },
    progress: { value: 75, color: '#00a0ff', background: '#202020' },
    chart: { type: 'line', values: [1, 2], color: '#ff8040' },
    draw: [{ pixel: [1, 1], color: '#00ff00' }],
    on_expiry: 'remove',
  });
  const given = await send(
    {
      payload: {
        text: { value: 'Plain', align: 'right' },
        progress: { value: 10, color: '#ffffff' },
        chart: { type: 'bar', color: '#00ff00' },
        draw: [],
        duration_s: 3,
      },
    },
    'screens/power',
  );
  // What the payload gives as an object is sent as given: none of the form's text options or bar colours.
  expect(given).toMatchObject({
    text: { value: 'Plain', align: 'right' },
    progress: { value: 10, color: '#ffffff' },
    chart: { type: 'bar', values: [2, 7, 1.5, 8], color: '#00ff00' },
    draw: [],
    duration_s: 3,
  });
  expect(given.text).toEqual({ value: 'Plain', align: 'right' });
  expect(given.progress).toEqual({ value: 10, color: '#ffffff' });
  const segments = [{ t: '21.5', c: '#ffcc00' }, { t: ' °C' }];
  expect((await send({ payload: { text: segments, duration_s: 3 } }, 'screens/power')).text).toEqual(segments);

  // The screen id: msg.payload.id, else msg.screen_id, else the form's; "id" never goes in the body.
  expect(await send({ payload: { id: 'solar', background: '#000000' } }, 'screens/solar')).not.toHaveProperty('id');
  await send({ screen_id: 'garage', payload: 'open' }, 'screens/garage');
  await completed.next(() => true, 10_000, 7);
  expect(completed.messages).toHaveLength(8);
});

it('a node with only an id and a text sends the text alone, and a string payload alone', async () => {
  const { out } = await load({ id: 'screen', type: 'megabit screen', screenId: 'hello', text: 'Hi' });
  let since = commands.count;
  helper.getNode('screen').receive({});
  expect(body((await commands.next('screens/hello', since)).payload)).toEqual({ text: 'Hi' });
  await out.next();
  since = commands.count;
  helper.getNode('screen').receive({ payload: 'Hello' });
  expect(body((await commands.next('screens/hello', since)).payload)).toEqual({ text: 'Hello' });
  // A chart from a bare node is a bar chart.
  since = commands.count;
  helper.getNode('screen').receive({ payload: [1, 2, 3] });
  expect(body((await commands.next('screens/hello', since)).payload)).toEqual({ text: 'Hi', chart: { type: 'bar', values: [1, 2, 3] } });
});

it('chart values or a drawing from the form alone are a screen of their own, and an unticked rainbow is left out', async () => {
  const { out } = await load({ id: 'screen', type: 'megabit screen', screenId: 'values', text: 'Hi', rainbow: false, chart: 'bar', chartValues: '[4; 5 -6]' });
  let since = commands.count;
  helper.getNode('screen').receive({});
  expect(body((await commands.next('screens/values', since)).payload)).toEqual({ text: 'Hi', chart: { type: 'bar', values: [4, 5, -6] } });
  expect((await out.next()).payload).toMatchObject({ ok: true, id: 'values' });
  await helper.unload();

  await load({ id: 'screen', type: 'megabit screen', screenId: 'drawing', draw: ' [{"circle":[32,16,8],"color":"#ffd000","fill":true}] ' });
  since = commands.count;
  helper.getNode('screen').receive({});
  expect(body((await commands.next('screens/drawing', since)).payload)).toEqual({ draw: [{ circle: [32, 16, 8], color: '#ffd000', fill: true }] });
});

it('a form the bridge would refuse fails each message at the Catch node, naming the field, and sends nothing; removing still works', async () => {
  const broken: [Record<string, unknown>, string][] = [
    [{ draw: '[{"rect":[0,0,64,32]' }, 'Draw is not JSON'],
    [{ draw: '{"rect":[0,0,1,1],"color":"#ff0000"}' }, `the node's form: "draw" must be an array`],
    [{ draw: '[{"circle":[5,5,2],"color":"red"}]' }, `the node's form: "draw[0].color" must be a colour`],
    [{ chartValues: '1, two, 3' }, 'Chart values must be numbers apart by commas (got "1, two, 3")'],
    [{ chartValues: Array.from({ length: 65 }, (_, i) => i).join(',') }, `the node's form: "chart.values" must have 1 to 64 items`],
    [{ gradientFrom: '#00c0ff' }, 'Gradient needs both colours'],
    [{ progressColor: 'green' }, `the node's form: "progress.color" must be a colour`],
    [{ text: 'x', speed: '900' }, `the node's form: "text.speed" must be a number from 1 to 500`],
  ];
  for (const [fields, message] of broken) {
    const { caught, completed } = await load({ id: 'screen', type: 'megabit screen', screenId: 'broken', iconName: 'bolt', ...fields });
    const since = commands.count;
    helper.getNode('screen').receive({ payload: { text: 'from the message' } });
    expect(((await caught.next()).error as { message: string }).message).toContain(message);
    expect(commands.count).toBe(since);
    // Taking the screen out needs nothing of the form but its id.
    helper.getNode('screen').receive({ remove: true });
    expect((await commands.next('screens/broken', since)).payload.length).toBe(0);
    await completed.next();
    expect(caught.messages).toHaveLength(1);
    await helper.unload();
  }
});

it('the screen joins the rotation beside the apps, and a 33-character id is refused before anything is sent', async () => {
  const state = await TestClient.connect(bridge.mqttUrl, bridge.topics);
  try {
    await state.subscribe(bridge.topics.out(OUT.stateApps));
    const { out, statuses, caught } = await load({ id: 'screen', type: 'megabit screen', screenId: 'hello', text: 'Hi' });
    helper.getNode('screen').receive({});
    expect((await out.next()).payload).toMatchObject({ ok: true, id: 'hello' });
    await statuses.next((m) => statusText(m) === 'shown: hello');
    await state.waitFor(bridge.topics.out(OUT.stateApps), (m) =>
      (JSON.parse(m.payload.toString()) as AppStatus[]).some((e) => e.id === 'hello' && e.kind === 'screen'),
    );

    const since = commands.count;
    helper.getNode('screen').receive({ screen_id: 'a'.repeat(33), payload: 'x' });
    expect(((await caught.next()).error as { message: string }).message).toMatch(/1 to 32/);
    helper.getNode('screen').receive({ screen_id: 'a'.repeat(32), payload: 'x' });
    await commands.next(`screens/${'a'.repeat(32)}`, since);
    expect(caught.messages).toHaveLength(1);
  } finally {
    await state.close();
  }
});

it('msg.remove or an empty payload removes the screen: an empty command, the reply, "removed" in the status', async () => {
  const { out, statuses, completed } = await load({ id: 'screen', type: 'megabit screen', screenId: 'gone', text: 'x' });
  helper.getNode('screen').receive({});
  helper.getNode('screen').receive({ screen_id: 'other', payload: 'y' });
  await out.next(() => true, 10_000, 1);

  let since = commands.count;
  helper.getNode('screen').receive({ remove: true, payload: 'ignored' });
  expect((await commands.next('screens/gone', since)).payload.length).toBe(0);
  expect((await out.next(() => true, 10_000, 2)).payload).toEqual({ ok: true, id: 'gone', removed: true });
  await statuses.next((m) => statusText(m) === 'removed: gone');

  since = commands.count;
  helper.getNode('screen').receive({ payload: '', screen_id: 'other' });
  expect((await commands.next('screens/other', since)).payload.length).toBe(0);
  expect((await out.next(() => true, 10_000, 3)).payload).toEqual({ ok: true, id: 'other', removed: true });
  await statuses.next((m) => statusText(m) === 'removed: other');
  await completed.next(() => true, 10_000, 3);
  expect(completed.messages).toHaveLength(4);
});

it('bad ids, error replies and unusable payloads reach the Catch node, one done each, and never a bad topic', async () => {
  const { out, statuses, caught } = await load({ id: 'screen', type: 'megabit screen', text: 'x' });
  const errorOf = (m: Record<string, unknown>): string => (m.error as { message: string }).message;
  const since = commands.count;

  helper.getNode('screen').receive({ payload: 'no id anywhere' });
  expect(errorOf(await caught.next())).toMatch(/give the screen an id/);
  helper.getNode('screen').receive({ screen_id: 'a/b/#', payload: 'x' });
  expect(errorOf(await caught.next(() => true, 10_000, 1))).toContain('"a/b/#"');
  helper.getNode('screen').receive({ screen_id: 'power', payload: [true, 'x'] });
  expect(errorOf(await caught.next(() => true, 10_000, 2))).toMatch(/msg\.payload must be/);
  // Checked by the contract's parser before it is sent, like every command.
  helper.getNode('screen').receive({ screen_id: 'power', payload: { progress: 150 } });
  expect(errorOf(await caught.next(() => true, 10_000, 3))).toContain('"progress" must be a number from 0 to 100');
  await statuses.next((m) => statusText(m) === 'invalid_input');
  // Nothing was published for any of them.
  expect(commands.count).toBe(since);

  // The bridge's refusal comes back as an error with the reply as msg.payload: a screen may not
  // take the id of an installed app.
  helper.getNode('screen').receive({ screen_id: 'clock', payload: 'x' });
  const refused = await caught.next(() => true, 10_000, 4);
  expect(errorOf(refused)).toContain('an app is installed with the id "clock"');
  expect(refused.payload).toMatchObject({ ok: false, error: { code: expect.any(String) } });
  await statuses.next((m) => statusText(m) === (refused.payload as { error: { code: string } }).error.code);
  expect(caught.messages).toHaveLength(5);
  expect(out.messages).toHaveLength(0);
});

it('the notify node sends an icon and a progress bar from its form, msg properties and the payload', async () => {
  const { out } = await load({ id: 'note', type: 'megabit notify', iconName: 'door_open', progress: '25', color: '#ff0000' });
  const send = async (msg: Record<string, unknown>): Promise<Record<string, unknown>> => {
    const since = commands.count;
    const replies = out.messages.length;
    helper.getNode('note').receive(msg);
    const sent = body((await commands.next('notify', since)).payload);
    expect((await out.next(() => true, 10_000, replies)).payload).toMatchObject({ ok: true });
    return sent;
  };

  expect(await send({ payload: 'Front door' })).toEqual({ text: 'Front door', color: '#ff0000', icon: 'door_open', progress: 25 });
  expect(await send({ payload: 'Washing', icon: 'washing_machine', progress: 80 })).toEqual({
    text: 'Washing',
    color: '#ff0000',
    icon: 'washing_machine',
    progress: 80,
  });
  expect(
    await send({ payload: { text: 'Upload', icon: { name: 'cloud', position: 'right' }, progress: { value: 10, color: '#00ff00' }, priority: 'high' } }),
  ).toEqual({
    text: 'Upload',
    color: '#ff0000',
    icon: { name: 'cloud', position: 'right' },
    progress: { value: 10, color: '#00ff00' },
    priority: 'high',
  });
});

it('the example flow of docs/node-red.md sends what the doc shows, and its JSON examples are what the bridge takes', async () => {
  const doc = readFileSync(join(REPO_ROOT, 'docs', 'node-red.md'), 'utf8');
  const [flowJson, now, withHours, notification] = [...doc.matchAll(/```json\n([\s\S]*?)\n```/g)].map((m) => m[1]);
  const nodes = (JSON.parse(flowJson) as Record<string, unknown>[]).map((n) => {
    if (n.type === 'megabit-device') return { ...n, broker: bridge.mqttUrl, baseTopic: bridge.baseTopic, deviceId: bridge.deviceId };
    // The debug node needs the editor's comms; a helper node records the same messages.
    return n.type === 'debug' ? { id: n.id, type: 'helper' } : n;
  });
  await helper.load([...NODES, injectNode], flow(...nodes));
  const replies = new Collector('doc-replies');
  await until('the device to be online', () => linkOf('doc-device').state === 'online');
  const sent = async (inject: string): Promise<Buffer> => {
    const since = commands.count;
    const before = replies.messages.length;
    helper.getNode(inject).receive({});
    const command = await commands.next('screens/energy', since);
    expect((await replies.next(() => true, 10_000, before)).payload).toMatchObject({ ok: true, id: 'energy' });
    return command.payload;
  };

  expect(JSON.stringify(body(await sent('doc-now')))).toBe(now);
  expect(JSON.stringify(body(await sent('doc-hours')))).toBe(withHours);
  expect((await sent('doc-remove')).length).toBe(0);
  expect(screenProblems(now)).toEqual([]);
  expect(screenProblems(withHours)).toEqual([]);
  expect(notifyProblems(notification)).toEqual([]);
});
