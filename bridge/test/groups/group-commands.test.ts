/**
 * A group's commands through the real command router, with a recording MQTT transport in front
 * and a scripted device behind: they share the display's lanes and queue bound, every reply goes
 * to the display's own and the group's response topic with device_id and group, and commands
 * that are each display's own are refused without reaching the device.
 */
import { DeviceTopics, GroupTopics, MAX_COMMAND_BYTES, type DeviceState } from '@megabit/contract';
import type { DeviceControl } from '../../src/device/device-control';
import { groupCommandSource } from '../../src/groups/group-commands';
import { CommandRouter, type CommandTransport } from '../../src/mqtt/api/command-router';
import type { MessageHandler } from '../../src/mqtt/connection';
import { recordingLog } from '../helpers/logs';

const own = new DeviceTopics('megabit', 'kitchen-1');
const kitchen = new GroupTopics('megabit', 'kitchen');

class RecordingTransport implements CommandTransport {
  readonly handlers = new Map<string, MessageHandler>();
  readonly published: { topic: string; body: Record<string, unknown> }[] = [];
  subscribe(filter: string, handler: MessageHandler): void {
    this.handlers.set(filter, handler);
  }
  unsubscribe(filter: string): void {
    this.handlers.delete(filter);
  }
  publish(topic: string, payload: string | Buffer): void {
    this.published.push({ topic, body: JSON.parse(payload.toString()) as Record<string, unknown> });
  }
  send(topics: DeviceTopics, path: string, payload: string | Buffer): void {
    this.handlers.get(topics.allCommands)!(topics.cmd(path), Buffer.from(payload), false);
  }
}

/** A device whose app commands wait for `release`, so lane order shows. */
function scriptedDevice() {
  const calls: string[] = [];
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const device = {
    notify: (r: { text: string; id?: string }) => {
      calls.push(`notify ${r.text}`);
      return { id: r.id ?? 'n1' };
    },
    nextApp: () => void calls.push('next'),
    setAppOrder: async () => {
      calls.push('order (held)');
      await held;
    },
    removeApp: async (id: string) => void calls.push(`remove ${id}`),
    apps: () => [{ id: 'clock', name: 'Clock', version: '1', enabled: true, status: 'ok' as const }],
    state: () => ({ app: 'clock' }) as DeviceState,
  };
  return { device: device as unknown as DeviceControl, calls, release };
}

function setUp() {
  const mqtt = new RecordingTransport();
  const { device, calls, release } = scriptedDevice();
  const context = {
    device,
    icons: { upload: () => Promise.reject(new Error('not used')), remove: () => Promise.reject(new Error('not used')) },
    publishScreen: () => undefined,
  };
  const router = new CommandRouter(mqtt, own, context, recordingLog().log);
  router.addSource(groupCommandSource(kitchen, own, 'kitchen-1', context, mqtt));
  router.start();
  return { mqtt, router, calls, release };
}

describe('group commands in the command router', () => {
  it('subscribe to the group’s commands beside the display’s own, and stop with them', async () => {
    const { mqtt, router } = setUp();
    expect([...mqtt.handlers.keys()].sort()).toEqual(['megabit/group/kitchen/cmd/#', 'megabit/kitchen-1/cmd/#']);
    await router.stop();
    expect(mqtt.handlers.size).toBe(0);
  });

  it('reply on the display’s own and the group’s response topic, with device_id, group and the transaction', async () => {
    const { mqtt, router } = setUp();
    mqtt.send(kitchen, 'notify', '{"text":"Tea","id":"tea","transaction":"t1"}');
    await router.idle();
    const body = { ok: true, id: 'tea', transaction: 't1', device_id: 'kitchen-1', group: 'kitchen' };
    expect(mqtt.published).toEqual([
      { topic: 'megabit/kitchen-1/response/notify', body },
      { topic: 'megabit/group/kitchen/response/notify', body },
    ]);
    // The display's own commands are answered as before: no device_id, no group.
    mqtt.send(own, 'notify', '{"text":"Mine","id":"mine"}');
    await router.idle();
    expect(mqtt.published.slice(2)).toEqual([{ topic: 'megabit/kitchen-1/response/notify', body: { ok: true, id: 'mine' } }]);
  });

  it('share the display’s lanes: a group app command waits behind the display’s own', async () => {
    const { mqtt, router, calls, release } = setUp();
    mqtt.send(own, 'apps/order', '{"order":["clock"]}');
    mqtt.send(kitchen, 'app/next', '');
    mqtt.send(kitchen, 'notify', 'Quick');
    await new Promise((resolve) => setImmediate(resolve));
    // The display lane's notification went ahead; the group's app/next waits for the order.
    expect(calls).toEqual(['order (held)', 'notify Quick']);
    release();
    await router.idle();
    expect(calls).toEqual(['order (held)', 'notify Quick', 'next']);
  });

  it('refuse a display’s own commands sent to the group, naming where to send them, without touching the device', async () => {
    const { mqtt, router, calls } = setUp();
    mqtt.send(kitchen, 'apps/remove', '{"id":"clock","transaction":5}');
    mqtt.send(kitchen, 'button', '{"button":"main","action":"press"}');
    mqtt.send(kitchen, 'apps/clock/config', '{}');
    await router.idle();
    expect(calls).toEqual([]);
    const replies = mqtt.published.filter((p) => p.topic.startsWith('megabit/group/'));
    expect(replies.map((r) => `${r.topic} ${(r.body.error as { code: string }).code}`).sort()).toEqual([
      'megabit/group/kitchen/response/apps/clock/config unknown_command',
      'megabit/group/kitchen/response/apps/remove unknown_command',
      'megabit/group/kitchen/response/button unknown_command',
    ]);
    const remove = replies.find((r) => r.topic.endsWith('/apps/remove'))!;
    expect(remove.body).toMatchObject({ ok: false, transaction: 5, device_id: 'kitchen-1', group: 'kitchen' });
    expect((remove.body.error as { message: string }).message).toContain('megabit/kitchen-1/cmd/apps/remove');
  });
  it('answer bad group input with the same errors as the display’s own', async () => {
    const { mqtt, router, calls } = setUp();
    mqtt.send(kitchen, 'notify', '{"text":');
    mqtt.send(kitchen, 'notify', 'x'.repeat(MAX_COMMAND_BYTES + 1));
    mqtt.send(kitchen, 'no/such', '');
    await router.idle();
    expect(calls).toEqual([]);
    const codes = mqtt.published.filter((p) => p.topic.startsWith('megabit/group/')).map((p) => (p.body.error as { code: string }).code);
    expect(codes.sort()).toEqual(['bad_json', 'too_large', 'unknown_command']);
  });
});
