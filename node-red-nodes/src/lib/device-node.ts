/** How the nodes reach their `megabit-device` config node and its shared connection. */
import type { DeviceLink } from './device-link';
import type { Node, NodeAPI, NodeDef } from './node-red';

export const DEVICE_TYPE = 'megabit-device';

export interface MegabitDeviceNode extends Node {
  link: DeviceLink;
}

/**
 * The connection of the device the node is set to, registered for this node and released when
 * it closes; undefined (with a red status) when no device is set.
 */
export function useDevice(RED: NodeAPI, node: Node, def: NodeDef): DeviceLink | undefined {
  const device = typeof def.device === 'string' ? (RED.nodes.getNode(def.device) as MegabitDeviceNode | null) : null;
  if (!device?.link) {
    node.status({ fill: 'red', shape: 'ring', text: 'no device' });
    node.error('megabit: no device is configured for this node');
    return undefined;
  }
  const link = device.link;
  link.register(node);
  node.on('close', (_removed, done) => {
    link.deregister(node).then(done, done);
  });
  return link;
}
