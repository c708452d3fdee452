/**
 * The app node's schedule, show_when and pin_when in Node-RED's real runtime against the real
 * bridge: what a message (or the node's Rule field) gives is checked with the contract's parsers
 * before anything is sent; bad input reaches a Catch node with the field named and nothing goes
 * out; a good rule goes to P/cmd/apps/<id>/<rule> as written, with a transaction, and the
 * bridge's reply to it (applied: `ok`, and whether the app shows now and why not) is the node's
 * outcome; null removes the rule.
 */
import { parseCommand, type CommandName } from '@megabit/contract';
import { startBridge, type RunningBridge } from '../../bridge/test/helpers/bridge-process';
import { type Received, TestClient } from '../../bridge/test/helpers/mqtt-client';
import type { NodeMessage } from '../src/lib/node-red';
import { Collector, deviceConfig, flow, helper, linkOf, NODES, until } from './helpers/node-red';

jest.setTimeout(60_000);

let bridge: RunningBridge;
/** Sees the commands the node sends and the bridge's replies. */
let client: TestClient;
let out: Collector;
let caught: Collector;
let statuses: Collector;

const RULES = ['schedule', 'show_when', 'pin_when'] as const;
const NAMES: Record<(typeof RULES)[number], CommandName> = { schedule: 'appSchedule', show_when: 'appShowWhen', pin_when: 'appPinWhen' };

beforeAll(async () => {
  // Topic conditions on home/# are ones this bridge may read: they are applied, not refused.
  bridge = await startBridge({ apps: ['clock'], settings: { templates: { mqtt_topics: ['home/#'] } } });
  client = await TestClient.connect(bridge.mqttUrl, bridge.topics);
  await client.subscribe(RULES.flatMap((r) => [bridge.topics.cmd(`apps/+/${r}`), bridge.topics.response(`apps/+/${r}`)]));
  await helper.startServer();
  // Node ids unlike any property value: Node-RED reads a value equal to a node id as a reference to it.
  await helper.load(
    NODES,
    flow(
      deviceConfig('dev', { broker: bridge.mqttUrl, baseTopic: bridge.baseTopic, deviceId: bridge.deviceId }),
      { id: 'n-schedule', type: 'megabit app', device: 'dev', command: 'schedule', app: 'clock', wires: [['out']] },
      { id: 'n-show', type: 'megabit app', device: 'dev', command: 'show_when', app: 'clock', wires: [['out']] },
      { id: 'n-pin', type: 'megabit app', device: 'dev', command: 'pin_when', app: 'clock', rule: '{"topic":"home/door","equals":"open"}', wires: [['out']] },
      { id: 'n-any', type: 'megabit app', device: 'dev', command: '', app: '', wires: [['out']] },
      { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
      { id: 'watcher', type: 'status', scope: null, wires: [['statuses']] },
      { id: 'statuses', type: 'helper' },
      { id: 'out', type: 'helper' },
      { id: 'caught', type: 'helper' },
    ),
  );
  out = new Collector('out');
  caught = new Collector('caught');
  statuses = new Collector('statuses');
  await until('the device to be online', () => linkOf('dev').state === 'online');
});

afterAll(async () => {
  await helper.unload();
  await helper.stopServer();
  await client?.close();
  await bridge?.dispose();
});

/** The next command published on P/cmd/apps/<app>/<rule>, from index `since` on. */
function sent(app: string, rule: string, since: number): Promise<Received> {
  return client.waitFor(bridge.topics.cmd(`apps/${app}/${rule}`), () => true, 10_000, since);
}

let sequence = 0;

/** Hands `msg` to the node; the id it returns finds what became of it. */
function send(nodeId: string, msg: NodeMessage): string {
  sequence += 1;
  const id = `rules-test-${sequence}`;
  helper.getNode(nodeId).receive({ ...msg, _msgid: id });
  return id;
}

/** What became of a message: the node's output (an ok reply) or what its Catch node got (an error). */
async function outcome(msgid: string): Promise<NodeMessage> {
  const mine = (m: NodeMessage) => m._msgid === msgid;
  await until(`the node to answer ${msgid}`, () => out.messages.some(mine) || caught.messages.some(mine));
  return out.messages.find(mine) ?? caught.messages.find(mine)!;
}

const counts = () => ({ mqtt: client.messages.length });

it('sends a schedule as written with a transaction, checked as the bridge checks it, and the reply to it is the outcome', async () => {
  const before = counts();
  const windows = [
    { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '07:00', to: '09:30' },
    { days: ['fri', 'sat'], from: '22:00', to: '02:00' },
  ];
  const msgid = send('n-schedule', { payload: windows });

  const command = await sent('clock', 'schedule', before.mqtt);
  const body = JSON.parse(command.payload.toString()) as { windows: unknown; transaction: string };
  // A list goes as {"windows": [...]}: the same schedule, with room for the transaction.
  expect(body).toEqual({ windows, transaction: expect.stringMatching(/^nr-/) });
  expect(parseCommand('appSchedule', command.payload)).toMatchObject({ ok: true, value: { transaction: body.transaction } });

  const reply = await client.waitFor(bridge.topics.response('apps/clock/schedule'), (m) => JSON.parse(m.payload.toString()).transaction === body.transaction);
  const result = await outcome(msgid);
  // The bridge's own reply is what the flow sees: applied, with whether the app shows now.
  expect(result.payload).toEqual(JSON.parse(reply.payload.toString()));
  const applied = result.payload as { ok: boolean; id: string; visible: boolean; reason?: string };
  expect(applied).toMatchObject({ ok: true, id: 'clock', transaction: body.transaction });
  // Whether these windows hold depends on the bridge's wall clock: hidden, it is for them.
  expect(applied.reason).toBe(applied.visible ? undefined : 'schedule');
});

it('the bridge applies what the node sends: visible, or hidden with the reason', async () => {
  const everyDay = send('n-schedule', { payload: { days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] } });
  expect((await outcome(everyDay)).payload).toEqual({ ok: true, id: 'clock', visible: true, transaction: expect.stringMatching(/^nr-/) });

  // No one publishes on home/never: the condition does not hold and the app leaves the rotation.
  const hidden = send('n-show', { payload: { topic: 'home/never', equals: 'yes' } });
  expect((await outcome(hidden)).payload).toEqual({ ok: true, id: 'clock', visible: false, reason: 'condition', transaction: expect.stringMatching(/^nr-/) });

  const shown = send('n-show', { payload: null });
  expect((await outcome(shown)).payload).toMatchObject({ ok: true, id: 'clock', visible: true });
  const unscheduled = send('n-schedule', { payload: null });
  expect((await outcome(unscheduled)).payload).toMatchObject({ ok: true, id: 'clock', visible: true });
});

it.each([
  ['n-schedule', { from: '25:00', to: '09:00' }, '"schedule.from" must be a time "HH:MM"'],
  ['n-schedule', [], '"schedule" must list at least one window'],
  ['n-schedule', 'not json', 'msg.payload is not JSON'],
  ['n-show', { entity: 'washer', state: 'on' }, '"show_when.entity" must be an entity id like "binary_sensor.washer"'],
  ['n-show', { any: [] }, '"show_when.any" must be a non-empty list of conditions'],
  ['n-show', 42, "give the rule as msg.payload (an object, a list, JSON text, or null to remove it) or in the node's Rule field"],
  ['n-pin', { topic: 'home/#', equals: 'open' }, '"pin_when.topic" must be one MQTT topic'],
])('refuses bad input to %s before sending it: %j', async (node, payload, message) => {
  const before = counts();
  const statusesBefore = statuses.messages.length;
  const error = await outcome(send(node, { payload }));
  const status = await statuses.next((m) => (m.status as { source: { id: string } }).source.id === node, 10_000, statusesBefore);
  expect(status.status).toMatchObject({ fill: 'blue', text: 'sending' });
  const failed = await statuses.next(
    (m) => (m.status as { source: { id: string } }).source.id === node && (m.status as { fill: string }).fill === 'red',
    10_000,
    statusesBefore,
  );
  expect(failed.status).toMatchObject({ fill: 'red', shape: 'ring', text: 'invalid_input' });
  expect((error.error as { message: string; source: { id: string } }).source.id).toBe(node);
  expect((error.error as { message: string }).message).toContain(message);
  expect((error.error as { message: string }).message).toMatch(/^InvalidInputError: megabit apps\/clock\/(schedule|show_when|pin_when): /);
  // Nothing went out for it: the next command seen is the good one sent after it.
  const good = send('n-show', { payload: { entity: 'binary_sensor.washer', state: ['on', 'running'] } });
  const next = await sent('clock', 'show_when', before.mqtt);
  expect(client.messages.slice(before.mqtt).filter((m) => m.topic.includes('/cmd/'))[0]).toBe(next);
  expect(JSON.parse(next.payload.toString())).toMatchObject({ entity: 'binary_sensor.washer', state: ['on', 'running'] });
  await outcome(good);
});

it("takes the rule from the node's Rule field when msg.payload is not one (an inject's timestamp), and JSON text from msg.payload", async () => {
  // The show_when the test before left (an entity, and no Home Assistant here) would hide the app.
  await outcome(send('n-show', { payload: null }));
  let before = counts();
  const timestamp = send('n-pin', { payload: Date.now() });
  const fromForm = await sent('clock', 'pin_when', before.mqtt);
  expect(JSON.parse(fromForm.payload.toString())).toEqual({ topic: 'home/door', equals: 'open', transaction: expect.stringMatching(/^nr-/) });
  // pin_when never hides: the app stays visible, only not pinned while no one opened the door.
  expect((await outcome(timestamp)).payload).toMatchObject({ ok: true, visible: true, transaction: JSON.parse(fromForm.payload.toString()).transaction });

  before = counts();
  const text = send('n-pin', { payload: '{"entity":"sensor.power","above":100}' });
  const fromText = await sent('clock', 'pin_when', before.mqtt);
  expect(JSON.parse(fromText.payload.toString())).toEqual({ entity: 'sensor.power', above: 100, transaction: expect.stringMatching(/^nr-/) });
  expect(parseCommand(NAMES.pin_when, fromText.payload).ok).toBe(true);
  // This bridge has no Home Assistant: the rule is stored, and the reply says it never holds.
  expect((await outcome(text)).payload).toMatchObject({
    ok: true,
    visible: true,
    transaction: JSON.parse(fromText.payload.toString()).transaction,
    warnings: [{ field: 'pin_when', warning: expect.stringContaining('reads Home Assistant entity "sensor.power"') }],
  });
});

it('removes a rule with null (or an empty payload), and its reply is the outcome', async () => {
  for (const payload of [null, '']) {
    const before = counts();
    const msgid = send('n-schedule', { payload });
    const command = await sent('clock', 'schedule', before.mqtt);
    expect(command.payload.toString()).toBe('null');
    // No transaction goes with null: the reply is matched by order, as app data is.
    const reply = await client.waitFor(bridge.topics.response('apps/clock/schedule'), () => true, 10_000, before.mqtt);
    expect(JSON.parse(reply.payload.toString()).transaction).toBeUndefined();
    expect((await outcome(msgid)).payload).toEqual(JSON.parse(reply.payload.toString()));
    expect((await outcome(msgid)).payload).toMatchObject({ ok: true, id: 'clock', visible: expect.any(Boolean) });
  }
});

it('takes the command from msg.topic and the app from msg.app, and names what is missing', async () => {
  const before = counts();
  const template = send('n-any', { topic: 'show_when', app: 'clock', payload: { template: '{{ is_state("sun.sun", "below_horizon") }}' } });
  const command = await sent('clock', 'show_when', before.mqtt);
  expect(JSON.parse(command.payload.toString())).toMatchObject({ template: '{{ is_state("sun.sun", "below_horizon") }}' });
  await outcome(template);

  const error = await outcome(send('n-any', { topic: 'schedule', payload: { days: ['sat', 'sun'] } }));
  expect((error.error as { message: string }).message).toBe(
    'InvalidInputError: megabit apps/<id>/schedule: give a valid app id in the node or msg.app (got nothing)',
  );
});
