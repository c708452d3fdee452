/**
 * `megabit button`: a message for every press of the device's button. Either one output with
 * the action in msg.payload.action, or one output per action (press, long press, double press).
 */
import { BUTTON_ACTIONS, OUT, parseButton } from '@megabit/contract';
import { useDevice } from '../lib/device-node';
import type { Node, NodeAPI, NodeDef } from '../lib/node-red';

function register(RED: NodeAPI): void {
  RED.nodes.registerType('megabit button', function (this: Node, def: NodeDef) {
    RED.nodes.createNode(this, def);
    const link = useDevice(RED, this, def);
    if (!link) return;
    const perAction = def.outputMode === 'per-action';
    link.subscribe(this.id, link.topics.out(OUT.buttonEvent), (topic, payload) => {
      const event = parseButton(payload);
      if (!event.ok) {
        this.warn(`megabit: ignored a malformed button event on ${topic}: ${event.error.message}`);
        return;
      }
      const msg = { topic, payload: { button: event.value.button, action: event.value.action } };
      if (!perAction) {
        this.send(msg);
        return;
      }
      this.send(BUTTON_ACTIONS.map((action) => (action === event.value.action ? msg : null)));
    });
  });
}

export = register;
