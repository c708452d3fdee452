/**
 * A display group on the embedded broker with logins and the shipped ACL: the first bridge's
 * broker is the group's, a second bridge logs in to it as the admin, and Home Assistant (its
 * user in config/megabit.acl) drives the group and reads its replies, its availability and its
 * discovery config, but the broker refuses it a display's own command sent to the group.
 */
import { GroupTopics } from '@megabit/contract';
import { startBridge, type RunningBridge } from '../helpers/bridge-process';
import { withLoginsAndShippedAcl } from '../helpers/shipped-acl';
import { groupRequest } from '../helpers/groups';
import { mosquittoPub } from '../helpers/mosquitto-tools';
import { json, TestClient } from '../helpers/mqtt-client';

jest.setTimeout(90_000);

const ADMIN = { username: 'admin', password: 'admin pass' };
const HA = { username: 'homeassistant', password: 'ha-pass' };
const kitchen = new GroupTopics('megabit', 'kitchen');
const MEMBER = { apps: ['clock'], settings: { groups: ['kitchen'], rotation: { enabled: false } } };

describe('a group on the embedded broker, with logins and the shipped ACL', () => {
  let first: RunningBridge;
  let second: RunningBridge;
  let admin: TestClient;
  let ha: TestClient;

  beforeAll(async () => {
    const { dataDir, broker } = await withLoginsAndShippedAcl([ADMIN, HA]);
    first = await startBridge({ ...MEMBER, dataDir, deviceId: 'first', broker });
    second = await startBridge({
      ...MEMBER,
      deviceId: 'second',
      settings: { ...MEMBER.settings, homeassistant: { enabled: false }, mqtt: { url: first.mqttUrl, base_topic: 'megabit', ...ADMIN } },
    });
    admin = await TestClient.connect(first.mqttUrl, kitchen, { ...ADMIN, protocolVersion: 5 });
    await admin.subscribe('megabit/group/kitchen/response/#');
    ha = await TestClient.connect(first.mqttUrl, kitchen, { ...HA, protocolVersion: 5 });
  });

  afterAll(async () => {
    await ha?.close();
    await admin?.close();
    await second?.dispose();
    await first?.dispose();
  });

  it('Home Assistant’s group notification is taken and answered by both members', async () => {
    const replies = await groupRequest(ha, kitchen, 'notify', { text: 'Tea', id: 'tea' }, 2);
    expect(replies.map((r) => [r.device_id, r.ok, r.id])).toEqual([
      ['first', true, 'tea'],
      ['second', true, 'tea'],
    ]);
  });

  it('Home Assistant reads the group’s availability and its device config', async () => {
    await ha.subscribe([kitchen.out('availability'), 'homeassistant/device/group_megabit_kitchen/config']);
    expect((await ha.waitFor(kitchen.out('availability'))).payload.toString()).toBe('online');
    const config = await ha.waitFor('homeassistant/device/group_megabit_kitchen/config');
    expect(json<{ cmps: { notification: { command_topic: string } } }>(config.payload).cmps.notification.command_topic).toBe(kitchen.cmd('notify'));
  });

  it('the broker refuses Home Assistant a display’s own command sent to the group, and no member acts on it', async () => {
    const denied = await mosquittoPub(first.brokerPort, [
      '-V',
      'mqttv5',
      '-u',
      HA.username,
      '-P',
      HA.password,
      '-q',
      '1',
      '-t',
      kitchen.cmd('apps/remove'),
      '-m',
      '{"id":"clock"}',
    ]);
    expect(denied.stderr).toMatch(/not authori[sz]ed/i);
    // Commands in one lane run in order: once both have answered a later apps-lane command,
    // the refused one would have been answered first, had it reached them.
    const later = await groupRequest(admin, kitchen, 'app', { id: 'clock' }, 2);
    expect(later.every((r) => r.ok)).toBe(true);
    expect(admin.on(kitchen.response('apps/remove'))).toEqual([]);
  });
});
