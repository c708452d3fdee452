/**
 * `megabit state`: emits the device's state when it changes: `P/state` (power, brightness,
 * current app, notification...) as msg.topic "state" and `P/state/apps` as msg.topic "apps".
 * The bridge republishes the state every 30 s for uptime and fps; those alone are not a change.
 */
import { OUT } from '@megabit/contract';
import { useDevice } from '../lib/device-node';
import type { Node, NodeAPI, NodeDef } from '../lib/node-red';

type Which = 'all' | 'state' | 'apps';

/** What counts as a change: the JSON without the fields that tick on their own. */
function changeKey(value: unknown): string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return JSON.stringify(value);
  const { uptime_s: _uptime, fps: _fps, ...rest } = value as Record<string, unknown>;
  return JSON.stringify(rest);
}

function register(RED: NodeAPI): void {
  RED.nodes.registerType('megabit state', function (this: Node, def: NodeDef) {
    RED.nodes.createNode(this, def);
    const link = useDevice(RED, this, def);
    if (!link) return;
    const which: Which = def.emit === 'state' || def.emit === 'apps' ? def.emit : 'all';
    const lastKey = new Map<string, string>();
    const watch = (path: string, name: 'state' | 'apps'): void => {
      link.subscribe(this.id, link.topics.out(path), (_topic, payload) => {
        if (payload.length === 0) return;
        let value: unknown;
        try {
          value = JSON.parse(payload.toString('utf8'));
        } catch {
          this.warn(`megabit: ignored ${name} that is not JSON`);
          return;
        }
        const key = changeKey(value);
        if (lastKey.get(name) === key) return;
        lastKey.set(name, key);
        this.send({ topic: name, payload: value });
      });
    };
    if (which !== 'apps') watch(OUT.state, 'state');
    if (which !== 'state') watch(OUT.stateApps, 'apps');
  });
}

export = register;
