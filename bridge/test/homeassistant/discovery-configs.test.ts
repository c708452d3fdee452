/** The discovery configs as built, before any broker: schema, ids, topics, templates. */
import { DeviceTopics, type AppStatus } from '@megabit/contract';
import { buildDiscoveryConfigs, configFilter, nodeIdFor, type DiscoveryIdentity } from '../../src/homeassistant/discovery-configs';
import { topicMatches as matches } from '@megabit/contract';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { devicePayload, deviceConfigTopic } from '../../src/homeassistant/device-discovery';
import { SHIPPED_FIRMWARE } from '../../src/homeassistant/firmware-release';
import { deviceDiscoveryProblems, discoveryProblems } from '../helpers/homeassistant/discovery-schema';
import { renderTemplate } from '../helpers/homeassistant/ha-template';

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

  it('the single-component topics, one per entity and per button action (what older versions published; the migration hands them over)', () => {
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
      'homeassistant/number/megabit_megabit/night_brightness/config',
      'homeassistant/select/megabit_megabit/app/config',
      'homeassistant/select/megabit_megabit/night_mode_setting/config',
      'homeassistant/sensor/megabit_megabit/current_app/config',
      'homeassistant/sensor/megabit_megabit/fps/config',
      'homeassistant/sensor/megabit_megabit/uptime/config',
      'homeassistant/switch/megabit_megabit/night_mode/config',
      'homeassistant/switch/megabit_megabit/rotation/config',
    ]);
    for (const c of configs) expect(matches(configFilter('homeassistant', 'megabit_megabit'), c.topic)).toBe(true);
  });

  it('entities are bound to the control API topics', () => {
    const by = (objectId: string): Record<string, unknown> => configs.find((c) => c.objectId === objectId)!.payload;
    expect(by('display')).toMatchObject({
      name: null,
      schema: 'json',
      command_topic: 'megabit/megabit/cmd/display',
      state_topic: 'megabit/megabit/state',
      brightness: true,
    });
    expect(by('app')).toMatchObject({ command_topic: 'megabit/megabit/cmd/app', state_topic: 'megabit/megabit/state', options: ['clock', 'scroll'] });
    expect(by('next_app')).toMatchObject({ command_topic: 'megabit/megabit/cmd/app/next', payload_press: '{}' });
    expect(by('previous_app')).toMatchObject({ command_topic: 'megabit/megabit/cmd/app/previous', payload_press: '{}' });
    expect(by('dismiss_notification')).toMatchObject({ command_topic: 'megabit/megabit/cmd/notify/dismiss', payload_press: '{}' });
    expect(by('notification')).toMatchObject({ command_topic: 'megabit/megabit/cmd/notify', command_template: "{{ {'text': value} | to_json }}" });
    expect(by('fps')).toMatchObject({ entity_category: 'diagnostic', state_topic: 'megabit/megabit/state' });
    expect(by('uptime')).toMatchObject({ entity_category: 'diagnostic', device_class: 'duration', unit_of_measurement: 's' });
    expect(by('current_app').entity_category).toBeUndefined();
    expect(by('button')).toMatchObject({ state_topic: 'megabit/megabit/event/button', event_types: ['press', 'long_press', 'double_press'] });
    expect(by('screen')).toMatchObject({ image_topic: 'megabit/megabit/display/snapshot', content_type: 'image/png' });
    expect(by('rotation')).toMatchObject({ command_topic: 'megabit/megabit/cmd/rotation', payload_on: 'ON', payload_off: 'OFF' });
    for (const [objectId, action] of [
      ['button_short_press', 'press'],
      ['button_long_press', 'long_press'],
      ['button_double_press', 'double_press'],
    ]) {
      expect(by(objectId)).toMatchObject({
        automation_type: 'trigger',
        topic: 'megabit/megabit/event/button',
        type: objectId,
        subtype: 'button_1',
        payload: action,
      });
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
      expect(c.payload.origin).toEqual({ name: 'Megabit bridge', sw_version: '0.1.0', support_url: 'http://display.local:8000/' });
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

  it('no enabled app: the select stays, with no options, so Home Assistant keeps the entity', () => {
    const none = buildDiscoveryConfigs(identity, topics, [app('off', false)]);
    expect(none.find((c) => c.component === 'select')!.payload.options).toEqual([]);
    expect(none.flatMap((c) => discoveryProblems(c.topic, c.payload, 'homeassistant'))).toEqual([]);
  });

  it('the schema checker itself catches what Home Assistant would refuse', () => {
    const base = configs.find((c) => c.objectId === 'app')!;
    const { options: _o, ...withoutOptions } = base.payload;
    expect(discoveryProblems(base.topic, withoutOptions, 'homeassistant')).toContain('missing required "options"');
    expect(discoveryProblems(base.topic, { ...base.payload, options: [''] }, 'homeassistant')).toContain('"options" must be a list of strings');
    expect(discoveryProblems(base.topic, { ...base.payload, object_id: 'x' }, 'homeassistant')).toContain('object_id is deprecated: use default_entity_id');
    expect(discoveryProblems(base.topic, { ...base.payload, default_entity_id: 'light.megabit_app' }, 'homeassistant')).toHaveLength(1);
    expect(discoveryProblems('homeassistant/select/bad node/app/config', base.payload, 'homeassistant')).toHaveLength(1);
  });
});

describe('with a serial display configured', () => {
  const configs = buildDiscoveryConfigs({ ...identity, panel: true }, topics, [app('clock')]);
  const by = (objectId: string): Record<string, unknown> => configs.find((c) => c.objectId === objectId)!.payload;
  const panelState = (connected: boolean, firmware: string | null): string => JSON.stringify({ connected, transport: 'serial', firmware_version: firmware });

  it('the light and the screen need the bridge and the panel; the others the bridge only', () => {
    expect(configs.flatMap((c) => discoveryProblems(c.topic, c.payload, 'homeassistant'))).toEqual([]);
    for (const objectId of ['display', 'screen']) {
      const availability = by(objectId).availability as Array<Record<string, string>>;
      expect(by(objectId).availability_mode).toBe('all');
      expect(availability.map((a) => a.topic)).toEqual(['megabit/megabit/availability', 'megabit/megabit/state/display']);
      // What Home Assistant makes of P/state/display with its template: unplugged is unavailable.
      expect(renderTemplate(availability[1].value_template, panelState(false, null))).toBe('offline');
      expect(renderTemplate(availability[1].value_template, panelState(true, '0.1.0'))).toBe('online');
    }
    for (const objectId of ['app', 'notification', 'rotation', 'firmware']) {
      expect(by(objectId).availability).toEqual([{ topic: 'megabit/megabit/availability' }]);
      expect(by(objectId).availability_mode).toBeUndefined();
    }
  });

  it('without one, nothing follows the panel and there is no firmware entity', () => {
    const plain = buildDiscoveryConfigs(identity, topics, [app('clock')]);
    expect(plain.some((c) => c.component === 'update')).toBe(false);
    for (const c of plain) if (c.component !== 'device_automation') expect(c.payload.availability).toEqual([{ topic: 'megabit/megabit/availability' }]);
  });

  it('the firmware update entity: installed from the device, latest from the image shipped, no install button', () => {
    const update = by('firmware');
    expect(update).toMatchObject({
      device_class: 'firmware',
      entity_category: 'diagnostic',
      state_topic: 'megabit/megabit/state/display',
      default_entity_id: 'update.megabit_firmware',
    });
    expect(update.command_topic).toBeUndefined();
    expect(update.payload_install).toBeUndefined();
    const rendered = JSON.parse(renderTemplate(update.value_template as string, panelState(true, '0.0.9'))) as Record<string, unknown>;
    expect(rendered).toEqual({
      installed_version: '0.0.9',
      latest_version: SHIPPED_FIRMWARE.version,
      title: SHIPPED_FIRMWARE.title,
      release_summary: SHIPPED_FIRMWARE.summary,
    });
    // No device connected: no installed_version, so Home Assistant keeps the one it last saw.
    const unplugged = JSON.parse(renderTemplate(update.value_template as string, panelState(false, null))) as Record<string, unknown>;
    expect(unplugged).toEqual({ latest_version: SHIPPED_FIRMWARE.version, title: SHIPPED_FIRMWARE.title, release_summary: SHIPPED_FIRMWARE.summary });
  });

  it("the version shipped is the one the boards' firmware reports in HELLO", () => {
    for (const board of ['nano33ble', 'qemu_microbit']) {
      const source = readFileSync(join(__dirname, '..', '..', '..', 'firmware', 'board', board, 'board.c'), 'utf8');
      const m = /\.fw_major = (\d+), \.fw_minor = (\d+), \.fw_patch = (\d+)/.exec(source);
      expect({ board, version: m && `${m[1]}.${m[2]}.${m[3]}` }).toEqual({ board, version: SHIPPED_FIRMWARE.version });
    }
  });
});

describe('device-based discovery payload', () => {
  const configs = buildDiscoveryConfigs({ ...identity, panel: true }, topics, [app('clock')]);
  const topic = deviceConfigTopic('homeassistant', 'megabit_megabit');
  const payload = devicePayload(configs);

  it('one topic, device and origin once, every component under its old object id', () => {
    expect(topic).toBe('homeassistant/device/megabit_megabit/config');
    expect(deviceDiscoveryProblems(topic, payload, 'homeassistant')).toEqual([]);
    expect(payload.dev).toEqual(configs[0].payload.device);
    expect(payload.o).toEqual({ name: 'Megabit bridge', sw_version: '0.1.0', support_url: 'http://display.local:8000/' });
    const cmps = payload.cmps as Record<string, Record<string, unknown>>;
    expect(Object.keys(cmps).sort()).toEqual(configs.map((c) => c.objectId).sort());
    for (const c of configs) {
      const { device: _d, origin: _o, ...own } = c.payload;
      expect(cmps[c.objectId]).toEqual({ p: c.component, ...own });
    }
  });

  it('a removed component is {p} alone, and passes', () => {
    const removal = devicePayload(configs, [{ key: 'old_sensor', platform: 'sensor' }]);
    expect((removal.cmps as Record<string, unknown>).old_sensor).toEqual({ p: 'sensor' });
    expect(deviceDiscoveryProblems(topic, removal, 'homeassistant')).toEqual([]);
  });

  it('the checker catches what Home Assistant refuses in a device payload', () => {
    expect(deviceDiscoveryProblems(topic, { ...payload, o: undefined }, 'homeassistant')).toContain('a device payload needs "origin" (o) with a name');
    expect(deviceDiscoveryProblems(topic, { ...payload, cmps: { x: { p: 'nonsense', a: 1 } } }, 'homeassistant')).toEqual([
      'component x: "p" must name a supported platform',
    ]);
    expect(deviceDiscoveryProblems(topic, { ...payload, cmps: { x: { p: 'sensor', name: 'x' } } }, 'homeassistant').length).toBeGreaterThan(0);
    expect(deviceDiscoveryProblems(topic, { migrate_discovery: true }, 'homeassistant')).toEqual([]);
    expect(deviceDiscoveryProblems('homeassistant/device/a/b/config', payload, 'homeassistant')).toHaveLength(1);
  });
});
