/**
 * Publishes the retained `P/state/display` (the display hardware link) when the link reports a
 * change on the bus, and after every reconnect.
 */
import { OUT, type DeviceTopics } from '@megabit/contract';
import type { DisplayLink } from '../device/display-link';
import type { EventBus } from '../events';
import type { Part } from '../part';
import type { MqttConnection } from './connection';

export class DisplayStatePublisher implements Part {
  readonly name = 'display state publisher';
  private last?: string;
  private offConnect?: () => void;

  constructor(
    private readonly mqtt: MqttConnection,
    private readonly topics: DeviceTopics,
    private readonly link: DisplayLink,
    private readonly bus: EventBus,
  ) {}

  start(): void {
    this.bus.on(this, 'displayChanged', () => this.publish(false));
    this.offConnect = this.mqtt.onConnect(() => this.publish(true));
    this.publish(true);
  }

  stop(): void {
    this.offConnect?.();
    this.bus.removeListeners(this);
  }

  private publish(force: boolean): void {
    const payload = JSON.stringify(this.link.linkState());
    if (!force && payload === this.last) return;
    this.last = payload;
    this.mqtt.publish(this.topics.out(OUT.stateDisplay), payload, { retain: true, qos: 1 });
  }
}
