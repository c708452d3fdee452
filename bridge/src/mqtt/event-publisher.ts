/** Publishes the device's events: button actions and app log lines. */
import { OUT, type DeviceTopics } from '@megabit/contract';
import type { EventBus } from '../events';
import type { Part } from '../part';
import type { MqttConnection } from './connection';

export class EventPublisher implements Part {
  readonly name = 'event publisher';
  constructor(
    private readonly mqtt: MqttConnection,
    private readonly topics: DeviceTopics,
    private readonly bus: EventBus,
  ) {}

  start(): void {
    this.bus.on(this, 'button', (event) => this.mqtt.publish(this.topics.out(OUT.buttonEvent), JSON.stringify(event), { qos: 1 }));
    this.bus.on(this, 'appLog', (appId, event) => this.mqtt.publish(this.topics.out(OUT.appLog(appId)), JSON.stringify(event)));
  }

  stop(): void {
    this.bus.removeListeners(this);
  }
}
