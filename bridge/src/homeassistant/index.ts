/**
 * The Home Assistant integration as the controller starts it: MQTT discovery when
 * `homeassistant.enabled`, entity states for apps when `homeassistant.url` and `.token` are set.
 */
import type { DeviceTopics } from '@megabit/contract';
import type { Settings } from '../config';
import type { DeviceControl } from '../device/device-control';
import type { EventBus } from '../events';
import type { MqttConnection } from '../mqtt/connection';
import type { FrameSource } from '../mqtt/frame-publisher';
import type { Logger } from '../util/logger';
import { HomeAssistantDiscovery, simulatorUrl } from './discovery';
import { ScreenSnapshotFeed } from './screen-feed';
import { HomeAssistantStates } from './states';

export { removeDiscovery } from './discovery-remove';

export interface HomeAssistantContext {
  settings: Settings;
  mqtt: MqttConnection;
  topics: DeviceTopics;
  device: DeviceControl;
  bus: EventBus;
  /** The simulator page's port (the HTTP server is already listening). */
  httpPort: number;
  /** The display's frames, for the image entity's own slower feed. */
  frames: FrameSource;
  /** Republishes P/state, P/state/apps and the screen PNG. */
  republish(): void;
}

export interface HomeAssistantPart {
  name: string;
  start(): void;
  stop(): Promise<void> | void;
}

export function homeAssistantParts(context: HomeAssistantContext, log: Logger): HomeAssistantPart[] {
  const { settings } = context;
  const parts: HomeAssistantPart[] = [];
  if (settings.homeassistant.enabled) {
    const screen = new ScreenSnapshotFeed(context.mqtt, context.topics, context.frames, context.device, context.bus, settings.homeassistant.image_interval_s);
    parts.push({ name: 'homeassistant-screen', start: () => screen.start(), stop: () => screen.stop() });
    const discovery = new HomeAssistantDiscovery(context.mqtt, context.topics, context.device, context.bus, {
      discoveryPrefix: settings.homeassistant.discovery_prefix,
      birthTopic: settings.homeassistant.birth_topic,
      panel: settings.serial.path !== undefined,
      baseTopic: settings.mqtt.base_topic,
      deviceId: settings.device_id,
      configurationUrl: simulatorUrl(settings.http.host, context.httpPort),
      republish: () => {
        context.republish();
        screen.publishNow();
      },
    }, log.child('homeassistant'));
    parts.push({ name: 'homeassistant-discovery', start: () => discovery.start(), stop: () => discovery.stop() });
  }
  const { url, token } = settings.homeassistant;
  if (url && token) {
    const states = new HomeAssistantStates({ url, token }, context.device, context.bus, log.child('homeassistant'));
    parts.push({ name: 'homeassistant-states', start: () => states.start(), stop: () => states.stop() });
  } else if (url || token) {
    log.warn(`homeassistant.${url ? 'token' : 'url'} is not set, so apps cannot read Home Assistant entities (both are needed)`);
  }
  return parts;
}
