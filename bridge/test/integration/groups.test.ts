/**
 * Display groups on real parts: five bridge processes on one Debian mosquitto, all in group
 * "kitchen", the first two also in "downstairs". A group command is acted on and answered by
 * every member (on the group's response topic and its own, with its device_id); a button press
 * on one display dismisses a group notification on all of them; a member restarted mid-way
 * takes the group's commands again; commands that are each display's own are refused.
 */
import { GroupTopics } from '@megabit/contract';
import type { RunningBridge } from '../helpers/bridge-process';
import { groupReplies, groupRequest, startMembers, waitForNotification } from '../helpers/groups';
import { Mosquitto } from '../helpers/mosquitto';
import { json, TestClient } from '../helpers/mqtt-client';

jest.setTimeout(180_000);

const kitchen = new GroupTopics('megabit', 'kitchen');
const downstairs = new GroupTopics('megabit', 'downstairs');
const ALL = ['d1', 'd2', 'd3', 'd4', 'd5'];

describe('a group of five displays on one mosquitto', () => {
  let broker: Mosquitto;
  let members: RunningBridge[];
  let client: TestClient;

  beforeAll(async () => {
    broker = await Mosquitto.start();
    members = await startMembers(5, broker.url, (i) => (i < 2 ? ['kitchen', 'downstairs'] : ['kitchen']));
    client = await TestClient.connect(broker.url);
    await client.subscribe('megabit/+/state');
  });

  afterAll(async () => {
    await client?.close();
    await Promise.all((members ?? []).map((m) => m.dispose()));
    await broker?.dispose();
  });

  it('a group notification shows on all five, and each answers with its device_id on the group topic and its own', async () => {
    const since = client.messages.length;
    for (const m of members) await client.subscribe(m.topics.response('notify'));
    const replies = await groupRequest(client, kitchen, 'notify', { text: 'Dinner is ready', hold: true }, 5);
    expect(replies.map((r) => r.device_id)).toEqual(ALL);
    // Sent without an id: every member works out the same one, so a dismiss by id reaches all.
    const id = replies[0].id!;
    expect(id).toMatch(/^group-[0-9a-f]{16}$/);
    for (const r of replies) expect(r).toMatchObject({ ok: true, id, group: 'kitchen', transaction: replies[0].transaction });
    await waitForNotification(client, members, id, since);
    for (const m of members) {
      const own = await client.waitFor(
        m.topics.response('notify'),
        (msg) => json<{ transaction?: string }>(msg.payload).transaction === replies[0].transaction,
        10_000,
        since,
      );
      expect(json(own.payload)).toMatchObject({ ok: true, id, device_id: m.deviceId, group: 'kitchen' });
    }
    const cleared = client.messages.length;
    const dismissed = await groupRequest(client, kitchen, 'notify/dismiss', { id }, 5);
    expect(dismissed.every((r) => r.ok && r.dismissed === true)).toBe(true);
    await waitForNotification(client, members, null, cleared);
  });

  it('a press of one display’s button dismisses the group notification on every display, without a dismiss loop', async () => {
    const before = client.messages.length;
    const [notified] = await groupRequest(client, kitchen, 'notify', { text: 'Door open', id: 'door', hold: true }, 5);
    expect(notified.id).toBe('door');
    await waitForNotification(client, members, 'door', before);
    const since = client.messages.length;
    await client.subscribe(kitchen.cmd('notify/dismiss'));
    const pressed = members[2];
    const press = await TestClient.connect(broker.url, pressed.topics);
    try {
      expect(await press.request('button', { button: 'main', action: 'press' })).toMatchObject({ ok: true });
    } finally {
      await press.close();
    }
    await waitForNotification(client, members, null, since);
    // Exactly one group dismiss went out (from the display that was pressed); the members that
    // acted on it published none of their own.
    const dismiss = await client.waitFor(kitchen.cmd('notify/dismiss'), () => true, 10_000, since);
    expect(json(dismiss.payload)).toEqual({ id: 'door' });
    const answered = await groupReplies(client, kitchen, 'notify/dismiss', undefined, 5, since);
    expect(answered.map((r) => r.device_id)).toEqual(ALL);
    // The pressed display had already dismissed it; the other four dismissed it on the group's word.
    expect(answered.filter((r) => r.dismissed === true).map((r) => r.device_id)).toEqual(ALL.filter((d) => d !== pressed.deviceId));
    expect(client.on(kitchen.cmd('notify/dismiss'), since)).toHaveLength(1);
  });

  it('a group dismiss by id clears it everywhere, and one group’s commands reach only its members', async () => {
    const before = client.messages.length;
    const replies = await groupRequest(client, downstairs, 'notify', { text: 'Laundry', id: 'laundry', hold: true }, 2);
    expect(replies.map((r) => r.device_id)).toEqual(['d1', 'd2']);
    await waitForNotification(client, members.slice(0, 2), 'laundry', before);
    const since = client.messages.length;
    const dismissed = await groupRequest(client, downstairs, 'notify/dismiss', { id: 'laundry' }, 2);
    expect(dismissed.map((r) => [r.device_id, r.dismissed])).toEqual([
      ['d1', true],
      ['d2', true],
    ]);
    await waitForNotification(client, members.slice(0, 2), null, since);
    // A kitchen round trip after it: every member has handled what came before, and still only two answered downstairs.
    await groupRequest(client, kitchen, 'rotation', { enabled: false }, 5);
    expect(
      client
        .on(downstairs.response('notify'))
        .map((m) => json<{ device_id: string }>(m.payload).device_id)
        .sort(),
    ).toEqual(['d1', 'd2']);
  });

  it('the display commands act on every member; installs and the like are refused as each display’s own', async () => {
    const shown = await groupRequest(client, kitchen, 'display', { brightness: 42 }, 5);
    expect(shown.map((r) => [r.device_id, r.ok, r.brightness])).toEqual(ALL.map((d) => [d, true, 42]));
    const refused = await groupRequest(client, kitchen, 'apps/remove', { id: 'clock' }, 5);
    for (const r of refused) {
      expect(r.ok).toBe(false);
      expect(r.error!.code).toBe('unknown_command');
      expect(r.error!.message).toContain(`megabit/${r.device_id}/cmd/apps/remove`);
    }
    // Nothing was removed: each display still shows its app.
    const app = await groupRequest(client, kitchen, 'app', { id: 'clock' }, 5);
    expect(app.every((r) => r.ok && r.app === 'clock')).toBe(true);
  });

  it('a group screen is kept by every member and shown when asked for, then removed from all', async () => {
    const stored = await groupRequest(client, kitchen, 'screens/dinner', { text: 'Dinner 19:00', icon: 'bell' }, 5);
    expect(stored.map((r) => [r.device_id, r.ok, r.id])).toEqual(ALL.map((d) => [d, true, 'dinner']));
    const shown = await groupRequest(client, kitchen, 'app', { id: 'dinner' }, 5);
    expect(shown.map((r) => [r.device_id, r.ok, r.app])).toEqual(ALL.map((d) => [d, true, 'dinner']));
    // An empty payload removes a screen; it carries no transaction, so the replies have none.
    const since = client.messages.length;
    await client.publish(kitchen.cmd('screens/dinner'), '');
    const removed = await groupReplies(client, kitchen, 'screens/dinner', undefined, 5, since);
    expect(removed.map((r) => [r.device_id, r.ok, r.removed])).toEqual(ALL.map((d) => [d, true, true]));
    const gone = await groupRequest(client, kitchen, 'app', { id: 'dinner' }, 5);
    expect(gone.map((r) => r.error?.code)).toEqual(ALL.map(() => 'unknown_app'));
  });

  it('bad group requests get a clear error from every member and change nothing', async () => {
    const bad = await groupRequest(client, kitchen, 'notify', { text: '' }, 5);
    expect(bad.map((r) => r.error?.code)).toEqual(ALL.map(() => 'invalid_payload'));
    const unknown = await groupRequest(client, kitchen, 'no/such/command', {}, 5);
    expect(unknown.map((r) => r.error?.code)).toEqual(ALL.map(() => 'unknown_command'));
    const missingApp = await groupRequest(client, kitchen, 'app', { id: 'nope' }, 5);
    expect(missingApp.map((r) => r.error?.code)).toEqual(ALL.map(() => 'unknown_app'));
  });

  it('the members set the group’s availability online (retained), Home Assistant or not', async () => {
    const late = await TestClient.connect(broker.url);
    try {
      await late.subscribe(kitchen.out('availability'));
      const availability = await late.waitFor(kitchen.out('availability'));
      expect([availability.payload.toString(), availability.retain]).toEqual(['online', true]);
    } finally {
      await late.close();
    }
  });

  it('a member restarted mid-way takes the group’s commands again', async () => {
    const restarted = members[4];
    await restarted.restart();
    const since = client.messages.length;
    const replies = await groupRequest(client, kitchen, 'notify', { text: 'Back again', id: 'back', hold: true }, 5);
    expect(replies.map((r) => r.device_id)).toEqual(ALL);
    await waitForNotification(client, members, 'back', since);
    await groupRequest(client, kitchen, 'notify/dismiss', { id: 'back' }, 5);
  });
});
