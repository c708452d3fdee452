/**
 * The part that carries a button's dismiss of a group notification to the group, on the real
 * event bus: which presses publish a group dismiss, to which groups, and that acting on a group
 * dismiss never publishes one. Also the id a group notification without one gets.
 */
import { GroupTopics, type DeviceState, type NotifyRequest } from '@megabit/contract';
import type { DeviceControl } from '../../src/device/device-control';
import { EventBus } from '../../src/events';
import { GroupNotifications, groupNotificationId } from '../../src/groups/group-notifications';
import { recordingLog } from '../helpers/logs';

/** The device's notify, dismiss and state as far as this part uses them: one notification showing at most. */
function fakeDevice(bus: EventBus): DeviceControl & { showing: string | null } {
  const device = {
    showing: null as string | null,
    notify: (request: NotifyRequest) => (device.showing = request.id ?? 'local-1'),
    dismissNotification: (id?: string) => {
      const had = device.showing !== null && (id === undefined || id === device.showing);
      if (had) device.showing = null;
      return had;
    },
    // As Device does: listeners hear of the press, then the showing notification is dismissed.
    pressButton: (event: { button: 'main'; action: 'press' | 'long_press' | 'double_press' }) => {
      bus.emit('button', event);
      if (event.action === 'press') device.dismissNotification();
    },
    state: () => ({ notification: device.showing }) as DeviceState,
  };
  return device as unknown as DeviceControl & { showing: string | null };
}

function setUp() {
  const bus = new EventBus(recordingLog().log);
  const device = fakeDevice(bus);
  const published: { topic: string; payload: string }[] = [];
  const groups = new Map(['kitchen', 'downstairs'].map((name) => [name, new GroupTopics('megabit', name)]));
  const part = new GroupNotifications(groups, device, bus, { publish: (topic, payload) => published.push({ topic, payload }) }, recordingLog().log);
  part.start();
  return { bus, device, published, part, kitchen: part.deviceFor('kitchen', device), downstairs: part.deviceFor('downstairs', device) };
}

const press = { button: 'main', action: 'press' } as const;

describe('a button press on a group notification', () => {
  it('publishes one group dismiss with its id, to the group it came from', () => {
    const { device, published, kitchen } = setUp();
    expect(kitchen.notify({ text: 'Door', id: 'door' })).toBe('door');
    device.pressButton(press);
    expect(device.showing).toBeNull();
    expect(published).toEqual([{ topic: 'megabit/group/kitchen/cmd/notify/dismiss', payload: '{"id":"door"}' }]);
  });

  it('reaches every group the notification was sent to', () => {
    const { device, published, kitchen, downstairs } = setUp();
    kitchen.notify({ text: 'Door', id: 'door' });
    downstairs.notify({ text: 'Door', id: 'door' });
    device.pressButton(press);
    expect(published.map((p) => p.topic).sort()).toEqual(['megabit/group/downstairs/cmd/notify/dismiss', 'megabit/group/kitchen/cmd/notify/dismiss']);
  });

  it('publishes nothing for the display’s own notification, for other actions, or when nothing shows', () => {
    const { device, published, kitchen } = setUp();
    device.pressButton(press);
    device.notify({ text: 'Mine', id: 'mine' });
    device.pressButton(press);
    kitchen.notify({ text: 'Door', id: 'door' });
    device.pressButton({ button: 'main', action: 'long_press' });
    device.pressButton({ button: 'main', action: 'double_press' });
    expect(published).toEqual([]);
  });

  it('acting on the group dismiss publishes nothing more: no loop', () => {
    const { device, published, kitchen } = setUp();
    kitchen.notify({ text: 'Door', id: 'door' });
    device.pressButton(press);
    // The group dismiss comes back to this display as a command: it dismisses, it does not press.
    expect(kitchen.dismissNotification('door')).toBe(false);
    kitchen.notify({ text: 'Door', id: 'door' });
    expect(kitchen.dismissNotification('door')).toBe(true);
    expect(published).toHaveLength(1);
  });

  it('stops listening when stopped', () => {
    const { device, published, kitchen, part } = setUp();
    part.stop();
    kitchen.notify({ text: 'Door', id: 'door' });
    device.pressButton(press);
    expect(published).toEqual([]);
  });
});

describe('the id of a group notification sent without one', () => {
  it('is the same on every member for the same content, whatever the key order or transaction', () => {
    const a = groupNotificationId({ text: 'Dinner', color: '#ff8800', transaction: 1 });
    const b = groupNotificationId(JSON.parse('{"color":"#ff8800","transaction":"x","text":"Dinner"}') as NotifyRequest);
    expect(a).toBe(b);
    expect(a).toMatch(/^group-[0-9a-f]{16}$/);
  });

  it('differs for different content', () => {
    expect(groupNotificationId({ text: 'Dinner' })).not.toBe(groupNotificationId({ text: 'Dinner!' }));
    expect(groupNotificationId({ text: 'Dinner' })).not.toBe(groupNotificationId({ text: 'Dinner', priority: 'high' }));
  });

  it('is given to the device, and an id the sender chose is kept', () => {
    const { device, kitchen } = setUp();
    const id = kitchen.notify({ text: 'Dinner' });
    expect(id).toBe(groupNotificationId({ text: 'Dinner' }));
    expect(device.showing).toBe(id);
    expect(kitchen.notify({ text: 'Dinner', id: 'meal' })).toBe('meal');
  });
});
