/**
 * The page's MQTT connection. It subscribes to the discovery wildcard and to the topics of the
 * selected device, and subscribes again after every reconnection (clean sessions: the broker
 * forgets them, and retained messages then bring the page up to date).
 */
import { DeviceTopics, OUT, availabilityWildcard } from '@megabit/contract';
import mqtt, { type MqttClient } from 'mqtt';

export type BrokerStatus = 'connecting' | 'connected' | 'reconnecting' | 'offline';

export interface ConnectionHandlers {
  status(status: BrokerStatus, detail?: string): void;
  message(topic: string, payload: Uint8Array): void;
}

export const RECONNECT_PERIOD_MS = 1000;

export function deviceSubscriptions(topics: DeviceTopics): string[] {
  return [topics.out(OUT.frame), topics.out(OUT.state), topics.out(OUT.stateApps), topics.out(OUT.stateDisplay), topics.response('#')];
}

export class BrokerConnection {
  private readonly client: MqttClient;
  private deviceTopics: string[];

  constructor(url: string, private readonly baseTopic: string, topics: DeviceTopics, handlers: ConnectionHandlers) {
    this.deviceTopics = deviceSubscriptions(topics);
    handlers.status('connecting');
    this.client = mqtt.connect(url, {
      // The embedded broker (aedes) refuses MQTT 5.
      protocolVersion: 4,
      clientId: `megabit-simulator-${Math.random().toString(16).slice(2, 10)}`,
      clean: true,
      reconnectPeriod: RECONNECT_PERIOD_MS,
      connectTimeout: 5000,
      resubscribe: false,
    });
    this.client.on('connect', () => {
      handlers.status('connected');
      this.client.subscribe([availabilityWildcard(this.baseTopic), ...this.deviceTopics]);
    });
    this.client.on('reconnect', () => handlers.status('reconnecting'));
    this.client.on('offline', () => handlers.status('offline'));
    this.client.on('error', (err) => handlers.status(this.client.connected ? 'connected' : 'offline', err.message));
    this.client.on('message', (topic, payload) => handlers.message(topic, payload));
  }

  /** Follows another device; the retained frame and state of the new one arrive on subscribe. */
  selectDevice(topics: DeviceTopics): void {
    const old = this.deviceTopics;
    this.deviceTopics = deviceSubscriptions(topics);
    if (!this.client.connected) return;
    this.client.unsubscribe(old);
    this.client.subscribe(this.deviceTopics);
  }

  /** Publishes now, or reports that it cannot: a button press must not arrive minutes later. */
  publish(topic: string, payload: string): boolean {
    if (!this.client.connected) return false;
    this.client.publish(topic, payload, { qos: 0 });
    return true;
  }
}
