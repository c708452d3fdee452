/**
 * Publishes the retained snapshots `P/state` and `P/state/apps` when they change, after every
 * reconnect, and `P/state` every 30 s so uptime and fps stay current.
 */
import { OUT, type DeviceTopics } from '@megabit/contract';
import type { DeviceControl } from '../device/device-control';
import type { EventBus } from '../events';
import type { Part } from '../part';
import type { MqttConnection } from './connection';

const REFRESH_MS = 30_000;

export class StatePublisher implements Part {
  readonly name = 'state publisher';
  private lastState?: string;
  private lastApps?: string;
  private timer?: NodeJS.Timeout;
  private offConnect?: () => void;

  constructor(
    private readonly mqtt: MqttConnection,
    private readonly topics: DeviceTopics,
    private readonly device: DeviceControl,
    private readonly bus: EventBus,
  ) {}

  start(): void {
    this.bus.on(this, 'stateChanged', () => this.publishState(false));
    this.bus.on(this, 'appsChanged', () => {
      this.publishApps(false);
      this.publishState(false);
    });
    this.offConnect = this.mqtt.onConnect(() => this.publishAll());
    this.timer = setInterval(() => this.publishState(true), REFRESH_MS);
    this.publishAll();
  }

  stop(): void {
    clearInterval(this.timer);
    this.offConnect?.();
    this.bus.removeListeners(this);
  }

  publishAll(): void {
    this.publishApps(true);
    this.publishState(true);
  }

  private publishState(force: boolean): void {
    const { uptime_s: _uptime, fps: _fps, ...rest } = this.device.state();
    const key = JSON.stringify(rest);
    if (!force && key === this.lastState) return;
    this.lastState = key;
    this.mqtt.publish(this.topics.out(OUT.state), JSON.stringify(this.device.state()), { retain: true, qos: 1 });
  }

  private publishApps(force: boolean): void {
    const payload = JSON.stringify(this.device.apps());
    if (!force && payload === this.lastApps) return;
    this.lastApps = payload;
    this.mqtt.publish(this.topics.out(OUT.stateApps), payload, { retain: true, qos: 1 });
  }
}
