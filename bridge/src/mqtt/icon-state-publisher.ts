/**
 * Publishes the retained `P/state/icons` (every icon by name, its size and frames, and whether it
 * is built in) at start, after every upload or delete and after every reconnect, so Home
 * Assistant and Node-RED can offer the names.
 */
import { OUT, type DeviceTopics, type IconInfo } from '@megabit/contract';
import type { Part } from '../part';
import type { MqttConnection } from './connection';

export interface IconList {
  list(): IconInfo[];
  onChange(listener: () => void): () => void;
}

export class IconStatePublisher implements Part {
  readonly name = 'icon state publisher';
  private readonly removers: Array<() => void> = [];

  constructor(
    private readonly mqtt: Pick<MqttConnection, 'publish' | 'onConnect'>,
    private readonly topics: DeviceTopics,
    private readonly icons: IconList,
  ) {}

  start(): void {
    this.removers.push(this.icons.onChange(() => this.publish()));
    this.removers.push(this.mqtt.onConnect(() => this.publish()));
    this.publish();
  }

  stop(): void {
    for (const remove of this.removers.splice(0)) remove();
  }

  private publish(): void {
    this.mqtt.publish(this.topics.out(OUT.stateIcons), JSON.stringify(this.icons.list()), { retain: true, qos: 1 });
  }
}
