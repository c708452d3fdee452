/**
 * Subscribes to the MQTT topics installed apps declare under permissions.mqtt and hands their
 * values to the device, which passes them only to the apps that declared them.
 */
import type { DeviceControl } from '../device/device-control';
import type { EventBus } from '../events';
import type { Part } from '../part';
import type { MqttConnection } from './connection';

export class AppTopicFeed implements Part {
  readonly name = 'app topic feed';
  private subscribed = new Set<string>();
  private readonly onMessage = (topic: string, payload: Buffer): void => this.device.setTopicValue(topic, payload);

  constructor(
    private readonly mqtt: MqttConnection,
    private readonly device: DeviceControl,
    private readonly bus: EventBus,
  ) {}

  start(): void {
    this.bus.on(this, 'appsChanged', () => this.sync());
    this.sync();
  }

  stop(): void {
    this.bus.removeListeners(this);
    for (const topic of this.subscribed) this.mqtt.unsubscribe(topic, this.onMessage);
    this.subscribed.clear();
  }

  private sync(): void {
    const wanted = new Set(this.device.readableTopics());
    for (const topic of this.subscribed) if (!wanted.has(topic)) this.mqtt.unsubscribe(topic, this.onMessage);
    for (const topic of wanted) if (!this.subscribed.has(topic)) this.mqtt.subscribe(topic, this.onMessage);
    this.subscribed = wanted;
  }
}
