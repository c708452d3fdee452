/**
 * Topic names of the MQTT control API v1. Every topic is relative to the device prefix
 * `P = <base_topic>/<device_id>`; see docs/mqtt-api.md.
 */
export const DEFAULT_BASE_TOPIC = 'megabit';
export const DEFAULT_DEVICE_ID = 'megabit';

/** Ids of devices and apps: they become topic levels and folder names, so no path tricks. */
export const ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;

export function isValidId(id: unknown): id is string {
  return typeof id === 'string' && ID_PATTERN.test(id);
}

/** Topics the bridge publishes, relative to P. */
export const OUT = {
  availability: 'availability',
  state: 'state',
  stateApps: 'state/apps',
  stateDisplay: 'state/display',
  /** The stored icons (docs/icons.md). */
  stateIcons: 'state/icons',
  frame: 'display/frame',
  png: 'display/png',
  /** The screen as a PNG at a slow pace, for Home Assistant's image entity (its recorder). */
  snapshot: 'display/snapshot',
  buttonEvent: 'event/button',
  appLog: (appId: string) => `event/apps/${appId}/log`,
} as const;

export class DeviceTopics {
  readonly prefix: string;

  constructor(baseTopic: string = DEFAULT_BASE_TOPIC, deviceId: string = DEFAULT_DEVICE_ID) {
    this.prefix = `${baseTopic}/${deviceId}`;
  }

  out(path: string): string {
    return `${this.prefix}/${path}`;
  }

  cmd(path: string): string {
    return `${this.prefix}/cmd/${path}`;
  }

  response(path: string): string {
    return `${this.prefix}/response/${path}`;
  }

  /** Subscription that catches every command of this device. */
  get allCommands(): string {
    return `${this.prefix}/cmd/#`;
  }

  /** The command path of a `P/cmd/...` topic, or undefined for any other topic. */
  commandPath(topic: string): string | undefined {
    const head = `${this.prefix}/cmd/`;
    return topic.startsWith(head) ? topic.slice(head.length) : undefined;
  }
}

/** Discovery: `<base>/+/availability` finds every bridge sharing a broker. */
export function availabilityWildcard(baseTopic: string = DEFAULT_BASE_TOPIC): string {
  return `${baseTopic}/+/availability`;
}

/** The device id in a `<base>/<device>/availability` topic; the base may span several levels. */
export function deviceIdFromAvailabilityTopic(topic: string, baseTopic: string = DEFAULT_BASE_TOPIC): string | undefined {
  const head = `${baseTopic}/`;
  const tail = `/${OUT.availability}`;
  if (!topic.startsWith(head) || !topic.endsWith(tail)) return undefined;
  const id = topic.slice(head.length, topic.length - tail.length);
  return id.length > 0 && !id.includes('/') ? id : undefined;
}

/** MQTT topic filter matching (`+` one level, `#` the rest), as a broker applies it. */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}
