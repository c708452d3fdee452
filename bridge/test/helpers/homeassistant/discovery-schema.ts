/**
 * What Home Assistant's MQTT docs (home-assistant.io/integrations/<component>.mqtt/, checked
 * November 2026 for HA 2025.10+) require of each discovery payload, as a checker the tests run
 * over every config the bridge publishes. It returns problems rather than throwing, so one test
 * lists them all.
 */

interface ComponentRule {
  /** Keys the docs mark "Required". */
  required: string[];
  /** Keys that must hold an MQTT topic we can publish to / subscribe to. */
  topics: string[];
  /** Further checks from the docs' descriptions. */
  check?(payload: Record<string, unknown>): string[];
  /** Entities take unique_id, default_entity_id and availability; device triggers do not. */
  entity: boolean;
}

const nonEmptyList =
  (key: string) =>
  (p: Record<string, unknown>): string[] =>
    Array.isArray(p[key]) && (p[key] as unknown[]).length > 0 && (p[key] as unknown[]).every((x) => typeof x === 'string' && x.length > 0)
      ? []
      : [`"${key}" must be a non-empty list of strings`];

export const COMPONENT_RULES: Record<string, ComponentRule> = {
  // light.mqtt, JSON schema: command_topic required; `schema: json` selects it.
  light: {
    required: ['command_topic', 'schema'],
    topics: ['command_topic', 'state_topic'],
    entity: true,
    check: (p) => [
      ...(p.schema === 'json' ? [] : ['"schema" must be "json"']),
      ...(Array.isArray(p.supported_color_modes) &&
      p.supported_color_modes.every((m) => ['onoff', 'brightness', 'color_temp', 'hs', 'xy', 'rgb', 'rgbw', 'rgbww', 'white'].includes(m as string))
        ? []
        : ['"supported_color_modes" must list valid color modes']),
      ...['flash', 'transition'].filter((k) => p[k] !== undefined && typeof p[k] !== 'boolean').map((k) => `"${k}" must be true or false`),
      ...['flash_time_short', 'flash_time_long']
        .filter((k) => p[k] !== undefined && !(Number.isInteger(p[k]) && (p[k] as number) > 0))
        .map((k) => `"${k}" must be a positive integer`),
    ],
  },
  // select.mqtt: command_topic and options required; an empty options list is valid.
  select: {
    required: ['command_topic', 'options'],
    topics: ['command_topic', 'state_topic'],
    entity: true,
    check: (p) => (Array.isArray(p.options) && p.options.every((x) => typeof x === 'string' && x.length > 0) ? [] : ['"options" must be a list of strings']),
  },
  // update.mqtt: nothing required; without command_topic there is no install button.
  update: {
    required: [],
    topics: ['state_topic', 'command_topic', 'latest_version_topic'],
    entity: true,
    check: (p) => [
      ...(p.device_class === undefined || p.device_class === 'firmware' ? [] : ['update "device_class" must be "firmware"']),
      ...(p.payload_install !== undefined && p.command_topic === undefined ? ['payload_install without command_topic'] : []),
      ...(p.entity_category === undefined || ['config', 'diagnostic'].includes(p.entity_category as string) ? [] : ['bad entity_category']),
    ],
  },
  // button.mqtt: command_topic required.
  button: { required: ['command_topic'], topics: ['command_topic'], entity: true },
  // notify.mqtt: command_topic required.
  notify: { required: ['command_topic'], topics: ['command_topic'], entity: true },
  // sensor.mqtt: state_topic required.
  sensor: {
    required: ['state_topic'],
    topics: ['state_topic'],
    entity: true,
    check: (p) => (p.entity_category === undefined || ['config', 'diagnostic'].includes(p.entity_category as string) ? [] : ['bad entity_category']),
  },
  // event.mqtt: state_topic and event_types required.
  event: { required: ['state_topic', 'event_types'], topics: ['state_topic'], entity: true, check: nonEmptyList('event_types') },
  // image.mqtt: exactly one of image_topic / url_topic; content_type only with image_topic.
  image: {
    required: [],
    topics: ['image_topic'],
    entity: true,
    check: (p) => {
      const problems: string[] = [];
      if ((p.image_topic === undefined) === (p.url_topic === undefined)) problems.push('exactly one of image_topic and url_topic is required');
      if (p.content_type !== undefined && p.url_topic !== undefined) problems.push('content_type cannot be used with url_topic');
      return problems;
    },
  },
  // switch.mqtt: command_topic required.
  switch: { required: ['command_topic'], topics: ['command_topic', 'state_topic'], entity: true },
  // number.mqtt: command_topic required; min below max (defaults 1 and 100), step at least 0.001, mode auto, box or slider.
  number: {
    required: ['command_topic'],
    topics: ['command_topic', 'state_topic'],
    entity: true,
    check: (p) => {
      const min = p.min ?? 1;
      const max = p.max ?? 100;
      const step = p.step ?? 1;
      return [
        ...(typeof min === 'number' && typeof max === 'number' && min < max ? [] : ['"min" must be a number below "max"']),
        ...(typeof step === 'number' && step >= 0.001 ? [] : ['"step" must be a number of at least 0.001']),
        ...(p.mode === undefined || ['auto', 'box', 'slider'].includes(p.mode as string) ? [] : ['"mode" must be auto, box or slider']),
        ...(p.entity_category === undefined || ['config', 'diagnostic'].includes(p.entity_category as string) ? [] : ['bad entity_category']),
      ];
    },
  },
  // device_trigger.mqtt: automation_type, topic, type, subtype and device required.
  device_automation: {
    required: ['automation_type', 'topic', 'type', 'subtype', 'device'],
    topics: ['topic'],
    entity: false,
    check: (p) => (p.automation_type === 'trigger' ? [] : ['"automation_type" must be "trigger"']),
  },
};

const AVAILABILITY_KEYS = ['topic', 'payload_available', 'payload_not_available', 'value_template'];

/** HA's valid_entity_id: `domain.object_id`, lower-case, digits and single inner underscores. */
const ENTITY_ID = /^(?!.+__)(?!_)[\da-z_]+(?<!_)\.(?!_)[\da-z_]+(?<!_)$/;

/** Home Assistant's migration hand-over payload: valid on a single-component and a device topic. */
export function isMigratePayload(payload: Record<string, unknown>): boolean {
  return payload.migrate_discovery === true && Object.keys(payload).length === 1;
}

const isHttpUrl = (v: unknown): boolean => typeof v === 'string' && /^https?:\/\/[^/\s]+/.test(v);

/** Problems with one discovery payload published on `topic`; empty when Home Assistant would accept it. */
export function discoveryProblems(topic: string, payload: Record<string, unknown>, discoveryPrefix: string): string[] {
  if (isMigratePayload(payload)) return [];
  const m = new RegExp(`^${discoveryPrefix}/([a-z_]+)/([a-zA-Z0-9_-]+)/([a-zA-Z0-9_-]+)/config$`).exec(topic);
  if (!m) return [`topic ${topic} is not <prefix>/<component>/<node_id>/<object_id>/config`];
  const component = m[1];
  const rule = COMPONENT_RULES[component];
  if (!rule) return [`unknown component ${component}`];
  const problems: string[] = [];
  for (const key of rule.required) if (payload[key] === undefined) problems.push(`missing required "${key}"`);
  for (const key of rule.topics) {
    const t = payload[key];
    if (t !== undefined && (typeof t !== 'string' || t.length === 0 || /[#+]/.test(t))) problems.push(`"${key}" must be a topic without wildcards`);
  }
  problems.push(...(rule.check?.(payload) ?? []));

  // The device block: at least one identifier or connection (all components).
  const device = payload.device as Record<string, unknown> | undefined;
  if (!device || !Array.isArray(device.identifiers) || device.identifiers.length === 0) problems.push('device needs identifiers');
  if (device?.configuration_url !== undefined && !/^https?:\/\/[^/\s]+/.test(String(device.configuration_url)))
    problems.push('device.configuration_url must be an http(s) URL');
  // The origin block: name required.
  const origin = payload.origin as Record<string, unknown> | undefined;
  if (origin !== undefined && typeof origin.name !== 'string') problems.push('origin needs a name');
  if (origin?.support_url !== undefined && !isHttpUrl(origin.support_url)) problems.push('origin.support_url must be an http(s) URL');

  if (rule.entity) {
    if (typeof payload.unique_id !== 'string' || payload.unique_id.length === 0) problems.push('entities need a unique_id to join the device');
    const defaultId = payload.default_entity_id;
    if (typeof defaultId !== 'string' || !ENTITY_ID.test(defaultId) || !defaultId.startsWith(`${component}.`)) {
      problems.push(`default_entity_id must be a valid "${component}.<object_id>"`);
    }
    // object_id was replaced by default_entity_id in HA 2025.10 and stops working in 2026.4.
    if (payload.object_id !== undefined) problems.push('object_id is deprecated: use default_entity_id');
    const availability = payload.availability as Array<Record<string, unknown>> | undefined;
    if (!Array.isArray(availability) || availability.some((a) => typeof a.topic !== 'string' || Object.keys(a).some((k) => !AVAILABILITY_KEYS.includes(k)))) {
      problems.push('availability must be a list of {topic, payload_available, payload_not_available, value_template}');
    }
    if (payload.availability_mode !== undefined && !['all', 'any', 'latest'].includes(payload.availability_mode as string))
      problems.push('availability_mode must be all, any or latest');
    if (payload.availability_topic !== undefined && payload.availability !== undefined) problems.push('availability and availability_topic are exclusive');
  } else {
    for (const key of ['unique_id', 'default_entity_id', 'name']) if (payload[key] !== undefined) problems.push(`device triggers take no "${key}"`);
  }
  return problems;
}

/** HA's abbreviations used at the root and in components of a device payload. */
const ROOT_KEYS: Record<string, string> = { dev: 'device', o: 'origin', cmps: 'components' };

/**
 * Problems with a device-based payload on `<prefix>/device/<object_id>/config`: device and
 * origin (with a name) at the root, at least one component, each with a platform `p`; a
 * component with `p` alone is a removal; every other one is checked with its component's rules
 * as Home Assistant expands it (the root's device and origin given to it).
 */
export function deviceDiscoveryProblems(topic: string, payload: Record<string, unknown>, discoveryPrefix: string): string[] {
  const m = new RegExp(`^${discoveryPrefix}/device/([a-zA-Z0-9_-]+)/config$`).exec(topic);
  if (!m) return [`topic ${topic} is not <prefix>/device/<object_id>/config`];
  if (isMigratePayload(payload)) return [];
  const root = Object.fromEntries(Object.entries(payload).map(([k, v]) => [ROOT_KEYS[k] ?? k, v]));
  const problems: string[] = [];
  const device = root.device as Record<string, unknown> | undefined;
  const origin = root.origin as Record<string, unknown> | undefined;
  if (!device) problems.push('a device payload needs "device" (dev)');
  if (!origin || typeof origin.name !== 'string') problems.push('a device payload needs "origin" (o) with a name');
  const components = root.components as Record<string, Record<string, unknown>> | undefined;
  if (typeof components !== 'object' || components === null || Object.keys(components).length === 0) {
    return [...problems, 'a device payload needs "components" (cmps)'];
  }
  for (const [key, component] of Object.entries(components)) {
    if (!/^[a-zA-Z0-9_-]+$/.test(key)) problems.push(`component key ${key} is not [a-zA-Z0-9_-]+`);
    const { p, platform, ...own } = component;
    const kind = (p ?? platform) as string | undefined;
    if (typeof kind !== 'string' || !COMPONENT_RULES[kind]) {
      problems.push(`component ${key}: "p" must name a supported platform`);
      continue;
    }
    if (Object.keys(own).length === 0) continue;
    if (own.device !== undefined || own.origin !== undefined) problems.push(`component ${key}: device and origin belong to the root`);
    const expanded = { ...own, device, origin };
    for (const problem of discoveryProblems(`${discoveryPrefix}/${kind}/${m[1]}/${key}/config`, expanded, discoveryPrefix)) {
      problems.push(`component ${key}: ${problem}`);
    }
  }
  return problems;
}
