/** `megabit-device`: the config node holding the broker, the credentials and the device's topics. */
import { DEFAULT_BASE_TOPIC, DEFAULT_DEVICE_ID } from '@megabit/contract';
import { DEFAULT_GROUP_WAIT_MS, DeviceLink } from '../lib/device-link';
import { DEVICE_TYPE, type MegabitDeviceNode } from '../lib/device-node';
import type { NodeAPI, NodeDef } from '../lib/node-red';

const DEFAULT_TIMEOUT_S = 10;

function text(value: unknown, fallback: string): string {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : fallback;
}

/** A positive number of seconds from the form, else the default. */
function seconds(value: unknown, fallback: number): number {
  const n = Number(value);
  return value !== '' && value !== undefined && Number.isFinite(n) && n > 0 ? n : fallback;
}

function register(RED: NodeAPI): void {
  RED.nodes.registerType(
    DEVICE_TYPE,
    function (this: MegabitDeviceNode, def: NodeDef) {
      RED.nodes.createNode(this, def);
      const credentials = (this as unknown as { credentials?: { username?: string; password?: string } }).credentials ?? {};
      this.link = new DeviceLink(
        {
          url: text(def.broker, 'mqtt://localhost:1883'),
          username: credentials.username,
          password: credentials.password,
          baseTopic: text(def.baseTopic, DEFAULT_BASE_TOPIC),
          deviceId: text(def.deviceId, DEFAULT_DEVICE_ID),
          group: text(def.group, '') || undefined,
          groupWaitMs: seconds(def.groupWait, DEFAULT_GROUP_WAIT_MS / 1000) * 1000,
          members: text(def.members, '')
            .split(/[\s,]+/)
            .filter((m) => m !== ''),
          timeoutMs: seconds(def.timeout, DEFAULT_TIMEOUT_S) * 1000,
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
