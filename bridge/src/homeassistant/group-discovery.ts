/**
 * A Home Assistant device per display group: a notify entity and the next, previous and dismiss
 * buttons, all bound to the group's command topics. There is no coordinator to publish it, so
 * every member publishes it, retained, on each connect and when Home Assistant comes online:
 * the payload depends only on the group's name, the base topic and the discovery prefix (no
 * version, no address of any one display), so the members publish the same bytes under the same
 * unique ids and the last one to publish changes nothing. A member that leaves (or is removed
 * with --remove-discovery) leaves the group's device alone: the others still use it. Removing
 * the group itself is an empty retained publish on its config topic (docs/home-assistant.md).
 */
import { CMD, GROUP_AVAILABILITY, type GroupTopics } from '@megabit/contract';
import type { MessageHandler, MqttConnection } from '../mqtt/connection';
import type { Part } from '../part';
import type { Logger } from '../util/logger';
import { type DiscoveryConfig, NOTIFY_TEMPLATE, nodeIdFor } from './discovery-configs';
import { deviceConfigTopic, devicePayload } from './device-discovery';

/** The discovery node id of a group: never one of a display's, whose node ids begin with the base topic. */
export function groupNodeId(baseTopic: string, group: string): string {
  return `group_${nodeIdFor(baseTopic, group)}`;
}

/** The group's entities, as single-component configs (the device payload is built from them). */
export function buildGroupDiscoveryConfigs(discoveryPrefix: string, baseTopic: string, topics: GroupTopics): DiscoveryConfig[] {
  const nodeId = groupNodeId(baseTopic, topics.group);
  const device = { identifiers: [`megabit_${nodeId}`], name: `Megabit group ${topics.group}`, manufacturer: 'Megabit', model: 'Megabit display group' };
  const origin = { name: 'Megabit bridge' };
  // Set online by every member when it connects; no member can speak for the others going away.
  const availability = [{ topic: topics.out(GROUP_AVAILABILITY) }];
  const entity = (component: 'notify' | 'button', objectId: string, fields: Record<string, unknown>): DiscoveryConfig => ({
    component,
    objectId,
    topic: `${discoveryPrefix}/${component}/${nodeId}/${objectId}/config`,
    payload: { unique_id: `${nodeId}_${objectId}`, default_entity_id: `${component}.${nodeId}_${objectId}`, availability, ...fields, device, origin },
  });
  const button = (objectId: string, name: string, path: string, icon: string): DiscoveryConfig =>
    entity('button', objectId, { name, command_topic: topics.cmd(path), payload_press: '{}', icon });
  return [
    entity('notify', 'notification', {
      name: 'Notification',
      command_topic: topics.cmd(CMD.notify),
      command_template: NOTIFY_TEMPLATE,
      icon: 'mdi:message-text',
    }),
    button('next_app', 'Next app', CMD.appNext, 'mdi:skip-next'),
    button('previous_app', 'Previous app', CMD.appPrevious, 'mdi:skip-previous'),
    button('dismiss_notification', 'Dismiss notification', CMD.notifyDismiss, 'mdi:bell-cancel'),
  ];
}

export interface GroupDiscoveryOptions {
  discoveryPrefix: string;
  birthTopic: string;
  baseTopic: string;
  groups: readonly GroupTopics[];
}

export class GroupDiscovery implements Part {
  readonly name = 'homeassistant-group-discovery';
  private offConnect?: () => void;
  private readonly onStatus: MessageHandler = (_topic, payload) => {
    if (payload.toString().trim() !== 'online') return;
    this.publishAll();
    // As the display's own discovery republishes its availability: Home Assistant may have missed it.
    for (const topics of this.options.groups) this.mqtt.publish(topics.out(GROUP_AVAILABILITY), 'online', { retain: true, qos: 1 });
  };

  constructor(
    private readonly mqtt: Pick<MqttConnection, 'publish' | 'subscribe' | 'unsubscribe' | 'onConnect' | 'connected'>,
    private readonly options: GroupDiscoveryOptions,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.offConnect = this.mqtt.onConnect(() => this.publishAll());
    this.mqtt.subscribe(this.options.birthTopic, this.onStatus);
    if (this.mqtt.connected) this.publishAll();
  }

  stop(): void {
    this.offConnect?.();
    this.mqtt.unsubscribe(this.options.birthTopic, this.onStatus);
  }

  private publishAll(): void {
    const { discoveryPrefix, baseTopic } = this.options;
    for (const topics of this.options.groups) {
      const configTopic = deviceConfigTopic(discoveryPrefix, groupNodeId(baseTopic, topics.group));
      this.mqtt.publish(configTopic, JSON.stringify(devicePayload(buildGroupDiscoveryConfigs(discoveryPrefix, baseTopic, topics))), { retain: true, qos: 1 });
      this.log.debug(`Home Assistant discovery of group ${topics.group} published on ${configTopic}`);
    }
  }
}
