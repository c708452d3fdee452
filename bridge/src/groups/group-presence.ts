/**
 * `<base>/group/<name>/availability`: each member sets it `online` (retained) whenever it
 * connects, so Home Assistant's group device and Node-RED's group config node see the group
 * once any member has been there. Nothing sets it `offline`: a member can only leave its own
 * last will, and cannot know whether the others are still there.
 */
import { GROUP_AVAILABILITY, type GroupTopics } from '@megabit/contract';
import type { MqttConnection } from '../mqtt/connection';
import type { Part } from '../part';

export class GroupPresence implements Part {
  readonly name = 'group presence';
  private offConnect?: () => void;

  constructor(
    private readonly groups: readonly GroupTopics[],
    private readonly mqtt: Pick<MqttConnection, 'publish' | 'onConnect' | 'connected'>,
  ) {}

  start(): void {
    this.offConnect = this.mqtt.onConnect(() => this.announce());
    if (this.mqtt.connected) this.announce();
  }

  stop(): void {
    this.offConnect?.();
  }

  /** Also when Home Assistant comes online: it may have missed the retained message. */
  announce(): void {
    for (const topics of this.groups) this.mqtt.publish(topics.out(GROUP_AVAILABILITY), 'online', { retain: true, qos: 1 });
  }
}
