/** `display.auto_brightness.topic`: each payload that is a number of lux goes to night mode's auto-brightness. */
import { type LuxSink, luxFrom } from '../night/lux-sources';
import type { Part } from '../part';
import type { MqttConnection } from './connection';

/** A bound on a payload worth reading as a number: a longer one is not a lux reading. */
const MAX_LUX_PAYLOAD = 64;

export class LuxTopicFeed implements Part {
  readonly name = 'lux topic';
  private readonly onMessage = (_topic: string, payload: Buffer): void => {
    if (payload.length > MAX_LUX_PAYLOAD) return;
    const lux = luxFrom(payload.toString('utf8'));
    if (lux !== undefined) this.sink.luxReading(lux);
  };

  constructor(
    private readonly mqtt: MqttConnection,
    private readonly topic: string,
    private readonly sink: LuxSink,
  ) {}

  start(): void {
    this.mqtt.subscribe(this.topic, this.onMessage);
  }

  stop(): void {
    this.mqtt.unsubscribe(this.topic, this.onMessage);
  }
}
