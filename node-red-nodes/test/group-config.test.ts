/**
 * A `megabit-device` config node set to a display group, in Node-RED's real runtime against two
 * real bridges in that group (the second on the first's embedded broker): the notify node's
 * message shows on both displays, its output collects every member's reply with its device_id,
 * the status follows the group's availability, and a dismiss through the same node clears both.
 * With the members listed the output goes as soon as all have answered; a member's refusal
 * fails the command with every reply at hand.
 */
import { GroupTopics, OUT, type DeviceState } from '@megabit/contract';
import { startBridge, type RunningBridge } from '../../bridge/test/helpers/bridge-process';
import { json, TestClient } from '../../bridge/test/helpers/mqtt-client';
import { MAX_GROUP_TARGETS } from '../src/lib/device-link';
import { type GroupReply, MAX_GROUP_REPLIES } from '../src/lib/replies';
import { Collector, deviceConfig, flow, helper, linkOf, NODES, until } from './helpers/node-red';

jest.setTimeout(90_000);

const MEMBER = { apps: ['clock'], settings: { groups: ['kitchen'], rotation: { enabled: false }, homeassistant: { enabled: false } } };
let first: RunningBridge;
let second: RunningBridge;
let client: TestClient;

beforeAll(async () => {
  first = await startBridge({ ...MEMBER, deviceId: 'first' });
  // Only the second has the board app: a group switch to it is refused by the first.
  second = await startBridge({
    ...MEMBER,
    apps: ['clock', 'board'],
    deviceId: 'second',
    settings: { ...MEMBER.settings, mqtt: { url: first.mqttUrl, base_topic: 'megabit' } },
  });
  client = await TestClient.connect(first.mqttUrl);
  await client.subscribe('megabit/+/state');
  await helper.startServer();
});

afterEach(async () => {
  await helper.unload();
});

afterAll(async () => {
  await helper.stopServer();
  await client?.close();
  await second?.dispose();
  await first?.dispose();
});

/** The replies in device id order: members answer in whatever order the broker delivers. */
const byDevice = <R extends { device_id?: string }>(replies: R[]): R[] => [...replies].sort((a, b) => String(a.device_id).localeCompare(String(b.device_id)));

const showing = (bridge: RunningBridge, notification: string | null, since: number) =>
  client.waitFor(bridge.topics.out(OUT.state), (m) => json<DeviceState>(m.payload).notification === notification, 10_000, since);

it('the notify node sends to the group: both displays show it, and a dismiss clears both', async () => {
  await helper.load(
    NODES,
    flow(
      deviceConfig('group', { broker: first.mqttUrl, baseTopic: 'megabit', deviceId: 'megabit', group: 'kitchen' }),
      { id: 'notify', type: 'megabit notify', device: 'group', wires: [['out']] },
      { id: 'out', type: 'helper' },
    ),
  );
  expect(linkOf('group').topics).toBeInstanceOf(GroupTopics);
  await until('the group to be online', () => linkOf('group').state === 'online');
  const out = new Collector('out');
  const since = client.messages.length;

  helper.getNode('notify').receive({ payload: { text: 'Kettle', id: 'kettle', hold: true } });
  const reply = (await out.next()).payload as GroupReply;
  expect(reply).toEqual({ ok: true, group: 'kitchen', replies: expect.any(Array) });
  expect(byDevice(reply.replies)).toEqual([
    expect.objectContaining({ ok: true, id: 'kettle', group: 'kitchen', device_id: 'first', transaction: expect.stringMatching(/^nr-/) }),
    expect.objectContaining({ ok: true, id: 'kettle', group: 'kitchen', device_id: 'second' }),
  ]);
  await Promise.all([showing(first, 'kettle', since), showing(second, 'kettle', since)]);

  const dismissedSince = client.messages.length;
  helper.getNode('notify').receive({ topic: 'dismiss', payload: { id: 'kettle' } });
  const dismissed = (await out.next(() => true, 10_000, 1)).payload as GroupReply;
  expect(byDevice(dismissed.replies).map((r) => [r.device_id, r.ok && r.dismissed])).toEqual([
    ['first', true],
    ['second', true],
  ]);
  await Promise.all([showing(first, null, dismissedSince), showing(second, null, dismissedSince)]);
});

it('with its members listed, the output goes once all have answered; a refusal by one fails the command with every reply', async () => {
  await helper.load(
    NODES,
    flow(
      // Collecting for a minute: only the members list can end the wait within the test's limits.
      deviceConfig('group', { broker: first.mqttUrl, baseTopic: 'megabit', deviceId: 'megabit', group: 'kitchen', groupWait: 60, members: 'first, second' }),
      { id: 'app', type: 'megabit app', device: 'group', command: 'switch', app: '', wires: [['out']] },
      { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
      { id: 'out', type: 'helper' },
      { id: 'caught', type: 'helper' },
    ),
  );
  await until('the group to be online', () => linkOf('group').state === 'online');
  const out = new Collector('out');
  const caught = new Collector('caught');

  helper.getNode('app').receive({ payload: 'clock' });
  const shown = (await out.next()).payload as GroupReply;
  expect(byDevice(shown.replies).map((r) => [r.device_id, r.ok && r.app])).toEqual([
    ['first', 'clock'],
    ['second', 'clock'],
  ]);

  helper.getNode('app').receive({ payload: 'board' });
  const refused = await caught.next();
  expect((refused.error as { message: string }).message).toBe(
    'CommandError: megabit app: 1 of 2 displays of group "kitchen" refused: first: no app "board" is installed (unknown_app)',
  );
  const payload = refused.payload as { ok: false; error: { code: string }; group: string; replies: GroupReply['replies'] };
  expect(payload).toMatchObject({ ok: false, error: { code: 'unknown_app' }, group: 'kitchen' });
  expect(byDevice(payload.replies).map((r) => [r.device_id, r.ok])).toEqual([
    ['first', false],
    ['second', true],
  ]);
});

it("a notify node addresses a group over one display's connection: its Group or msg.group, collecting every member's reply", async () => {
  await helper.load(
    NODES,
    flow(
      deviceConfig('one', { broker: first.mqttUrl, baseTopic: 'megabit', deviceId: 'first' }),
      deviceConfig('group', { broker: first.mqttUrl, baseTopic: 'megabit', deviceId: 'megabit', group: 'kitchen' }),
      { id: 'to-kitchen', type: 'megabit notify', device: 'one', group: 'kitchen', wires: [['out']] },
      { id: 'to-first', type: 'megabit notify', device: 'one', wires: [['out']] },
      { id: 'group-node', type: 'megabit notify', device: 'group', wires: [['out']] },
      { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
      { id: 'out', type: 'helper' },
      { id: 'caught', type: 'helper' },
    ),
  );
  await until('the display to be online', () => linkOf('one').state === 'online');
  const out = new Collector('out');
  const caught = new Collector('caught');

  let since = client.messages.length;
  helper.getNode('to-kitchen').receive({ payload: { text: 'Tea', id: 'tea', hold: true } });
  const reply = (await out.next()).payload as GroupReply;
  expect(reply).toMatchObject({ ok: true, group: 'kitchen' });
  expect(byDevice(reply.replies).map((r) => [r.device_id, r.ok && r.id])).toEqual([
    ['first', 'tea'],
    ['second', 'tea'],
  ]);
  await Promise.all([showing(first, 'tea', since), showing(second, 'tea', since)]);

  // msg.group on a node without one: the dismiss goes to the whole group too.
  since = client.messages.length;
  helper.getNode('to-first').receive({ topic: 'dismiss', group: 'kitchen', payload: { id: 'tea' } });
  const dismissed = (await out.next(() => true, 10_000, 1)).payload as GroupReply;
  expect(byDevice(dismissed.replies).map((r) => [r.device_id, r.ok && r.dismissed])).toEqual([
    ['first', true],
    ['second', true],
  ]);
  await Promise.all([showing(first, null, since), showing(second, null, since)]);

  // Without a group the same node still talks to its own display alone.
  helper.getNode('to-first').receive({ payload: 'Just me' });
  expect((await out.next(() => true, 10_000, 2)).payload).toMatchObject({ ok: true, id: expect.any(String) });
  expect(((await out.next(() => true, 10_000, 2)).payload as { replies?: unknown }).replies).toBeUndefined();

  helper.getNode('to-first').receive({ group: 'Kitchen!', payload: 'x' });
  expect(((await caught.next()).error as { message: string }).message).toBe(
    'InvalidInputError: megabit notify: msg.group must be a group name (1-64 of a-z, 0-9, "_", "-"), got "Kitchen!"',
  );
  helper.getNode('group-node').receive({ group: 'downstairs', payload: 'x' });
  expect(((await caught.next(() => true, 10_000, 1)).error as { message: string }).message).toBe(
    'Error: megabit notify: the device node is group "kitchen" already; it cannot send to group "downstairs"',
  );
});

it('stops collecting at MAX_GROUP_REPLIES: a flood of replies on the group topic cannot grow one output without bound', async () => {
  await helper.load(
    NODES,
    flow(
      // A minute's window: only the cap can end the collection within the test's limits.
      deviceConfig('group', { broker: first.mqttUrl, baseTopic: 'megabit', deviceId: 'megabit', group: 'kitchen', groupWait: 60 }),
      { id: 'notify', type: 'megabit notify', device: 'group', wires: [['out']] },
      { id: 'out', type: 'helper' },
    ),
  );
  await until('the group to be online', () => linkOf('group').state === 'online');
  const out = new Collector('out');
  const kitchen = new GroupTopics('megabit', 'kitchen');
  await client.subscribe(kitchen.cmd('notify'));
  const since = client.messages.length;

  helper.getNode('notify').receive({ payload: 'Flood' });
  const command = await client.waitFor(kitchen.cmd('notify'), () => true, 10_000, since);
  const { transaction } = json<{ transaction: string }>(command.payload);
  for (let i = 0; i < MAX_GROUP_REPLIES + 20; i++) {
    await client.publish(kitchen.response('notify'), JSON.stringify({ ok: true, id: 'x', transaction, device_id: `fake-${i}`, group: 'kitchen' }));
  }
  const reply = (await out.next()).payload as GroupReply;
  expect(reply.replies).toHaveLength(MAX_GROUP_REPLIES);
});

it('keeps at most MAX_GROUP_TARGETS groups subscribed: msg.group naming ever new groups cannot grow the subscriptions without bound', async () => {
  await helper.load(
    NODES,
    flow(
      deviceConfig('one', { broker: first.mqttUrl, baseTopic: 'megabit', deviceId: 'first', groupWait: 0.05 }),
      { id: 'to-any', type: 'megabit notify', device: 'one', wires: [['out']] },
      { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
      { id: 'out', type: 'helper' },
      { id: 'caught', type: 'helper' },
    ),
  );
  await until('the display to be online', () => linkOf('one').state === 'online');
  const out = new Collector('out');
  const caught = new Collector('caught');
  const link = linkOf('one');
  const groupFilters = () => link.subscribedFilters().filter((f) => f.startsWith('megabit/group/'));
  const filterOf = (group: string) => `${new GroupTopics('megabit', group).response('')}#`;
  await client.subscribe('megabit/group/+/cmd/notify');

  /** Sends to `group` and returns its command's transaction; nobody in these groups answers but the test. */
  const sendTo = async (group: string): Promise<string> => {
    const since = client.messages.length;
    helper.getNode('to-any').receive({ group, payload: `to ${group}` });
    const command = await client.waitFor(new GroupTopics('megabit', group).cmd('notify'), () => true, 10_000, since);
    return json<{ transaction: string }>(command.payload).transaction;
  };
  const answer = (group: string, transaction: string) =>
    client.publish(new GroupTopics('megabit', group).response('notify'), JSON.stringify({ ok: true, id: 'x', transaction, device_id: 'fake', group }));

  const names = Array.from({ length: MAX_GROUP_TARGETS + 4 }, (_, i) => `g${i}`);
  for (const [i, group] of names.entries()) {
    await answer(group, await sendTo(group));
    expect((await out.next(() => true, 10_000, i)).payload).toMatchObject({ ok: true, group });
    expect(groupFilters().length).toBeLessThanOrEqual(MAX_GROUP_TARGETS);
  }
  // The least recently used went first.
  expect(groupFilters()).toEqual(names.slice(-MAX_GROUP_TARGETS).map(filterOf));

  // A group dropped is subscribed again when addressed, and its reply still comes.
  await answer('g0', await sendTo('g0'));
  expect((await out.next(() => true, 10_000, names.length)).payload).toMatchObject({ ok: true, group: 'g0' });
  expect(groupFilters()).toContain(filterOf('g0'));
  expect(groupFilters()).not.toContain(filterOf('g4'));
  expect(groupFilters()).toHaveLength(MAX_GROUP_TARGETS);

  // A group with a command waiting is never dropped: with all of them waiting, a new group is refused.
  const waiting = Array.from({ length: MAX_GROUP_TARGETS }, (_, i) => `w${i}`);
  const transactions: string[] = [];
  for (const group of waiting) transactions.push(await sendTo(group));
  expect(groupFilters()).toEqual(waiting.map(filterOf));
  helper.getNode('to-any').receive({ group: 'one-too-many', payload: 'x' });
  expect(((await caught.next()).error as { message: string }).message).toBe(
    `Error: megabit notify: commands to ${MAX_GROUP_TARGETS} other groups are waiting for replies; send to group "one-too-many" again once they are answered`,
  );
  expect(groupFilters()).toEqual(waiting.map(filterOf));
  for (const [i, group] of waiting.entries()) await answer(group, transactions[i]);
  await until('every waiting group to be answered', () => out.messages.length === names.length + 1 + waiting.length);
});
