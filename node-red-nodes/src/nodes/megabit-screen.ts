/**
 * `megabit screen`: puts a screen into the display's rotation (`P/cmd/screens/<id>`), or takes it
 * out. The form sets every content field; msg.payload overrides it (see lib/screen-fields.ts);
 * msg.remove, or an empty payload, removes the screen. The status shows the bridge's reply.
 */
import { isValidId } from '@megabit/contract';
import { handleCommands, InvalidInputError } from '../lib/command-input';
import { useDevice } from '../lib/device-node';
import { isPlainObject } from '../lib/msg-values';
import { isRemoval, readScreenForm, screenMessage } from '../lib/screen-fields';
import type { Node, NodeAPI, NodeDef } from '../lib/node-red';

const WHAT = 'screens/<id>';

/** The id becomes a topic level (`P/cmd/screens/<id>`), so it must be a valid one. */
function screenPath(id: unknown): string {
  if (!isValidId(id)) {
    throw new InvalidInputError(
      WHAT,
      `give the screen an id of a-z, 0-9, "_" and "-" in the node, msg.screen_id or msg.payload.id (got ${JSON.stringify(id) ?? 'nothing'})`,
    );
  }
  return `screens/${id}`;
}

function register(RED: NodeAPI): void {
  RED.nodes.registerType('megabit screen', function (this: Node, def: NodeDef) {
    RED.nodes.createNode(this, def);
    const link = useDevice(RED, this, def);
    const form = readScreenForm(def);
    handleCommands(
      this,
      link,
      (msg, device) => {
        if (isRemoval(msg.payload, msg.remove)) {
          const named = isPlainObject(msg.payload) ? msg.payload.id : undefined;
          return device.requestPath(screenPath(named ?? msg.screen_id ?? form.screenId), { raw: '' });
        }
        const { id, request } = screenMessage(WHAT, form, msg.payload, msg.screen_id);
        return device.requestPath(screenPath(id), { json: request });
      },
      (reply, msg) => `${isRemoval(msg.payload, msg.remove) ? 'removed' : 'shown'}: ${String(reply.id ?? '')}`,
    );
  });
}

export = register;
