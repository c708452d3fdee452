/**
 * The page's MQTT connection. It subscribes to the discovery wildcard and to the topics of the
 * selected device, and subscribes again after every reconnection (clean sessions: the broker
 * forgets them, and retained messages then bring the page up to date).
 */
import { type DeviceTopics, OUT, availabilityWildcard } from '@megabit/contract';
import mqtt, { type MqttClient } from 'mqtt';
import { loginRefusal, type Credentials } from './login-form';

export type BrokerStatus = 'login' | 'connecting' | 'connected' | 'reconnecting' | 'offline';

export interface ConnectionHandlers {
  status(status: BrokerStatus, detail?: string): void;
  message(topic: string, payload: Uint8Array): void;
  /** The broker refused the login: the connection stops until `login` is called again. */
  loginRefused(message: string): void;
}

export const RECONNECT_PERIOD_MS = 1000;

export function deviceSubscriptions(topics: DeviceTopics): string[] {
  return [topics.out(OUT.frame), topics.out(OUT.state), topics.out(OUT.stateApps), topics.out(OUT.stateDisplay), topics.response('#')];
}

export class BrokerConnection {
  private client?: MqttClient;
  private deviceTopics: string[];

  /** Connects at once, or with `needsLogin` only once `login` gives it a user name and password. */
  constructor(
    private readonly url: string,
    private readonly baseTopic: string,
    topics: DeviceTopics,
    private readonly handlers: ConnectionHandlers,
    needsLogin = false,
  ) {
    this.deviceTopics = deviceSubscriptions(topics);
    if (needsLogin) handlers.status('login');
    else this.open();
  }

  /** (Re)connects with these credentials, dropping any previous connection. */
  login(credentials: Credentials): void {
    const previous = this.client;
    this.client = undefined;
    previous?.end(true);
    this.open(credentials);
  }

  private open(credentials?: Credentials): void {
    const handlers = this.handlers;
    handlers.status('connecting');
    const client = mqtt.connect(this.url, {
      // The embedded broker (aedes) refuses MQTT 5.
      protocolVersion: 4,
      clientId: `megabit-simulator-${Math.random().toString(16).slice(2, 10)}`,
      clean: true,
      reconnectPeriod: RECONNECT_PERIOD_MS,
      connectTimeout: 5000,
      resubscribe: false,
      username: credentials?.username,
      password: credentials?.password,
    });
    this.client = client;
    // A client ended for a new login may still report its closing: that is no news to show.
    const current = (): boolean => this.client === client && !ended;
    let ended = false;
    client.on('connect', () => {
      if (!current()) return;
      handlers.status('connected');
      client.subscribe([availabilityWildcard(this.baseTopic), ...this.deviceTopics]);
    });
    client.on('reconnect', () => current() && handlers.status('reconnecting'));
    client.on('offline', () => current() && handlers.status('offline'));
    client.on('error', (err) => {
      if (!current()) return;
      const refused = loginRefusal((err as Error & { code?: unknown }).code);
      if (refused === undefined) {
        handlers.status(client.connected ? 'connected' : 'offline', err.message);
        return;
      }
      // Retrying the same login every second would only be refused again (and look like an attack).
      ended = true;
      client.end(true);
      handlers.status('login');
      handlers.loginRefused(refused);
    });
    client.on('message', (topic, payload) => handlers.message(topic, payload));
  }

  /** Follows another device; the retained frame and state of the new one arrive on subscribe. */
  selectDevice(topics: DeviceTopics): void {
    const old = this.deviceTopics;
    this.deviceTopics = deviceSubscriptions(topics);
    if (!this.client?.connected) return;
    this.client.unsubscribe(old);
    this.client.subscribe(this.deviceTopics);
  }

  /** Publishes now, or reports that it cannot: a button press must not arrive minutes later. */
  publish(topic: string, payload: string): boolean {
    if (!this.client?.connected) return false;
    this.client.publish(topic, payload, { qos: 0 });
    return true;
  }
}
