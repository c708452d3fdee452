/**
 * `megabit screen`: puts a screen into the display's rotation (`P/cmd/screens/<id>`), or takes it
 * out. The form sets every content field; msg.payload overrides it (see lib/screen-fields.ts);
 * msg.remove, or an empty payload, removes the screen. The status shows the bridge's reply.
 */
import { commandPath, isScreenId, parseScreen } from '@megabit/contract';
import { checked, handleCommands, InvalidInputError } from '../lib/command-input';
import { useDevice } from '../lib/device-node';
import { isPlainObject } from '../lib/msg-values';
import { isRemoval, screenForm, screenMessage } from '../lib/screen-fields';
import type { Node, NodeAPI, NodeDef } from '../lib/node-red';

const WHAT = 'screens/<id>';

/** The id becomes a topic level (`P/cmd/screens/<id>`), so it must be a valid one. */
function screenPath(id: unknown): string {
  if (!isScreenId(id)) {
    const got = JSON.stringify(id) ?? 'nothing';
    throw new InvalidInputError(WHAT, `give the screen an id of 1 to 32 of a-z, 0-9, "_" and "-" in the node, msg.screen_id or msg.payload.id (got ${got})`);
  }
  return commandPath('screens', { screenId: id });
}

/** The status after a reply: what happened to which screen, and the fields whose template the bridge could not render. */
function describeReply(reply: Record<string, unknown>, removed: boolean): string {
  const outcome = `${removed ? 'removed' : 'shown'}: ${String(reply.id ?? '')}`;
  const fields = Array.isArray(reply.errors) ? reply.errors.map((e: { field?: unknown }) => String(e.field)) : [];
  return fields.length > 0 ? `${outcome}, template errors in ${fields.join(', ')}` : outcome;
}

function register(RED: NodeAPI): void {
  RED.nodes.registerType('megabit screen', function (this: Node, def: NodeDef) {
    RED.nodes.createNode(this, def);
    const link = useDevice(RED, this, def);
    const form = screenForm(def);
    handleCommands(
      this,
      link,
      (msg, device) => {
        if (isRemoval(msg.payload, msg.remove)) {
          const named = isPlainObject(msg.payload) ? msg.payload.id : undefined;
          return device.requestPath(screenPath(named ?? msg.screen_id ?? form.screenId), { raw: '' });
        }
        const { id, request } = screenMessage(WHAT, form, msg.payload, msg.screen_id);
        const path = screenPath(id);
        // Checked here like every command, and sent as built: the parser's result is the bridge's inner form.
        checked(path, parseScreen(JSON.stringify(request)));
        return device.requestPath(path, { json: request });
      },
      (reply, msg) => describeReply(reply, isRemoval(msg.payload, msg.remove)),
    );
  });
}

export = register;
