/** The discovery configs as built, before any broker: schema, ids, topics, templates. */
import { DeviceTopics, type AppStatus } from '@megabit/contract';
import { buildDiscoveryConfigs, configFilter, nodeIdFor, type DiscoveryIdentity } from '../../src/homeassistant/discovery-configs';
import { topicMatches as matches } from '@megabit/contract';
import { discoveryProblems } from './discovery-schema';

const identity: DiscoveryIdentity = {
  discoveryPrefix: 'homeassistant',
  baseTopic: 'megabit',
  deviceId: 'megabit',
  version: '0.1.0',
  configurationUrl: 'http://display.local:8000/',
};
const topics = new DeviceTopics('megabit', 'megabit');
const app = (id: string, enabled = true): AppStatus => ({ id, name: id, version: '1.0.0', enabled, status: 'ok' });

describe('discovery configs', () => {
  const configs = buildDiscoveryConfigs(identity, topics, [app('clock'), app('scroll'), app('off', false)]);

  it('every config has what Home Assistant requires of its component', () => {
    const problems = configs.flatMap((c) => discoveryProblems(c.topic, c.payload, 'homeassistant').map((p) => `${c.topic}: ${p}`));
    expect(problems).toEqual([]);
  });

  it('the exact topics, one per entity and per button action', () => {
    expect(configs.map((c) => c.topic).sort()).toEqual([
      'homeassistant/button/megabit_megabit/dismiss_notification/config',
      'homeassistant/button/megabit_megabit/next_app/config',
      'homeassistant/button/megabit_megabit/previous_app/config',
      'homeassistant/device_automation/megabit_megabit/button_double_press/config',
      'homeassistant/device_automation/megabit_megabit/button_long_press/config',
      'homeassistant/device_automation/megabit_megabit/button_short_press/config',
      'homeassistant/event/megabit_megabit/button/config',
      'homeassistant/image/megabit_megabit/screen/config',
      'homeassistant/light/megabit_megabit/display/config',
      'homeassistant/notify/megabit_megabit/notification/config',
      'homeassistant/select/megabit_megabit/app/config',
      'homeassistant/sensor/megabit_megabit/current_app/config',
      'homeassistant/sensor/megabit_megabit/fps/config',
      'homeassistant/sensor/megabit_megabit/uptime/config',
      'homeassistant/switch/megabit_megabit/rotation/config',
    ]);
    for (const c of configs) expect(matches(configFilter('homeassistant', 'megabit_megabit'), c.topic)).toBe(true);
  });

  it('entities are bound to the control API topics', () => {
    const by = (objectId: string): Record<string, unknown> => configs.find((c) => c.objectId === objectId)!.payload;
    expect(by('display')).toMatchObject({ name: null, schema: 'json', command_topic: 'megabit/megabit/cmd/display', state_topic: 'megabit/megabit/state', brightness: true });
    expect(by('app')).toMatchObject({ command_topic: 'megabit/megabit/cmd/app', state_topic: 'megabit/megabit/state', options: ['clock', 'scroll'] });
    expect(by('next_app')).toMatchObject({ command_topic: 'megabit/megabit/cmd/app/next', payload_press: '{}' });
    expect(by('previous_app')).toMatchObject({ command_topic: 'megabit/megabit/cmd/app/previous', payload_press: '{}' });
    expect(by('dismiss_notification')).toMatchObject({ command_topic: 'megabit/megabit/cmd/notify/dismiss', payload_press: '{}' });
    expect(by('notification')).toMatchObject({ command_topic: 'megabit/megabit/cmd/notify' });
    expect(by('fps')).toMatchObject({ entity_category: 'diagnostic', state_topic: 'megabit/megabit/state' });
    expect(by('uptime')).toMatchObject({ entity_category: 'diagnostic', device_class: 'duration', unit_of_measurement: 's' });
    expect(by('current_app').entity_category).toBeUndefined();
    expect(by('button')).toMatchObject({ state_topic: 'megabit/megabit/event/button', event_types: ['press', 'long_press', 'double_press'] });
    expect(by('screen')).toMatchObject({ image_topic: 'megabit/megabit/display/png', content_type: 'image/png' });
    expect(by('rotation')).toMatchObject({ command_topic: 'megabit/megabit/cmd/rotation', payload_on: 'ON', payload_off: 'OFF' });
    for (const [objectId, action] of [['button_short_press', 'press'], ['button_long_press', 'long_press'], ['button_double_press', 'double_press']]) {
      expect(by(objectId)).toMatchObject({ automation_type: 'trigger', topic: 'megabit/megabit/event/button', type: objectId, subtype: 'button_1', payload: action });
    }
  });

  it('one device block with the identity, origin and availability on every entity', () => {
    const device = configs[0].payload.device;
    expect(device).toEqual({
      identifiers: ['megabit_megabit_megabit'],
      name: 'Megabit',
      manufacturer: 'Megabit',
      model: 'Megabit 64x32 LED matrix',
      sw_version: '0.1.0',
      configuration_url: 'http://display.local:8000/',
    });
    for (const c of configs) {
      expect(c.payload.device).toEqual(device);
      expect(c.payload.origin).toEqual({ name: 'Megabit bridge', sw_version: '0.1.0' });
      if (c.component !== 'device_automation') expect(c.payload.availability).toEqual([{ topic: 'megabit/megabit/availability' }]);
    }
  });

  it('unique ids are unique per device and base topic; default entity ids name the component', () => {
    const ids = configs.filter((c) => c.component !== 'device_automation').map((c) => c.payload.unique_id);
    expect(new Set(ids).size).toBe(ids.length);
    const other = buildDiscoveryConfigs({ ...identity, baseTopic: 'home/megabit' }, new DeviceTopics('home/megabit', 'megabit'), []);
    const otherIds = new Set(other.map((c) => c.payload.unique_id));
    for (const id of ids) expect(otherIds.has(id)).toBe(false);
    expect(configs.find((c) => c.objectId === 'display')!.payload.default_entity_id).toBe('light.megabit_display');
    const hall = buildDiscoveryConfigs({ ...identity, deviceId: 'hall-way' }, new DeviceTopics('megabit', 'hall-way'), []);
    expect(hall.find((c) => c.objectId === 'rotation')!.payload.default_entity_id).toBe('switch.hall_way_rotation');
    expect(hall[0].payload.device).toMatchObject({ name: 'Megabit hall-way' });
  });

  it('node ids stay valid and distinct for base topics with slashes', () => {
    expect(nodeIdFor('megabit', 'kitchen')).toBe('megabit_kitchen');
    const a = nodeIdFor('home/megabit', 'kitchen');
    const b = nodeIdFor('home_megabit', 'kitchen');
    expect(a).toMatch(/^[a-zA-Z0-9_-]+$/);
    expect(a).not.toBe(b);
  });

  it('no enabled app: no select, since Home Assistant refuses one without options', () => {
    const none = buildDiscoveryConfigs(identity, topics, [app('off', false)]);
    expect(none.some((c) => c.component === 'select')).toBe(false);
    expect(none.flatMap((c) => discoveryProblems(c.topic, c.payload, 'homeassistant'))).toEqual([]);
  });

  it('the schema checker itself catches what Home Assistant would refuse', () => {
    const base = configs.find((c) => c.objectId === 'app')!;
    const { options: _o, ...withoutOptions } = base.payload;
    expect(discoveryProblems(base.topic, withoutOptions, 'homeassistant')).toContain('missing required "options"');
    expect(discoveryProblems(base.topic, { ...base.payload, object_id: 'x' }, 'homeassistant')).toContain('object_id is deprecated: use default_entity_id');
    expect(discoveryProblems(base.topic, { ...base.payload, default_entity_id: 'light.megabit_app' }, 'homeassistant')).toHaveLength(1);
    expect(discoveryProblems('homeassistant/select/bad node/app/config', base.payload, 'homeassistant')).toHaveLength(1);
  });
});
