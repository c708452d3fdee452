/** `megabit-device`: the config node holding the broker, the credentials and the device's topics. */
import { DEFAULT_BASE_TOPIC, DEFAULT_DEVICE_ID } from '@megabit/contract';
import { DeviceLink } from '../lib/device-link';
import { DEVICE_TYPE, type MegabitDeviceNode } from '../lib/device-node';
import type { NodeAPI, NodeDef } from '../lib/node-red';

const DEFAULT_TIMEOUT_S = 10;

function text(value: unknown, fallback: string): string {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : fallback;
}

function register(RED: NodeAPI): void {
  RED.nodes.registerType(
    DEVICE_TYPE,
    function (this: MegabitDeviceNode, def: NodeDef) {
      RED.nodes.createNode(this, def);
      const credentials = (this as unknown as { credentials?: { username?: string; password?: string } }).credentials ?? {};
      const timeoutS = Number(def.timeout);
      this.link = new DeviceLink(
        {
          url: text(def.broker, 'mqtt://localhost:1883'),
          username: credentials.username,
          password: credentials.password,
          baseTopic: text(def.baseTopic, DEFAULT_BASE_TOPIC),
          deviceId: text(def.deviceId, DEFAULT_DEVICE_ID),
          group: text(def.group, '') || undefined,
          timeoutMs: (Number.isFinite(timeoutS) && timeoutS > 0 ? timeoutS : DEFAULT_TIMEOUT_S) * 1000,
        },
        (line) => this.log(line),
      );
      this.on('close', (_removed, done) => {
        this.link.close().then(done, done);
      });
    },
    {
      credentials: {
        username: { type: 'text' },
        password: { type: 'password' },
      },
    },
  );
}

export = register;
