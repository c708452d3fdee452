/**
 * A `megabit-device` config node set to a display group, in Node-RED's real runtime against two
 * real bridges in that group (the second on the first's embedded broker): the notify node's
 * message shows on both displays, its output is a member's reply with its device_id, the status
 * follows the group's availability, and a dismiss through the same node clears both.
 */
import { GroupTopics, OUT, type DeviceState } from '@megabit/contract';
import { startBridge, type RunningBridge } from '../../bridge/test/helpers/bridge-process';
import { json, TestClient } from '../../bridge/test/helpers/mqtt-client';
import { Collector, deviceConfig, flow, helper, linkOf, NODES, until } from './helpers/node-red';

jest.setTimeout(90_000);

const MEMBER = { apps: ['clock'], settings: { groups: ['kitchen'], rotation: { enabled: false }, homeassistant: { enabled: false } } };
let first: RunningBridge;
let second: RunningBridge;
let client: TestClient;

beforeAll(async () => {
  first = await startBridge({ ...MEMBER, deviceId: 'first' });
  second = await startBridge({ ...MEMBER, deviceId: 'second', settings: { ...MEMBER.settings, mqtt: { url: first.mqttUrl, base_topic: 'megabit' } } });
  client = await TestClient.connect(first.mqttUrl);
  await client.subscribe('megabit/+/state');
  await helper.startServer();
});

afterAll(async () => {
  await helper.unload();
  await helper.stopServer();
  await client?.close();
  await second?.dispose();
  await first?.dispose();
});

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
  const reply = (await out.next()).payload as { ok: boolean; id: string; device_id: string; group: string };
  expect(reply).toMatchObject({ ok: true, id: 'kettle', group: 'kitchen' });
  expect(['first', 'second']).toContain(reply.device_id);
  await Promise.all([showing(first, 'kettle', since), showing(second, 'kettle', since)]);

  const dismissedSince = client.messages.length;
  helper.getNode('notify').receive({ topic: 'dismiss', payload: { id: 'kettle' } });
  expect((await out.next(() => true, 10_000, 1)).payload).toMatchObject({ ok: true, dismissed: true, group: 'kitchen' });
  await Promise.all([showing(first, null, dismissedSince), showing(second, null, dismissedSince)]);
});
