/**
 * The Home Assistant integration's parts: MQTT discovery and the image entity's screen feed when
 * `homeassistant.enabled`, entity states for apps (and the connection live templates render on)
 * when `homeassistant.url` and `.token` are set.
 */
import type { Part } from '../part';
import type { PartContext } from '../parts';
import { GroupTopics } from '@megabit/contract';
import { HomeAssistantDiscovery, simulatorUrl } from './discovery';
import { GroupDiscovery } from './group-discovery';
import { nightEntityReader } from './night-entities';
import { ScreenSnapshotFeed } from './screen-feed';
import type { HomeAssistantEntityState } from '../sandbox/types';
import { HomeAssistantStates } from './states';

export { removeDiscovery } from './discovery-remove';

export function homeAssistantParts(ctx: PartContext): Part[] {
  const { settings, log } = ctx;
  const parts: Part[] = [];
  if (settings.homeassistant.enabled) {
    const screen = new ScreenSnapshotFeed(ctx.mqtt, ctx.topics, ctx.frames, ctx.device, ctx.bus, settings.homeassistant.image_interval_s);
    parts.push(screen);
    parts.push(
      new HomeAssistantDiscovery(
        ctx.mqtt,
        ctx.topics,
        ctx.device,
        ctx.bus,
        {
          discoveryPrefix: settings.homeassistant.discovery_prefix,
          birthTopic: settings.homeassistant.birth_topic,
          panel: settings.serial.path !== undefined,
          baseTopic: settings.mqtt.base_topic,
          deviceId: settings.device_id,
          configurationUrl: () => simulatorUrl(settings.http.host, ctx.http.port),
          // When Home Assistant comes online it wants the retained state and the screen again.
          republish: () => {
            ctx.state.publishAll();
            ctx.frames.publishPng();
            screen.publishNow();
          },
        },
        log.child('homeassistant'),
      ),
    );
    if (settings.groups.length > 0) {
      const { discovery_prefix: discoveryPrefix, birth_topic: birthTopic } = settings.homeassistant;
      const baseTopic = settings.mqtt.base_topic;
      const groups = settings.groups.map((name) => new GroupTopics(baseTopic, name));
      parts.push(new GroupDiscovery(ctx.mqtt, { discoveryPrefix, birthTopic, baseTopic, groups }, log.child('homeassistant')));
    }
  }
  const { url, token } = settings.homeassistant;
  if (url && token) {
    // Apps' entities and night mode's (the light sensor, zone.home) on the one connection.
    const night = nightEntityReader(
      settings.display.auto_brightness?.entity,
      { wanted: () => ctx.night.wantsHomeZone, set: (attributes) => ctx.night.setHomeZone(attributes) },
      ctx.night,
    );
    const sink = {
      readableEntities: () => [...new Set([...ctx.device.readableEntities(), ...night.entities()])],
      setEntityState: (id: string, state: HomeAssistantEntityState | null) => {
        const forNight = night.entities().includes(id);
        if (forNight) night.setEntityState(id, state);
        // Apps get only what some app asked for, as before night mode read anything.
        if (!forNight || ctx.device.readableEntities().includes(id)) ctx.device.setEntityState(id, state);
      },
    };
    const states = new HomeAssistantStates({ url, token }, sink, ctx.bus, log.child('homeassistant'));
    // Live templates render on the same connection.
    const templates = ctx.homeAssistantTemplates;
    if (templates) states.onConnection((connection) => templates.attach(connection));
    parts.push(states);
  } else if (settings.display.auto_brightness?.entity !== undefined) {
    log.warn(
      `display.auto_brightness.entity needs homeassistant.url and .token to read ${settings.display.auto_brightness.entity}; the brightness stays as set`,
    );
  }
  if (!(url && token) && (url || token)) {
    log.warn(
      `homeassistant.${url ? 'token' : 'url'} is not set, so apps cannot read Home Assistant entities and screens cannot use its templates (both are needed)`,
    );
  }
  return parts;
}
