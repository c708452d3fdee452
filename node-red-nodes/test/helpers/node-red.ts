/**
 * Node-RED's real runtime (4.1, the dev dependency, or the one MEGABIT_NODE_RED names: see
 * node-red-runtime.ts), through node-red-node-test-helper, with the Megabit nodes loaded from
 * their TypeScript sources, and small tools to watch what comes out of a flow.
 */
import helper = require('node-red-node-test-helper');
import deviceNode = require('../../src/nodes/megabit-device');
import notifyNode = require('../../src/nodes/megabit-notify');
import screenNode = require('../../src/nodes/megabit-screen');
import appNode = require('../../src/nodes/megabit-app');
import dataNode = require('../../src/nodes/megabit-data');
import displayNode = require('../../src/nodes/megabit-display');
import buttonNode = require('../../src/nodes/megabit-button');
import stateNode = require('../../src/nodes/megabit-state');
import type { DeviceLink } from '../../src/lib/device-link';
import type { NodeMessage } from '../../src/lib/node-red';
import { NODE_RED, nodeRedModule } from './node-red-runtime';

helper.init(NODE_RED);

// Catch and Status from the same Node-RED as the runtime, so each version is tested with its own.
const catchNode: unknown = require(nodeRedModule('@node-red/nodes/core/common/25-catch'));
const statusNode: unknown = require(nodeRedModule('@node-red/nodes/core/common/25-status'));
export const injectNode: unknown = require(nodeRedModule('@node-red/nodes/core/common/20-inject'));

export { helper };

export const NODES = [deviceNode, notifyNode, screenNode, appNode, dataNode, displayNode, buttonNode, stateNode, catchNode, statusNode];

export const TAB = 'tab';

/** A tab for the flow: Catch and Status nodes only see the nodes of their own tab. */
export function flow(...nodes: Record<string, unknown>[]): Record<string, unknown>[] {
  return [{ id: TAB, type: 'tab', label: 'test' }, ...nodes.map((n) => (n.type === 'megabit-device' ? n : { z: TAB, ...n }))];
}

export function deviceConfig(
  id: string,
  settings: { broker: string; baseTopic: string; deviceId: string; group?: string; groupWait?: number; members?: string; timeout?: number },
): Record<string, unknown> {
  return { id, type: 'megabit-device', timeout: 10, ...settings };
}

/** The shared connection behind a `megabit-device` node of the running flow. */
export function linkOf(deviceNodeId: string): DeviceLink {
  const node = helper.getNode(deviceNodeId) as unknown as { link?: DeviceLink } | null;
  if (!node?.link) throw new Error(`no megabit-device node "${deviceNodeId}" is running`);
  return node.link;
}

export async function until(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Records every message that reaches a node of the running flow (usually a helper node). */
export class Collector {
  readonly messages: NodeMessage[] = [];

  constructor(readonly nodeId: string) {
    const node = helper.getNode(nodeId) as unknown as { on(event: 'input', cb: (msg: NodeMessage) => void): void } | null;
    if (!node) throw new Error(`no node "${nodeId}" in the flow`);
    node.on('input', (msg) => this.messages.push(msg));
  }

  /** The first message (from index `since` on) that satisfies `predicate`, waiting for it if needed. */
  async next(predicate: (msg: NodeMessage) => boolean = () => true, timeoutMs = 10_000, since = 0): Promise<NodeMessage> {
    let found: NodeMessage | undefined;
    await until(
      `a matching message at "${this.nodeId}"`,
      () => {
        found = this.messages.slice(since).find(predicate);
        return found !== undefined;
      },
      timeoutMs,
    );
    return found!;
  }
}
