/**
 * Home Assistant's device for a display group: what its config holds (checked by the suite's
 * discovery schema), that every member publishes the same bytes, and, with two real bridges on
 * mosquitto, that the group's device is there once both run and stays when one of them stops.
 */
import { GroupTopics, topicMatches } from '@megabit/contract';
import { configFilter, nodeIdFor } from '../../src/homeassistant/discovery-configs';
import { deviceConfigTopic, devicePayload } from '../../src/homeassistant/device-discovery';
import { buildGroupDiscoveryConfigs, groupNodeId } from '../../src/homeassistant/group-discovery';
import type { RunningBridge } from '../helpers/bridge-process';
import { startMembers } from '../helpers/groups';
import { deviceDiscoveryProblems, discoveryProblems } from '../helpers/homeassistant/discovery-schema';
import { Mosquitto } from '../helpers/mosquitto';
import { json, TestClient } from '../helpers/mqtt-client';

jest.setTimeout(90_000);

const kitchen = new GroupTopics('megabit', 'kitchen');
const CONFIG_TOPIC = 'homeassistant/device/group_megabit_kitchen/config';

describe('the group device as built', () => {
  const configs = buildGroupDiscoveryConfigs('homeassistant', 'megabit', kitchen);

  it('passes the discovery schema, as single components and as one device payload', () => {
    expect(configs.flatMap((c) => discoveryProblems(c.topic, c.payload, 'homeassistant'))).toEqual([]);
    expect(deviceConfigTopic('homeassistant', groupNodeId('megabit', 'kitchen'))).toBe(CONFIG_TOPIC);
    expect(deviceDiscoveryProblems(CONFIG_TOPIC, devicePayload(configs), 'homeassistant')).toEqual([]);
  });

  it('is a notify entity and the next, previous and dismiss buttons on the group’s command topics', () => {
    const by = Object.fromEntries(configs.map((c) => [c.objectId, c.payload]));
    expect(Object.keys(by).sort()).toEqual(['dismiss_notification', 'next_app', 'notification', 'previous_app']);
    expect(by.notification).toMatchObject({ command_topic: 'megabit/group/kitchen/cmd/notify', unique_id: 'group_megabit_kitchen_notification' });
    expect(by.next_app).toMatchObject({ command_topic: 'megabit/group/kitchen/cmd/app/next', payload_press: '{}' });
    expect(by.previous_app).toMatchObject({ command_topic: 'megabit/group/kitchen/cmd/app/previous', payload_press: '{}' });
    expect(by.dismiss_notification).toMatchObject({ command_topic: 'megabit/group/kitchen/cmd/notify/dismiss', payload_press: '{}' });
    for (const payload of Object.values(by)) expect(payload.availability).toEqual([{ topic: 'megabit/group/kitchen/availability' }]);
  });

  it('depends on nothing but the group, so every member publishes the same bytes; a display’s removal never matches it', () => {
    const again = JSON.stringify(devicePayload(buildGroupDiscoveryConfigs('homeassistant', 'megabit', new GroupTopics('megabit', 'kitchen'))));
    expect(again).toBe(JSON.stringify(devicePayload(configs)));
    expect(again).not.toMatch(/sw_version|configuration_url|support_url/);
    // `megabit --remove-discovery` of a display (even one named like the group) leaves the group's configs.
    for (const deviceId of ['megabit', 'kitchen', 'group']) {
      const nodeId = nodeIdFor('megabit', deviceId);
      expect(topicMatches(configFilter('homeassistant', nodeId), configs[0].topic)).toBe(false);
      expect(deviceConfigTopic('homeassistant', nodeId)).not.toBe(CONFIG_TOPIC);
    }
    expect(buildGroupDiscoveryConfigs('homeassistant', 'megabit', new GroupTopics('megabit', 'downstairs'))[0].payload.unique_id).not.toBe(
      configs[0].payload.unique_id,
    );
  });
});

describe('two members on mosquitto', () => {
  let broker: Mosquitto;
  let members: RunningBridge[] = [];
  let client: TestClient;

  beforeAll(async () => {
    broker = await Mosquitto.start();
    client = await TestClient.connect(broker.url);
    await client.subscribe([CONFIG_TOPIC, kitchen.out('availability')]);
    members = await startMembers(
      2,
      broker.url,
      () => ['kitchen'],
      () => ({ settings: { homeassistant: { enabled: true } } }),
    );
  });

  afterAll(async () => {
    await client?.close();
    await Promise.all(members.map((m) => m.dispose()));
    await broker?.dispose();
  });

  it('each publishes the group’s device, the same retained config, and the group’s availability', async () => {
    const deadline = Date.now() + 20_000;
    while (client.on(CONFIG_TOPIC).length < 2 && Date.now() < deadline) await client.waitFor(CONFIG_TOPIC, () => true, 20_000, client.messages.length);
    const published = client.on(CONFIG_TOPIC).map((m) => m.payload.toString());
    expect(published.length).toBeGreaterThanOrEqual(2);
    expect(new Set(published).size).toBe(1);
    expect(deviceDiscoveryProblems(CONFIG_TOPIC, json(Buffer.from(published[0])), 'homeassistant')).toEqual([]);
    expect((await client.waitFor(kitchen.out('availability'))).payload.toString()).toBe('online');
  });

  it('the group’s device stays when one member stops', async () => {
    expect(await members[0].stop()).toBe(0);
    const late = await TestClient.connect(broker.url);
    try {
      await late.subscribe(CONFIG_TOPIC);
      const retained = await late.waitFor(CONFIG_TOPIC);
      expect(retained.retain).toBe(true);
      expect(json<{ cmps: Record<string, unknown> }>(retained.payload).cmps).toHaveProperty('notification');
    } finally {
      await late.close();
    }
  });
});
