/**
 * Home Assistant MQTT discovery: one config per entity, each bound to the control API
 * (docs/mqtt-api.md), so Home Assistant drives the display through the same topics as everyone
 * else. Pure functions: what is published, retained and cleared is decided in discovery.ts.
 */
import { createHash } from 'node:crypto';
import { BUTTON_ACTIONS, CMD, OUT, type AppStatus, type ButtonAction, type DeviceTopics } from '@megabit/contract';
import { SHIPPED_FIRMWARE } from './firmware-release';

export type DiscoveryComponent = 'light' | 'select' | 'button' | 'notify' | 'sensor' | 'event' | 'device_automation' | 'image' | 'switch' | 'number' | 'update';

export interface DiscoveryConfig {
  component: DiscoveryComponent;
  objectId: string;
  /** `<prefix>/<component>/<node_id>/<object_id>/config` */
  topic: string;
  payload: Record<string, unknown>;
}

export interface DiscoveryIdentity {
  discoveryPrefix: string;
  baseTopic: string;
  deviceId: string;
  version: string;
  /** Where "Visit" on Home Assistant's device page leads: the simulator page. */
  configurationUrl?: string;
  /**
   * A serial display is configured (`serial.path`): the entities that need the panel also follow
   * `P/state/display`'s `connected`, and the coprocessor firmware gets an update entity.
   */
  panel?: boolean;
}

/** Home Assistant's trigger type for each button action (names its frontend translates). */
export const TRIGGER_TYPES: Record<ButtonAction, string> = {
  press: 'button_short_press',
  long_press: 'button_long_press',
  double_press: 'button_double_press',
};

/**
 * The discovery node id: base topic and device id together, so two bridges that share a broker
 * never overwrite each other's configs. Characters a topic level may hold but a node id may not
 * are replaced, with a hash of the original so that distinct prefixes stay distinct.
 */
export function nodeIdFor(baseTopic: string, deviceId: string): string {
  const raw = `${baseTopic}_${deviceId}`;
  const safe = raw.replace(/[^a-zA-Z0-9_-]/g, '_');
  return safe === raw ? safe : `${safe}_${createHash('sha1').update(raw).digest('hex').slice(0, 6)}`;
}

/** Every config topic of this device, for collecting (and clearing) retained configs. */
export function configFilter(discoveryPrefix: string, nodeId: string): string {
  return `${discoveryPrefix}/+/${nodeId}/+/config`;
}

/** An entity id's object part: lower-case letters, digits and single inner underscores. */
function slug(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '_')
      .replace(/^_+|_+$/g, '') || 'megabit'
  );
}

/** Jinja for `P/state/display`: the panel is there (its link is up). */
const PANEL_AVAILABLE = "{{ 'online' if value_json.connected else 'offline' }}";

/**
 * Home Assistant's notify entity publishes the bare message; this turns it into the control
 * API's JSON, so a message of any characters (`{garage} open` too) is shown as it is.
 */
export const NOTIFY_TEMPLATE = "{{ {'text': value} | to_json }}";

/**
 * Jinja for the update entity: latest is the image we ship; installed is what the device said in
 * HELLO, left out while no device is connected, so Home Assistant keeps the version it last saw.
 */
function firmwareTemplate(): string {
  const f = SHIPPED_FIRMWARE;
  const quote = (text: string): string => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  return (
    `{% set u = {'latest_version': ${quote(f.version)}, 'title': ${quote(f.title)}, 'release_summary': ${quote(f.summary)}} %}` +
    '{% if value_json.firmware_version %}{% set u = dict(u, installed_version=value_json.firmware_version) %}{% endif %}' +
    '{{ u | to_json }}'
  );
}

/** Jinja for `P/state`'s `app`: "None" makes Home Assistant show the state as unknown. */
const APP_TEMPLATE = "{{ value_json.app if value_json.app is not none else 'None' }}";

type EntityAdder = (component: Exclude<DiscoveryComponent, 'device_automation'>, objectId: string, fields: Record<string, unknown>) => void;

/**
 * Night mode (docs/schedules.md): a switch that says whether it is night now and turns it on or
 * off (mode `on`/`off`, which hold until changed); a switch has no third state, so a select sets
 * `auto` (follow the night window) as well; a number sets the night brightness.
 */
function nightEntities(entity: EntityAdder, command: string, state: string): void {
  entity('switch', 'night_mode', {
    name: 'Night mode',
    command_topic: command,
    payload_on: 'ON',
    payload_off: 'OFF',
    state_topic: state,
    value_template: "{{ 'ON' if value_json.night.active else 'OFF' }}",
    icon: 'mdi:weather-night',
  });
  entity('select', 'night_mode_setting', {
    name: 'Night mode setting',
    command_topic: command,
    options: ['auto', 'on', 'off'],
    state_topic: state,
    value_template: '{{ value_json.night.mode }}',
    entity_category: 'config',
    icon: 'mdi:theme-light-dark',
  });
  entity('number', 'night_brightness', {
    name: 'Night brightness',
    command_topic: command,
    command_template: "{{ {'brightness': value | int} | to_json }}",
    state_topic: state,
    value_template: '{{ value_json.night.brightness }}',
    min: 0,
    max: 255,
    step: 1,
    mode: 'slider',
    entity_category: 'config',
    icon: 'mdi:brightness-4',
  });
}

export function buildDiscoveryConfigs(id: DiscoveryIdentity, topics: DeviceTopics, apps: readonly AppStatus[]): DiscoveryConfig[] {
  const nodeId = nodeIdFor(id.baseTopic, id.deviceId);
  const entitySlug = slug(id.deviceId);
  const device = {
    identifiers: [`megabit_${nodeId}`],
    name: id.deviceId === 'megabit' ? 'Megabit' : `Megabit ${id.deviceId}`,
    manufacturer: 'Megabit',
    model: 'Megabit 64x32 LED matrix',
    sw_version: id.version,
    ...(id.configurationUrl ? { configuration_url: id.configurationUrl } : {}),
  };
  const origin = {
    name: 'Megabit bridge',
    sw_version: id.version,
    ...(id.configurationUrl ? { support_url: id.configurationUrl } : {}),
  };
  const availability = [{ topic: topics.out(OUT.availability) }];
  // With a serial display, the light and the screen are there only while both the bridge and the panel are.
  const panelAvailability = id.panel
    ? { availability: [...availability, { topic: topics.out(OUT.stateDisplay), value_template: PANEL_AVAILABLE }], availability_mode: 'all' }
    : {};
  const state = topics.out(OUT.state);

  const configs: DiscoveryConfig[] = [];
  const entity: EntityAdder = (component, objectId, fields) => {
    configs.push({
      component,
      objectId,
      topic: `${id.discoveryPrefix}/${component}/${nodeId}/${objectId}/config`,
      payload: {
        unique_id: `${nodeId}_${objectId}`,
        default_entity_id: `${component}.${entitySlug}_${objectId}`,
        availability,
        ...fields,
        device,
        origin,
      },
    });
  };

  entity('light', 'display', {
    name: null,
    schema: 'json',
    command_topic: topics.cmd(CMD.display),
    state_topic: state,
    brightness: true,
    supported_color_modes: ['brightness'],
    // P/cmd/display fades over `transition` seconds and blinks for `flash` seconds.
    transition: true,
    flash: true,
    flash_time_short: 2,
    flash_time_long: 10,
    icon: 'mdi:led-strip-variant',
    ...panelAvailability,
  });
  // Always there, with no options when no app is enabled: removing its config would delete the
  // entity and its registry entry (the user's name, area and cards) in Home Assistant.
  entity('select', 'app', {
    name: 'App',
    command_topic: topics.cmd(CMD.app),
    state_topic: state,
    value_template: APP_TEMPLATE,
    options: apps.filter((a) => a.enabled).map((a) => a.id),
    icon: 'mdi:apps',
  });
  // Our commands take an empty body or a JSON object; Home Assistant's default "PRESS" is refused.
  const button = (objectId: string, name: string, path: string, icon: string): void =>
    entity('button', objectId, { name, command_topic: topics.cmd(path), payload_press: '{}', icon });
  button('next_app', 'Next app', CMD.appNext, 'mdi:skip-next');
  button('previous_app', 'Previous app', CMD.appPrevious, 'mdi:skip-previous');
  button('dismiss_notification', 'Dismiss notification', CMD.notifyDismiss, 'mdi:bell-cancel');
  entity('notify', 'notification', {
    name: 'Notification',
    command_topic: topics.cmd(CMD.notify),
    command_template: NOTIFY_TEMPLATE,
    icon: 'mdi:message-text',
  });
  entity('sensor', 'current_app', { name: 'Current app', state_topic: state, value_template: APP_TEMPLATE, icon: 'mdi:application' });
  entity('sensor', 'fps', {
    name: 'FPS',
    state_topic: state,
    value_template: '{{ value_json.fps }}',
    unit_of_measurement: 'fps',
    state_class: 'measurement',
    entity_category: 'diagnostic',
    icon: 'mdi:speedometer',
  });
  entity('sensor', 'uptime', {
    name: 'Uptime',
    state_topic: state,
    value_template: '{{ value_json.uptime_s }}',
    device_class: 'duration',
    unit_of_measurement: 's',
    entity_category: 'diagnostic',
  });
  entity('event', 'button', {
    name: 'Button',
    state_topic: topics.out(OUT.buttonEvent),
    event_types: [...BUTTON_ACTIONS],
    value_template: "{{ {'event_type': value_json.action} | tojson }}",
    device_class: 'button',
  });
  entity('image', 'screen', {
    name: 'Screen',
    image_topic: topics.out(OUT.snapshot),
    content_type: 'image/png',
    icon: 'mdi:monitor',
    ...panelAvailability,
  });
  entity('switch', 'rotation', {
    name: 'Rotation',
    command_topic: topics.cmd(CMD.rotation),
    payload_on: 'ON',
    payload_off: 'OFF',
    state_topic: state,
    value_template: "{{ 'ON' if value_json.rotation else 'OFF' }}",
    icon: 'mdi:rotate-right',
  });
  nightEntities(entity, topics.cmd(CMD.night), state);
  if (id.panel) {
    // No command_topic: Home Assistant shows no install button (the bridge cannot flash yet).
    entity('update', 'firmware', {
      name: 'Firmware',
      device_class: 'firmware',
      entity_category: 'diagnostic',
      state_topic: topics.out(OUT.stateDisplay),
      value_template: firmwareTemplate(),
    });
  }

  // Device triggers are not entities: no unique_id, name or availability, one config per action.
  for (const action of BUTTON_ACTIONS) {
    const objectId = TRIGGER_TYPES[action];
    configs.push({
      component: 'device_automation',
      objectId,
      topic: `${id.discoveryPrefix}/device_automation/${nodeId}/${objectId}/config`,
      payload: {
        automation_type: 'trigger',
        topic: topics.out(OUT.buttonEvent),
        type: TRIGGER_TYPES[action],
        subtype: 'button_1',
        value_template: '{{ value_json.action }}',
        payload: action,
        device,
        origin,
      },
    });
  }
  return configs;
}
