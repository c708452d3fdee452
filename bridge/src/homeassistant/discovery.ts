/**
 * The Home Assistant discovery extension: publishes this display's discovery configs (retained),
 * clears the ones an earlier run left that no longer exist, keeps the app list current, and
 * republishes everything when Home Assistant announces itself on `<prefix>/status`.
 */
import { hostname } from 'node:os';
import { OUT, type DeviceTopics } from '@megabit/contract';
import type { DeviceControl } from '../device/device-control';
import type { EventBus } from '../events';
import type { MessageHandler, MqttConnection } from '../mqtt/connection';
import type { Part } from '../part';
import { errorMessage, type Logger } from '../util/logger';
import { VERSION } from '../version';
import { buildDiscoveryConfigs, configFilter, nodeIdFor } from './discovery-configs';
import { collectRetained, COLLECT_MS } from './retained-configs';

export interface DiscoveryOptions {
  discoveryPrefix: string;
  baseTopic: string;
  deviceId: string;
  /** The simulator page, shown as the device's configuration URL (asked once HTTP listens). */
  configurationUrl(): string;
  /** Republishes the bridge's retained state (P/state, P/state/apps) and the screen. */
  republish(): void;
}

export class HomeAssistantDiscovery implements Part {
  readonly name = 'homeassistant-discovery';
  /** Topic → payload of every config the broker holds for this device, as far as we know. */
  private onBroker = new Map<string, string>();
  private running = false;
  private readonly stopping = new AbortController();
  private readonly statusTopic: string;
  private offConnect?: () => void;
  private readonly onStatus: MessageHandler = (_topic, payload) => {
    if (payload.toString().trim() === 'online') this.republishAll();
  };

  constructor(
    private readonly mqtt: MqttConnection,
    private readonly topics: DeviceTopics,
    private readonly device: DeviceControl,
    private readonly bus: EventBus,
    private readonly options: DiscoveryOptions,
    private readonly log: Logger,
  ) {
    this.statusTopic = `${options.discoveryPrefix}/status`;
  }

  /** Returns at once; the configs follow once the stale ones are collected (about 1.5 s). */
  start(): void {
    this.running = true;
    this.begin().catch((e) => this.log.error(`Home Assistant discovery failed to start: ${errorMessage(e)}`));
  }

  stop(): void {
    this.running = false;
    this.stopping.abort();
    this.offConnect?.();
    this.bus.removeListeners(this);
    this.mqtt.unsubscribe(this.statusTopic, this.onStatus);
  }

  private async begin(): Promise<void> {
    const nodeId = nodeIdFor(this.options.baseTopic, this.options.deviceId);
    const filter = configFilter(this.options.discoveryPrefix, nodeId);
    this.onBroker = await collectRetained(this.mqtt, filter, COLLECT_MS, this.stopping.signal);
    if (!this.running) return;
    this.sync(false);
    this.bus.on(this, 'appsChanged', () => this.sync(false));
    this.mqtt.subscribe(this.statusTopic, this.onStatus);
    // A broker without persistence forgets retained configs when it restarts.
    this.offConnect = this.mqtt.onConnect(() => this.sync(true));
    this.log.info(`Home Assistant discovery published under ${this.options.discoveryPrefix}/<component>/${nodeId}/`);
  }

  /** Publishes configs that changed (all of them when `force`) and clears those that went away. */
  private sync(force: boolean): void {
    const wanted = new Map(this.configs().map((c) => [c.topic, JSON.stringify(c.payload)]));
    for (const topic of this.onBroker.keys()) {
      if (wanted.has(topic)) continue;
      this.mqtt.publish(topic, '', { retain: true, qos: 1 });
      this.onBroker.delete(topic);
      this.log.debug(`cleared stale discovery config ${topic}`);
    }
    for (const [topic, payload] of wanted) {
      if (!force && this.onBroker.get(topic) === payload) continue;
      this.mqtt.publish(topic, payload, { retain: true, qos: 1 });
      this.onBroker.set(topic, payload);
    }
  }

  private republishAll(): void {
    if (!this.running) return;
    this.log.info('Home Assistant came online: republishing discovery and state');
    this.sync(true);
    this.mqtt.publish(this.topics.out(OUT.availability), 'online', { retain: true, qos: 1 });
    this.options.republish();
  }

  private configs(): ReturnType<typeof buildDiscoveryConfigs> {
    const o = this.options;
    return buildDiscoveryConfigs(
      { discoveryPrefix: o.discoveryPrefix, baseTopic: o.baseTopic, deviceId: o.deviceId, version: VERSION, configurationUrl: o.configurationUrl() },
      this.topics,
      this.device.apps(),
    );
  }
}

/** The simulator page as Home Assistant (on another machine) can reach it. */
export function simulatorUrl(httpHost: string, port: number): string {
  const host = httpHost === '0.0.0.0' || httpHost === '::' ? hostname() : httpHost;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}/`;
}
