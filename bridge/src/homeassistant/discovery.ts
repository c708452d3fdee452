/**
 * The Home Assistant discovery extension: publishes this display's device-based discovery config
 * (retained), hands over the single-component configs an earlier version published (Home
 * Assistant's migration steps, so entity ids, names and areas stay), keeps the app list current,
 * and republishes everything when Home Assistant announces itself on its birth topic.
 */
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { OUT, type DeviceTopics } from '@megabit/contract';
import type { DeviceControl } from '../device/device-control';
import type { EventBus } from '../events';
import type { MessageHandler, MqttConnection } from '../mqtt/connection';
import type { Part } from '../part';
import { errorMessage, type Logger } from '../util/logger';
import { VERSION } from '../version';
import { buildDiscoveryConfigs, configFilter, nodeIdFor, type DiscoveryConfig } from './discovery-configs';
import { componentsOf, deviceConfigTopic, devicePayload, MIGRATE_PAYLOAD, singleTopicParts, type RemovedComponent } from './device-discovery';
import { collectRetained, COLLECT_MS } from './retained-configs';

export interface DiscoveryOptions {
  discoveryPrefix: string;
  /** Home Assistant's birth message topic (its own setting, not under the discovery prefix). */
  birthTopic: string;
  baseTopic: string;
  deviceId: string;
  /** The simulator page, shown as the device's configuration URL (asked once HTTP listens). */
  configurationUrl(): string;
  /** A serial display is configured. */
  panel: boolean;
  /** Republishes the bridge's retained state (P/state, P/state/apps) and the screen. */
  republish(): void;
  /** Pause between the migration's steps, so Home Assistant has handled one before the next. */
  migrationStepMs?: number;
}

const MIGRATION_STEP_MS = 1000;

export class HomeAssistantDiscovery implements Part {
  readonly name = 'homeassistant-discovery';
  private offConnect?: () => void;
  /** The device config the broker holds, as far as we know. */
  private onBroker?: string;
  private running = false;
  private readonly stopping = new AbortController();
  private readonly nodeId: string;
  private readonly deviceTopic: string;
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
    this.nodeId = nodeIdFor(options.baseTopic, options.deviceId);
    this.deviceTopic = deviceConfigTopic(options.discoveryPrefix, this.nodeId);
  }

  /** Returns at once; the config follows once the earlier ones are collected (about 1.5 s). */
  start(): void {
    this.running = true;
    this.begin().catch((e) => this.log.error(`Home Assistant discovery failed to start: ${errorMessage(e)}`));
  }

  stop(): void {
    this.running = false;
    this.stopping.abort();
    this.offConnect?.();
    this.bus.removeListeners(this);
    this.mqtt.unsubscribe(this.options.birthTopic, this.onStatus);
  }

  private async begin(): Promise<void> {
    const signal = this.stopping.signal;
    const [singles, devices] = await Promise.all([
      collectRetained(this.mqtt, configFilter(this.options.discoveryPrefix, this.nodeId), COLLECT_MS, signal),
      collectRetained(this.mqtt, this.deviceTopic, COLLECT_MS, signal),
    ]);
    if (!this.running) return;
    this.onBroker = devices.get(this.deviceTopic);
    await this.migrate(singles);
    if (!this.running) return;
    this.sync(false);
    this.bus.on(this, 'appsChanged', () => this.sync(false));
    this.mqtt.subscribe(this.options.birthTopic, this.onStatus);
    // A broker without persistence forgets retained configs when it restarts.
    this.offConnect = this.mqtt.onConnect(() => this.sync(true));
    this.log.info(`Home Assistant discovery published on ${this.deviceTopic}`);
  }

  /**
   * Home Assistant's documented migration from single-component topics: `migrate_discovery` on
   * each old topic (it unloads the entity and keeps its registry entry), then the device config
   * (the same discovery ids and unique ids take the entities over), then the old topics cleared.
   * An old config of a component we no longer have is simply cleared: that entity is gone.
   */
  private async migrate(singles: Map<string, string>): Promise<void> {
    if (singles.size === 0) return;
    const wanted = new Set(this.configs().map((c) => `${c.component}/${c.objectId}`));
    const handOver = [...singles.keys()].filter((topic) => {
      const parts = singleTopicParts(topic);
      return parts !== undefined && wanted.has(`${parts.component}/${parts.objectId}`) && !isMigrateMarker(singles.get(topic));
    });
    const step = this.options.migrationStepMs ?? MIGRATION_STEP_MS;
    const pause = (): Promise<unknown> => sleep(step, undefined, { signal: this.stopping.signal }).catch(() => undefined);
    if (handOver.length > 0) {
      this.log.info(`moving ${handOver.length} Home Assistant discovery config(s) to ${this.deviceTopic}`);
      for (const topic of handOver) this.mqtt.publish(topic, MIGRATE_PAYLOAD, { retain: true, qos: 1 });
      await pause();
      if (!this.running) return;
    }
    // The device config goes first, also when an interrupted start left only the markers: an
    // old topic is cleared only once the entity has its new home.
    this.sync(true);
    await pause();
    if (!this.running) return;
    for (const topic of singles.keys()) {
      this.mqtt.publish(topic, '', { retain: true, qos: 1 });
      this.log.debug(`cleared single-component discovery config ${topic}`);
    }

    function isMigrateMarker(payload: string | undefined): boolean {
      try {
        return (JSON.parse(payload ?? '') as { migrate_discovery?: unknown }).migrate_discovery === true;
      } catch {
        return false;
      }
    }
  }

  /**
   * Publishes the device config when it changed (always when `force`). A component that the
   * broker's copy has and ours lacks is first published as `{p}` alone, which removes it.
   */
  private sync(force: boolean): void {
    const configs = this.configs();
    const wantedKeys = new Set(configs.map((c) => c.objectId));
    const removed: RemovedComponent[] = [...componentsOf(this.onBroker)].filter(([key]) => !wantedKeys.has(key)).map(([key, platform]) => ({ key, platform }));
    if (removed.length > 0) {
      this.mqtt.publish(this.deviceTopic, JSON.stringify(devicePayload(configs, removed)), { retain: true, qos: 1 });
      this.log.debug(`removed component(s) ${removed.map((r) => r.key).join(', ')} from ${this.deviceTopic}`);
    }
    const payload = JSON.stringify(devicePayload(configs));
    if (!force && removed.length === 0 && this.onBroker === payload) return;
    this.mqtt.publish(this.deviceTopic, payload, { retain: true, qos: 1 });
    this.onBroker = payload;
  }

  private republishAll(): void {
    if (!this.running) return;
    this.log.info('Home Assistant came online: republishing discovery and state');
    this.sync(true);
    this.mqtt.publish(this.topics.out(OUT.availability), 'online', { retain: true, qos: 1 });
    this.options.republish();
  }

  private configs(): DiscoveryConfig[] {
    const o = this.options;
    return buildDiscoveryConfigs(
      {
        discoveryPrefix: o.discoveryPrefix,
        baseTopic: o.baseTopic,
        deviceId: o.deviceId,
        version: VERSION,
        configurationUrl: o.configurationUrl(),
        panel: o.panel,
      },
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
